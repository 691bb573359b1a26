/**
 * A checkpoint's metadata is checked against its tensors before any model is built from it: an
 * edited hiddenSize / numLayers / config must be a one-line CheckpointError, not gigabytes of
 * allocation, "Invalid typed array length", a stack overflow or a TypeError; NaN/Inf weights are
 * refused at load instead of printing NaN probabilities. The shapes the validator expects are the
 * shapes the real models register (so the two cannot drift apart).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { charTokens, resolveTokenizer } from "../../src/data/text/tokenize.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { CheckpointError, RnnkitError } from "../../src/errors.js";
import { load, save } from "../../src/io/safetensors.js";
import { classifierToBytes, loadClassifierFromBytes, loadLmFromBytes, lmToBytes } from "../../src/io/checkpoint-bytes.js";
import { checkClassifierCheckpoint, checkLanguageModelCheckpoint } from "../../src/models/checkpoint-config.js";
import { CELL_TYPES } from "../../src/models/cell.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { tempDir } from "../helpers/tmp.js";

type Meta = Record<string, unknown> & { config: Record<string, unknown> };

/** The checkpoint bytes with its rnnkit metadata (and optionally tensors) rewritten. */
function edit(bytes: Uint8Array, fn: (meta: Meta, tensors: ReturnType<typeof load>["tensors"]) => unknown): Uint8Array {
  const { tensors, metadata } = load(bytes);
  const meta = JSON.parse(metadata.rnnkit!) as Meta;
  const out = fn(meta, tensors);
  return save(tensors, { ...metadata, rnnkit: JSON.stringify(out === undefined ? meta : out) });
}

function lmBytes(): Uint8Array {
  const vocab = Vocabulary.fromStream(charTokens("abcdefgh abc"), resolveTokenizer({ level: "char" }));
  return lmToBytes(new LanguageModel({ vocabSize: vocab.size, embeddingDim: 6, hiddenSize: 5, numLayers: 2 }), vocab);
}

function classifierBytes(): Uint8Array {
  const vocab = new Vocabulary(["<pad>", "<unk>", "good", "bad", "film"]);
  const model = new SequenceClassifier({ vocabSize: vocab.size, embeddingDim: 4, hiddenSize: 3, numClasses: 2, numLayers: 2 });
  return classifierToBytes({ model, vocab, labels: ["neg", "pos"], pipeline: { tokenize: {}, maxLen: 50, truncate: "head+tail" } });
}

