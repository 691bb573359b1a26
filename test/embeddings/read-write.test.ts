import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readEmbeddings } from "../../src/embeddings/read.js";
import { formatFloat32, writeWord2VecBinary, writeWord2VecText } from "../../src/embeddings/write.js";
import { WordVectors } from "../../src/embeddings/word-vectors.js";
import { ByteReader } from "../../src/embeddings/byte-reader.js";
import { buildEmbeddingMatrix, formatCoverage } from "../../src/embeddings/matrix.js";
import { DataFormatError } from "../../src/data/sentiment/errors.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { readSst } from "../../src/data/sentiment/sst.js";
import { tokenizeAll } from "../../src/data/sentiment/batching.js";
import { sharedPath } from "../helpers/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rnnkit-emb-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsAt(p: Promise<unknown>, file: string, line: number, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line, e.message);
    assert.match(e.message, re);
    return true;
  });
}

test("GloVe text (no header): the shared 2,446 × 50 head", async (t) => {
  const p = sharedPath(t, "data", "glove-6B-50d-top2446", "glove.6B.50d.top2446.txt");
  if (!p) return;
  const { vectors, format, rowsRead, duplicates, notes } = await readEmbeddings(p);
  assert.equal(format, "glove");
  assert.equal(rowsRead, 2446);
  assert.equal(duplicates, 0, "the five Windows-1252 words must not collapse into one U+FFFD word");
  assert.deepEqual(notes, [`${p}: 5 row(s) were not valid UTF-8 and were decoded as Windows-1252`]);
  assert.ok(vectors.has("\u2013") && vectors.has("\u2014"), "en and em dash (bytes 0x96, 0x97)");
  assert.equal(vectors.size, 2446);
  assert.equal(vectors.dim, 50);
  assert.deepEqual(vectors.words.slice(0, 4), ["the", ",", ".", "of"]);
  assert.deepEqual(Array.from(vectors.get("the")!.subarray(0, 3)), [0.418, 0.24968, -0.41242].map(Math.fround));
  // Semantics survive the load: royalty is closer to royalty than to finance.
  assert.ok(vectors.similarity("king", "queen") > vectors.similarity("king", "stock") + 0.2);
  assert.ok(vectors.nearestNeighbors("good", 10).some((n) => n.word === "better"));
  const top = await readEmbeddings(p, { limit: 10, keep: new Set(["the", "of", "zebra"]) });
  assert.deepEqual(top.vectors.words, ["the", "of"]);
  assert.equal(top.rowsRead, 10);
});

test("word2vec text and binary: write → read round trip is exact; auto-detects the header", async () => {
  const words = ["the", "café", "n't", "<unk>"];
  const data = Float32Array.from({ length: 4 * 3 }, (_, i) => Math.fround(Math.sin(i + 1) * 10 ** ((i % 5) - 2)));
  const wv = new WordVectors(words, data, 3);
  const txt = join(dir, "v.vec");
  await writeWord2VecText(txt, wv);
  const a = await readEmbeddings(txt);
  assert.equal(a.format, "word2vec");
  assert.deepEqual(a.vectors.words, words);
  assert.deepEqual(Array.from(a.vectors.vectors), Array.from(data));
  const bin = join(dir, "v.bin");
  await writeWord2VecBinary(bin, wv);
  const b = await readEmbeddings(bin);
  assert.equal(b.format, "word2vec-binary");
  assert.deepEqual(b.vectors.words, words);
  assert.deepEqual(Array.from(b.vectors.vectors), Array.from(data));
  const onlyCafe = await readEmbeddings(bin, { keep: (w) => w.startsWith("caf") });
  assert.deepEqual(onlyCafe.vectors.words, ["café"]);
  assert.deepEqual(Array.from(onlyCafe.vectors.vectors), Array.from(data.subarray(3, 6)));
  await assert.rejects(writeWord2VecText(join(dir, "bad.vec"), new WordVectors(["a b"], new Float32Array(3), 3)), /whitespace/);
  assert.equal(formatFloat32(Math.fround(0.1)), "0.1");
  assert.equal(formatFloat32(0), "0");
});

