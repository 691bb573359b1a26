/** Long-text windows and label mapping: pure functions, no model needed. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeWindows, windowStarts } from "../../src/transformers/windows.js";
import { mapLabels, parseLabelMap, toDatasetProbs } from "../../src/transformers/labels.js";

test("windowStarts: one window when the text fits or in truncate mode", () => {
  assert.deepEqual(windowStarts(0, { mode: "chunk", width: 10, stride: 2 }), [0]);
  assert.deepEqual(windowStarts(10, { mode: "chunk", width: 10, stride: 2 }), [0]);
  assert.deepEqual(windowStarts(1000, { mode: "truncate", width: 10, stride: 2 }), [0]);
});

test("windowStarts: chunk windows overlap by stride, cover every token, the last is aligned to the end", () => {
  for (const [n, width, stride] of [
    [11, 10, 0],
    [25, 10, 3],
    [100, 7, 6],
    [513, 126, 31],
  ] as const) {
    const s = windowStarts(n, { mode: "chunk", width, stride });
    const covered = new Uint8Array(n);
    for (const a of s) {
      assert.ok(a >= 0 && a + width <= n, `window [${a}, ${a + width}) inside [0, ${n})`);
      covered.fill(1, a, a + width);
    }
    assert.ok(covered.every((c) => c === 1), `n=${n}: every token in some window`);
    for (let i = 1; i < s.length - 1; i++) assert.equal(s[i]! - s[i - 1]!, width - stride);
    assert.equal(s[s.length - 1], n - width);
  }
  assert.deepEqual(windowStarts(25, { mode: "chunk", width: 10, stride: 3 }), [0, 7, 14, 15]);
  assert.throws(() => windowStarts(5, { mode: "chunk", width: 10, stride: 10 }), /stride must be an integer in \[0, 10\)/);
});

test("makeWindows wraps each window in the special tokens", () => {
  const ids = Array.from({ length: 7 }, (_, i) => 10 + i);
  assert.deepEqual(makeWindows(ids, [1], [2], { mode: "chunk", width: 4, stride: 1 }), [
    [1, 10, 11, 12, 13, 2],
    [1, 13, 14, 15, 16, 2],
  ]);
  assert.deepEqual(makeWindows(ids, [1], [2], { mode: "truncate", width: 4, stride: 1 }), [[1, 10, 11, 12, 13, 2]]);
});

test("mapLabels: same name, polarity synonyms, SST-2's 0/1", () => {
  assert.deepEqual([...mapLabels(["NEGATIVE", "POSITIVE"], ["neg", "pos"]).target], [0, 1]);
  assert.deepEqual([...mapLabels(["POSITIVE", "NEGATIVE"], ["0", "1"]).target], [1, 0]);
  assert.deepEqual([...mapLabels(["positive", "negative", "neutral"], ["negative", "neutral", "positive"]).target], [2, 0, 1]);
  const m = mapLabels(["NEGATIVE", "POSITIVE"], ["negative", "neutral", "positive"]);
  assert.deepEqual([...m.target], [0, 2]);
  assert.match(m.notes.join(" "), /never predicts the dataset label\(s\) neutral/);
  assert.equal(m.description, "NEGATIVE→negative, POSITIVE→positive");
});

test("mapLabels: explicit map, ignored labels, and errors that list both sides", () => {
  const m = mapLabels(["LABEL_0", "LABEL_1", "LABEL_2"], ["neg", "pos"], parseLabelMap("label_0=neg, LABEL_1=-, LABEL_2=pos"));
  assert.deepEqual([...m.target], [0, -1, 1]);
  assert.throws(() => mapLabels(["LABEL_0", "LABEL_1"], ["neg", "pos"]), (e: Error) => /LABEL_0, LABEL_1/.test(e.message) && /dataset labels: neg, pos/.test(e.message) && /--label-map/.test(e.message));
  assert.throws(() => mapLabels(["1 star", "5 stars"], ["0", "1", "2", "3", "4"]), /Model labels: 1 star, 5 stars; dataset labels: 0, 1, 2, 3, 4/);
  assert.throws(() => mapLabels(["NEGATIVE", "POSITIVE"], ["neg", "pos"], { POSITIVE: "good" }), /dataset has no label "good"/);
  assert.throws(() => mapLabels(["NEGATIVE", "POSITIVE"], ["neg", "pos"], { HAPPY: "pos" }), /the model has no label "happy"/);
  assert.throws(() => parseLabelMap("POSITIVE"), /MODEL_LABEL=DATASET_LABEL/);
});

test("toDatasetProbs sums labels with the same target and renormalises over the kept ones", () => {
  const m = mapLabels(["a", "b", "c"], ["x", "y"], { a: "x", b: "x", c: "-" });
  const p = toDatasetProbs(Float32Array.from([0.2, 0.3, 0.5, 0.1, 0.1, 0.8]), m);
  assert.deepEqual([...p].map((v) => Math.round(v * 1e6) / 1e6), [1, 0, 1, 0]);
  const m2 = mapLabels(["NEGATIVE", "POSITIVE"], ["pos", "neg"]);
  assert.deepEqual([...toDatasetProbs(Float32Array.from([0.25, 0.75]), m2)], [0.75, 0.25]);
});
