import assert from "node:assert/strict";
import { test } from "node:test";
import { accuracy, classificationReport, confusionMatrix, formatReport, macroF1, perClassMetrics, rocAuc } from "../../src/eval/metrics.js";

test("accuracy, confusion matrix, per-class P/R/F1 and macro-F1 by hand", () => {
  const yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
  const yPred = [0, 1, 0, 1, 2, 2, 2, 0, 2, 2];
  assert.equal(accuracy(yTrue, yPred), 0.7);
  assert.deepEqual(confusionMatrix(yTrue, yPred), [
    [2, 1, 0],
    [0, 1, 1],
    [1, 0, 4],
  ]);
  const pc = perClassMetrics(confusionMatrix(yTrue, yPred));
  // class 0: P = 2/3, R = 2/3; class 1: P = 1/2, R = 1/2; class 2: P = 4/5, R = 4/5
  const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(pc[0]!.precision, 2 / 3);
  close(pc[1]!.recall, 1 / 2);
  close(pc[2]!.f1, 4 / 5);
  assert.deepEqual(pc.map((c) => c.support), [3, 2, 5]);
  close(macroF1(yTrue, yPred), (2 / 3 + 1 / 2 + 4 / 5) / 3);
  // A class never predicted and never present: zeros, no NaN.
  const z = perClassMetrics(confusionMatrix([0, 1], [0, 1], 3));
  assert.deepEqual(z[2], { precision: 0, recall: 0, f1: 0, support: 0 });
  assert.throws(() => accuracy([0, 1], [0]), /2 true labels but 1 predictions/);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 2), /class ids in \[0, 2\)/);
});

test("rocAuc: perfect, reversed, ties count one half, agrees with brute-force pair counting", () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1);
  assert.equal(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 0);
  assert.equal(rocAuc([0, 1], [0.5, 0.5]), 0.5);
  // pos scores {0.4, 0.6}, neg {0.4, 0.2}: pairs (0.4,0.4) tie = ½, (0.4,0.2) 1, (0.6,·) 2 → 3.5 / 4
  assert.equal(rocAuc([1, 1, 0, 0], [0.4, 0.6, 0.4, 0.2]), 0.875);
  let seed = 12345;
  const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const y = Array.from({ length: 300 }, () => (rnd() < 0.4 ? 1 : 0));
  const s = y.map((v) => Math.round((rnd() + 0.3 * v) * 10) / 10); // coarse → many ties
  let wins = 0, pairs = 0;
  for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) {
    if (y[i] === 1 && y[j] === 0) {
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  assert.ok(Math.abs(rocAuc(y, s) - wins / pairs) < 1e-12);
  assert.throws(() => rocAuc([1, 1], [0.1, 0.2]), /needs both classes/);
  assert.throws(() => rocAuc([0, 2], [0.1, 0.2]), /expected 0 or 1/);
});

test("classificationReport + formatReport", () => {
  const r = classificationReport([0, 0, 1, 1], [0, 1, 1, 1], { labels: ["neg", "pos"], scores: [0.1, 0.7, 0.6, 0.9] });
  assert.equal(r.accuracy, 0.75);
  assert.equal(r.rocAuc, 0.75);
  assert.equal(r.n, 4);
  assert.ok(Math.abs(r.weightedF1 - (2 * (2 / 3) + 2 * 0.8) / 4) < 1e-12);
  const text = formatReport(r);
  assert.match(text, /^class\s+precision\s+recall\s+f1\s+support$/m);
  assert.match(text, /^neg\s+1\.0000\s+0\.5000\s+0\.6667\s+2$/m);
  assert.match(text, /^pos\s+0\.6667\s+1\.0000\s+0\.8000\s+2$/m);
  assert.match(text, /accuracy 0\.7500 · macro-F1 0\.7333 · weighted-F1 0\.7333 · ROC-AUC 0\.7500 · n 4/);
  assert.match(text, /^neg\s+1\s+1$/m);
  assert.throws(() => classificationReport([0, 1, 2], [0, 1, 2], { scores: [1, 2, 3] }), /need a binary task/);
});
