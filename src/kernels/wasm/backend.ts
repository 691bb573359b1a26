/**
 * The WebAssembly SIMD backend: kernels run on the module's linear memory (./context.ts): inputs
 * are copied in and results out, except buffers that already live there (allocState). Kernels
 * without a wasm version, or calls too small to repay the copies, go to the reference backend
 * (same results by definition). The kernel groups: ./recurrent.ts, ./loss.ts, ./optim.ts; here
 * GEMM, elementwise math, embeddings and reductions.
 */
import type { Backend, BinaryOp, F32, I32, UnaryOp } from "../backend.js";
import { refBackend } from "../ref/index.js";
import { CHUNK, type WasmBackendOptions, b01, createWasmContext } from "./context.js";
import type { KernelExports } from "./exports.js";
import { lossKernels } from "./loss.js";
import { optimKernels } from "./optim.js";
import { recurrentKernels } from "./recurrent.js";
import { stepperKernels } from "./step.js";

export type { WasmBackendOptions } from "./context.js";

const UNARY_WASM: Partial<Record<UnaryOp, number>> = { exp: 0, sigmoid: 1, tanh: 2 };

export function createWasmBackend(ex: KernelExports, options: WasmBackendOptions = {}): Backend {
  const cx = createWasmContext(ex, options);
  const { ar, pool, small, resident, input, output, flushOutputs, begin, commitInputs } = cx;
  const ref = refBackend;

  function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void {
    if (M <= 0 || N <= 0) return;
    if (M * N * K < small) return ref.gemm(transA, transB, M, N, K, alpha, A, B, beta, C);
    begin();
    const pa = input(A, M * K);
    const pb = input(B, K * N);
    const pc = ar.alloc(M * N);
    const parts = pool ? pool.partsFor(M, N, K) : 1;
    const wsFloats = ex.gemmWorkFloats(M, N, K);
    const ws = Array.from({ length: parts }, () => ar.alloc(wsFloats));
    commitInputs();
    if (beta !== 0) ar.put(pc, C, M * N);
    if (pool && parts > 1) pool.gemm(ex, b01(transA), b01(transB), M, N, K, alpha, pa, pb, beta, pc, ws);
    else ex.gemm(b01(transA), b01(transB), M, N, K, alpha, pa, pb, beta, pc, ws[0]!);
    ar.get(pc, C, M * N);
  }

  function unary(op: UnaryOp, x: F32, out: F32, n: number): void {
    const code = UNARY_WASM[op];
    if (code === undefined || n < small) return ref.unary(op, x, out, n);
    begin();
    const px = ar.alloc(Math.min(n, CHUNK)), po = ar.alloc(Math.min(n, CHUNK));
    ar.commit();
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(px, x.subarray(i), len);
      ex.unaryMath(code, px, po, len);
      ar.get(po, out.subarray(i), len);
    }
  }


  /**
   * Gather rows. A table in the shared memory (a resident parameter) is read there by the wasm
   * kernel; any other is gathered with typed-array row copies, since copying a whole [V, D] table
   * in to read N rows of it would cost more than the gather.
   */
  function embeddingForward(weight: F32, idx: I32, N: number, D: number, out: F32): void {
    if (weight.length >= 1 && resident.has(weight)) {
      begin();
      const pw = input(weight, weight.length), pi = ar.alloc(N), po = output(out, N * D);
      commitInputs();
      ar.put(pi, idx, N);
      ex.embeddingGather(pw, pi, N, D, po);
      flushOutputs();
      return;
    }
    for (let n = 0; n < N; n++) {
      const w = idx[n]! * D;
      out.set(weight.subarray(w, w + D), n * D);
    }
  }

  /** Scatter-add rows: in wasm when dWeight is in the shared memory; otherwise in place in JS (no [V, D] copies). */
  function embeddingBackward(dOut: F32, idx: I32, N: number, D: number, paddingIdx: number, dWeight: F32): void {
    if (!resident.has(dWeight)) return ref.embeddingBackward(dOut, idx, N, D, paddingIdx, dWeight);
    begin();
    const pd = input(dOut, N * D), pi = ar.alloc(N), pw = input(dWeight, dWeight.length);
    commitInputs();
    ar.put(pi, idx, N);
    ex.embeddingScatterAdd(pd, pi, N, D, paddingIdx, pw);
  }

  /** Sums over the middle axis with float64 accumulators (in wasm), streaming rows in chunks. */
  function sumAxis(x: F32, outer: number, n: number, inner: number, out: F32): void {
    if (inner === 1 || outer * n * inner < small) return ref.sumAxis(x, outer, n, inner, out);
    const R = Math.max(1, Math.min(n, Math.floor(CHUNK / inner)));
    begin();
    const acc = ar.alloc(2 * inner); // float64
    const px = ar.alloc(R * inner);
    ar.commit();
    const acc64 = (): Float64Array => new Float64Array(ar.f32.buffer, acc, inner);
    for (let o = 0; o < outer; o++) {
      acc64().fill(0);
      for (let k0 = 0; k0 < n; k0 += R) {
        const rows = Math.min(R, n - k0);
        ar.put(px, x.subarray((o * n + k0) * inner), rows * inner);
        ex.sumRowsF64(px, rows, inner, acc);
      }
      out.set(acc64(), o * inner);
    }
  }

  return {
    name: options.name ?? "wasm",
    gemm,
    unary,
    unaryBackward: ref.unaryBackward,
    binary: (op: BinaryOp, a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32, shape: readonly number[]) => ref.binary(op, a, aStrides, b, bStrides, out, shape),
    sumAxis,
    logSoftmax: ref.logSoftmax,
    ...lossKernels(cx),
    embeddingForward,
    embeddingBackward,
    ...recurrentKernels(cx, gemm, sumAxis),
    ...optimKernels(cx),
    allocState: cx.allocState,
    releaseState: cx.releaseState,
    ...stepperKernels(cx),
  };
}
