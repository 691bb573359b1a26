/** WebAssembly GEMM vs the reference GEMM: odd sizes (SIMD and blocking tails), every transpose, beta 0/1/0.5. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { refBackend } from "../../../src/kernels/ref/index.js";
import { assertClose } from "../../helpers/close.js";
import { randn, rng, wasmBackends } from "../../helpers/wasm.js";

const backends = wasmBackends();

// [M, N, K]: 1/3/17/33/129 combinations, plus K > KC (256), N > NC (512), M > MC (128). M ≤ 32
// with K·N ≤ 2^18 reads B unpacked (ragged last panel packed): [32, 1003, 261] is such a
// case over two N and two K blocks; [32, 900, 300] is just past the limit (B packed).
// A packed, untransposed B is packed by the first row tile, two 8-column panels at a time, the
// remaining panels beforehand: [3, 508, 600] (31 pairs, a lone full panel and a ragged one, and a
// first row tile of 3 rows, computed into the edge tile) and [42, 1100, 270] (three N blocks, the
// last of 76 columns) cover both parts and their offsets.
const SIZES: [number, number, number][] = [
  [1, 1, 1], [3, 17, 33], [17, 33, 3], [33, 3, 17], [129, 17, 33], [17, 129, 33], [33, 33, 129],
  [1, 129, 3], [129, 1, 17], [5, 33, 260], [3, 1030, 5], [130, 9, 7], [32, 1003, 261], [32, 900, 300],
  [3, 508, 600], [42, 1100, 270],
];

for (const be of backends) {
  test(`${be.name}: gemm matches ref for all transposes and betas`, () => {
    const r = rng(1);
    for (const [M, N, K] of SIZES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [1, 1], [0.7, 0.5]] as const) {
            const A = randn(r, M * K);
            const B = randn(r, K * N);
            const C0 = randn(r, M * N);
            const want = Float32Array.from(C0);
            const got = Float32Array.from(C0);
            if (beta === 0) got.fill(NaN); // beta 0 must overwrite, never read C
            refBackend.gemm(transA, transB, M, N, K, alpha, A, B, beta, want);
            be.gemm(transA, transB, M, N, K, alpha, A, B, beta, got);
            assertClose(got, want, `gemm M=${M} N=${N} K=${K} tA=${transA} tB=${transB} alpha=${alpha} beta=${beta}`);
          }
        }
      }
    }
  });

  test(`${be.name}: gemm edge cases (K = 0, alpha = 0) and determinism`, () => {
    const r = rng(2);
    const C = randn(r, 6);
    const c1 = Float32Array.from(C);
    be.gemm(false, false, 2, 3, 0, 1, new Float32Array(0), new Float32Array(0), 1, c1);
    assert.deepEqual(c1, C, "K = 0, beta = 1 leaves C");
    const c0 = Float32Array.from(C);
    be.gemm(false, false, 2, 3, 4, 0, randn(r, 8), randn(r, 12), 0, c0);
    assert.deepEqual(c0, new Float32Array(6), "alpha = 0, beta = 0 zeroes C");
    const A = randn(r, 70 * 90);
    const B = randn(r, 90 * 50);
    const x = new Float32Array(70 * 50);
    const y = new Float32Array(70 * 50);
    be.gemm(false, true, 70, 50, 90, 1, A, B, 0, x);
    be.gemm(false, true, 70, 50, 90, 1, A, B, 0, y);
    assert.deepEqual(x, y, "same inputs, bit-identical outputs");
  });
}

test("at least the plain SIMD wasm build loads", () => {
  assert.ok(backends.some((b) => b.name === "wasm-simd"));
});
