/**
 * compareModels on a small labelled CSV made here (so it runs in seconds): every row present, sane
 * numbers, the transformer row through the tiny BERT fixture, and — for cross-validation — the
 * same folds for every model.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMPARE_MODELS, compareModels, formatCompareTable, neuralDefaults, type CompareRow } from "../../src/sentiment/compare.js";
import { TextBaseline } from "../../src/baselines/pipeline.js";
import { tokenizeAll } from "../../src/data/sentiment/batching.js";
import { encodeLabels } from "../../src/data/sentiment/labels.js";
import { stratifiedKFold } from "../../src/data/sentiment/splits.js";
import { readTabular } from "../../src/data/sentiment/tabular.js";
import { accuracy } from "../../src/eval/metrics.js";
import { loadTransformersLibrary } from "../../src/transformers/library.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

const POS = ["great", "wonderful", "moving", "funny", "beautiful", "best"];
const NEG = ["awful", "boring", "terrible", "worst", "dull", "mess"];
const FILL = ["the", "film", "plot", "actors", "story", "was", "a", "and", "of", "director", "this", "script"];

/** Reviews with 1–2 sentiment words among filler, seeded. */
function reviews(n: number, seed: number): Array<{ text: string; label: string }> {
  let s = seed >>> 0 || 1;
  const r = (k: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % k;
  };
  return Array.from({ length: n }, (_, i) => {
    const pos = i % 2 === 0;
    const words = Array.from({ length: 5 + r(8) }, () => FILL[r(FILL.length)]!);
    for (let k = 0; k < 1 + r(2); k++) words.splice(r(words.length + 1), 0, (pos ? POS : NEG)[r(6)]!);
    return { text: words.join(" "), label: pos ? "pos" : "neg" };
  });
}

const csv = (rows: Array<{ text: string; label: string }>): string => ["text,label", ...rows.map((x) => `"${x.text}",${x.label}`)].join("\n") + "\n";

function files(): { dir: string; train: string; test: string } {
  const dir = tempDir("compare");
  const train = join(dir, "train.csv");
  const test = join(dir, "test.csv");
  writeFileSync(train, csv(reviews(160, 7)));
  writeFileSync(test, csv(reviews(60, 99)));
  return { dir, train, test };
}

const tinyNeural = { epochs: 1, embeddingDim: 8, hiddenSize: 8, batchSize: 16 } as const;

function checkRow(r: CompareRow): void {
  assert.ok(r.accuracy >= 0 && r.accuracy <= 1, `${r.model} accuracy ${r.accuracy}`);
  assert.ok(r.macroF1 >= 0 && r.macroF1 <= 1, `${r.model} macro-F1 ${r.macroF1}`);
  assert.ok(Number.isFinite(r.msPerReview) && r.msPerReview >= 0, `${r.model} ms/review ${r.msPerReview}`);
  if (r.kind === "transformer") assert.equal(r.trainSeconds, null);
  else assert.ok(r.trainSeconds !== null && r.trainSeconds >= 0 && Number.isFinite(r.trainSeconds), `${r.model} train s`);
}

