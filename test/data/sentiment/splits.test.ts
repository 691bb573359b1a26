import assert from "node:assert/strict";
import { test } from "node:test";
import { stratifiedKFold, trainValidationSplit } from "../../../src/data/sentiment/splits.js";
import { readRtPolarity } from "../../../src/data/sentiment/polarity.js";
import { readPhraseBank } from "../../../src/data/sentiment/phrasebank.js";
import { readSst } from "../../../src/data/sentiment/sst.js";
import type { Example } from "../../../src/data/sentiment/types.js";
import { getRngState, manualSeed } from "../../../src/tensor/random.js";
import { sharedPath } from "../../helpers/shared.js";

const count = (xs: readonly Example[], label: string): number => xs.filter((e) => e.label === label).length;

test("trainValidationSplit: carved from train only, stratified, exact size, seeded, global RNG untouched", (t) => {
  const p = sharedPath(t, "data", "sst-kim2014", "stsa.binary.train");
  if (!p) return;
  const train = readSst(p, "binary").examples; // 3,310 "0" / 3,610 "1"
  manualSeed(123);
  const state = getRngState();
  const a = trainValidationSplit(train, { seed: 7, validFraction: 0.1 });
  assert.deepEqual(getRngState(), state);
  assert.equal(a.valid.length, 692);
  assert.equal(a.train.length + a.valid.length, train.length);
  assert.equal(count(a.valid, "0"), 331); // 0.1 · 3310
  assert.equal(count(a.valid, "1"), 361); // 0.1 · 3610
  const all = new Set([...a.trainIndices, ...a.validIndices]);
  assert.equal(all.size, train.length, "disjoint and complete");
  // Original relative order is kept inside each part.
  assert.ok(a.validIndices.every((v, i) => i === 0 || v > a.validIndices[i - 1]!));
  const b = trainValidationSplit(train, { seed: 7, validFraction: 0.1 });
  assert.deepEqual(Array.from(b.validIndices), Array.from(a.validIndices));
  const c = trainValidationSplit(train, { seed: 8, validFraction: 0.1 });
  assert.notDeepEqual(Array.from(c.validIndices), Array.from(a.validIndices));
  // Largest-remainder rounding keeps the total exact with odd sizes.
  const d = trainValidationSplit(train, { seed: 1, validSize: 101 });
  assert.equal(d.valid.length, 101);
  assert.ok(Math.abs(count(d.valid, "0") - (101 * 3310) / 6920) < 1);
  assert.throws(() => trainValidationSplit(train, { seed: 1, validSize: train.length }), /validation size/);
});

test("stratifiedKFold: rt-polarity 10 folds partition the data with balanced labels", (t) => {
  const dir = sharedPath(t, "data", "rt-polarity");
  if (!dir) return;
  const ex = readRtPolarity(dir).examples;
  const folds = stratifiedKFold(ex, 10, 1);
  assert.equal(folds.length, 10);
  const hits = new Int32Array(ex.length);
  for (const f of folds) {
    for (const i of f.testIndices) hits[i]!++;
    assert.equal(f.train.length + f.test.length, ex.length);
    assert.ok(f.test.length === 1066 || f.test.length === 1067, `fold size ${f.test.length}`);
    for (const l of ["pos", "neg"]) assert.ok([533, 534].includes(count(f.test, l)), `${l} in fold: ${count(f.test, l)}`);
    assert.equal(f.test[0], ex[f.testIndices[0]!]);
  }
  assert.ok(hits.every((h) => h === 1), "every example in exactly one test fold");
  assert.deepEqual(Array.from(stratifiedKFold(ex, 10, 1)[3]!.testIndices), Array.from(folds[3]!.testIndices));
  assert.notDeepEqual(Array.from(stratifiedKFold(ex, 10, 2)[3]!.testIndices), Array.from(folds[3]!.testIndices));
});

test("stratifiedKFold: PhraseBank AllAgree 10 folds keep the 3-class proportions", (t) => {
  const dir = sharedPath(t, "data", "financial-phrasebank");
  if (!dir) return;
  const ex = readPhraseBank(dir, { agreement: "AllAgree" }).examples; // 303 / 1391 / 570
  const folds = stratifiedKFold(ex, 10, 42);
  const sizes = folds.map((f) => f.test.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes.join(",")}`);
  for (const f of folds) {
    assert.ok([30, 31].includes(count(f.test, "negative")));
    assert.ok([139, 140].includes(count(f.test, "neutral")));
    assert.ok([57].includes(count(f.test, "positive")));
  }
  assert.throws(() => stratifiedKFold(ex, 1, 0), /k must be an integer/);
});
