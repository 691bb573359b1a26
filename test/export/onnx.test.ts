/**
 * ONNX export, checked by running every exported kind in ONNX Runtime (onnxruntime-node) and
 * comparing with rnnkit's own forward pass to 1e-5: language models (every cell, stacked, tied,
 * word and char, carried state in and out, dynamic T and B) and classifiers (every cell, uni- and
 * bidirectional, every pooling, padded batches with lengths in any order), plus the projected LSTM
 * (a Scan) at the layer level.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { resolveTokenizer } from "../../src/data/text/tokenize.js";
import { type LmVocabulary, Vocabulary } from "../../src/data/text/vocabulary.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier, type Pooling } from "../../src/models/sequence-classifier.js";
import type { CellType } from "../../src/models/cell.js";
import { LSTM, GRU, RNN } from "../../src/nn/recurrent.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { manualSeed } from "../../src/tensor/random.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { tokenize } from "../../src/data/text/tokenize.js";
import { encodeDataset } from "../../src/data/sentiment/batching.js";
import { loadClassifier, readCheckpoint, saveClassifier, saveLm } from "../../src/io/checkpoint.js";
import { LmClassifier } from "../../src/models/lm-classifier.js";
import { checkpointToOnnx, classifierToOnnx, decodeModel, lmToOnnx, recurrentToOnnx } from "../../src/export/onnx/index.js";
import { permuteGates } from "../../src/export/onnx/recurrent.js";
import { assertClose } from "../helpers/close.js";
import { lmVocab } from "../helpers/lm-vocab.js";
import { runCli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { f32, i64, loadOrt, session } from "./onnx-helpers.js";
import { pythonWith } from "../python/python.js";
import { tempDir } from "../helpers/tmp.js";

const ort = loadOrt();
const TOL = 1e-5;
/** Largest |ONNX Runtime − rnnkit| seen in this file (reported by the last test). */
let worst = 0;
const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
  assertClose(a, b, what, TOL, 0);
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
};
const CELLS: CellType[] = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"];
const POOLINGS: Pooling[] = ["final", "mean", "max"];

/** Deterministic pseudo-random floats in [−1, 1). */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
const wordVocab = (n: number): LmVocabulary => lmVocab(["<unk>", "<eos>", ...Array.from({ length: n - 2 }, (_, i) => `w${i}`)], resolveTokenizer({ level: "word" }), "<unk>");
const charVocab = (): LmVocabulary => lmVocab([..."abcdefghij .\n"], resolveTokenizer({ level: "char" }), null);
const metaOf = (bytes: Uint8Array): Record<string, string> => Object.fromEntries(decodeModel(bytes).metadata_props.map((p) => [p.key, p.value]));

test("onnx-descriptor.ts is what scripts/gen-onnx-descriptor.mjs makes of the committed onnx.proto", async () => {
  const gen = (await import(pathToFileURL(join(REPO_ROOT, "scripts", "gen-onnx-descriptor.mjs")).href)) as { descriptorModule(t: string): string };
  const proto = readFileSync(join(REPO_ROOT, "src", "export", "onnx", "onnx.proto"), "utf8");
  assert.match(proto, /SPDX-License-Identifier: Apache-2\.0/);
  assert.equal(readFileSync(join(REPO_ROOT, "src", "export", "onnx", "onnx-descriptor.ts"), "utf8"), gen.descriptorModule(proto), "run node scripts/gen-onnx-descriptor.mjs");
});

test("gate blocks are re-ordered PyTorch → ONNX (LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h)", () => {
  // 4 gates of 2 rows × 1 column: values name the gate
  assert.deepEqual(Array.from(permuteGates(Float32Array.of(0, 0, 1, 1, 2, 2, 3, 3), 2, 1, [0, 3, 1, 2])), [0, 0, 3, 3, 1, 1, 2, 2]);
  assert.deepEqual(Array.from(permuteGates(Float32Array.of(0, 1, 2), 1, 1, [1, 0, 2])), [1, 0, 2]);
  assert.throws(() => permuteGates(new Float32Array(5), 2, 1, [0, 1]), /expected 2·2·1 = 4 values, got 5/);
});

interface LmCase {
  cell: CellType;
  layers: number;
  tied: boolean;
  vocab: LmVocabulary;
}
const lmCases: LmCase[] = [
  ...CELLS.map((cell) => ({ cell, layers: 1, tied: false, vocab: wordVocab(23) })),
  ...CELLS.map((cell) => ({ cell, layers: 2, tied: true, vocab: wordVocab(23) })),
  { cell: "LSTM", layers: 3, tied: false, vocab: charVocab() },
  { cell: "GRU", layers: 2, tied: false, vocab: charVocab() },
];

