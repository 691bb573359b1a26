#!/usr/bin/env node
/**
 * Classical sentiment baselines on the shared datasets: TF-IDF (uni+bigrams, sublinear tf,
 * min df 2) + L2 logistic regression (L-BFGS), and NBSVM (binary uni+bigrams, min df 2, α = 1,
 * β = 0.25, C = 1, L2-loss SVM: the paper's settings, untuned; Wang & Manning 2012).
 *
 *   node dist/bench/sentiment-baselines.js [--datasets imdb,sst2,sst5,polarity,phrasebank] [--models lr,nbsvm] [--no-tune]
 *
 * Protocols: IMDB train 25k → test 25k; SST-2 / SST-5 train → test (Kim 2014 files); rt-polarity
 * and PhraseBank AllAgree: stratified 10-fold CV (seed 1), mean ± std over folds.
 * The LR's C is picked from {1, 3, 10, 30} by validation accuracy — SST: its dev set; IMDB: a
 * stratified 10% of train (seed 1); CV sets: 10% of fold 0's training part — never the test data
 * (--no-tune: C = 3, the TextBaseline default). Wall time = features + training + prediction over
 * all folds (reading, tokenising and tuning are reported separately on stderr).
 */
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { readImdbTsv } from "../src/data/sentiment/imdb.js";
import { readSstSplits } from "../src/data/sentiment/sst.js";
import { readRtPolarity } from "../src/data/sentiment/polarity.js";
import { readPhraseBank } from "../src/data/sentiment/phrasebank.js";
import { stratifiedKFold, trainValidationSplit } from "../src/data/sentiment/splits.js";
import { tokenizeAll } from "../src/data/sentiment/batching.js";
import { encodeLabels } from "../src/data/sentiment/labels.js";
import type { Example } from "../src/data/sentiment/types.js";
import { TextBaseline } from "../src/baselines/pipeline.js";
import { NgramVectorizer } from "../src/baselines/ngram-vectorizer.js";
import { LinearClassifier } from "../src/baselines/linear.js";
import { accuracy, macroF1 } from "../src/eval/metrics.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = process.env.RNNKIT_SHARED ? join(process.env.RNNKIT_SHARED, "data") : resolve(HERE, "..", "..", "..", "shared", "data");

function arg(name: string, def: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def).split(",");
}

interface Task {
  name: string;
  labels: string[];
  /** (train, test) pairs: one for a fixed split, k for cross-validation. */
  splits: { train: Example[]; test: Example[] }[];
  /** Held-out data for choosing C (never test data). */
  tune: { train: Example[]; valid: Example[] };
  readMs: number;
}

function load(name: string): Task {
  const t0 = performance.now();
  let labels: string[];
  let splits: { train: Example[]; test: Example[] }[];
  let tune: { train: Example[]; valid: Example[] };
  if (name === "imdb") {
    const tr = readImdbTsv(join(DATA, "aclImdb", "train.tsv"));
    const te = readImdbTsv(join(DATA, "aclImdb", "test.tsv"));
    labels = tr.labels;
    splits = [{ train: tr.examples, test: te.examples }];
    tune = trainValidationSplit(tr.examples, { seed: 1, validFraction: 0.1 });
  } else if (name === "sst2" || name === "sst5") {
    const s = readSstSplits(join(DATA, "sst-kim2014"), name === "sst2" ? "binary" : "fine");
    labels = s.train.labels;
    splits = [{ train: s.train.examples, test: s.test.examples }];
    tune = { train: s.train.examples, valid: s.dev.examples };
  } else if (name === "polarity" || name === "phrasebank") {
    const ds = name === "polarity" ? readRtPolarity(join(DATA, "rt-polarity")) : readPhraseBank(join(DATA, "financial-phrasebank"), { agreement: "AllAgree" });
    labels = ds.labels;
    splits = stratifiedKFold(ds.examples, 10, 1);
    tune = trainValidationSplit(splits[0]!.train, { seed: 1, validFraction: 0.1 });
  } else throw new Error(`unknown dataset ${name} (expected imdb, sst2, sst5, polarity, phrasebank)`);
  return { name, labels, splits, tune, readMs: performance.now() - t0 };
}

