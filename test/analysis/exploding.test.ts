import { test } from "node:test";
import assert from "node:assert/strict";
import { explodingExperiment } from "../../src/analysis/exploding.js";
import { flowModel, trainLmSteps } from "../../src/analysis/flow-experiment.js";
import { manualSeed, randint } from "../../src/tensor/random.js";

/** A synthetic "text": ids with some structure (a noisy cycle), enough for a few BPTT windows. */
function text(n: number, V: number): Int32Array {
  manualSeed(11);
  return Int32Array.from({ length: n }, (_, i) => (randint(4) === 0 ? randint(V) : i % V));
}

test("with W_hh scaled up, ‖∂J(T)/∂h(t)‖ grows with distance for the relu RNN; clipping keeps training finite", () => {
  const V = 20;
  const ids = text(3000, V);
  const r = explodingExperiment({ ids, vocabSize: V, cells: ["RNN_RELU"], trainCell: "RNN_RELU", recurrentScale: 4, steps: 30, batchSize: 4, hiddenSize: 24, embeddingDim: 8, trainSteps: 12, bptt: 20, lr: 0.5, clip: 1, seed: 1 });
  const norms = r.rows.filter((x) => x.cell === "RNN_RELU").map((x) => x.norm);
  assert.equal(norms.length, 30);
  assert.ok(norms[29]! > 100 * norms[0]!, `norm at distance 29 (${norms[29]}) should dwarf the one at 0 (${norms[0]})`);
  assert.ok(norms[20]! > norms[10]! && norms[10]! > norms[0]!, "and grow along the way");
  const [free, clipped] = r.curves;
  assert.equal(free!.clip, null);
  assert.equal(clipped!.clip, 1);
  assert.equal(clipped!.divergedAt, null, "the clipped run never produces NaN/∞");
  assert.equal(clipped!.losses.length, 12);
  for (const l of clipped!.losses) assert.ok(Number.isFinite(l));
  assert.ok(Math.max(...clipped!.gradNorms) > 1, "the raw gradient norm exceeded the clip threshold (so clipping acted)");
  assert.match(r.lossChart, /no clipping/);
  assert.match(r.flowChart, /W_hh × 4/);
});

test("trainLmSteps stops at the first non-finite loss and reports the step", () => {
  const V = 12;
  const model = flowModel("RNN_RELU", { vocabSize: V, embeddingDim: 4, hiddenSize: 8, seed: 2, recurrentScale: 1 });
  const r = trainLmSteps(model, text(400, V), { steps: 5, batchSize: 2, bptt: 10, optimizer: "sgd", lr: 1e30, clip: 0 });
  assert.ok(r.divergedAt !== null && r.divergedAt < 5, `an absurd learning rate diverges (divergedAt ${r.divergedAt})`);
  assert.equal(r.losses.length, r.divergedAt + 1);
});