for (const c of lmCases) {
  const name = `${c.cell} ×${c.layers}${c.tied ? " tied" : ""} ${c.vocab.tokenizer.level}-level language model`;
  test(`ONNX Runtime runs the ${name} like rnnkit: logits and states, carried state, dynamic T and B`, async () => {
    manualSeed(11);
    const V = c.vocab.size;
    const H = c.tied ? 10 : 9;
    const model = new LanguageModel({ vocabSize: V, embeddingDim: 10, hiddenSize: H, numLayers: c.layers, cell: c.cell, tieWeights: c.tied, dropout: 0.3 });
    model.eval();
    const bytes = lmToOnnx({ model, vocab: c.vocab });
    const s = await session(ort, bytes);
    const lstm = c.cell === "LSTM";
    assert.deepEqual([...s.inputNames].sort(), (lstm ? ["c0", "h0", "tokens"] : ["h0", "tokens"]).sort());
    for (const [T, B, seed] of [[6, 3, 1], [1, 1, 2], [11, 2, 3]] as const) {
      const ids = Int32Array.from(noise(T * B, seed), (v) => Math.floor((v + 1) * 0.5 * V) % V);
      const L = c.layers;
      const h0 = noise(L * B * H, seed + 10);
      const c0 = noise(L * B * H, seed + 20);
      const feeds: Record<string, unknown> = { tokens: i64(ort, ids, [T, B]), h0: f32(ort, h0, [L, B, H]) };
      if (lstm) feeds.c0 = f32(ort, c0, [L, B, H]);
      const out = await s.run(feeds);
      const ref = noGrad(() => model.forward(new Tensor(ids, [T, B]), { h: new Tensor(h0, [L, B, H]), c: lstm ? new Tensor(c0, [L, B, H]) : null }));
      assert.deepEqual(out.logits!.dims, [T, B, V]);
      close(out.logits!.data as Float32Array, ref.logits.f32, `${name} T=${T} B=${B} logits`);
      close(out.h_n!.data as Float32Array, ref.state.h.f32, `${name} T=${T} B=${B} h_n`);
      if (lstm) close(out.c_n!.data as Float32Array, ref.state.c!.f32, `${name} T=${T} B=${B} c_n`);
      // feeding h_n back continues the sequence: two calls = one call over the concatenation
      if (T > 1) {
        const first = await s.run({ ...feeds, tokens: i64(ort, ids.subarray(0, 2 * B), [2, B]) });
        const rest = await s.run({ tokens: i64(ort, ids.subarray(2 * B), [T - 2, B]), h0: first.h_n, ...(lstm ? { c0: first.c_n } : {}) });
        close(rest.logits!.data as Float32Array, ref.logits.f32.subarray(2 * B * V), `${name} continued logits`);
      }
    }
    await s.release();
    if (c.tied) {
      const inits = decodeModel(bytes).graph.initializer.map((t) => t.name);
      assert.ok(inits.includes("embedding.weight") && !inits.includes("decoder.weight"), `a tied decoder reuses the embedding initializer: ${inits.join(", ")}`);
    }
  });
}

const clsCases = CELLS.flatMap((cell) => [false, true].flatMap((bidirectional) => POOLINGS.map((pooling) => ({ cell, bidirectional, pooling, layers: cell === "LSTM" || cell === "GRU" ? 2 : 1 }))));