const GRID = [1, 3, 10, 30];

/** Validation accuracy of TF-IDF + LR for each C of the grid; returns the best C (ties → smaller). */
function tuneC(task: Task): { C: number; scores: string } {
  const tr = tokenizeAll(task.tune.train);
  const va = tokenizeAll(task.tune.valid);
  const yTr = encodeLabels(task.tune.train, task.labels);
  const yVa = encodeLabels(task.tune.valid, task.labels);
  const v = new NgramVectorizer({ minDf: 2 });
  const Xtr = v.fitTransform(tr);
  const Xva = v.transform(va);
  let best = GRID[0]!;
  let bestAcc = -1;
  const scores: string[] = [];
  for (const C of GRID) {
    const acc = accuracy(yVa, new LinearClassifier({ C }).fit(Xtr, yTr, task.labels.length).predict(Xva));
    scores.push(`C=${C}: ${(100 * acc).toFixed(2)}`);
    if (acc > bestAcc) {
      bestAcc = acc;
      best = C;
    }
  }
  return { C: best, scores: scores.join(", ") };
}

function runModel(model: string, C: number, trTok: string[][], teTok: string[][], yTr: Int32Array, K: number): Int32Array {
  if (model !== "lr" && model !== "nbsvm") throw new Error(`unknown model ${model} (expected lr, nbsvm)`);
  const m = model === "lr" ? new TextBaseline("tfidf-lr", { classifier: { C } }) : new TextBaseline("nbsvm");
  return m.fit(trTok, yTr, K).predict(teTok);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const pct = (xs: number[]): string => (xs.length > 1 ? `${(100 * mean(xs)).toFixed(2)} ± ${(100 * std(xs)).toFixed(2)}` : (100 * xs[0]!).toFixed(2));

const doTune = !process.argv.includes("--no-tune");
const rows: string[] = ["| dataset | model | protocol | C | accuracy % | macro-F1 % | wall s (features+train+predict) |", "| --- | --- | --- | --- | --- | --- | --- |"];
for (const name of arg("datasets", "imdb,sst2,sst5,polarity,phrasebank")) {
  const task = load(name);
  const t0 = performance.now();
  const tok = task.splits.map((s) => ({ tr: tokenizeAll(s.train), te: tokenizeAll(s.test), yTr: encodeLabels(s.train, task.labels), yTe: encodeLabels(s.test, task.labels) }));
  const tokMs = performance.now() - t0;
  console.error(`${name}: read ${(task.readMs / 1000).toFixed(2)} s, tokenise ${(tokMs / 1000).toFixed(2)} s`);
  const models = arg("models", "lr,nbsvm");
  let lrC = 3;
  if (doTune && models.includes("lr")) {
    const t2 = performance.now();
    const r = tuneC(task);
    lrC = r.C;
    console.error(`${name}: LR validation accuracy ${r.scores} → C = ${lrC} (${((performance.now() - t2) / 1000).toFixed(1)} s)`);
  }
  for (const model of models) {
    const accs: number[] = [];
    const f1s: number[] = [];
    const t1 = performance.now();
    for (const s of tok) {
      const pred = runModel(model, lrC, s.tr, s.te, s.yTr, task.labels.length);
      accs.push(accuracy(s.yTe, pred));
      f1s.push(macroF1(s.yTe, pred, task.labels.length));
    }
    const secs = (performance.now() - t1) / 1000;
    const protocol = tok.length > 1 ? `${tok.length}-fold CV` : `train ${task.splits[0]!.train.length} → test ${task.splits[0]!.test.length}`;
    const row = `| ${name} | ${model === "lr" ? "TF-IDF + LR" : "NBSVM"} | ${protocol} | ${model === "lr" ? lrC : 1} | ${pct(accs)} | ${pct(f1s)} | ${secs.toFixed(1)} |`;
    console.error(row);
    rows.push(row);
  }
}
console.log(rows.join("\n"));
