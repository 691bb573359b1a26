/** --vocab-from-embeddings: words only the vector file knows join the vocabulary with their vectors. */
import "../../src/kernels/select.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { loadClassifier } from "../../src/io/checkpoint.js";
import { extendVocabulary, trainSentimentModel } from "../../src/sentiment/session.js";
import { asSequenceBundle } from "../../src/sentiment/init-from.js";

test("extendVocabulary appends missing words in order, up to a maximum, keeping ids and counts", () => {
  const v = new Vocabulary(["<pad>", "<unk>", "good", "bad"], { counts: [0, 0, 5, 3] });
  const e = extendVocabulary(v, ["bad", "superb", "", "dreadful", "superb", "meh"], 2);
  assert.deepEqual(e.tokens, ["<pad>", "<unk>", "good", "bad", "superb", "dreadful"]);
  assert.deepEqual(Array.from(e.counts), [0, 0, 5, 3, 0, 0]);
  assert.equal(extendVocabulary(v, ["good"]), v);
});

test("train-classifier with --vocab-from-embeddings: a word met only in the test file keeps its (frozen) pretrained vector", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-vfe-"));
  try {
    const rows = ["label\ttext"];
    for (let i = 0; i < 30; i++) rows.push(`pos\ta good film number ${i % 3}`, `neg\ta bad film number ${i % 3}`);
    const train = join(dir, "train.tsv");
    const testFile = join(dir, "test.tsv");
    writeFileSync(train, rows.join("\n") + "\n");
    writeFileSync(testFile, "label\ttext\npos\ta superb film\nneg\ta dreadful film\n");
    const vec = (a: number, b: number): string => [a, b, 0, 0].join(" ");
    writeFileSync(join(dir, "v.txt"), [`good ${vec(1, 0)}`, `bad ${vec(0, 1)}`, `superb ${vec(0.9, 0.1)}`, `dreadful ${vec(0.1, 0.9)}`, `film ${vec(0, 0)}`].join("\n"));
    const out = join(dir, "m.safetensors");
    const notes: string[] = [];
    await assert.rejects(trainSentimentModel({ path: train, vocabFromEmbeddings: 10 }), /needs a vector file/);
    const r = await trainSentimentModel(
      { path: train, testPath: testFile, embeddings: join(dir, "v.txt"), vocabFromEmbeddings: 1000, freezeEmbeddings: true, minFreq: 1, hiddenSize: 8, epochs: 1, seed: 1, out },
      { info: (m) => notes.push(m) },
    );
    assert.match(notes.join("\n"), /vocabulary: \d+ words from the training texts \+ 2 more that only the vectors know/);
    assert.ok(r.test);
    const b = loadClassifier(out);
    assert.ok(b.vocab.has("superb") && b.vocab.has("dreadful"));
    const id = b.vocab.id("superb");
    const w = asSequenceBundle(b, out).model.embedding.weight.f32;
    assert.deepEqual(Array.from(w.subarray(id * 4, id * 4 + 4)).map((x) => Math.round(x * 100) / 100), [0.9, 0.1, 0, 0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
