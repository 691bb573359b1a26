/**
 * Negation pairs (data/sentiment/negation.ts): the sentence rules on hand-made texts, the draw on
 * IMDB's real training reviews, and end to end: a classifier whose data never negates an opinion
 * reads "the film was not bad" as positive only when trained with the pairs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { tokenizeAll } from "../../../src/data/sentiment/batching.js";
import { readImdbTsv } from "../../../src/data/sentiment/imdb.js";
import { NEGATIVE_ADJECTIVES, POSITIVE_ADJECTIVES, negationPairs, positiveLabelIndex } from "../../../src/data/sentiment/negation.js";
import { loadClassifier } from "../../../src/io/checkpoint.js";
import { classifyTexts } from "../../../src/sentiment/classify.js";
import { trainSentimentModel } from "../../../src/sentiment/session.js";
import { sharedPath } from "../../helpers/shared.js";

const toks = (s: string): string[] => s.split(" ");

test("negationPairs: a copula + one opinion adjective makes a pair; negators, two adjectives, non-predicates and long sentences do not", () => {
  const texts = [
    "the acting was awful . i liked the music !", // one sentence qualifies, the other has no adjective after a copula
    "the plot is not good .", // already negated
    "it was great and the cast was bad .", // two opinion adjectives
    "a good film .", // adjective not after a copula
    "the ending wasn't great .", // n't
    "the score felt wonderful , really", // no final punctuation: the text's end closes the sentence
    `the story was dull ${"and long ".repeat(20)}.`, // too long
  ].map(toks);
  const np = negationPairs(texts, { pairs: 10, seed: 1 });
  assert.deepEqual(np.candidates, { positive: 1, negative: 1 });
  assert.deepEqual(
    np.tokens.map((t) => t.join(" ")),
    ["the acting was awful .", "the acting was not awful .", "the score felt wonderful , really", "the score felt not wonderful , really"],
  );
  assert.deepEqual([...np.positive], [0, 1, 1, 0]);
  assert.throws(() => negationPairs(texts, { pairs: 0, seed: 1 }), /pairs must be a positive integer, got 0/);
  assert.equal(positiveLabelIndex(["neg", "pos"], "t"), 1);
  assert.equal(positiveLabelIndex(["1", "0"], "t"), 0);
  assert.throws(() => positiveLabelIndex(["negative", "neutral", "positive"], "t"), /need two labels, one positive and one negative/);
  assert.equal(new Set([...POSITIVE_ADJECTIVES, ...NEGATIVE_ADJECTIVES]).size, POSITIVE_ADJECTIVES.length + NEGATIVE_ADJECTIVES.length, "no adjective on both lists");
});

test("negationPairs on IMDB train reviews: balanced, seeded, each negated sentence is its original with one 'not'", (t) => {
  const path = sharedPath(t, "data", "aclImdb", "train.tsv");
  if (!path) return;
  // every third review: both labels (the file holds the positive reviews first)
  const texts = tokenizeAll(readImdbTsv(path).examples.filter((_, i) => i % 3 === 0), { lowercase: true, stripHtml: true });
  const np = negationPairs(texts, { pairs: 600, seed: 4 });
  assert.ok(np.candidates.positive >= 300 && np.candidates.negative >= 300, `candidates ${JSON.stringify(np.candidates)}`);
  assert.equal(np.tokens.length, 1200);
  assert.equal(np.positive.reduce((s, p) => s + p, 0), 600, "as many positive as negative examples");
  const pos = new Set(POSITIVE_ADJECTIVES);
  for (let i = 0; i < np.tokens.length; i += 2) {
    const [a, b] = [np.tokens[i]!, np.tokens[i + 1]!];
    const k = b.indexOf("not");
    assert.deepEqual([...b.slice(0, k), ...b.slice(k + 1)], a, `pair ${i / 2}`);
    assert.equal(np.positive[i], pos.has(b[k + 1]!) ? 1 : 0, `label of "${a.join(" ")}"`);
    assert.equal(np.positive[i + 1], 1 - np.positive[i]!);
  }
  assert.deepEqual(negationPairs(texts, { pairs: 600, seed: 4 }).tokens, np.tokens, "the same seed draws the same pairs");
  assert.notDeepEqual(negationPairs(texts, { pairs: 600, seed: 5 }).tokens, np.tokens);
});

test("train-classifier --negation-pairs: a model whose reviews never negate an opinion reads 'not bad' as positive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-neg-"));
  try {
    // reviews in which opinions are never negated
    const pos = ["good", "great", "fun", "superb", "excellent"];
    const neg = ["bad", "dull", "weak", "boring", "awful"];
    const rows = ["label\ttext"];
    for (let i = 0; i < 600; i++) {
      rows.push(`pos\tthe film was ${pos[i % 5]} .`, `neg\tthe film was ${neg[i % 5]} .`);
    }
    const train = join(dir, "train.tsv");
    writeFileSync(train, rows.join("\n") + "\n");
    writeFileSync(join(dir, "test.tsv"), "label\ttext\npos\tthe film was good .\nneg\tthe film was bad .\n");
    const probe = neg.map((w) => `the film was not ${w} .`);
    // no validation part: on these reviews validation accuracy is 100 % after one epoch, and the
    // kept epoch would be that one whatever came later; the training accuracy (pairs included) decides
    const posProb = async (pairs: number | undefined, seed: number): Promise<{ mean: number; info: Record<string, unknown> }> => {
      const out = join(dir, `m${pairs ?? 0}-${seed}.safetensors`);
      const notes: string[] = [];
      await trainSentimentModel(
        { path: train, testPath: join(dir, "test.tsv"), minFreq: 1, embeddingDim: 16, hiddenSize: 16, pooling: "max", epochs: 8, patience: 0, seed, out, validFraction: 0, ...(pairs ? { negationPairs: pairs } : {}) },
        { info: (m) => notes.push(m) },
      );
      if (pairs) assert.match(notes.join("\n"), /negation pairs: 600 pairs \(1,200 short examples\) added/);
      const preds = classifyTexts(loadClassifier(out), probe);
      return { mean: preds.reduce((s, p) => s + (p.probs.pos ?? 0), 0) / preds.length, info: loadClassifier(out).info };
    };
    const off = await Promise.all([1, 2].map((s) => posProb(undefined, s)));
    const on = await Promise.all([1, 2].map((s) => posProb(600, s)));
    const mean = (xs: { mean: number }[]): number => xs.reduce((s, x) => s + x.mean, 0) / xs.length;
    // measured: without pairs 0.04 / 0.10, with 0.85 / 0.81
    assert.ok(mean(off) < 0.3, `without pairs "not bad" should read negative here, mean P(pos) ${mean(off)}`);
    assert.ok(mean(on) > 0.7, `with pairs "not bad" should read positive, mean P(pos) ${mean(on)}`);
    assert.equal(on[0]!.info.negationPairs, 600);
    // the split's own training texts are recorded apart from the pairs (a stacker re-splitting the data checks them)
    assert.equal(on[0]!.info.trainExamples, off[0]!.info.trainExamples);
    assert.equal(on[0]!.info.negationExamples, 1200);
    assert.equal(off[0]!.info.negationPairs, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("train-classifier --negation-pairs on three labels: refused before tokenising or word2vec, naming the labels", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-neg3-"));
  try {
    const rows = ["label\ttext", ...Array.from({ length: 60 }, (_, i) => `${["neg", "neutral", "pos"][i % 3]}\tthe film was fine number ${i} .`)];
    writeFileSync(join(dir, "train.tsv"), rows.join("\n") + "\n");
    const notes: string[] = [];
    await assert.rejects(
      trainSentimentModel({ path: join(dir, "train.tsv"), negationPairs: 10, word2vec: true, epochs: 1, out: join(dir, "m.safetensors") }, { info: (m) => notes.push(m) }),
      /negation pairs need two labels, one positive and one negative .*got \["neg","neutral","pos"\]/,
    );
    assert.ok(!notes.some((n) => /word2vec/.test(n)), `no word2vec before the refusal: ${notes.join(" | ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
