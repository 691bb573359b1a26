/**
 * bench/step-calls.ts splits a training step into its backend calls: every call of the step must be
 * counted (the char LM's step is 2 LSTM forwards and backwards, one fused output layer + loss, one
 * Adam update per parameter tensor), and the timing wrapper must not change what the step computes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { stepCalls } from "../../bench/step-calls.js";
import type { BenchConfig } from "../../bench/configs.js";
import { rnnkitWorkload } from "../../bench/rnnkit-model.js";
import { backend, setBackend } from "../../src/kernels/registry.js";
import { loadWasmBackendSync } from "../../src/kernels/wasm/index.js";

// the char config of ../shared/bench, shrunk so that a step takes milliseconds (same layer structure)
const small: BenchConfig = { desc: "small char LM", vocab: 65, emb: 16, hidden: 24, layers: 2, bidirectional: false, seq: 12, batch: 6, task: "lm" };

test("step-calls counts every backend call of a step and leaves the losses unchanged", () => {
  const be = loadWasmBackendSync({ threads: 1 });
  const before = backend();
  const a = stepCalls(be, small, 3, 2);
  const b = stepCalls(be, small, 3, 2);
  assert.equal(backend(), before, "the active backend is restored");
  const calls = Object.fromEntries(a.calls.map((x) => [x.name, x.calls]));
  assert.equal(calls.lstmForward, 2, "one fused forward per layer");
  assert.equal(calls.lstmBackward, 2, "one fused backward per layer");
  assert.equal(calls.linearCrossEntropy, 1, "the output layer and loss in one call");
  // Adam: embedding, 4 tensors per LSTM layer (w_ih, w_hh, b_ih, b_hh), the output weight and bias
  assert.equal(calls.adamStep, 1 + 4 * 2 + 2, "one Adam update per parameter tensor");
  assert.ok(a.calls.every((x) => x.ms >= 0) && a.stepMs > 0);
  assert.ok(Math.abs(a.stepMs - a.outsideMs - a.calls.reduce((s, x) => s + x.ms, 0)) < 1e-9, "outside = step − calls");
  // seeded workloads: the same losses as the same steps run on the unwrapped backend
  assert.deepEqual(a.losses, b.losses);
  setBackend(be);
  try {
    const w = rnnkitWorkload(small);
    const plain = Array.from({ length: 5 }, () => w.trainStep()).slice(2);
    assert.deepEqual(a.losses, plain, "timed losses = unwrapped losses");
  } finally {
    setBackend(before);
  }
  assert.ok(a.losses.every(Number.isFinite));
});
