/**
 * The native stepper's half-precision weight copies: a matrix whose values are all exact halves (a
 * model loaded from an F16 checkpoint) is read from a binary16 copy, which must give the reference
 * stepper's numbers (to 1e-5, as the float path) and the float path's; a matrix with one value that
 * is not an exact half must stay float. Row lengths that are not a multiple of the vector width
 * (37, 40) check the padded rows and the masked tail; half subnormals and the largest half check
 * the exactness test and the widening.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend, Stepper, StepSpec } from "../../src/kernels/backend.js";
import { loadNativeBackend } from "../../src/kernels/native/index.js";
import { createRefStepper } from "../../src/kernels/ref/step.js";
import { stepGates } from "../../src/kernels/step.js";
import { decode, encodeF16 } from "../../src/io/dtype.js";
import { assertClose } from "../helpers/close.js";
import { runStepper } from "../helpers/step.js";
import { randn, rng } from "../helpers/wasm.js";

/** x rounded to the nearest half (as an F16 checkpoint stores it), still float32. */
const toHalf = (x: Float32Array): Float32Array => decode("F16", encodeF16(x), x.length) as Float32Array;

function spec(cell: StepSpec["cell"], B: number, E: number, H: number, seed: number): StepSpec {
  const r = rng(seed);
  const V = 300, L = 2, GH = stepGates(cell) * H;
  const layers = Array.from({ length: L }, (_, l) => {
    const I = l === 0 ? E : H;
    return { I, wIh: toHalf(randn(r, GH * I, 0.2)), wHh: toHalf(randn(r, GH * H, 0.2)), bIh: randn(r, GH, 0.5), bHh: randn(r, GH, 0.5) };
  });
  const decoder = toHalf(randn(r, V * H, 0.3));
  // the edges of binary16: its smallest subnormal, a subnormal with several bits, the largest finite, ±0
  decoder.set([2 ** -24, -(2 ** -20) * 3, 65504 / 2 ** 20, 0, -0], 7);
  decoder[3 * H + 1] = -65504 / 2 ** 18;
  return { cell, H, B, V, E, embedding: randn(r, V * E), layers, C: V, decoder, decoderBias: randn(r, V) };
}

const cases = [spec("lstm", 1, 37, 48, 1), spec("lstm", 3, 64, 40, 2), spec("gru", 2, 37, 40, 3), spec("rnn_tanh", 1, 16, 48, 4)];

test("native stepper: half-precision copies of exact-half weights give the reference's numbers, on every ISA", (t) => {
  if (!loadNativeBackend({ threads: 1 })) return t.skip("native addon not built");
  const tables = new Map<string, Backend>();
  for (const isa of ["avx512", "avx2", "scalar"] as const) {
    const nb = loadNativeBackend({ threads: 1, isa })!;
    tables.set(nb.name, nb); // a CPU without AVX-512 gets avx2 twice
  }
  for (const [name, nb] of tables) {
    for (const s of cases) {
      const label = `${name} ${s.cell} B${s.B} E${s.E} H${s.H}`;
      const want = runStepper(createRefStepper, s);
      let halves = -1;
      const half = runStepper((x) => nb.createStepper!(x), s, (st: Stepper) => (halves = st.halfWeights ?? 0));
      // the scalar table has no vector widening and reads the floats
      assert.equal(halves, name === "native-scalar" ? 0 : 2 * s.layers.length + 1, `${label}: matrices read from half copies`);
      assertClose(half, want, `${label} half copies vs ref`, 1e-5, 0);
      const float = runStepper((x) => nb.createStepper!({ ...x, halfCopies: false }), s, (st) => (halves = st.halfWeights ?? 0));
      assert.equal(halves, 0, `${label}: halfCopies false must read the floats`);
      assertClose(half, float, `${label} half copies vs float path`, 1e-5, 0);
    }
  }
});

test("native stepper: a matrix with one value that is not an exact half stays float", (t) => {
  const nb = loadNativeBackend({ threads: 1 });
  if (!nb) return t.skip("native addon not built");
  const s = cases[0]!;
  const notHalf = [1 + 2 ** -11, 2 ** -25, 65520, 1e-9]; // between halves; below the smallest; above the largest; a float subnormal-free tiny value
  for (const v of notHalf) {
    const wHh = Float32Array.from(s.layers[1]!.wHh);
    wHh[wHh.length - 1] = v;
    const layers = [s.layers[0]!, { ...s.layers[1]!, wHh }];
    const odd = { ...s, layers };
    let halves = -1;
    const got = runStepper((x) => nb.createStepper!(x), odd, (st) => (halves = st.halfWeights ?? 0));
    assert.equal(halves, 2 * layers.length, `weight_hh_l1 holding ${v} must be read as floats, the others from half copies`);
    assertClose(got, runStepper(createRefStepper, odd), `with ${v} vs ref`, 1e-5, 0);
  }
  // float32 weights straight from a random initialiser are not halves: no copies at all
  const r = rng(9);
  const raw = { ...s, layers: s.layers.map((l) => ({ ...l, wIh: randn(r, l.wIh.length, 0.2), wHh: randn(r, l.wHh.length, 0.2) })), decoder: randn(r, s.decoder.length, 0.3) };
  let halves = -1;
  runStepper((x) => nb.createStepper!(x), raw, (st) => (halves = st.halfWeights ?? 0));
  assert.equal(halves, 0);
});

test("native stepper: half copies split over 2 threads give the numbers of 1", (t) => {
  if (!loadNativeBackend({ threads: 1 })) return t.skip("native addon not built");
  try {
    // big enough that both layers and the decoder are split (≥ 2^16 multiply-adds per phase)
    const s = spec("lstm", 3, 80, 160, 5);
    let halves = -1;
    const one = runStepper((x) => loadNativeBackend({ threads: 1 })!.createStepper!(x), s);
    const two = runStepper((x) => loadNativeBackend({ threads: 2 })!.createStepper!(x), s, (st) => (halves = st.halfWeights ?? 0));
    assert.equal(halves, 5);
    assert.ok(one.every((v, j) => Object.is(v, two[j])), "threads change the numbers");
    assertClose(two, runStepper(createRefStepper, s), "2 threads vs ref", 1e-5, 0);
  } finally {
    loadNativeBackend({ threads: 1 });
  }
});
