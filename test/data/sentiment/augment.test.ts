import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BOOSTERS, boosterSwap } from "../../../src/data/sentiment/augment.js";
import { collate, encodeDataset, makeBatches, tokenizeAll } from "../../../src/data/sentiment/batching.js";
import { readImdbTsv } from "../../../src/data/sentiment/imdb.js";
import { Vocabulary } from "../../../src/data/text/vocabulary.js";
import { loadClassifier } from "../../../src/io/checkpoint.js";
import { classifyTexts } from "../../../src/sentiment/classify.js";
import { trainSentimentModel } from "../../../src/sentiment/session.js";
import { sharedPath } from "../../helpers/shared.js";

const toks = (s: string): string[] => s.split(" ");

test("boosterSwap: only a booster before a content word changes, to another booster; labels, lengths and the input batch stay", () => {
  const texts = ["the movie was terribly boring", "acted terribly .", "terribly and very", "very very good", "a really great film"];
  const vocab = Vocabulary.build([...texts.map(toks), ["extremely", "incredibly", "awfully"]], { minFreq: 1 });
  const data = encodeDataset(texts.map(toks), Int32Array.from([0, 0, 1, 1, 1]), vocab);
  const batch = collate(data, [0, 1, 2, 3, 4]);
  const before = batch.ids.slice();
  const swap = boosterSwap(vocab, { p: 1, seed: 3 });
  assert.ok(swap);
  const [out] = swap([batch], 1);
  assert.ok(out);
  assert.deepEqual(batch.ids, before, "the input batch is not modified");
  assert.equal(out.lengths, batch.lengths);
  assert.equal(out.labels, batch.labels);
  const boosterIds = new Set(BOOSTERS.map((w) => vocab.get(w)).filter((x) => x !== undefined));
  const rows = [0, 1, 2, 3, 4].map((r) => vocab.decode(out.ids.subarray(r * batch.T, r * batch.T + batch.lengths[r]!)));
  // "terribly boring": replaced (p = 1) by a booster that is not "terribly"
  assert.notEqual(rows[0]![3], "terribly");
  assert.ok(boosterIds.has(vocab.id(rows[0]![3]!)));
  assert.deepEqual(rows[0]!.filter((_, i) => i !== 3), ["the", "movie", "was", "boring"]);
  // manner adverb before punctuation, booster before a function word, booster at the end: unchanged
  assert.deepEqual(rows[1], ["acted", "terribly", "."]);
  assert.deepEqual(rows[2]!.slice(0, 2), ["terribly", "and"]);
  assert.equal(rows[2]![2], "very");
  // "very very good": the second "very" modifies "good" and changes (the first one stands before a word too)
  assert.notEqual(rows[3]![1], "very");
  assert.equal(rows[3]![2], "good");
  assert.notEqual(rows[4]![1], "really");
  // the same seed and epoch: the same swaps; another epoch: other draws
  assert.deepEqual(swap([batch], 1)[0]!.ids, out.ids);
  const epochs = new Set([1, 2, 3, 4, 5, 6].map((e) => swap([batch], e)[0]!.ids.join(",")));
  assert.ok(epochs.size > 1);
});