test("ONNX Runtime runs every classifier kind like rnnkit (cells × directions × pooling; padded batches, lengths in any order)", async () => {
  const V = 31;
  const vocab = new Vocabulary(["<pad>", "<unk>", ...Array.from({ length: V - 2 }, (_, i) => `w${i}`)]);
  for (const c of clsCases) {
    manualSeed(5);
    const name = `${c.bidirectional ? "bi" : "uni"}directional ${c.cell} ×${c.layers}, ${c.pooling} pooling`;
    const model = new SequenceClassifier({ vocabSize: V, embeddingDim: 7, hiddenSize: 6, numClasses: 3, numLayers: c.layers, cell: c.cell, bidirectional: c.bidirectional, pooling: c.pooling, dropout: 0.2 });
    model.eval();
    const s = await session(ort, classifierToOnnx({ model, vocab, labels: ["neg", "neu", "pos"], pipeline: { tokenize: {}, maxLen: 50, truncate: "head" } }));
    // lengths out of order, one sequence of length 1, one that fills T; then a batch where none fills T; then B = 1
    for (const lens of [[3, 9, 1, 6, 9, 2], [4, 2, 5], [7]]) {
      const B = lens.length;
      const T = Math.max(...lens) + (B === 3 ? 3 : 0); // the 3-sequence batch: every row padded
      const ids = new Int32Array(B * T); // padding id 0 after each length
      const r = noise(B * T, B);
      for (let b = 0; b < B; b++) for (let t = 0; t < lens[b]!; t++) ids[b * T + t] = 2 + (Math.floor((r[b * T + t]! + 1) * 20) % (V - 2));
      const out = await s.run({ ids: i64(ort, ids, [B, T]), lengths: i64(ort, lens, [B]) });
      const ref = noGrad(() => model.forward(new Tensor(ids, [B, T]), lens));
      close(out.logits!.data as Float32Array, ref.f32, `${name}, lengths ${lens.join(",")}: logits`);
      close(out.probs!.data as Float32Array, noGrad(() => ref.softmax(-1)).f32, `${name}: probs`);
    }
    await s.release();
  }
});

test("a classifier's padding does not leak: the same review alone and padded in a batch gets the same ONNX logits", async () => {
  manualSeed(9);
  const model = new SequenceClassifier({ vocabSize: 12, embeddingDim: 4, hiddenSize: 5, numClasses: 2, bidirectional: true, pooling: "max" });
  model.eval();
  const vocab = new Vocabulary(["<pad>", "<unk>", ...Array.from({ length: 10 }, (_, i) => `w${i}`)]);
  const s = await session(ort, classifierToOnnx({ model, vocab, labels: ["neg", "pos"], pipeline: { tokenize: {}, maxLen: 10, truncate: "head" } }));
  const alone = await s.run({ ids: i64(ort, [3, 4, 5], [1, 3]), lengths: i64(ort, [3], [1]) });
  const padded = await s.run({ ids: i64(ort, [7, 8, 9, 10, 11, 3, 4, 5, 0, 0], [2, 5]), lengths: i64(ort, [5, 3], [2]) });
  close((padded.logits!.data as Float32Array).subarray(2, 4), alone.logits!.data as Float32Array, "padded row = alone");
  await s.release();
});

const layerCases = [
  { kind: "LSTM with projection", make: (bi: boolean, bf: boolean) => new LSTM({ inputSize: 5, hiddenSize: 7, projSize: 3, numLayers: 2, bidirectional: bi, batchFirst: bf }) },
  { kind: "LSTM", make: (bi: boolean, bf: boolean) => new LSTM({ inputSize: 5, hiddenSize: 4, numLayers: 2, bidirectional: bi, batchFirst: bf }) },
  { kind: "GRU", make: (bi: boolean, bf: boolean) => new GRU({ inputSize: 5, hiddenSize: 4, numLayers: 2, bidirectional: bi, batchFirst: bf }) },
  { kind: "RNN relu", make: (bi: boolean, bf: boolean) => new RNN({ inputSize: 5, hiddenSize: 4, numLayers: 2, bidirectional: bi, batchFirst: bf, nonlinearity: "relu" }) },
];

test("recurrent layers alone (incl. LSTM with projection, a Scan) match rnnkit with states, lengths in any order, both directions and layouts", async () => {
  for (const lc of layerCases)
    for (const bi of [false, true])
      for (const bf of [false, true])
        for (const withLengths of [false, true]) {
          manualSeed(3);
          const rnn = lc.make(bi, bf);
          const name = `${lc.kind} ${bi ? "bidirectional" : "forward"}${bf ? " batch-first" : ""}${withLengths ? " with lengths" : ""}`;
          const s = await session(ort, recurrentToOnnx(rnn, { lengths: withLengths }));
          const T = 6;
          const lens = [2, 6, 5, 1];
          const B = lens.length;
          const LD = rnn.numLayers * rnn.numDirections;
          const xs = bf ? [B, T, rnn.inputSize] : [T, B, rnn.inputSize];
          const x = noise(B * T * rnn.inputSize, 4);
          const h0 = noise(LD * B * rnn.outSize, 5);
          const c0 = noise(LD * B * rnn.hiddenSize, 6);
          const lstm = rnn.mode === "LSTM";
          const feeds: Record<string, unknown> = { x: f32(ort, x, xs), h0: f32(ort, h0, [LD, B, rnn.outSize]) };
          if (lstm) feeds.c0 = f32(ort, c0, [LD, B, rnn.hiddenSize]);
          if (withLengths) feeds.lengths = i64(ort, lens, [B]);
          const out = await s.run(feeds);
          const ref = noGrad(() => rnn.forwardAll(new Tensor(x, xs), { h0: new Tensor(h0, [LD, B, rnn.outSize]), c0: lstm ? new Tensor(c0, [LD, B, rnn.hiddenSize]) : null, lengths: withLengths ? lens : null }));
          close(out.y!.data as Float32Array, ref.output.f32, `${name}: y`);
          close(out.h_n!.data as Float32Array, ref.hN.f32, `${name}: h_n`);
          if (lstm) close(out.c_n!.data as Float32Array, ref.cN!.f32, `${name}: c_n`);
          await s.release();
        }
});

