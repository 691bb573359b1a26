import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenize, whitespaceTokenize } from "../../../src/data/text/tokenize.js";
import { normalizeText } from "../../../src/data/text/normalize.js";
import { stripHtml } from "../../../src/data/text/html.js";
import { PAD_ID, UNK_ID, Vocabulary } from "../../../src/data/text/vocabulary.js";
import { padSequences, truncateIds } from "../../../src/data/text/sequence.js";
import { collate, encodeDataset, makeBatches, tokenizeAll } from "../../../src/data/sentiment/batching.js";
import { getRngState, manualSeed, random } from "../../../src/tensor/random.js";

test("tokenize: lower-case, <br />, punctuation split, apostrophes kept inside words", () => {
  assert.deepEqual(tokenize("I don't like it.<br /><br />Really!!"), ["i", "don't", "like", "it", ".", "really", "!!"]);
  assert.equal(normalizeText("Bromwell High's satire...is \"great\"!?"), "bromwell high's satire ... is \" great \" ! ?");
  // Curly apostrophes are normalised inside words; quotes around words are split off.
  assert.deepEqual(tokenize("It\u2019s 'fine' (really)"), ["it's", "'", "fine", "'", "(", "really", ")"]);
  // Pre-tokenised PTB/SST text keeps its clitics.
  assert.deepEqual(tokenize("it 's a film that ca n't miss"), ["it", "'s", "a", "film", "that", "ca", "n't", "miss"]);
  // Numbers and hyphenated words stay whole; splitHyphens splits them.
  assert.deepEqual(tokenize("A well-made 34.9% rise, 1,000 fans"), ["a", "well-made", "34.9", "%", "rise", ",", "1,000", "fans"]);
  assert.deepEqual(tokenize("well-made", { splitHyphens: true }), ["well", "-", "made"]);
  // Non-ASCII letters are word characters; emoji are single symbols.
  assert.deepEqual(tokenize("Café Lemminkäinen 😀!"), ["café", "lemminkäinen", "😀", "!"]);
  assert.deepEqual(tokenize("Keep Case", { lowercase: false }), ["Keep", "Case"]);
  assert.deepEqual(tokenize("<i>a</i> &amp; <3"), ["a", "&", "<", "3"]);
  assert.deepEqual(tokenize("   "), []);
  // PTB-style clitic splitting (how GloVe's corpus was tokenised).
  assert.deepEqual(tokenize("I don't think it's what we'd can't won't o'clock", { contractions: "split" }), ["i", "do", "n't", "think", "it", "'s", "what", "we", "'d", "ca", "n't", "wo", "n't", "o'clock"]);
  assert.equal(stripHtml("a<br/>b<BR />c"), "a b c");
  assert.deepEqual(whitespaceTokenize("  a  b\tc \n"), ["a", "b", "c"]);
});

test("Vocabulary: training counts, specials 0/1, minFreq, maxVocab, encode/decode, JSON round trip", () => {
  const docs = [["the", "movie", "was", "good"], ["the", "film", "was", "bad"], ["the", "movie", "!"]];
  const v = Vocabulary.build(docs, { minFreq: 2 });
  assert.deepEqual(v.tokens, ["<pad>", "<unk>", "the", "movie", "was"]);
  assert.equal(v.id("<pad>"), PAD_ID);
  assert.equal(v.id("never-seen"), UNK_ID);
  assert.deepEqual(Array.from(v.encode(["the", "film", "movie"])), [2, UNK_ID, 3]);
  assert.deepEqual(v.decode([2, 1, 3, 0, 0]), ["the", "<unk>", "movie"]);
  assert.equal(v.totalTokens, 11);
  assert.equal(v.counts[2], 3);
  // Ties are broken by token, so the order does not depend on document order.
  const small = Vocabulary.build([["b", "a", "c", "c"]], { maxVocab: 4 });
  assert.deepEqual(small.tokens, ["<pad>", "<unk>", "c", "a"]);
  const extra = Vocabulary.build(docs, { specials: ["<bos>"] });
  assert.equal(extra.id("<bos>"), 2);
  assert.equal(extra.numSpecials, 3);
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(extra)));
  assert.deepEqual(back.tokens, extra.tokens);
  assert.deepEqual(Array.from(back.counts), Array.from(extra.counts));
  assert.equal(back.numSpecials, 3);
  assert.equal(back.totalTokens, extra.totalTokens);
  assert.throws(() => Vocabulary.fromJSON({ tokens: ["a"] }), /format "rnnkit-vocabulary"/);
  assert.throws(() => new Vocabulary(["<unk>", "<pad>"]), /ids 0 and 1/);
  assert.throws(() => Vocabulary.build(docs, { maxVocab: 1 }), /smaller than the 2 specials/);
});

