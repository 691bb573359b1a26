import { test } from "node:test";
import assert from "node:assert/strict";
import { addingBatch, longRangeExperiment, recallBatch, runLongRange, setGateBias } from "../../src/analysis/long-range.js";
import { makeRecurrent } from "../../src/models/cell.js";
import { manualSeed } from "../../src/tensor/random.js";

test("recall batches put the answer k steps before the query, fillers in between", () => {
  manualSeed(1);
  const k = 6, S = 4, B = 50;
  for (const filler of ["noise", "blank"] as const) {
    const { ids, y } = recallBatch(B, k, S, filler);
    assert.equal(ids.length, B * (k + 1));
    for (let b = 0; b < B; b++) {
      assert.equal(ids[b * (k + 1)], y[b], "the symbol comes first");
      assert.ok(y[b]! >= 0 && y[b]! < S);
      assert.equal(ids[b * (k + 1) + k], S + 8, "the query comes last");
      for (let t = 1; t < k; t++) {
        const v = ids[b * (k + 1) + t]!;
        assert.ok(filler === "blank" ? v === S : v >= S && v < S + 8, `filler id ${v}`);
      }
    }
  }
});

test("adding batches mark exactly two values, one in the first half, and the target is their sum", () => {
  manualSeed(2);
  const k = 9, B = 40;
  const { x, y } = addingBatch(B, k);
  for (let b = 0; b < B; b++) {
    const marked = [...Array(k).keys()].filter((t) => x[(b * k + t) * 2 + 1] === 1);
    assert.equal(marked.length, 2);
    assert.ok(marked[0]! < Math.floor(k / 2));
    assert.ok(Math.abs(y[b]! - marked.reduce((s, t) => s + x[(b * k + t) * 2]!, 0)) < 1e-6);
  }
});

test("setGateBias sets the LSTM forget / GRU update block and leaves an RNN alone", () => {
  const o = { inputSize: 3, hiddenSize: 4, numLayers: 1, dropout: 0, bidirectional: false, batchFirst: true };
  for (const cell of ["LSTM", "GRU"] as const) {
    const rnn = makeRecurrent(cell, o);
    setGateBias(rnn, 5);
    const sd = rnn.stateDict();
    assert.deepEqual([...sd["bias_ih_l0"]!.f32.subarray(4, 8)], [5, 5, 5, 5]);
    assert.deepEqual([...sd["bias_hh_l0"]!.f32.subarray(4, 8)], [0, 0, 0, 0]);
    assert.notEqual(sd["bias_ih_l0"]!.f32[0], 5, "other gates untouched");
  }
  const rnn = makeRecurrent("RNN_TANH", o);
  const before = [...rnn.stateDict()["bias_ih_l0"]!.f32];
  setGateBias(rnn, 5);
  assert.deepEqual([...rnn.stateDict()["bias_ih_l0"]!.f32], before);
});

test("a tiny LSTM learns to recall a symbol 5 steps back (well above chance), reproducibly", () => {
  const o = { hiddenSize: 16, embeddingDim: 8, steps: 150, batchSize: 32, lr: 0.01, symbols: 4, evalSize: 200, seed: 3 };
  const r = runLongRange("recall", "LSTM", 5, o);
  assert.ok(r.accuracy > 0.6, `accuracy ${r.accuracy} should beat chance 0.25 clearly`);
  assert.ok(r.curve[r.curve.length - 1]! < r.curve[0]!, "the loss falls");
  const again = runLongRange("recall", "LSTM", 5, o);
  assert.equal(again.accuracy, r.accuracy, "same seed, same result");
  assert.deepEqual(again.curve, r.curve);
});

test("longRangeExperiment returns one result per cell and distance and a chart with chance", () => {
  const { results, chart } = longRangeExperiment({ task: "adding", cells: ["RNN_TANH", "GRU"], distances: [3, 4], hiddenSize: 4, steps: 3, batchSize: 4, evalSize: 8 });
  assert.deepEqual(results.map((r) => `${r.cell}/${r.distance}`), ["RNN_TANH/3", "RNN_TANH/4", "GRU/3", "GRU/4"]);
  for (const r of results) assert.ok(r.accuracy >= 0 && r.accuracy <= 1 && Number.isFinite(r.finalLoss));
  assert.match(chart, /Adding problem/);
  assert.match(chart, /always predict 1/);
  const rec = longRangeExperiment({ cells: ["LSTM"], distances: [2], hiddenSize: 4, steps: 2, batchSize: 4, evalSize: 8 });
  assert.match(rec.chart, /chance/);
});

test("several seeds: one run per seed (seed, seed+1, …), summarised as mean ± sd, min, max and solved", () => {
  const { results, summary, chart } = longRangeExperiment({ cells: ["GRU"], distances: [2, 3], hiddenSize: 4, steps: 3, batchSize: 4, evalSize: 16, seed: 5, seeds: 3 });
  assert.deepEqual(results.map((r) => `${r.distance}/${r.seed}`), ["2/5", "2/6", "2/7", "3/5", "3/6", "3/7"]);
  assert.notDeepEqual(results[0]!.curve, results[1]!.curve, "the seeds are independent runs");
  const again = runLongRange("recall", "GRU", 2, { hiddenSize: 4, steps: 3, batchSize: 4, evalSize: 16, seed: 6 });
  assert.deepEqual(again.curve, results[1]!.curve, "a run is reproducible from its seed alone");
  assert.equal(summary.length, 2);
  const a = results.slice(0, 3).map((r) => r.accuracy);
  const mean = (a[0]! + a[1]! + a[2]!) / 3;
  const m = summary[0]!;
  assert.equal(m.runs, 3);
  assert.ok(Math.abs(m.mean - mean) < 1e-12);
  assert.ok(Math.abs(m.sd - Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / 2)) < 1e-12);
  assert.equal(m.min, Math.min(...a));
  assert.equal(m.max, Math.max(...a));
  assert.equal(m.solved, a.filter((x) => x > 0.9).length);
  assert.match(chart, /GRU \(mean of 3\)/);
  assert.match(chart, /GRU \(worst seed\)/);
  assert.throws(() => longRangeExperiment({ seeds: 0 }), /seeds must be a positive integer/);
});