test("metadata_props make the file self-describing: vocabulary, labels, tokenizer, and the checkpoint's own metadata", async () => {
  const dir = tempDir("onnx");
  manualSeed(1);
  const lm = new LanguageModel({ vocabSize: 13, embeddingDim: 4, hiddenSize: 4, cell: "GRU" });
  const vocab = charVocab();
  saveLm(join(dir, "lm.safetensors"), lm, vocab, { epochs: 1 });
  const fromFile = checkpointToOnnx(readFileSync(join(dir, "lm.safetensors")), "lm.safetensors");
  assert.equal(fromFile.kind, "language-model");
  const m = metaOf(fromFile.onnx);
  assert.deepEqual(JSON.parse(m.vocab!), [..."abcdefghij .\n"]);
  assert.deepEqual(JSON.parse(m.tokenizer!), { level: "char", wordStyle: "ptb", lower: false, eos: "", unk: null });
  assert.deepEqual(JSON.parse(m.rnnkit!), readCheckpoint(join(dir, "lm.safetensors")).meta, "the checkpoint's metadata, verbatim");

  const shipped = join(REPO_ROOT, "models", "imdb-bilstm", "model.safetensors");
  const b = loadClassifier(shipped);
  const cm = metaOf(checkpointToOnnx(readFileSync(shipped), shipped).onnx);
  assert.equal(cm.kind, "sequence-classifier");
  assert.deepEqual(JSON.parse(cm.labels!), b.labels);
  assert.equal(JSON.parse(cm.vocab!).length, b.vocab.size);
  assert.deepEqual(JSON.parse(cm.tokenizer!), { ...b.pipeline.tokenize, maxLen: b.pipeline.maxLen, truncate: b.pipeline.truncate });
  assert.deepEqual(JSON.parse(cm.special_ids!), { pad: 0, unk: 1 });
  assert.deepEqual(JSON.parse(cm.rnnkit!), readCheckpoint(shipped).meta);
  assert.throws(() => checkpointToOnnx(new Uint8Array(3), "junk"), /junk|safetensors/);
});

test("the shipped IMDB BiLSTM, exported, gives classifyTexts' probabilities on real reviews through ONNX Runtime", async () => {
  const shipped = join(REPO_ROOT, "models", "imdb-bilstm", "model.safetensors");
  const b = loadClassifier(shipped);
  const texts = ["The movie was terribly exciting!", "What a waste of two hours.", "A gorgeous, witty film with a weak ending, but I loved every minute of the first hour and the music was superb."];
  const want = classifyTexts(b, texts);
  const enc = encodeDataset(texts.map((t) => tokenize(t, b.pipeline.tokenize)), new Int32Array(texts.length), b.vocab, { maxLen: b.pipeline.maxLen, truncate: b.pipeline.truncate });
  const lens = enc.ids.map((s) => s.length);
  const T = Math.max(...lens);
  const ids = new Int32Array(texts.length * T);
  enc.ids.forEach((s, i) => ids.set(s, i * T));
  const s = await session(ort, checkpointToOnnx(readFileSync(shipped)).onnx);
  const out = await s.run({ ids: i64(ort, ids, [texts.length, T]), lengths: i64(ort, lens, [texts.length]) });
  close(out.probs!.data as Float32Array, want.flatMap((p) => b.labels.map((l) => p.probs[l]!)), "shipped model probabilities");
  await s.release();
});

