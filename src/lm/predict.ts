import type { LmVocabulary } from "../data/text/vocabulary.js";
import type { RecurrentLm } from "../models/recurrent-lm.js";
import { Generator, defaultGenerator } from "../tensor/random.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { type SamplingOptions, samplerFor, samplingDefaults } from "./sampling.js";
import { stepOutputRow } from "../kernels/ref/step.js";
import { LmStepper } from "./step.js";

/**
 * Cut a prompt into vocabulary ids the way the training text was cut. A trailing end-of-line
 * token that the tokenizer adds is dropped (a prompt is an unfinished sentence), and a word the
 * vocabulary lacks is retried in lower case (PTB is lower-case: "I" → "i").
 */
export function encodePrompt(vocab: LmVocabulary, text: string): { ids: number[]; tokens: string[]; unknown: string[] } {
  let toks = vocab.tokenize(text);
  if (vocab.tokenizer.level === "word" && toks.length && toks[toks.length - 1] === vocab.tokenizer.eos && !/\n\s*$/.test(text)) toks = toks.slice(0, -1);
  const ids: number[] = [];
  const tokens: string[] = [];
  const unknown: string[] = [];
  for (const t of toks) {
    const id = vocab.get(t) ?? vocab.get(t.toLowerCase());
    if (id === undefined) {
      unknown.push(t);
      if (vocab.unkId >= 0) {
        ids.push(vocab.unkId);
        tokens.push(vocab.token(vocab.unkId));
      }
    } else {
      ids.push(id);
      tokens.push(vocab.token(id));
    }
  }
  return { ids, tokens, unknown };
}

/**
 * The sequence path, for models the stepper does not know (LmStepper.create → null): run the
 * model over ids (one stream) and return the last step's logits and the state.
 */
function feed<S>(model: RecurrentLm<S>, ids: readonly number[], state: S | null): { last: Float32Array; state: S } {
  const { logits, state: next } = model.forward(new Tensor(Int32Array.from(ids), [ids.length, 1]), state);
  const V = model.config.vocabSize;
  return { last: logits.f32.slice((ids.length - 1) * V, ids.length * V), state: next };
}

/**
 * The context a prompt starts from: the end-of-sentence token at word level (PTB's sentence
 * boundary), a newline at char level when the vocabulary has one. Training carries the state across
 * the whole text, so a prompt fed from a zero state with no such boundary is out of distribution
 * (a char model then continues "ROMEO:" with noise instead of a line break).
 */
function startIds(vocab: LmVocabulary): number[] {
  if (vocab.eosId >= 0) return [vocab.eosId];
  const nl = vocab.get("\n");
  return nl === undefined ? [] : [nl];
}

export interface NextToken {
  token: string;
  id: number;
  prob: number;
}

/**
 * Steps from which a stepper may make half-precision copies of an F16 model's weights: making them
 * reads every weight once (about 3 ms for the default word model's 1.7 M weights), which ~60 steps
 * earn back (48 µs saved per word-model token); a short predict-next reads the floats in place.
 */
const HALF_COPY_MIN_STEPS = 128;

/**
 * Run `fn` on a one-stream stepper for the model (LmStepper), or on null when the model is not
 * one the stepper knows; the stepper is disposed after. Eval mode: no dropout. `steps`: how many
 * tokens it will step (decides whether half-precision copies pay off).
 */
function withStepper<T>(model: RecurrentLm, steps: number, fn: (st: LmStepper | null) => T): T {
  model.eval();
  return noGrad(() => {
    const st = LmStepper.create(model, { halfCopies: steps >= HALF_COPY_MIN_STEPS });
    try {
      return fn(st);
    } finally {
      st?.dispose();
    }
  });
}

/** p = softmax(z / temperature) [V] after feeding ids from a zero state (ids non-empty). */
function probsAfter(model: RecurrentLm, ids: readonly number[], st: LmStepper | null, p: Float32Array, temperature = 1): unknown {
  if (st) {
    st.reset();
    st.feed(ids.slice(0, -1));
    st.step(ids[ids.length - 1]!, "probs", p, temperature);
    return null;
  }
  const { last, state } = feed(model, ids, null);
  stepOutputRow(last, last.length, "probs", temperature, p);
  return state;
}

/**
 * Top-k next tokens after a prompt with their probabilities: P(w | prompt). <unk> is left out
 * by default (it is a bucket, not a word). Throws when no prompt word is in the vocabulary.
 */
export function predictNext(model: RecurrentLm, vocab: LmVocabulary, prompt: string, opts: { k?: number; includeUnk?: boolean } = {}): { next: NextToken[]; context: string[]; unknown: string[] } {
  const enc = encodePrompt(vocab, prompt);
  const known = enc.tokens.length - enc.unknown.length * (vocab.unkId >= 0 ? 1 : 0);
  if (enc.ids.length === 0 || known <= 0)
    throw new Error(`predictNext: none of the words of "${prompt}" are in the model's vocabulary (${vocab.size} tokens; unknown: ${enc.unknown.slice(0, 10).join(", ")}) — hint: train on a corpus that contains them`);
  const V = model.config.vocabSize;
  return withStepper(model, enc.ids.length + 1, (st) => {
    const p = new Float32Array(V);
    probsAfter(model, [...startIds(vocab), ...enc.ids], st, p);
    const exclude = opts.includeUnk || vocab.unkId < 0 ? [] : [vocab.unkId];
    const next = samplerFor(V).best(p, opts.k ?? 5, exclude).map((id) => ({ token: vocab.token(id), id, prob: p[id]! }));
    return { next, context: enc.tokens, unknown: enc.unknown };
  });
}