/** Throws a CheckpointError whose message matches `re`, and allocates nothing big on the way. */
function refused(fn: () => unknown, re: RegExp, what: string): void {
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `${what}: expected a CheckpointError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.match(e.message, re, what);
    assert.match(e.message, /^checkpoint\b|^lm\b|^clf\b/, `${what}: the message names the source`);
    return true;
  });
  // array buffers alive after the throw: a model of the claimed size would have left hundreds of MB to collect
  const grew = process.memoryUsage().arrayBuffers - before;
  assert.ok(grew < 64 * 2 ** 20, `${what}: ${grew} bytes of array buffers were allocated before the error`);
}

test("language model: edited metadata is refused before allocation, naming the field or tensor", () => {
  const bytes = lmBytes();
  assert.ok(loadLmFromBytes(bytes, "lm").model instanceof LanguageModel, "the unedited checkpoint loads");
  const cases: Array<[string, (m: Meta) => unknown, RegExp]> = [
    ["config null", (m) => void (m.config = null as never), /the config must be a JSON object, got null/],
    ["hiddenSize 20000", (m) => void (m.config.hiddenSize = 20000), /the model config in the metadata does not match the tensors: shape mismatch: rnn\.weight_ih_l0 is \[20, 6\], the config implies \[80000, 6\], rnn\.weight_hh_l0 is \[20, 5\], the config implies \[80000, 20000\]/],
    ["hiddenSize 1e7", (m) => void (m.config.hiddenSize = 1e7), /shape mismatch/],
    ["hiddenSize 1e300", (m) => void (m.config.hiddenSize = 1e300), /config\.hiddenSize must be a positive integer, got 1e\+300/],
    ["hiddenSize -3", (m) => void (m.config.hiddenSize = -3), /config\.hiddenSize must be a positive integer/],
    ["hiddenSize \"5\"", (m) => void (m.config.hiddenSize = "5"), /config\.hiddenSize must be a positive integer, got "5"/],
    ["numLayers 1e5", (m) => void (m.config.numLayers = 1e5), /config\.numLayers 100000 implies 400003 tensors, the file has 11/],
    ["numLayers 3", (m) => void (m.config.numLayers = 3), /missing tensors: rnn\.weight_ih_l2/],
    ["numLayers 1", (m) => void (m.config.numLayers = 1), /unexpected tensors: rnn\.bias_hh_l1, rnn\.bias_ih_l1, rnn\.weight_hh_l1, rnn\.weight_ih_l1 \(the file/],
    ["vocabSize 10^6", (m) => void (m.config.vocabSize = 1e6), /embedding\.weight is \[\d+, 6\], the config implies \[1000000, 6\]/],
    ["cell GRU", (m) => void (m.config.cell = "GRU"), /rnn\.weight_ih_l0 is \[20, 6\], the config implies \[15, 6\]/],
    ["cell bogus", (m) => void (m.config.cell = "TRANSFORMER"), /config\.cell must be one of LSTM, GRU, RNN_TANH, RNN_RELU/],
    ["tieWeights with E ≠ H", (m) => void (m.config.tieWeights = true), /tieWeights needs embeddingDim == hiddenSize/],
    ["dropout 7", (m) => void (m.config.dropout = 7), /config\.dropout must be a number in \[0, 1\)/],
    ["config an array", (m) => void (m.config = [] as never), /the config must be a JSON object, got an array/],
    ["metadata null", () => null, /metadata must be a JSON object, got null/],
    ["no kind", (m) => void delete m.kind, /names no model kind|holds a undefined/],
    ["vocab null", (m) => void (m.vocab = null), /the vocabulary in the metadata is unusable/],
    ["info a string", (m) => void (m.info = "x"), /info must be an object/],
  ];
  for (const [what, fn, re] of cases) refused(() => loadLmFromBytes(edit(bytes, fn), "lm"), re, what);
});

test("classifier: edited metadata is refused before allocation, naming the field or tensor", () => {
  const bytes = classifierBytes();
  assert.ok(loadClassifierFromBytes(bytes, "clf").model instanceof SequenceClassifier);
  const model = (m: Meta): Record<string, unknown> => m.config.model as Record<string, unknown>;
  const pipeline = (m: Meta): Record<string, unknown> => m.config.pipeline as Record<string, unknown>;
  const cases: Array<[string, (m: Meta) => unknown, RegExp]> = [
    ["model null", (m) => void (m.config.model = null), /config\.model must be a JSON object, got null/],
    ["hiddenSize 20000", (m) => void (model(m).hiddenSize = 20000), /shape mismatch: rnn\.weight_ih_l0 is \[12, 4\], the config implies \[80000, 4\]/],
    ["hiddenSize 1e7", (m) => void (model(m).hiddenSize = 1e7), /shape mismatch/],
    ["numLayers 1e5", (m) => void (model(m).numLayers = 1e5), /config\.model\.numLayers 100000 implies 800003 tensors/],
    ["bidirectional false", (m) => void (model(m).bidirectional = false), /unexpected tensors: rnn\.bias_hh_l0_reverse, .*\(8 in all\)/],
    ["numClasses 1", (m) => void (model(m).numClasses = 1), /numClasses must be an integer ≥ 2/],
    ["numClasses 5", (m) => void (model(m).numClasses = 5), /classifier\.weight is \[2, 6\], the config implies \[5, 6\]/],
    ["pooling", (m) => void (model(m).pooling = "attention"), /pooling must be one of final, mean, max/],
    ["paddingIdx", (m) => void (model(m).paddingIdx = 99), /paddingIdx 99 is outside the vocabulary of 5/],
    ["config null", (m) => void (m.config = null as never), /the config must be a JSON object \{model, pipeline\}, got null/],
    ["pipeline null", (m) => void (m.config.pipeline = null), /config\.pipeline must be an object/],
    ["maxLen 0", (m) => void (pipeline(m).maxLen = 0), /config\.pipeline\.maxLen must be a positive integer, got 0/],
    ["truncate", (m) => void (pipeline(m).truncate = "middle"), /config\.pipeline\.truncate must be/],
    ["tokenize.lowercase", (m) => void ((pipeline(m).tokenize as Record<string, unknown>).lowercase = "yes"), /tokenize\.lowercase must be true or false/],
    ["labels 3 for 2", (m) => void (m.labels = ["a", "b", "c"]), /3 label names for 2 classes/],
    ["labels numbers", (m) => void (m.labels = [0, 1]), /labels must be an array of strings/],
    ["empty label", (m) => void (m.labels = ["neg", ""]), /a label name is empty/],
    ["repeated label", (m) => void (m.labels = ["pos", "pos"]), /label names repeat/],
    ["vocab garbage", (m) => void (m.vocab = { format: "rnnkit-vocabulary", version: 1, tokens: 5 }), /vocabulary in the metadata is unusable/],
  ];
  for (const [what, fn, re] of cases) refused(() => loadClassifierFromBytes(edit(bytes, fn), "clf"), re, what);
});

test("NaN and Inf weights are refused at load, naming the tensor and the first bad index", () => {
  for (const [bad, name] of [[NaN, "NaN"], [Infinity, "Infinity"], [-Infinity, "-Infinity"]] as const) {
    const lm = edit(lmBytes(), (_m, t) => void (t["rnn.weight_hh_l1"]!.f32[7] = bad));
    refused(() => loadLmFromBytes(lm, "lm"), new RegExp(`tensor "rnn\\.weight_hh_l1" holds 1 non-finite value \\(first: ${name} at index 7\\)`), `lm ${name}`);
    const clf = edit(classifierBytes(), (_m, t) => {
      t["classifier.bias"]!.f32.fill(bad);
    });
    refused(() => loadClassifierFromBytes(clf, "clf"), /tensor "classifier\.bias" holds 2 non-finite values/, `classifier ${name}`);
  }
});

test("every CheckpointError is a RnnkitError (the typed errors the fuzzers accept)", () => {
  assert.ok(new CheckpointError("x") instanceof RnnkitError);
});

test("the validator's expected names and shapes are exactly what the models register", () => {
  for (const cell of CELL_TYPES)
    for (const numLayers of [1, 3])
      for (const tieWeights of [false, true]) {
        const cfg = { vocabSize: 11, embeddingDim: tieWeights ? 5 : 7, hiddenSize: 5, numLayers, cell, dropout: 0, tieWeights };
        const m = new LanguageModel(cfg);
        const sd = m.stateDict();
        assert.deepEqual(checkLanguageModelCheckpoint(cfg, sd, "lm"), m.config, `${cell} L=${numLayers} tied=${tieWeights}`);
        // and any single tensor of another shape or missing is caught
        const { ["rnn.bias_hh_l0"]: _drop, ...rest } = sd;
        assert.throws(() => checkLanguageModelCheckpoint(cfg, rest, "lm"), /missing tensors: rnn\.bias_hh_l0/);
      }
  for (const cell of CELL_TYPES)
    for (const numLayers of [1, 2])
      for (const bidirectional of [false, true])
        for (const pooling of ["final", "mean", "max"] as const) {
          const cfg = { vocabSize: 9, embeddingDim: 4, hiddenSize: 3, numClasses: 3, numLayers, cell, bidirectional, pooling, dropout: 0.1, paddingIdx: 0 };
          const m = new SequenceClassifier(cfg);
          assert.deepEqual(checkClassifierCheckpoint(cfg, m.stateDict(), "clf"), m.config, `${cell} L=${numLayers} bi=${bidirectional} ${pooling}`);
        }
});

test("--model may name a folder holding model.safetensors (models/imdb-bilstm); other folders get a hint, not EISDIR", async () => {
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { checkpointFile, readCheckpoint } = await import("../../src/io/checkpoint.js");
  const dir = tempDir("ckdir");
  writeFileSync(join(dir, "model.safetensors"), lmBytes());
  assert.equal(checkpointFile(dir), join(dir, "model.safetensors"));
  assert.equal(readCheckpoint(dir).meta.kind, readCheckpoint(join(dir, "model.safetensors")).meta.kind);
  const other = join(dir, "runs");
  mkdirSync(other);
  assert.throws(() => checkpointFile(other), /is a folder without model\.safetensors and holds no \.safetensors file/);
  writeFileSync(join(other, "lm.safetensors"), lmBytes());
  writeFileSync(join(other, "lm.train.safetensors"), new Uint8Array(8));
  assert.throws(() => checkpointFile(other), /hint: pass one of its files, e\.g\. --model .*lm\.safetensors; it holds lm\.safetensors\)/);
});