test("rnnkit export --format onnx writes a file ONNX Runtime loads; errors name the problem", async () => {
  const dir = tempDir("onnx-cli");
  manualSeed(2);
  saveLm(join(dir, "m.safetensors"), new LanguageModel({ vocabSize: 23, embeddingDim: 6, hiddenSize: 5, cell: "LSTM", numLayers: 2 }), wordVocab(23));
  const r = runCli(["export", "--format", "onnx", "--model", join(dir, "m.safetensors"), "--out", join(dir, "m.onnx"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).kind, "language-model");
  const s = await session(ort, readFileSync(join(dir, "m.onnx")));
  assert.deepEqual([...s.outputNames], ["logits", "h_n", "c_n"]);
  await s.release();
  const missing = runCli(["export", "--model", join(dir, "nope.safetensors"), "--out", join(dir, "x.onnx")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.safetensors does not exist/);
  const fmt = runCli(["export", "--format", "tflite", "--model", join(dir, "m.safetensors"), "--out", join(dir, "x.onnx")]);
  assert.notEqual(fmt.code, 0);
  assert.match(fmt.stderr, /--format must be one of onnx/);
});

test("a ULMFiT classifier (LmClassifier, --from-lm) is refused with a hint, by the library and by rnnkit export, and no file is left", () => {
  const dir = tempDir("onnx-ulmfit");
  manualSeed(3);
  const model = new LmClassifier({ vocabSize: 20, embeddingDim: 6, hiddenSizes: [7, 6], numClasses: 2, headHidden: 4 });
  const vocab = new Vocabulary(["<pad>", "<unk>", ...Array.from({ length: 18 }, (_, i) => `w${i}`)]);
  const bundle = { model, vocab, labels: ["neg", "pos"], pipeline: { tokenize: {}, maxLen: 50, truncate: "head" as const } };
  const hint = /got a LmClassifier \(a classifier fine-tuned from a language model, --from-lm\); its concat-pooling head is not exported yet \(hint: serve it over HTTP with rnnkit serve/;
  assert.throws(() => classifierToOnnx(bundle), hint);
  const path = join(dir, "ulmfit.safetensors");
  saveClassifier(path, bundle);
  assert.throws(() => checkpointToOnnx(readFileSync(path), path), hint);
  const r = runCli(["export", "--format", "onnx", "--model", path, "--out", join(dir, "ulmfit.onnx")]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, hint);
  assert.equal(existsSync(join(dir, "ulmfit.onnx")), false);
  // the same checkpoint still loads and classifies in rnnkit: the refusal is about ONNX only
  const back = loadClassifier(path);
  assert.equal(back.model.constructor.name, "LmClassifier");
});

test("the official ONNX checker (python3-onnx, full_check with shape inference) accepts every exported kind", async (t) => {
  const py = pythonWith("onnx");
  if (!py) {
    t.skip("python3 with the onnx module not found (apt-get install python3-onnx to run this check; ONNX Runtime agreement is tested above)");
    return;
  }
  const dir = tempDir("onnx-check");
  const files: string[] = [];
  const put = (name: string, bytes: Uint8Array): void => {
    writeFileSync(join(dir, name), bytes);
    files.push(join(dir, name));
  };
  manualSeed(4);
  for (const cell of CELLS) put(`lm-${cell}.onnx`, lmToOnnx({ model: new LanguageModel({ vocabSize: 23, embeddingDim: 5, hiddenSize: 5, numLayers: 2, cell, tieWeights: true }), vocab: wordVocab(23) }));
  const vocab = new Vocabulary(["<pad>", "<unk>", "a", "b"]);
  for (const pooling of POOLINGS) put(`cls-${pooling}.onnx`, classifierToOnnx({ model: new SequenceClassifier({ vocabSize: 4, embeddingDim: 3, hiddenSize: 3, numClasses: 2, pooling }), vocab, labels: ["neg", "pos"], pipeline: { tokenize: {}, maxLen: 10, truncate: "head" } }));
  put("lstmp.onnx", recurrentToOnnx(new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, bidirectional: true }), { lengths: true }));
  const script = "import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint('checked', len(sys.argv) - 1)";
  const r = spawnSync(py, ["-c", script, ...files], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`checked ${files.length}`));
});

test("largest difference between ONNX Runtime and rnnkit over all the comparisons above", (t) => {
  assert.ok(worst > 0 && worst <= TOL, `${worst}`);
  t.diagnostic(`max |ONNX Runtime − rnnkit| = ${worst.toExponential(2)} (tolerance ${TOL})`);
});