test("compareModels: test split, all five rows incl. the tiny BERT transformer", async (t) => {
  let hf = true;
  try {
    await loadTransformersLibrary();
  } catch {
    hf = false;
  }
  const f = files();
  const r = await compareModels({
    path: f.train,
    testPath: f.test,
    neural: tinyNeural,
    ...(hf ? { transformer: `hf:${join(REPO_ROOT, "test", "fixtures", "tiny-bert")}`, transformerOptions: { threads: 1 } } : {}),
  });
  if (!hf) t.diagnostic("@huggingface/transformers unavailable: transformer row not run");
  assert.deepEqual(
    r.rows.map((x) => x.kind),
    COMPARE_MODELS.filter((m) => hf || m !== "transformer"),
  );
  assert.equal(r.foldsRun, null);
  assert.match(r.protocol, /test split: train 160 → test 60/);
  r.rows.forEach(checkRow);
  for (const row of r.rows.filter((x) => x.kind === "tfidf-lr" || x.kind === "nbsvm")) assert.ok(row.accuracy >= 0.9, `${row.model} learns the separable toy data (${row.accuracy})`);
  if (hf) {
    const tr = r.rows.find((x) => x.kind === "transformer")!;
    assert.ok(tr.accuracy >= 0.7, `tiny-bert reads great/awful (${tr.accuracy})`);
    assert.match(r.notes.join("\n"), /labels NEGATIVE→neg, POSITIVE→pos; texts longer than 126 tokens/);
  }
  const md = formatCompareTable(r, { markdown: true }).split("\n");
  assert.equal(md[0], "| model | accuracy % | macro-F1 % | train s | ms/review | note |");
  assert.equal(md[1], "| --- | ---: | ---: | ---: | ---: | --- |");
  assert.equal(md.filter((l) => l.startsWith("| ")).length, 2 + r.rows.length);
  const text = formatCompareTable(r);
  for (const row of r.rows) assert.ok(text.includes(row.model));
});

test("compareModels: cross-validation runs only the first n folds, the same folds for every model", async () => {
  const f = files();
  const testSizes: number[] = [];
  const r = await compareModels({ path: f.train, folds: 2, seed: 3, models: ["lstm", "tfidf-lr", "nbsvm"], neural: tinyNeural }, { neural: { onStart: (s) => testSizes.push(s.test) } });
  assert.equal(r.foldsTotal, 10);
  assert.equal(r.foldsRun, 2);
  assert.match(r.protocol, /stratified 10-fold CV \(seed 3\), first 2 of 10 folds/);
  assert.deepEqual(
    r.rows.map((x) => x.kind),
    ["lstm", "tfidf-lr", "nbsvm"],
  );
  r.rows.forEach(checkRow);
  for (const row of r.rows) assert.equal(row.foldAccuracies.length, 2, row.model);
  // The baseline's fold accuracies are exactly those of stratifiedKFold(train, 10, seed)'s first two folds …
  const ds = readTabular(f.train, { textColumn: "text", labelColumn: "label" });
  const folds = stratifiedKFold(ds.examples, 10, 3).slice(0, 2);
  const tok = { lowercase: true, stripHtml: true };
  const expected = folds.map((fo) => {
    const m = new TextBaseline("tfidf-lr").fit(tokenizeAll(fo.train, tok), encodeLabels(fo.train, ds.labels), 2);
    return accuracy(encodeLabels(fo.test, ds.labels), m.predict(tokenizeAll(fo.test, tok)));
  });
  assert.deepEqual(r.rows.find((x) => x.kind === "tfidf-lr")!.foldAccuracies, expected);
  // … and the recurrent row was tested on folds of the same sizes.
  assert.deepEqual(testSizes, folds.map((fo) => fo.test.length));
  assert.match(formatCompareTable(r), /train s \(per fold\)/);
});

test("compareModels: bad requests fail clearly", async () => {
  const f = files();
  await assert.rejects(compareModels({ path: f.train, models: ["transformer"] }), /needs a model: --model hf:/);
  await assert.rejects(compareModels({ path: f.train, models: ["gpt" as "lstm"] }), /unknown model "gpt"/);
  await assert.rejects(compareModels({ path: f.train, folds: 0, models: ["nbsvm"] }), /folds must be a positive integer/);
});

test("neuralDefaults: short sentences get short sequences", () => {
  const d = neuralDefaults(reviews(100, 1));
  assert.ok(d.maxLen !== undefined && d.maxLen >= 16 && d.maxLen <= 24, `maxLen ${d.maxLen}`);
  assert.equal(d.batchSize, 32);
  const long = neuralDefaults([{ text: "word ".repeat(2000), label: "a" }]);
  assert.equal(long.maxLen, 400);
});
