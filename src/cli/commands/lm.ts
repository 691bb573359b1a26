import type { Command } from "commander";
import type { CorpusDatasetName } from "../../data/corpus/load.js";
import { loadAnyLm } from "../../io/checkpoint.js";
import { evaluateLm } from "../../lm/evaluate.js";
import { generate, predictNext, scoreText } from "../../lm/predict.js";
import { DEFAULT_LM_PATH, type LmRunOptions, trainLanguageModel } from "../../lm/session.js";
import { loadCorpus } from "../../data/corpus/load.js";
import { encodeCorpus } from "../../data/corpus/encode.js";
import { textTable } from "../../viz/table.js";
import { action, choiceArg, intArg, numArg } from "../common.js";
import { InvalidArgumentError } from "commander";
import { LM_OPTIMIZERS } from "../../lm/awd-run.js";

/** "1150,1150,400" → [1150, 1150, 400] (positive integers). */
function intListArg(name: string): (v: string) => number[] {
  return (v) => {
    const xs = v.split(",").map((x) => Number(x.trim()));
    if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new InvalidArgumentError(`${name} must be comma-separated positive integers, e.g. 1150,1150,400; got "${v}"`);
    return xs;
  };
}
import { trainingConsole } from "../training-console.js";
import { MODEL_OPTIONS, type OptionSpec, type OptionUse, TRAINING_OPTIONS, optionValues, overriding, withOptions } from "../options.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

/** The options only train-lm takes. */
const LM_ONLY: Record<string, OptionSpec> = {
  level: { flags: "--level <level>", help: "word or char", parse: choiceArg("--level", ["word", "char"] as const) },
  wordStyle: { flags: "--word-style <style>", help: "ptb (whitespace, <eos> per line) or prose (punctuation split)", parse: choiceArg("--word-style", ["ptb", "prose"] as const) },
  tie: { flags: "--tie", help: "tie decoder and embedding weights (needs --emb = --hidden)", key: "tieWeights" },
  initRange: { flags: "--init-range <r>", help: "initialise every weight from U(-r, r) (Zaremba et al.: 0.1); default PyTorch's per-layer init", parse: numArg("--init-range", 1e-6, 10) },
  optimizer: { flags: "--optimizer <name>", help: "sgd, adam, asgd (averaged SGD from the start) or nt-asgd (SGD, then averaged when validation stalls; the --awd default)", parse: choiceArg("--optimizer", LM_OPTIMIZERS) },
  // AWD-LSTM (Merity et al. 2017)
  awd: { flags: "--awd", help: "AWD-LSTM: weight-dropped LSTMs, locked and embedding dropout, AR/TAR, tied decoder; defaults emb 400, LSTM 1150/1150/400, nt-asgd, lr 30, clip 0.25, bptt 70" },
  hiddenSizes: { flags: "--hidden-sizes <list>", help: "--awd: each LSTM layer's size, e.g. 1150,1150,400 (default: --layers × --hidden, the top = --emb)", parse: intListArg("--hidden-sizes") },
  weightDrop: { flags: "--weight-drop <p>", help: "--awd: DropConnect on the recurrent weights (default 0.5)", parse: numArg("--weight-drop", 0, 0.99) },
  dropoutEmb: { flags: "--dropout-emb <p>", help: "--awd: whole-word dropout on the embedding (default 0.1)", parse: numArg("--dropout-emb", 0, 0.99) },
  dropoutInp: { flags: "--dropout-inp <p>", help: "--awd: locked dropout on the embedding output (default 0.65)", parse: numArg("--dropout-inp", 0, 0.99) },
  dropoutHid: { flags: "--dropout-hid <p>", help: "--awd: locked dropout between LSTM layers (default 0.3)", parse: numArg("--dropout-hid", 0, 0.99) },
  dropoutOut: { flags: "--dropout-out <p>", help: "--awd: locked dropout on the top layer's output (default 0.4)", parse: numArg("--dropout-out", 0, 0.99) },
  alpha: { flags: "--alpha <x>", help: "--awd: activation regularisation α·mean(h²) (default 2)", parse: numArg("--alpha", 0) },
  beta: { flags: "--beta <x>", help: "--awd: temporal activation regularisation β·mean((h_t − h_t−1)²) (default 1)", parse: numArg("--beta", 0) },
  adaptiveSoftmax: { flags: "--adaptive-softmax <cutoffs>", help: "--awd: adaptive softmax output layer with these cutoffs, e.g. 2000,10000 (untied; for large vocabularies)", parse: intListArg("--adaptive-softmax") },
  divValue: { flags: "--div-value <x>", help: "--adaptive-softmax: tail cluster i projects to size / x^(i+1) (default 4)", parse: numArg("--div-value", 1e-6) },
  nonmono: { flags: "--nonmono <n>", help: "nt-asgd: switch when validation is worse than the best before the last n evaluations (default 5)", parse: intArg("--nonmono", 0) },
  averageNow: { flags: "--average-now", help: "nt-asgd: average from the first step of this run, not when validation stalls (e.g. resuming a run whose time is running out)" },
  lrDecay: { flags: "--lr-decay <f>", help: "multiply lr by f each epoch after --decay-after (default 0.5 for sgd)", parse: numArg("--lr-decay", 0, 1) },
  decayAfter: { flags: "--decay-after <n>", help: "epochs at full lr before decaying", parse: intArg("--decay-after", 0) },
  weightDecay: { flags: "--weight-decay <x>", help: "L2 weight decay", parse: numArg("--weight-decay", 0) },
  bptt: { flags: "--bptt <n>", help: "steps per truncated-BPTT window", parse: intArg("--bptt") },
  sampleLength: { flags: "--sample-length <n>", help: "tokens of sample text after each epoch (0 = none)", parse: intArg("--sample-length", 0) },
  sampleEvery: { flags: "--sample-every <s>", help: "also print a sample every s seconds (0 = only after epochs)", parse: numArg("--sample-every", 0) },
};

