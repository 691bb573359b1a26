/** --init-from: start a classifier from a trained one (embedding rows by word, recurrent layers, output layer when labels correspond). */
import "../../src/kernels/select.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { loadClassifier } from "../../src/io/checkpoint.js";
import { type SequenceBundle, initFromClassifier } from "../../src/sentiment/init-from.js";
import { trainSentimentModel } from "../../src/sentiment/session.js";
import { manualSeed } from "../../src/tensor/random.js";
import { jsonLines, runCli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/shared.js";

const SHIPPED = join(REPO_ROOT, "models", "imdb-bilstm", "model.safetensors");
const row = (m: SequenceClassifier, i: number): number[] => Array.from(m.embedding.weight.f32.subarray(i * m.config.embeddingDim, (i + 1) * m.config.embeddingDim));

function source(labels: string[], hidden = 6): SequenceBundle {
  manualSeed(3);
  const vocab = new Vocabulary(["<pad>", "<unk>", "good", "bad", "film"]);
  const model = new SequenceClassifier({ vocabSize: vocab.size, embeddingDim: 4, hiddenSize: hidden, numClasses: labels.length, bidirectional: true });
  return { model, vocab, labels, pipeline: { tokenize: { lowercase: true }, maxLen: 20, truncate: "head" }, info: {} };
}

test("initFromClassifier: embedding rows matched by word, recurrent tensors copied, output rows reordered to the new labels", () => {
  const src = source(["pos", "neg"]);
  manualSeed(4);
  const vocab = new Vocabulary(["<pad>", "<unk>", "film", "plot", "good"]);
  const m = new SequenceClassifier({ vocabSize: vocab.size, embeddingDim: 4, hiddenSize: 6, numClasses: 2, bidirectional: true });
  const plotBefore = row(m, 3);
  const r = initFromClassifier(m, vocab, ["neg", "pos"], src, "src.safetensors");
  assert.equal(r.embeddingRows, 3, "<unk>, film, good");
  assert.equal(r.vocabSize, 5);
  assert.deepEqual(row(m, 2), row(src.model, 4), "film: row 4 there, row 2 here");
  assert.deepEqual(row(m, 4), row(src.model, 2), "good");
  assert.deepEqual(row(m, 1), row(src.model, 1), "<unk>");
  assert.deepEqual(row(m, 3), plotBefore, "a word the checkpoint does not know keeps its initialisation");
  assert.deepEqual(row(m, 0), [0, 0, 0, 0], "<pad> stays zero");
  const a = m.stateDict();
  const b = src.model.stateDict();
  for (const k of Object.keys(a).filter((k) => k.startsWith("rnn."))) assert.deepEqual(Array.from(a[k]!.f32), Array.from(b[k]!.f32), k);
  assert.equal(r.rnnTensors, Object.keys(a).filter((k) => k.startsWith("rnn.")).length);
  // labels pos,neg there → neg,pos here: rows swapped
  const H = 12;
  assert.deepEqual(Array.from(m.classifier.weight.f32.subarray(0, H)), Array.from(src.model.classifier.weight.f32.subarray(H, 2 * H)));
  assert.deepEqual(Array.from(m.classifier.bias!.f32), [src.model.classifier.bias!.f32[1]!, src.model.classifier.bias!.f32[0]!]);
  assert.match(r.head, /^copied \(pos→pos, neg→neg\)/);
});

test("initFromClassifier: labels 0/1 correspond to neg/pos; three classes get a new output layer; architecture mismatches are named", () => {
  const src = source(["neg", "pos"]);
  const vocab = new Vocabulary(["<pad>", "<unk>", "good"]);
  const m2 = new SequenceClassifier({ vocabSize: 3, embeddingDim: 4, hiddenSize: 6, numClasses: 2 });
  assert.match(initFromClassifier(m2, vocab, ["0", "1"], src, "s").head, /^copied \(neg→0, pos→1\)/);
  const m3 = new SequenceClassifier({ vocabSize: 3, embeddingDim: 4, hiddenSize: 6, numClasses: 3 });
  const w = Array.from(m3.classifier.weight.f32);
  const r3 = initFromClassifier(m3, vocab, ["negative", "neutral", "positive"], src, "s");
  assert.match(r3.head, /^new \(2 labels there \(neg, pos\), 3 here/);
  assert.deepEqual(Array.from(m3.classifier.weight.f32), w, "the new output layer is left as initialised");
  const big = new SequenceClassifier({ vocabSize: 3, embeddingDim: 4, hiddenSize: 8, numClasses: 2 });
  assert.throws(() => initFromClassifier(big, vocab, ["neg", "pos"], src, "s.safetensors"), /--init-from s\.safetensors: the checkpoint's architecture differs: hiddenSize 6 there, 8 here.*--hidden/);
  const uni = new SequenceClassifier({ vocabSize: 3, embeddingDim: 5, hiddenSize: 6, numClasses: 2, bidirectional: false });
  assert.throws(() => initFromClassifier(uni, vocab, ["neg", "pos"], src, "s"), /bidirectional true there, false here; embeddingDim 4 there, 5 here/);
});

test("train-classifier --init-from the shipped IMDB model: architecture taken from the checkpoint, one quick epoch on a tiny file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-init-"));
  try {
    const words = { pos: ["wonderful", "great", "moving", "brilliant"], neg: ["awful", "boring", "dull", "terrible"] };
    const rows = ["label\ttext"];
    for (let i = 0; i < 40; i++) for (const l of ["pos", "neg"] as const) rows.push(`${l}\ta ${words[l][i % 4]} film , ${words[l][(i + 1) % 4]} acting`);
    const file = join(dir, "tiny.tsv");
    writeFileSync(file, rows.join("\n") + "\n");
    const out = join(dir, "m.safetensors");
    const notes: string[] = [];
    const r = await trainSentimentModel({ path: file, initFrom: SHIPPED, epochs: 1, maxFolds: 1, seed: 1, out }, { info: (m) => notes.push(m) });
    assert.match(notes.join("\n"), /initialised from .*: embedding rows of \d+ of \d+ words, 8 recurrent tensors, output layer copied \(neg→neg, pos→pos\)/);
    assert.ok(r.meanAccuracy >= 0.9, `the IMDB model already knows these words: ${r.meanAccuracy}`);
    // the CLI option, with an architecture that cannot load
    const bad = runCli(["train-classifier", "--data", file, "--init-from", SHIPPED, "--hidden", "32", "--epochs", "1", "--folds", "1", "--json"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /hiddenSize 128 there, 32 here \(hint: leave --hidden unset/);
    const res = jsonLines(runCli(["train-classifier", "--data", file, "--init-from", SHIPPED, "--epochs", "1", "--folds", "1", "--json"]).stdout).find((l) => l.event === "result");
    assert.ok(res && (res.accuracy as number) >= 0.9, JSON.stringify(res));
    assert.ok(loadClassifier(SHIPPED).labels.length === 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
