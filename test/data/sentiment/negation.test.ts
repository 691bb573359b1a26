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
import { NEGATION_FORMS, NEGATIVE_ADJECTIVES, NEGATIVE_PARTICIPLES, NEGATIVE_VERBS, type NegationForm, type NegationRules, POSITIVE_ADJECTIVES, POSITIVE_PARTICIPLES, POSITIVE_VERBS, negationPairs, positiveLabelIndex } from "../../../src/data/sentiment/negation.js";
import { loadClassifier } from "../../../src/io/checkpoint.js";
import { classifyTexts } from "../../../src/sentiment/classify.js";
import { trainSentimentModel } from "../../../src/sentiment/session.js";
import { sharedPath } from "../../helpers/shared.js";

const toks = (s: string): string[] => s.split(" ");

test("negationPairs: a copula + one opinion adjective makes a pair; negators, two opinion words, non-predicates and long sentences do not", () => {
  const texts = [
    "the acting was awful . i saw the music !", // one sentence qualifies, the other has no opinion word
    "the plot is not good .", // already negated
    "it was great and the cast was bad .", // two opinion words
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
  assert.deepEqual(np.forms, ["copula", "copula"]);
  assert.throws(() => negationPairs(texts, { pairs: 0, seed: 1 }), /pairs must be a positive integer, got 0/);
  assert.equal(positiveLabelIndex(["neg", "pos"], "t"), 1);
  assert.equal(positiveLabelIndex(["1", "0"], "t"), 0);
  assert.throws(() => positiveLabelIndex(["negative", "neutral", "positive"], "t"), /need two labels, one positive and one negative/);
  const words = [...POSITIVE_ADJECTIVES, ...NEGATIVE_ADJECTIVES, ...POSITIVE_PARTICIPLES, ...NEGATIVE_PARTICIPLES, ...[...POSITIVE_VERBS, ...NEGATIVE_VERBS].flat()];
  assert.equal(new Set(words).size, words.length, "no word on two lists");
});

test("negationPairs, extended rules: each construction and its rewrite; the look-alikes that are left alone", () => {
  // [sentence, its negation, form] — or [sentence, null] when it must not qualify
  const cases: [string, string | null, string?][] = [
    ["it's dull .", "it's not dull .", "copula"],
    ["i was impressed .", "i was not impressed .", "copula"],
    ["it would be boring .", "it would not be boring .", "copula"], // "not" before a bare "be"
    ["it has been great .", "it has not been great .", "copula"],
    ["it had to be awful .", null], // "not to be awful" means something else
    ["the cast was very good .", "the cast was not very good .", "degree"],
    ["the film was so bad that i left .", null], // "so … that": not a degree adverb here
    ["this is a dull movie .", "this is not a dull movie .", "article"],
    ["this is a really great movie .", "this is not a really great movie .", "article"],
    ["there is an awful lot of talk .", null], // a quantity
    ["i liked this film .", "i did not like this film .", "verb"],
    ["we really enjoyed it .", "we did not really enjoy it .", "verb"],
    ["i hate this show .", "i do not hate this show .", "verb"],
    ["i would recommend it .", "i would not recommend it .", "modal"],
    ["you will regret it .", "you will not regret it .", "modal"],
    ["i'd recommend it .", "i'd not recommend it .", "modal"],
    ["i would love to see more .", null], // "love to": not the opinion
    ["they loved it .", null], // not the reviewer
    ["i would liked it .", null], // a past form after a modal
  ];
  for (const [text, negated, form] of cases) {
    const np = negationPairs([toks(text)], { pairs: 2, seed: 1, rules: "extended" });
    if (negated === null) {
      assert.equal(np.tokens.length, 0, `"${text}" should not qualify, got ${JSON.stringify(np.tokens.map((t) => t.join(" ")))}`);
      continue;
    }
    assert.deepEqual(np.tokens.map((t) => t.join(" ")), [text, negated], text);
    assert.deepEqual(np.forms, [form], text);
    assert.equal(np.candidatesByForm[form as NegationForm], 1, text);
  }
  // the default rules ("copula", the shipped model's) keep to a copula before one of the 76 adjectives,
  // uncontracted, "not" right after the copula
  const copula = (text: string): string[] => negationPairs([toks(text)], { pairs: 2, seed: 1 }).tokens.map((t) => t.join(" "));
  assert.deepEqual(copula("it would be boring ."), ["it would be boring .", "it would be not boring ."]);
  for (const text of ["it's dull .", "i was impressed .", "i liked this film .", "this is a dull movie .", "the cast was very good ."]) assert.deepEqual(copula(text), [], text);
  assert.deepEqual(copula("i loved it and it was great ."), ["i loved it and it was great .", "i loved it and it was not great ."], "verbs are not opinion words here");
  assert.throws(() => negationPairs([toks("it was good .")], { pairs: 2, seed: 1, rules: "all" as NegationRules }), /rules must be one of copula, extended, got "all"/);
  // the label is the opinion word's polarity, and the negation the other
  const np = negationPairs(["i liked it .", "i hated it ."].map(toks), { pairs: 2, seed: 1, rules: "extended" });
  assert.deepEqual(np.tokens.map((t) => t.join(" ")), ["i hated it .", "i did not hate it .", "i liked it .", "i did not like it ."]);
  assert.deepEqual([...np.positive], [0, 1, 1, 0]);
});

test("negationPairs on IMDB train reviews: balanced, seeded, every construction found, each negated sentence is its original plus a negation", (t) => {
  const path = sharedPath(t, "data", "aclImdb", "train.tsv");
  if (!path) return;
  // every third review: both labels (the file holds the positive reviews first)
  const texts = tokenizeAll(readImdbTsv(path).examples.filter((_, i) => i % 3 === 0), { lowercase: true, stripHtml: true });
  const classic = negationPairs(texts, { pairs: 600, seed: 4 });
  assert.ok(classic.candidates.negative >= 300, `candidates ${JSON.stringify(classic.candidates)}`);
  assert.ok(classic.forms.every((f) => f === "copula") && classic.candidatesByForm.copula === classic.candidates.positive + classic.candidates.negative);
  const np = negationPairs(texts, { pairs: 600, seed: 4, rules: "extended" });
  assert.ok(np.candidates.positive >= 300 && np.candidates.negative >= 300, `candidates ${JSON.stringify(np.candidates)}`);
  assert.ok(np.candidates.negative > classic.candidates.negative, "the extended rules find more");
  for (const f of NEGATION_FORMS) assert.ok(np.candidatesByForm[f] >= 20, `form ${f}: ${JSON.stringify(np.candidatesByForm)}`);
  assert.equal(np.candidates.positive + np.candidates.negative, NEGATION_FORMS.reduce((s, f) => s + np.candidatesByForm[f], 0));
  assert.equal(np.tokens.length, 1200);
  assert.equal(np.forms.length, 600);
  assert.equal(np.positive.reduce((s, p) => s + p, 0), 600, "as many positive as negative examples");
  const polarity = new Map<string, number>();
  for (const w of [...POSITIVE_ADJECTIVES, ...POSITIVE_PARTICIPLES]) polarity.set(w, 1);
  for (const w of [...NEGATIVE_ADJECTIVES, ...NEGATIVE_PARTICIPLES]) polarity.set(w, 0);
  for (const [b, p] of [...POSITIVE_VERBS, ...NEGATIVE_VERBS]) polarity.set(b, NEGATIVE_VERBS.some(([n]) => n === b) ? 0 : 1), polarity.set(p, polarity.get(b)!);
  for (let i = 0; i < np.tokens.length; i += 2) {
    const [a, b] = [np.tokens[i]!, np.tokens[i + 1]!];
    const k = b.indexOf("not");
    if (np.forms[i / 2] === "verb") {
      // "i liked it" → "i did not like it": do-support, the verb in its base form
      assert.ok(b[k - 1] === "did" || b[k - 1] === "do", `pair ${i / 2}: ${b.join(" ")}`);
      assert.equal(b.length, a.length + 2);
      assert.deepEqual(b.slice(0, k - 1), a.slice(0, k - 1));
      const v = a.findIndex((w) => polarity.has(w));
      assert.deepEqual(b.slice(b.length - (a.length - v - 1)), a.slice(v + 1), `pair ${i / 2}: the rest of the sentence stays`);
    } else {
      assert.deepEqual([...b.slice(0, k), ...b.slice(k + 1)], a, `pair ${i / 2}`);
    }
    const opinion = a.filter((w) => polarity.has(w));
    assert.equal(opinion.length, 1, `pair ${i / 2}: one opinion word in "${a.join(" ")}"`);
    assert.equal(np.positive[i], polarity.get(opinion[0]!), `label of "${a.join(" ")}"`);
    assert.equal(np.positive[i + 1], 1 - np.positive[i]!);
  }
  assert.deepEqual(negationPairs(texts, { pairs: 600, seed: 4, rules: "extended" }).tokens, np.tokens, "the same seed draws the same pairs");
  assert.notDeepEqual(negationPairs(texts, { pairs: 600, seed: 5, rules: "extended" }).tokens, np.tokens);
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
    assert.equal(on[0]!.info.negationRules, "copula");
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
    // rules without pairs: refused before the data is read (the path does not exist)
    await assert.rejects(
      trainSentimentModel({ path: join(dir, "missing.tsv"), negationRules: "extended", epochs: 1, out: join(dir, "m.safetensors") }, { info: () => {} }),
      /--negation-rules extended has nothing to do without --negation-pairs/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
