import assert from "node:assert/strict";
import { test } from "node:test";
import { NgramVectorizer } from "../../src/baselines/ngram-vectorizer.js";
import { lbfgs } from "../../src/baselines/lbfgs.js";
import { LinearClassifier, signTargets, trainBinary } from "../../src/baselines/linear.js";
import { NbSvm } from "../../src/baselines/nbsvm.js";
import { CsrBuilder, csrMatVec, csrSelectRows } from "../../src/baselines/sparse.js";
import { PairMap } from "../../src/baselines/pair-map.js";
import { TextBaseline } from "../../src/baselines/pipeline.js";
import { readSstSplits } from "../../src/data/sentiment/sst.js";
import { readPhraseBank } from "../../src/data/sentiment/phrasebank.js";
import { stratifiedKFold } from "../../src/data/sentiment/splits.js";
import { tokenizeAll } from "../../src/data/sentiment/batching.js";
import { encodeLabels } from "../../src/data/sentiment/labels.js";
import { accuracy, macroF1, rocAuc } from "../../src/eval/metrics.js";
import { sharedPath } from "../helpers/shared.js";

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("NgramVectorizer: unigrams + bigrams, minDf, sublinear TF-IDF with smooth idf, L2 rows", () => {
  const docs = [["not", "good", "not", "bad"], ["good", "film"], ["not", "good"]];
  const v = new NgramVectorizer({ minDf: 2 });
  const X = v.fitTransform(docs);
  assert.deepEqual(v.featureNames(), ["not", "good", "not good"]); // df: not 2, good 3, "not good" 2
  assert.equal(X.rows, 3);
  // Doc 0: not ×2, good ×1, "not good" ×1. tf = 1 + ln(count); idf = ln((1+n)/(1+df)) + 1.
  const idf = (df: number): number => Math.log(4 / (1 + df)) + 1;
  const raw = [(1 + Math.log(2)) * idf(2), idf(3), idf(2)];
  const norm = Math.hypot(...raw);
  assert.deepEqual(Array.from(X.indices.subarray(X.indptr[0]!, X.indptr[1]!)), [0, 1, 2]);
  Array.from(X.data.subarray(0, 3)).forEach((x, j) => close(x, raw[j]! / norm, 1e-6));
  // Unseen tokens are ignored; an empty row is allowed.
  const Y = v.transform([["film", "unseen"], []]);
  assert.deepEqual(Array.from(Y.indptr), [0, 0, 0]);
  const counts = new NgramVectorizer({ weighting: "count", sublinearTf: false, ngramRange: [1, 1] }).fitTransform(docs);
  assert.deepEqual(Array.from(counts.data.subarray(0, 3)), [2, 1, 1]);
  const bin = new NgramVectorizer({ weighting: "binary" }).fitTransform(docs);
  assert.ok(bin.data.every((x) => x === 1));
  const tri = new NgramVectorizer({ ngramRange: [1, 3], minDf: 1 }).fit(docs);
  assert.ok(tri.featureNames().includes("not good not"));
  const capped = new NgramVectorizer({ maxFeatures: 2, minDf: 1 }).fit(docs);
  assert.deepEqual(capped.featureNames(), ["not", "good"]); // highest total counts (3, 3)
  assert.throws(() => new NgramVectorizer().transform(docs), /call fit\(\) first/);
});

test("PairMap and CSR helpers", () => {
  const m = new PairMap(4);
  for (let i = 0; i < 1000; i++) assert.equal(m.intern(i % 37, (i * 7) % 41), m.get(i % 37, (i * 7) % 41));
  assert.equal(m.get(40, 40), -1);
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(`${i % 37},${(i * 7) % 41}`);
  assert.equal(m.size, seen.size);
  const b = new CsrBuilder(4, 1);
  b.addRow([3, 0], [1, 2]);
  b.addRow([], []);
  b.addRow([1], [5]);
  const X = b.build();
  assert.deepEqual(Array.from(X.indices), [0, 3, 1]);
  const y = new Float64Array(3);
  csrMatVec(X, [1, 10, 100, 1000], 0.5, y);
  assert.deepEqual(Array.from(y), [1002.5, 0.5, 50.5]);
  assert.deepEqual(Array.from(csrSelectRows(X, [2, 0]).indptr), [0, 1, 3]);
  assert.throws(() => b.addRow([5], [1]), /column 5 out of range/);
  assert.throws(() => b.addRow([1, 1], [1, 1]), /repeated/);
});

test("lbfgs minimises the Rosenbrock function", () => {
  const x = Float64Array.of(-1.2, 1);
  const r = lbfgs(x, (p, g) => {
    const [a, b] = [p[0]!, p[1]!];
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  }, { maxIter: 500, gradTol: 1e-10, funcTol: 0 });
  close(x[0]!, 1, 1e-4);
  close(x[1]!, 1, 1e-4);
  assert.ok(r.f < 1e-8, `f = ${r.f} after ${r.iterations} iterations (${r.reason})`);
});

