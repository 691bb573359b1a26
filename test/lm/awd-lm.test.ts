/** AwdLstm with the LM tools: training on real text, evaluation, prediction, checkpoints. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { batchify, bpttWindows } from "../../src/data/corpus/batchify.js";
import { charTokens, resolveTokenizer } from "../../src/data/text/tokenize.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { loadAnyLm, loadLm, saveLm } from "../../src/io/checkpoint.js";
import { lmToBytes, loadAnyLmFromBytes } from "../../src/io/checkpoint-bytes.js";
import * as safetensors from "../../src/io/safetensors.js";
import { evaluateLm } from "../../src/lm/evaluate.js";
import { generate, predictNext, scoreText } from "../../src/lm/predict.js";
import { AwdLstm } from "../../src/models/awd-lstm.js";
import { NTASGD } from "../../src/optim/nt-asgd.js";
import { clipGradNorm } from "../../src/optim/clip.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { sharedPath } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

test("AwdLstm learns Tiny Shakespeare characters with NT-ASGD; evaluation with the averaged weights; save/load keeps predictions", (t) => {
  const p = sharedPath(t, "data", "tinyshakespeare", "input.txt");
  if (!p) return;
  const toks = charTokens(readFileSync(p, "utf8").slice(0, 25_000));
  const vocab = Vocabulary.fromStream(toks, resolveTokenizer({ level: "char" }));
  const ids = vocab.encode(toks);
  const cut = Math.floor(ids.length * 0.9);
  const train = ids.subarray(0, cut);
  const valid = ids.subarray(cut);
  manualSeed(2);
  const model = new AwdLstm({ vocabSize: vocab.size, embeddingDim: 24, hiddenSizes: [48, 24], dropoutEmb: 0.05, dropoutInp: 0.1, dropoutHid: 0.1, dropoutOut: 0.1, weightDrop: 0.2 });
  const opt = new NTASGD(model.parameters(), { lr: 3, nonmono: 1 });
  const before = evaluateLm(model, valid, { bptt: 32 }).loss;
  const B = 16;
  const streams = batchify(train, B);
  let switched = false;
  for (let epoch = 0; epoch < 2; epoch++) {
    model.train();
    let state = model.initState(B);
    for (const w of bpttWindows(streams, 32)) {
      const r = model.loss(new Tensor(w.input, [w.T, B]), new Tensor(w.target, [w.T, B]), model.detachState(state));
      state = r.state;
      opt.zeroGrad();
      r.loss.backward();
      clipGradNorm(model.parameters(), 0.25);
      opt.step();
    }
    const v = opt.withAveraged(() => evaluateLm(model, valid, { bptt: 32 }).loss);
    if (epoch === 0) opt.startAveraging(); // force the switch: the test is about the mechanics
    switched ||= opt.averaging;
    if (epoch === 1) assert.ok(v < before - 0.6, `validation loss should drop well below ${before.toFixed(3)}, got ${v.toFixed(3)}`);
  }
  assert.ok(switched);
  // save the averaged weights (what AWD-LSTM saves), reload, same predictions
  const path = join(tempDir("awd"), "awd.safetensors");
  opt.withAveraged(() => saveLm(path, model, vocab, { note: "test" }));
  const back = loadAnyLm(path);
  assert.ok(back.model instanceof AwdLstm);
  assert.throws(() => loadLm(path), /holds an AWD-LSTM language model .* load it with loadAnyLm/);
  const a = opt.withAveraged(() => predictNext(model.eval(), vocab, "the ", { k: 3 }));
  const b = predictNext(back.model, back.vocab, "the ", { k: 3 });
  assert.deepEqual(b.next.map((n) => n.token), a.next.map((n) => n.token));
  assert.ok(Math.abs(b.next[0]!.prob - a.next[0]!.prob) < 1e-6);
  assert.ok(Number.isFinite(scoreText(back.model, back.vocab, "To be or not").logProb));
  assert.equal(generate(back.model, back.vocab, "KING", { length: 20, seed: 3 }).tokens.length, 20);
});

test("AwdLstm with an adaptive softmax: checkpoint round trip, forward gives log-probabilities", () => {
  const vocab = Vocabulary.fromStream(charTokens("abcdefghijklmnopqrstuvwxyz .,"), resolveTokenizer({ level: "char" }));
  manualSeed(4);
  const model = new AwdLstm({ vocabSize: vocab.size, embeddingDim: 8, hiddenSizes: [12, 10], adaptiveSoftmax: { cutoffs: [8, 20], divValue: 2 } });
  const path = join(tempDir("awd"), "awd-adaptive.safetensors");
  saveLm(path, model, vocab);
  const back = loadAnyLm(path).model as AwdLstm;
  assert.deepEqual(back.config, model.config);
  const x = new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
  const lp = back.forward(x).logits;
  const p = lp.exp().sum(2).f32;
  for (const v of p) assert.ok(Math.abs(v - 1) < 1e-5, `Σ exp(log p) = 1, got ${v}`);
  assert.deepEqual(Array.from(lp.f32), Array.from(model.eval().forward(x).logits.f32));
});

test("AwdLstm checkpoints: a config that does not match the tensors is refused before the model is built", () => {
  const vocab = Vocabulary.fromStream(charTokens("abcdefghij"), resolveTokenizer({ level: "char" }));
  const model = new AwdLstm({ vocabSize: vocab.size, embeddingDim: 6, hiddenSizes: [9, 8], projection: "lstm" });
  const good = lmToBytes(model, vocab);
  assert.ok(loadAnyLmFromBytes(good).model instanceof AwdLstm);
  const { tensors, metadata } = safetensors.load(good);
  const meta = JSON.parse(metadata.rnnkit!) as { config: Record<string, unknown> };
  const remake = (config: Record<string, unknown>): Uint8Array => safetensors.save(tensors, { ...metadata, rnnkit: JSON.stringify({ ...meta, config }) });
  assert.throws(() => loadAnyLmFromBytes(remake({ ...meta.config, hiddenSizes: [9, 7] }), "x.safetensors"), /x.safetensors: the model config in the metadata does not match the tensors/);
  assert.throws(() => loadAnyLmFromBytes(remake({ ...meta.config, hiddenSizes: [9e9] }), "x.safetensors"), /rnns.0.weight_ih_l0 is \[36, 6\], the config implies \[36000000000, 6\]/);
  assert.throws(() => loadAnyLmFromBytes(remake({ ...meta.config, hiddenSizes: new Array(99).fill(4) }), "x.safetensors"), /config.hiddenSizes must be a list of at most 12 positive integers/);
  assert.throws(() => loadAnyLmFromBytes(remake({ ...meta.config, dropoutInp: 2 }), "x.safetensors"), /config.dropoutInp must be a number in \[0, 1\)/);
  assert.throws(() => loadAnyLmFromBytes(remake({ ...meta.config, projection: "linear" }), "x.safetensors"), /unexpected tensors: rnns.1.weight_hr_l0|missing tensors: proj.weight/);
});
