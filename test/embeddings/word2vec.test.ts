import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { trainWord2Vec } from "../../src/embeddings/word2vec.js";
import { sharedPath } from "../helpers/shared.js";

function ptbSentences(path: string, bytes: number): string[][] {
  return readFileSync(path, "utf8")
    .slice(0, bytes)
    .split("\n")
    .map((l) => l.trim().split(" ").filter((w) => w !== ""));
}

// Pairs a financial-news model should relate (PTB is Wall Street Journal text).
const PAIRS: [string, string][] = [
  ["stock", "shares"], ["million", "billion"], ["president", "executive"], ["buy", "sell"], ["june", "march"],
  ["year", "month"], ["company", "firm"], ["profit", "earnings"], ["rose", "fell"], ["up", "down"],
  ["two", "three"], ["bonds", "securities"], ["monday", "friday"], ["price", "prices"], ["sales", "revenue"],
];

test("word2vec skip-gram on 1 MB of PTB: related words rank near the top (chance = 50th percentile)", (t) => {
  const p = sharedPath(t, "data", "ptb", "ptb.train.txt");
  if (!p) return;
  const { vectors: wv, trainWords } = trainWord2Vec(ptbSentences(p, 1_000_000), { dim: 32, epochs: 2, seed: 1 });
  assert.ok(trainWords > 150_000, `${trainWords} training words`);
  // For each pair (a, b): share of the vocabulary more similar to a than b is.
  const pct = PAIRS.map(([a, b]) => {
    const s = wv.similarity(a, b);
    let above = 0;
    for (const w of wv.words) if (w !== a && w !== b && wv.similarity(a, w) > s) above++;
    return above / (wv.size - 2);
  }).sort((x, y) => x - y);
  const median = pct[Math.floor(pct.length / 2)]!;
  assert.ok(median < 0.05, `median rank percentile of related words ${median.toFixed(4)} (all: ${pct.map((x) => x.toFixed(3)).join(" ")})`);
  // similarity(a, b) beats a's average similarity to a fixed spread of 50 other words, for nearly
  // every pair and on average (raw cosines of a briefly trained model are all high, hence ranks above).
  let related = 0, unrelated = 0, wins = 0;
  for (const [a, b] of PAIRS) {
    let other = 0;
    for (let k = 0; k < 50; k++) other += wv.similarity(a, wv.words[(k * 61 + 7) % wv.size]!) / 50;
    const s = wv.similarity(a, b);
    related += s / PAIRS.length;
    unrelated += other / PAIRS.length;
    if (s > other) wins++;
  }
  assert.ok(wins >= 13, `${wins} of ${PAIRS.length} pairs beat the average`);
  assert.ok(related > unrelated + 0.05, `mean sim related ${related.toFixed(3)} vs other words ${unrelated.toFixed(3)}`);
  const nn = wv.nearestNeighbors("stock", 10).map((x) => x.word);
  assert.ok(nn.some((w) => ["exchange", "trading", "shares", "index", "composite", "market", "stocks", "common"].includes(w)), `neighbours of "stock": ${nn.join(" ")}`);
});

test("word2vec is deterministic for a seed and validates its options", () => {
  const sents = Array.from({ length: 300 }, (_, i) => ["the", "cat", i % 2 ? "sat" : "ran", "on", "the", i % 3 ? "mat" : "rug"]);
  const a = trainWord2Vec(sents, { dim: 8, epochs: 2, seed: 5, minCount: 1 });
  const b = trainWord2Vec(sents, { dim: 8, epochs: 2, seed: 5, minCount: 1 });
  const c = trainWord2Vec(sents, { dim: 8, epochs: 2, seed: 6, minCount: 1 });
  assert.deepEqual(a.vectors.words, ["the", "cat", "on", "mat", "ran", "sat", "rug"]);
  assert.deepEqual(Array.from(a.counts), [600, 300, 300, 200, 150, 150, 100]);
  assert.deepEqual(Array.from(a.vectors.vectors), Array.from(b.vectors.vectors));
  assert.notDeepEqual(Array.from(a.vectors.vectors), Array.from(c.vectors.vectors));
  assert.ok(a.vectors.vectors.every(Number.isFinite));
  // Subsampling keeps a word of count c with p = (√(c/(sN)) + 1)·sN/c, s = 1e-3, N = 1,800:
  // Σ c·p ≈ 157 centre words per epoch (of 1,800), so ≈ 314 over 2 epochs (σ ≈ 18).
  assert.ok(Math.abs(a.wordsProcessed - 314) < 60, `${a.wordsProcessed} centre words kept, expected ≈ 314`);
  assert.equal(trainWord2Vec(sents, { dim: 4, epochs: 1, minCount: 1, sample: 0 }).wordsProcessed, 1800);
  assert.throws(() => trainWord2Vec(sents, { minCount: 10_000 }), /only 0 words occur at least minCount=10000/);
  assert.throws(() => trainWord2Vec(sents, { negative: 0, minCount: 1 }), /negative must be a positive integer/);
});