test("embedding file errors name the file and line", async () => {
  const g = join(dir, "bad.txt");
  writeFileSync(g, "a 1 2 3\nb 4 5 6\nc 7 8\n");
  await rejectsAt(readEmbeddings(g), g, 3, /row for "c" has 2 values, expected 3 \(dimension from line 1\)/);
  writeFileSync(g, "a 1 2 3\nb 4 x 6\n");
  await rejectsAt(readEmbeddings(g), g, 2, /value 2 of "b" is "x", expected a finite number/);
  // Fuzz finding (vectors:6:1838): a finite double that overflows float32 was stored as Infinity.
  writeFileSync(g, "a 1 2 3\nb 4 1e39 6\n");
  await rejectsAt(readEmbeddings(g), g, 2, /value 2 of "b" is "1e39", expected a finite number within float32 range/);
  writeFileSync(g, "a 1 2 3\nb 4 5 6 7\n");
  await rejectsAt(readEmbeddings(g), g, 2, /has 4 values, expected 3/);
  await rejectsAt(readEmbeddings(g, { dim: 4 }), g, 1, /has 3 values, expected 4 \(dimension from the dim option\)/);
  const w = join(dir, "bad.vec");
  writeFileSync(w, "3 2\na 1 2 \nb 3 4 \n");
  await rejectsAt(readEmbeddings(w), w, 3, /header promises 3 rows but the file ends after 2/);
  writeFileSync(w, "2 2\na 1 2\nb 3\n");
  await rejectsAt(readEmbeddings(w), w, 3, /expected 2 \(dimension from the header\)/);
  await rejectsAt(readEmbeddings(w, { format: "word2vec", dim: 3 }), w, 1, /header says dimension 2, expected 3/);
  const b = join(dir, "cut.bin");
  writeFileSync(b, Buffer.concat([Buffer.from("2 4\nab "), Buffer.alloc(16), Buffer.from("\ncd "), Buffer.alloc(8)]));
  await rejectsAt(readEmbeddings(b), b, 0, /row 2 \("cd", byte offset \d+\) is cut short/);
  // A GloVe-840B-style word containing spaces is one word.
  writeFileSync(g, "a 1 2\n. . . 3 4\n");
  assert.deepEqual((await readEmbeddings(g)).vectors.words, ["a", ". . ."]);
});

test("ByteReader streams lines across buffer boundaries (multi-byte UTF-8, CRLF, no final newline)", async () => {
  const p = join(dir, "lines.txt");
  const lines = ["naïve café", "", "😀 emoji line that is longer than the buffer", "crlf"];
  writeFileSync(p, lines.slice(0, 3).join("\n") + "\r\n" + lines[3]);
  const r = await ByteReader.open(p, 5);
  const got: string[] = [];
  for await (const batch of r.lineBatches()) got.push(...batch);
  await r.close();
  assert.deepEqual(got, lines);
});

test("buildEmbeddingMatrix: rows per vocab id, <pad> zero, lower-case fallback, coverage report", async (t) => {
  const gp = sharedPath(t, "data", "glove-6B-50d-top2446", "glove.6B.50d.top2446.txt");
  const sp = sharedPath(t, "data", "sst-kim2014", "stsa.binary.train");
  if (!gp || !sp) return;
  const { vectors } = await readEmbeddings(gp);
  const vocab = Vocabulary.build(tokenizeAll(readSst(sp, "binary").examples), { minFreq: 2 });
  const m = buildEmbeddingMatrix(vocab, vectors, { seed: 3 });
  assert.equal(m.matrix.length, vocab.size * 50);
  assert.ok(m.matrix.subarray(0, 50).every((v) => v === 0), "<pad> row is zero");
  const id = vocab.id("film");
  assert.deepEqual(Array.from(m.matrix.subarray(id * 50, id * 50 + 50)), Array.from(vectors.get("film")!));
  const c = m.coverage;
  assert.equal(c.vocabTypes, vocab.size - 2);
  assert.equal(c.foundTypes, m.pretrained.reduce((a, b) => a + b, 0));
  assert.ok(c.typeCoverage > 0.2 && c.typeCoverage < 0.6, `type coverage ${c.typeCoverage}`);
  assert.ok(c.tokenCoverage > 0.75, `frequent words are covered: token coverage ${c.tokenCoverage}`);
  assert.ok(c.allTokenCoverage <= c.tokenCoverage);
  assert.ok(c.topMissing.length === 20 && c.topMissing[0]!.count >= c.topMissing[19]!.count);
  assert.ok(c.topMissing.every((w) => !vectors.has(w.word)));
  assert.match(formatCoverage(c), /vocabulary types with a vector: \d+ \/ \d+/);
  // Random rows: seeded, on the scale of the pretrained values.
  const unk = m.matrix.subarray(50, 100);
  assert.deepEqual(Array.from(buildEmbeddingMatrix(vocab, vectors, { seed: 3 }).matrix.subarray(50, 100)), Array.from(unk));
  assert.notDeepEqual(Array.from(buildEmbeddingMatrix(vocab, vectors, { seed: 4 }).matrix.subarray(50, 100)), Array.from(unk));
  assert.ok(unk.some((v) => v !== 0));
  assert.ok(buildEmbeddingMatrix(vocab, vectors, { missing: "zeros" }).matrix.subarray(50, 100).every((v) => v === 0));
  // Lower-case fallback, both ways: vocab "The" → "the"; cased file "Apple" → vocab "apple".
  const cased = new WordVectors(["Apple", "apple2", "the"], Float32Array.from({ length: 6 }, (_, i) => i + 1), 2);
  const v2 = Vocabulary.build([["The", "apple", "zzz"]]);
  const m2 = buildEmbeddingMatrix(v2, cased);
  assert.equal(m2.coverage.foundExact, 0);
  assert.equal(m2.coverage.foundLowercase, 2);
  assert.deepEqual(Array.from(m2.matrix.subarray(v2.id("apple") * 2, v2.id("apple") * 2 + 2)), [1, 2]);
  assert.deepEqual(Array.from(m2.matrix.subarray(v2.id("The") * 2, v2.id("The") * 2 + 2)), [5, 6]);
  assert.equal(buildEmbeddingMatrix(v2, cased, { lowercaseFallback: false }).coverage.foundTypes, 0);
});