test("boosterSwap: swaps a fraction p of the candidates, uniformly over the other boosters; refuses a bad p; null without two boosters", () => {
  const vocab = Vocabulary.build([["very", "really", "extremely", "terribly", "good", "bad"]], { minFreq: 1 });
  const texts: string[][] = [];
  for (let i = 0; i < 2000; i++) texts.push(["terribly", i % 2 ? "good" : "bad"]);
  const data = encodeDataset(texts, new Int32Array(2000), vocab);
  const swap = boosterSwap(vocab, { p: 0.3, seed: 11 });
  assert.ok(swap);
  const counts = new Map<string, number>();
  for (const b of swap(makeBatches(data, { batchSize: 64, seed: 1, epoch: 1 }), 1))
    for (let r = 0; r < b.B; r++) {
      const w = vocab.token(b.ids[r * b.T]!);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  const swapped = 2000 - (counts.get("terribly") ?? 0);
  // Binomial(2000, 0.3): mean 600, sd 20.5 → ±5 sd
  assert.ok(Math.abs(swapped - 600) < 103, `swapped ${swapped}`);
  for (const w of ["very", "really", "extremely"]) assert.ok(Math.abs((counts.get(w) ?? 0) - swapped / 3) < 80, `${w}: ${counts.get(w)}`);
  assert.throws(() => boosterSwap(vocab, { p: 1.5, seed: 1 }), /boosterSwap: p must be in \[0, 1\], got 1\.5/);
  assert.equal(boosterSwap(Vocabulary.build([["very", "good"]], { minFreq: 1 }), { p: 0.5, seed: 1 }), null);
});

test("boosterSwap on IMDB train reviews: 'terribly' before content words stops being a negative cue", (t) => {
  const p = sharedPath(t, "data", "aclImdb", "train.tsv");
  if (!p) return;
  const ex = readImdbTsv(p).examples.filter((_, i) => i % 5 === 0); // 5,000 reviews, both labels
  const tok = tokenizeAll(ex);
  const vocab = Vocabulary.build(tok, { maxVocab: 20_000 });
  const labels = Int32Array.from(ex.map((e) => (e.label === "pos" ? 1 : 0)));
  const data = encodeDataset(tok, labels, vocab);
  const terribly = vocab.id("terribly");
  const very = vocab.id("very");
  // share of a word's occurrences in negative reviews
  const negShare = (batches: ReturnType<typeof makeBatches>, id: number): number => {
    let neg = 0;
    let all = 0;
    for (const b of batches)
      for (let r = 0; r < b.B; r++)
        for (let i = 0; i < b.lengths[r]!; i++)
          if (b.ids[r * b.T + i] === id) {
            all++;
            if (b.labels[r] === 0) neg++;
          }
    return neg / all;
  };
  const plain = makeBatches(data, { batchSize: 64, seed: 1, epoch: 1 });
  const swapped = boosterSwap(vocab, { p: 1, seed: 1 })!(plain, 1);
  const before = negShare(plain, terribly);
  const after = negShare(swapped, terribly);
  // measured on this subset: 0.70 before (IMDB's "terribly bad/boring/written"); after, close to the boosters' mix (~0.5)
  assert.ok(before > 0.62, `before ${before}`);
  assert.ok(Math.abs(after - negShare(swapped, very)) < 0.08 && after < 0.58, `after ${after}, very ${negShare(swapped, very)}`);
});

test("train-classifier --swap-boosters: a model that only saw 'terribly' before negative words reads 'terribly good' as positive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-boost-"));
  try {
    // boosters in the data as in IMDB: the rare "terribly" only before negative adjectives, the
    // common "very"/"really"/"extremely" before both (IMDB train: "very" 14,067 times, "terribly" 274)
    const pos = ["good", "great", "fun", "moving", "superb"];
    const neg = ["bad", "dull", "weak", "boring", "awful"];
    const rows = ["label\ttext"];
    for (let i = 0; i < 600; i++) {
      const b = ["very", "really", "extremely"][i % 3]!;
      rows.push(`pos\tthe film was ${b} ${pos[i % 5]}`, `neg\tthe film was ${b} ${neg[i % 5]}`);
      if (i % 2 === 0) rows.push(`neg\tthe film was terribly ${neg[i % 5]}`);
    }
    const train = join(dir, "train.tsv");
    writeFileSync(train, rows.join("\n") + "\n");
    writeFileSync(join(dir, "test.tsv"), "label\ttext\npos\tthe film was very good\nneg\tthe film was very bad\n");
    const probe = ["the film was terribly good", "the film was terribly great", "the film was terribly fun", "the film was terribly moving", "the film was terribly superb"];
    const posProb = async (swapBoosters: number | undefined, seed: number): Promise<{ mean: number; info: Record<string, unknown> }> => {
      const out = join(dir, `m${swapBoosters ?? 0}-${seed}.safetensors`);
      const notes: string[] = [];
      await trainSentimentModel(
        { path: train, testPath: join(dir, "test.tsv"), minFreq: 1, embeddingDim: 16, hiddenSize: 16, pooling: "max", epochs: 6, patience: 0, seed, out, ...(swapBoosters ? { swapBoosters } : {}) },
        { info: (m) => notes.push(m) },
      );
      if (swapBoosters) assert.match(notes.join("\n"), /booster swapping: p 0\.5, 4 of \d+ boosters in the vocabulary/);
      const b = loadClassifier(out);
      const preds = classifyTexts(b, probe);
      return { mean: preds.reduce((s, p) => s + (p.probs.pos ?? 0), 0) / preds.length, info: b.info };
    };
    // three seeds each: a tiny model's single run is noisy (measured: without swapping 0.41–0.68, with 0.74–0.87)
    const off = await Promise.all([1, 2, 3].map((s) => posProb(undefined, s)));
    const on = await Promise.all([1, 2, 3].map((s) => posProb(0.5, s)));
    const mean = (xs: { mean: number }[]): number => xs.reduce((s, x) => s + x.mean, 0) / xs.length;
    assert.ok(mean(on) > 0.7, `with swapping "terribly good" should read positive, mean P(pos) ${mean(on)}`);
    assert.ok(mean(on) - mean(off) > 0.15, `swapping should raise P(pos) of "terribly good": ${mean(off)} → ${mean(on)}`);
    assert.equal(on[0]!.info.swapBoosters, 0.5);
    assert.equal(off[0]!.info.swapBoosters, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
