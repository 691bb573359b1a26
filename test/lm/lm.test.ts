import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type LmVocabulary, Vocabulary } from "../../src/data/text/vocabulary.js";
import { charTokens, resolveTokenizer } from "../../src/data/text/tokenize.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { Adam } from "../../src/optim/adam.js";
import { trainLm } from "../../src/lm/train.js";
import { evaluateLm } from "../../src/lm/evaluate.js";
import { generate, predictNext, scoreText } from "../../src/lm/predict.js";
import { loadLm, saveLm } from "../../src/io/checkpoint.js";
import { sampleToken } from "../../src/lm/sampling.js";
import { manualSeed } from "../../src/tensor/random.js";
import { sharedPath } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

function shakespeare(t: import("node:test").TestContext, chars = 60_000): { vocab: LmVocabulary; train: Int32Array; valid: Int32Array } | null {
  const p = sharedPath(t, "data", "tinyshakespeare", "input.txt");
  if (!p) return null;
  const text = readFileSync(p, "utf8").slice(0, chars);
  const spec = resolveTokenizer({ level: "char" });
  const toks = charTokens(text);
  const vocab = Vocabulary.fromStream(toks, spec);
  const ids = vocab.encode(toks);
  const cut = Math.floor(ids.length * 0.9);
  return { vocab, train: ids.subarray(0, cut), valid: ids.subarray(cut) };
}

test("truncated-BPTT training lowers the validation loss on Tiny Shakespeare (char level)", async (t) => {
  const d = shakespeare(t);
  if (!d) return;
  manualSeed(1);
  const model = new LanguageModel({ vocabSize: d.vocab.size, embeddingDim: 16, hiddenSize: 64, cell: "LSTM" });
  const before = evaluateLm(model, d.valid, { bptt: 32 }).loss;
  assert.ok(Math.abs(before - Math.log(d.vocab.size)) < 0.3, `untrained loss ${before} should be near ln V = ${Math.log(d.vocab.size)}`);
  const r = await trainLm({ model, optimizer: new Adam(model.parameters(), { lr: 5e-3 }), train: d.train, valid: d.valid, batchSize: 16, bptt: 32, epochs: 1, clip: 1 });
  const after = r.history[0]!.validLoss!;
  assert.ok(after < before - 0.7, `validation loss should drop well below ${before}, got ${after}`);
  assert.equal(r.stoppedBy, "epochs");
});

test("predictNext, scoreText and generate agree with each other and with the seed", async (t) => {
  const d = shakespeare(t, 20_000);
  if (!d) return;
  manualSeed(2);
  const model = new LanguageModel({ vocabSize: d.vocab.size, embeddingDim: 8, hiddenSize: 32 });
  await trainLm({ model, optimizer: new Adam(model.parameters(), { lr: 5e-3 }), train: d.train, batchSize: 8, bptt: 16, epochs: 1 });
  const next = predictNext(model, d.vocab, "First Citize", { k: 65 });
  const total = next.next.reduce((a, n) => a + n.prob, 0);
  assert.ok(Math.abs(total - 1) < 1e-4, `probabilities over the whole vocabulary sum to ${total}`);
  assert.ok(next.next[0]!.prob >= next.next[1]!.prob);
  // chain rule: log P("First Citizen") − log P("First Citize") = log P("n" | "First Citize")
  const a = scoreText(model, d.vocab, "First Citizen");
  const b = scoreText(model, d.vocab, "First Citize");
  const pn = next.next.find((n) => n.token === "n")!.prob;
  assert.ok(Math.abs(a.logProb - b.logProb - Math.log(pn)) < 1e-4, "sentence log-probability is the sum of the conditionals");
  const g1 = generate(model, d.vocab, "ROMEO:", { length: 40, seed: 7 });
  const g2 = generate(model, d.vocab, "ROMEO:", { length: 40, seed: 7 });
  assert.equal(g1.text, g2.text, "same seed, same text");
  const greedy = generate(model, d.vocab, "ROMEO:", { length: 5, temperature: 0 });
  const top1 = generate(model, d.vocab, "ROMEO:", { length: 5, topK: 1, seed: 3 });
  assert.equal(greedy.text, top1.text, "top-k 1 is greedy decoding");
});

test("sampling: top-p keeps the smallest set reaching p, excluded ids never appear", () => {
  manualSeed(4);
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
  const seen = new Set<number>();
  for (let i = 0; i < 400; i++) seen.add(sampleToken(logits, { topP: 0.75 }));
  assert.deepEqual([...seen].sort(), [0, 1]);
  for (let i = 0; i < 200; i++) assert.notEqual(sampleToken(logits, { exclude: [0] }), 0);
  assert.throws(() => sampleToken(logits, { topP: 0 }), /topP/);
});

test("a checkpoint round-trips the model and vocabulary; unknown prompts get a clear error", (t) => {
  const d = shakespeare(t, 5_000);
  if (!d) return;
  manualSeed(5);
  const model = new LanguageModel({ vocabSize: d.vocab.size, embeddingDim: 6, hiddenSize: 10, numLayers: 2, cell: "GRU" });
  const path = join(tempDir("lm"), "m.safetensors");
  saveLm(path, model, d.vocab, { note: "test" });
  const back = loadLm(path);
  assert.equal(back.vocab.size, d.vocab.size);
  const p1 = predictNext(model.eval(), d.vocab, "the", { k: 3 });
  const p2 = predictNext(back.model, back.vocab, "the", { k: 3 });
  assert.deepEqual(p2.next.map((n) => n.token), p1.next.map((n) => n.token));
  assert.ok(Math.abs(p2.next[0]!.prob - p1.next[0]!.prob) < 1e-6);
  assert.throws(() => predictNext(back.model, back.vocab, "☃☃☃"), /none of the words/);
});

test("a checkpoint whose vocabulary does not fit the model is refused with a clear error", () => {
  const spec = resolveTokenizer({ level: "char" });
  const vocab = Vocabulary.fromStream(charTokens("abcdefg"), spec);
  const model = new LanguageModel({ vocabSize: vocab.size + 3, embeddingDim: 4, hiddenSize: 4 });
  const path = join(tempDir("lm"), "bad.safetensors");
  saveLm(path, model, vocab);
  assert.throws(() => loadLm(path), /vocabulary has 7 tokens but the model's embedding has 10 rows/);
});

test("initUniform draws every parameter (tied ones once) from U(-r, r)", () => {
  const m = new LanguageModel({ vocabSize: 37, embeddingDim: 12, hiddenSize: 12, numLayers: 2, tieWeights: true });
  m.initUniform(0.05);
  const params = [...new Set(m.parameters())];
  for (const p of params) {
    let mx = 0;
    for (const v of p.f32) mx = Math.max(mx, Math.abs(v));
    assert.ok(mx <= 0.05 && mx > 0.02, `${p.size} values within ±0.05 and spread (max |w| ${mx})`);
  }
  assert.equal(m.decoder.weight, m.embedding.weight, "still tied");
  assert.throws(() => m.initUniform(0), /range must be a finite number > 0, got 0/);
});