test("truncateIds: head, tail, head+tail; padSequences right-pads with 0", () => {
  const ids = Int32Array.from({ length: 10 }, (_, i) => i + 10);
  assert.deepEqual(Array.from(truncateIds(ids, 4)), [10, 11, 12, 13]);
  assert.deepEqual(Array.from(truncateIds(ids, 4, { mode: "tail" })), [16, 17, 18, 19]);
  assert.deepEqual(Array.from(truncateIds(ids, 5, { mode: "head+tail", headLength: 2 })), [10, 11, 17, 18, 19]);
  assert.deepEqual(Array.from(truncateIds(ids, 8, { mode: "head+tail" })), [10, 11, 14, 15, 16, 17, 18, 19]); // head = 8/4 = 2
  assert.equal(truncateIds(ids, 20), ids);
  assert.throws(() => truncateIds(ids, 0), /positive integer/);
  const p = padSequences([Int32Array.of(5, 6, 7), Int32Array.of(8)]);
  assert.equal(p.T, 3);
  assert.deepEqual(Array.from(p.ids), [5, 6, 7, 8, 0, 0]);
  assert.deepEqual(Array.from(p.lengths), [3, 1]);
  assert.deepEqual(Array.from(padSequences([Int32Array.of(1, 2, 3)], { T: 2 }).ids), [1, 2]);
});

function toyData(n: number): { ids: Int32Array[]; labels: Int32Array } {
  // Lengths 1..37 in a scrambled order; ids encode (example, position) so rows can be checked.
  const ids = Array.from({ length: n }, (_, i) => Int32Array.from({ length: 1 + ((i * 7) % 37) }, (_, t) => 2 + i * 100 + t));
  return { ids, labels: Int32Array.from({ length: n }, (_, i) => i % 3) };
}

test("makeBatches: [B, T] right-padded batch-first rows, every example once per epoch, seeded", () => {
  const data = toyData(203);
  const before = getRngState();
  const batches = makeBatches(data, { batchSize: 16, seed: 42, epoch: 0 });
  assert.deepEqual(getRngState(), before, "batching must not disturb the global generator");
  const seen = new Int32Array(203);
  for (const b of batches) {
    assert.equal(b.ids.length, b.B * b.T);
    let maxLen = 0;
    for (let r = 0; r < b.B; r++) {
      const i = b.indices[r]!;
      seen[i]!++;
      const src = data.ids[i]!;
      assert.equal(b.lengths[r], src.length);
      assert.equal(b.labels[r], data.labels[i]);
      maxLen = Math.max(maxLen, src.length);
      for (let t = 0; t < b.T; t++) assert.equal(b.ids[r * b.T + t], t < src.length ? src[t] : PAD_ID);
    }
    assert.equal(b.T, maxLen, "T is the longest row of the batch");
  }
  assert.ok(seen.every((c) => c === 1), "each example exactly once");
  assert.equal(batches.filter((b) => b.B < 16).length, 1);
  const again = makeBatches(data, { batchSize: 16, seed: 42, epoch: 0 });
  assert.deepEqual(again.map((b) => Array.from(b.indices)), batches.map((b) => Array.from(b.indices)));
  const next = makeBatches(data, { batchSize: 16, seed: 42, epoch: 1 });
  assert.notDeepEqual(next.map((b) => Array.from(b.indices)), batches.map((b) => Array.from(b.indices)));
  assert.equal(makeBatches(data, { batchSize: 16, seed: 42, dropLast: true }).length, Math.floor(203 / 16));
});

test("makeBatches: length bucketing cuts padding; shuffle false keeps order", () => {
  const data = toyData(400);
  const padding = (bs: ReturnType<typeof makeBatches>): number => bs.reduce((a, b) => a + b.B * b.T - b.lengths.reduce((x, y) => x + y, 0), 0);
  const bucketed = padding(makeBatches(data, { batchSize: 20, seed: 1 }));
  const plain = padding(makeBatches(data, { batchSize: 20, seed: 1, bucket: false }));
  assert.ok(bucketed * 3 < plain, `bucketed padding ${bucketed} should be far below unbucketed ${plain}`);
  const ordered = makeBatches(data, { batchSize: 64, shuffle: false, bucket: false });
  assert.deepEqual(Array.from(ordered[0]!.indices), Array.from({ length: 64 }, (_, i) => i));
});

test("encodeDataset + collate: vocabulary from training texts, empty text → one <unk>, truncation", () => {
  const ex = [
    { text: "Great movie, great cast!", label: "pos" },
    { text: "Awful. Just awful.", label: "neg" },
    { text: "", label: "neg" },
  ];
  const tok = tokenizeAll(ex);
  const vocab = Vocabulary.build(tok);
  const data = encodeDataset(tok, Int32Array.of(1, 0, 0), vocab, { maxLen: 3 });
  assert.deepEqual(vocab.decode(data.ids[0]!), ["great", "movie", ","]);
  assert.deepEqual(Array.from(data.ids[2]!), [UNK_ID]);
  const b = collate(data, [1, 2]);
  assert.equal(b.T, 3);
  assert.deepEqual(Array.from(b.lengths), [3, 1]);
  assert.deepEqual(Array.from(b.labels), [0, 0]);
  assert.throws(() => encodeDataset(tok, Int32Array.of(1), vocab), /3 texts but 1 labels/);
});

test("makeBatches leaves the global stream where it was", () => {
  manualSeed(5);
  const a = random();
  manualSeed(5);
  makeBatches(toyData(50), { batchSize: 8, seed: 9 });
  assert.equal(random(), a);
});
