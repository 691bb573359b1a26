/**
 * Inference steppers split over threads (a layer's units, the decoder's chunks): bit-identical
 * to one thread, on the threaded wasm backend (3 threads: uneven splits) and the native one (2),
 * and equal to the reference stepper to 1e-5; models big enough that every phase is split (wasm: with
 * the split threshold lowered to 2^16 multiply-adds).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Backend, StepSpec } from "../../src/kernels/backend.js";
import { loadNativeBackend } from "../../src/kernels/native/index.js";
import { createRefStepper } from "../../src/kernels/ref/step.js";
import { stepGates } from "../../src/kernels/step.js";
import { loadWasmBackendSync } from "../../src/kernels/wasm/index.js";
import { setStepParallelMin, stepPhasesSplit } from "../../src/kernels/wasm/step.js";
import * as wasmIndex from "../../src/kernels/wasm/index.js";
import { assertClose } from "../helpers/close.js";
import { runStepper as run } from "../helpers/step.js";
import { randn, rng } from "../helpers/wasm.js";

function spec(cell: StepSpec["cell"], B: number, seed: number): StepSpec {
  const r = rng(seed);
  const V = 700, E = 80, H = 160, L = 2; // 3 decoder chunks; with 3 streams every layer of every cell has ≥ 2^16 multiply-adds (split)
  const GH = stepGates(cell) * H;
  const layers = Array.from({ length: L }, (_, l) => ({ I: l === 0 ? E : H, wIh: randn(r, GH * (l === 0 ? E : H), 0.2), wHh: randn(r, GH * H, 0.2), bIh: randn(r, GH, 0.5), bHh: randn(r, GH, 0.5) }));
  return { cell, H, B, V, E, embedding: randn(r, V * E), layers, C: V, decoder: randn(r, V * H, 0.3), decoderBias: randn(r, V) };
}

const cases = (["lstm", "gru", "rnn_tanh", "rnn_relu"] as const).flatMap((cell, i) => [spec(cell, 1, 10 + i), spec(cell, 3, 20 + i)]);
const want = cases.map((s) => run(createRefStepper, s));

/** one() and many() return the backends right before each is used (the native thread count is process-wide). */
function compare(one: () => Backend, many: () => Backend, label: string): void {
  cases.forEach((s, i) => {
    const a = run((x) => one().createStepper!(x), s);
    const b = run((x) => many().createStepper!(x), s);
    assert.ok(a.every((v, j) => Object.is(v, b[j])), `${label} ${s.cell} B${s.B}: threads change the numbers`);
    assertClose(b, want[i]!, `${label} ${s.cell} B${s.B} vs ref`, 1e-5, 0);
  });
}

test("wasm stepper: 3 threads bit-identical to 1, equal to the reference", () => {
  const old = setStepParallelMin(1 << 16); // these models split at 2^16 multiply-adds, not at the default
  after(() => void setStepParallelMin(old));
  const one = loadWasmBackendSync({ threads: 1 });
  const three = loadWasmBackendSync({ threads: 3 });
  const splitBefore = stepPhasesSplit();
  const pool = wasmIndex.wasmPool!;
  after(() => pool.close());
  assert.equal(pool.waitReady(), 3);
  compare(() => one, () => three, "wasm");
  // the 3-stream cases split both layers and the decoder on every cell: the threads were really used
  const splits = stepPhasesSplit() - splitBefore;
  assert.ok(splits >= 4 * 3, `phases split over threads: ${splits}, want ≥ 12`);
});

test("native stepper: 2 threads bit-identical to 1, equal to the reference", (t) => {
  if (!loadNativeBackend({ threads: 1 })) return t.skip("native addon not built");
  try {
    compare(() => loadNativeBackend({ threads: 1 })!, () => loadNativeBackend({ threads: 2 })!, "native");
  } finally {
    loadNativeBackend({ threads: 1 });
  }
});