test("logistic regression reaches the optimum: w = C Σ_i y_i σ(−y_i z_i) x_i (stationarity)", (t) => {
  const p = sharedPath(t, "data", "sst-kim2014", "stsa.binary.dev");
  if (!p) return;
  const { dev } = readSstSplits(p.replace(/stsa\.binary\.dev$/, ""), "binary");
  const X = new NgramVectorizer({ minDf: 2 }).fitTransform(tokenizeAll(dev.examples));
  const y = signTargets(encodeLabels(dev.examples, dev.labels), 1);
  const C = 2;
  const m = trainBinary(X, y, { C, gradTol: 1e-6, funcTol: 0, maxIter: 1000 });
  const z = new Float64Array(X.rows);
  csrMatVec(X, m.w, m.b, z);
  const expected = new Float64Array(X.cols);
  let biasGrad = 0;
  for (let i = 0; i < X.rows; i++) {
    const coef = C * y[i]! / (1 + Math.exp(y[i]! * z[i]!));
    biasGrad += coef;
    for (let e = X.indptr[i]!; e < X.indptr[i + 1]!; e++) expected[X.indices[e]!]! += coef * X.data[e]!;
  }
  let worst = 0;
  for (let j = 0; j < X.cols; j++) worst = Math.max(worst, Math.abs(m.w[j]! - expected[j]!));
  assert.ok(worst < 1e-3, `max |w − C Xᵀ(y σ(−yz))| = ${worst}`);
  assert.ok(Math.abs(biasGrad) < 1e-3, `bias gradient ${biasGrad}`);
});

test("SST-2: TF-IDF + LR ≈ 79–82% and NBSVM ≈ 82% test accuracy (train 6,920 → test 1,821)", (t) => {
  const dir = sharedPath(t, "data", "sst-kim2014");
  if (!dir) return;
  const { train, test: te } = readSstSplits(dir, "binary");
  const trTok = tokenizeAll(train.examples), teTok = tokenizeAll(te.examples);
  const yTr = encodeLabels(train.examples, train.labels), yTe = encodeLabels(te.examples, te.labels);
  const tfidf = new NgramVectorizer({ minDf: 2 });
  const Xtr = tfidf.fitTransform(trTok), Xte = tfidf.transform(teTok);
  const lr = new LinearClassifier({ C: 10 }).fit(Xtr, yTr);
  const accLr = accuracy(yTe, lr.predict(Xte));
  assert.ok(accLr > 0.79 && accLr < 0.85, `TF-IDF + LR accuracy ${accLr}`);
  const proba = lr.predictProba(Xte);
  const auc = rocAuc(yTe, Array.from({ length: Xte.rows }, (_, i) => proba[2 * i + 1]!));
  assert.ok(auc > 0.87, `ROC-AUC ${auc}`);
  const nb = new TextBaseline("nbsvm").fit(trTok, yTr);
  const accNb = accuracy(yTe, nb.predict(teTok));
  assert.ok(accNb > 0.805, `NBSVM accuracy ${accNb}`);
});

test("PhraseBank AllAgree, one of 10 stratified folds: 3-class one-vs-rest LR and NBSVM", (t) => {
  const dir = sharedPath(t, "data", "financial-phrasebank");
  if (!dir) return;
  const ds = readPhraseBank(dir, { agreement: "AllAgree" });
  const fold = stratifiedKFold(ds.examples, 10, 1)[0]!;
  const trTok = tokenizeAll(fold.train), teTok = tokenizeAll(fold.test);
  const yTr = encodeLabels(fold.train, ds.labels), yTe = encodeLabels(fold.test, ds.labels);
  const v = new NgramVectorizer({ minDf: 2 });
  const lr = new LinearClassifier({ C: 10 }).fit(v.fitTransform(trTok), yTr, 3);
  assert.equal(lr.models.length, 3);
  const pred = lr.predict(v.transform(teTok));
  assert.ok(accuracy(yTe, pred) > 0.82, `accuracy ${accuracy(yTe, pred)}`); // majority class (neutral) = 0.61
  assert.ok(macroF1(yTe, pred, 3) > 0.75, `macro-F1 ${macroF1(yTe, pred, 3)}`);
  const proba = lr.predictProba(v.transform(teTok.slice(0, 5)));
  for (let i = 0; i < 5; i++) close(proba[3 * i]! + proba[3 * i + 1]! + proba[3 * i + 2]!, 1, 1e-5);
  const b = new NgramVectorizer({ weighting: "binary", minDf: 2 });
  const nb = new NbSvm().fit(b.fitTransform(trTok), yTr, 3);
  assert.ok(accuracy(yTe, nb.predict(b.transform(teTok))) > 0.82);
});