export interface ScoredToken {
  token: string;
  prob: number;
  logProb: number;
}

/**
 * Sentence probability as the product of conditionals (the lecture's chain rule):
 *   P(w_1 … w_n) = Π_t P(w_t | w_<t),   log P = Σ_t log P(w_t | w_<t)
 * w_1 is conditioned on the start context (<eos> at word level, a newline at char level); a char
 * vocabulary without a newline has no start context, and its first character is not scored.
 */
export function scoreText(model: RecurrentLm, vocab: LmVocabulary, text: string): { tokens: ScoredToken[]; logProb: number; perplexity: number; unknown: string[] } {
  const enc = encodePrompt(vocab, text);
  const ids = [...startIds(vocab), ...enc.ids];
  if (ids.length < 2) throw new Error(`score: "${text}" has fewer than two known tokens to score (hint: char models score from the second character)`);
  const V = model.config.vocabSize;
  return withStepper(model, ids.length, (st) => {
    const tokens: ScoredToken[] = [];
    let logProb = 0;
    const add = (id: number, lp: number): void => {
      logProb += lp;
      tokens.push({ token: vocab.token(id), prob: Math.exp(lp), logProb: lp });
    };
    if (st) {
      const lp = new Float32Array(V);
      st.reset();
      for (let t = 0; t + 1 < ids.length; t++) {
        st.step(ids[t]!, "logprobs", lp);
        add(ids[t + 1]!, lp[ids[t + 1]!]!);
      }
    } else {
      const { logits } = model.forward(new Tensor(Int32Array.from(ids), [ids.length, 1]));
      const lp = new Float32Array(V);
      for (let t = 0; t + 1 < ids.length; t++) {
        stepOutputRow(logits.f32.subarray(t * V, (t + 1) * V), V, "logprobs", 1, lp);
        add(ids[t + 1]!, lp[ids[t + 1]!]!);
      }
    }
    return { tokens, logProb, perplexity: Math.exp(-logProb / tokens.length), unknown: enc.unknown };
  });
}

export interface GenerateOptions extends SamplingOptions {
  /** Tokens to generate. */
  length?: number;
  /** Seed for the sampler (same seed, same text); ignored when `generator` is given. */
  seed?: number;
  /** Allow sampling <unk> (off by default). */
  includeUnk?: boolean;
}

/**
 * Sample a continuation of the prompt token by token, carrying the recurrent state: each step
 * is one stepper call (embedding → cells → decoder → softmax(z / temperature)) and one draw
 * (TokenSampler: top-k / top-p without sorting the vocabulary); temperature 0 takes the arg-max.
 */
export function generate(model: RecurrentLm, vocab: LmVocabulary, prompt: string, opts: GenerateOptions = {}): { text: string; tokens: string[] } {
  const { temperature, topK, topP } = samplingDefaults(opts);
  const gen = opts.generator ?? (opts.seed !== undefined ? new Generator(opts.seed) : defaultGenerator);
  const rng = (): number => gen.random();
  const enc = encodePrompt(vocab, prompt);
  const ctx = [...startIds(vocab), ...enc.ids];
  if (ctx.length === 0) throw new Error(`generate: the prompt "${prompt}" has no token in the vocabulary`);
  const n = opts.length ?? 100;
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`generate: length must be an integer ≥ 0, got ${n}`);
  const exclude = opts.includeUnk || vocab.unkId < 0 ? [] : [vocab.unkId];
  const V = model.config.vocabSize;
  const sampler = samplerFor(V);
  const greedy = temperature === 0;
  const output = greedy ? "logits" : "probs";
  const buf = new Float32Array(V);
  const pick = (): number => (greedy ? sampler.greedy(buf, exclude) : sampler.draw(buf, { topK, topP, exclude }, rng));
  const out: number[] = [];
  withStepper(model, ctx.length + n, (st) => {
    if (n === 0) return;
    if (st) {
      st.reset();
      st.feed(ctx.slice(0, -1));
      st.step(ctx[ctx.length - 1]!, output, buf, greedy ? 1 : temperature);
      for (let i = 0; i < n; i++) {
        const id = pick();
        out.push(id);
        if (i + 1 < n) st.step(id, output, buf, greedy ? 1 : temperature);
      }
      return;
    }
    let { last, state } = feed(model, ctx, null);
    for (let i = 0; i < n; i++) {
      stepOutputRow(last, V, output, greedy ? 1 : temperature, buf);
      const id = pick();
      out.push(id);
      if (i + 1 < n) ({ last, state } = feed(model, [id], state));
    }
  });
  const tokens = out.map((i) => vocab.token(i));
  return { text: vocab.decodeText(out), tokens };
}