export function registerLmCommands(program: Command): void {
  const trainLmOptions: OptionUse[] = [
    "data",
    "dataset",
    "level",
    "wordStyle",
    "maxVocab",
    "minFreq",
    ...MODEL_OPTIONS,
    "tie",
    "initRange",
    "optimizer",
    "awd",
    "hiddenSizes",
    "weightDrop",
    "dropoutEmb",
    "dropoutInp",
    "dropoutHid",
    "dropoutOut",
    "alpha",
    "beta",
    "adaptiveSoftmax",
    "divValue",
    "nonmono",
    "averageNow",
    ...overriding(overriding(overriding(TRAINING_OPTIONS, "lr", { help: "learning rate (default 1 for sgd/asgd/nt-asgd, 0.002 for adam; 30 with --awd)" }), "clip", { help: "clip the global gradient norm (default 5 sgd, 1 otherwise, 0.25 with --awd; 0 = off)" }), "batchSize", { help: "parallel streams" }),
    "lrDecay",
    "decayAfter",
    "weightDecay",
    "bptt",
    ["out", { default: DEFAULT_LM_PATH }],
    "sampleLength",
    ["sampleEvery", { default: 20 }],
  ];
  withOptions(program.command("train-lm").description("train a word- or character-level language model (default: the embedded Moby Dick corpus)"), trainLmOptions, LM_ONLY)
    .action(
      action(async (opts: Record<string, string | number | boolean | undefined>) => {
        const con = trainingConsole(Boolean(opts.json));
        try {
          const r = await trainLanguageModel(
            { ...(optionValues(opts, trainLmOptions, LM_ONLY) as LmRunOptions), out: String(opts.out) },
            {
              info: con.log,
              onStart: (s) => {
                con.log(`model: ${s.params.toLocaleString()} parameters; ${s.stepsPerEpoch} steps per epoch, epochs ${s.startEpoch}–${s.epochs}`);
                con.start({ label: "train-lm", epochs: s.epochs, stepsPerEpoch: s.stepsPerEpoch, startStep: s.startStep });
              },
              onStep: (s) => con.step(s.globalStep, { epoch: s.epoch, loss: s.loss, ppl: Math.exp(s.loss), tokPerSec: s.tokensPerSec, lr: s.lr }),
              onEpoch: (e) => {
                con.event({ event: "epoch", epoch: e.epoch, trainLoss: e.trainLoss, validLoss: e.validLoss ?? NaN, validPpl: e.validPerplexity ?? NaN, lr: e.lr, seconds: e.seconds });
                if (e.sample === undefined) return;
                if (con.json) con.event({ event: "sample", epoch: e.epoch, text: e.sample });
                else con.log(`sample: ${e.sample.replace(/\n/g, " / ")}`);
              },
              onSample: (s) => (con.json ? con.event({ event: "sample", epoch: s.epoch, step: s.step, text: s.text }) : con.log(`sample (epoch ${s.epoch}, step ${s.step}): ${s.text.replace(/\n/g, " / ")}`)),
              shouldStop: () => con.stopRequested,
            },
          );
          con.stop();
          const lines = [r.message];
          if (r.checkpoint) lines.push(`checkpoint: ${r.checkpoint}${r.curve ? `   curve: ${r.curve}` : ""}`);
          else lines.push("no checkpoint was written");
          if (r.valid) lines.push(`validation perplexity ${r.valid.perplexity.toFixed(2)} (${r.valid.bitsPerToken.toFixed(3)} bits/token)`);
          if (r.test) lines.push(`test perplexity ${r.test.perplexity.toFixed(2)} (${r.test.bitsPerToken.toFixed(3)} bits/token)`);
          if (r.stoppedBy === "interrupt" || r.stoppedBy === "time-limit") lines.push(`training state saved at epoch ${r.position.epoch}, step ${r.position.step}: continue with --resume --out ${String(opts.out)}`);
          if (con.json) say(JSON.stringify({ event: "result", stoppedBy: r.stoppedBy, message: r.message, checkpoint: r.checkpoint, validPerplexity: r.valid?.perplexity ?? null, testPerplexity: r.test?.perplexity ?? null }));
          else for (const l of lines) say(l);
          if (r.stoppedBy === "nan") process.exitCode = 1;
          if (r.stoppedBy === "interrupt") process.exitCode = con.interruptExitCode;
        } finally {
          con.dispose();
        }
      }),
    );

  withOptions(
    program
      .command("eval-lm")
      .description("perplexity and bits per token of a text file (or the corpus's test split) under a model")
      .argument("[file]", "text file to evaluate (default: the test split of --data/--dataset)"),
    [["model", { default: DEFAULT_LM_PATH }], ["data", { help: "corpus folder or file whose test split to use" }], ["dataset", { help: "named corpus whose test split to use" }], ["bptt", { help: "window length", default: 35 }], "json"],
    LM_ONLY,
  )
    .action(
      action(async (file: string | undefined, opts: { model: string; data?: string; dataset?: CorpusDatasetName; bptt: number; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const tk = vocab.tokenizer;
        const corpus = await loadCorpus({
          ...(file ? { path: file, split: { valid: 0, test: 0 } } : opts.data ? { path: opts.data } : { dataset: opts.dataset ?? "moby-dick" }),
          level: tk.level,
          wordStyle: tk.wordStyle,
          lower: tk.lower,
          ...(tk.eos ? { eos: tk.eos } : {}),
        });
        const enc = encodeCorpus(corpus, { vocab });
        // a file given explicitly is evaluated whole; a corpus by its test split
        const ids = file ? enc.train : enc.test.length > 2 ? enc.test : enc.valid;
        const r = evaluateLm(model, ids, { batchSize: 10, bptt: opts.bptt });
        const unk = file ? enc.stats.train.unknownRate : enc.stats.test.tokens > 0 ? enc.stats.test.unknownRate : enc.stats.valid.unknownRate;
        if (opts.json) say(JSON.stringify({ ...r, unknownRate: unk }));
        else say(`${corpus.name}: ${r.tokens.toLocaleString()} tokens, loss ${r.loss.toFixed(4)} nats, perplexity ${r.perplexity.toFixed(2)}, ${r.bitsPerToken.toFixed(3)} bits/${tk.level === "char" ? "char" : "token"}, unknown ${(100 * unk).toFixed(1)}%`);
      }),
    );

  withOptions(program.command("predict-next").description('the most likely next words after a prompt, e.g. "I want to be a"').argument("<prompt...>", "the prompt"), [["model", { default: DEFAULT_LM_PATH }], "json"])
    .option("-k, --top <k>", "how many", intArg("--top"), 5)
    .action(
      action((prompt: string[], opts: { model: string; top: number; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const text = prompt.join(" ");
        const r = predictNext(model, vocab, text, { k: opts.top });
        if (opts.json) return say(JSON.stringify(r));
        if (r.unknown.length) say(`(not in the vocabulary, read as <unk>: ${r.unknown.join(", ")})`);
        say(`${text} ___`);
        say(textTable(r.next.map((n, i) => [i + 1, n.token, n.prob.toFixed(4)]), ["#", "next", "P(next | prompt)"]));
      }),
    );

  withOptions(program.command("score").description("log-probability of a sentence as the product of per-token conditionals").argument("<text...>", "the sentence"), [["model", { default: DEFAULT_LM_PATH }], "json"])
    .action(
      action((text: string[], opts: { model: string; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const r = scoreText(model, vocab, text.join(" "));
        if (opts.json) return say(JSON.stringify(r));
        say(textTable(r.tokens.map((t) => [t.token, t.prob.toExponential(3), t.logProb.toFixed(3)]), ["token", "P(token | before)", "log P"]));
        say(`log P(sentence) = ${r.logProb.toFixed(3)}   P = ${Math.exp(r.logProb).toExponential(3)}   perplexity ${r.perplexity.toFixed(2)}`);
      }),
    );

  withOptions(program.command("generate").description("sample text from a language model").argument("[prompt...]", "text to continue"), [["model", { default: DEFAULT_LM_PATH }], ["seed", { help: "random seed (same seed, same text)" }], "json"])
    .option("--length <n>", "tokens to generate", intArg("--length"), 60)
    .option("--temperature <t>", "sampling temperature (0 = greedy)", numArg("--temperature", 0), 0.8)
    .option("--top-k <k>", "sample among the k most likely (0 = all)", intArg("--top-k", 0), 0)
    .option("--top-p <p>", "nucleus sampling mass", numArg("--top-p", 0, 1), 1)
    .action(
      action((prompt: string[], opts: { model: string; length: number; temperature: number; topK: number; topP: number; seed?: number; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const p = prompt.join(" ") || (vocab.tokenizer.level === "char" ? "\n" : "the");
        const r = generate(model, vocab, p, { length: opts.length, temperature: opts.temperature, topK: opts.topK, topP: opts.topP, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        if (opts.json) return say(JSON.stringify({ prompt: p, ...r }));
        say(`${p}${vocab.tokenizer.level === "char" ? "" : " "}${r.text}`);
      }),
    );
}
