/**
 * Losses of the wasm backend: softmax + cross-entropy (forward, backward) in fixed row chunks
 * shared over the threads, and the fused output layer + cross-entropy (LinearCrossEntropyArgs).
 */
import type { Backend, F32, I32, LinearCrossEntropyArgs } from "../backend.js";
import { refBackend } from "../ref/index.js";
import { CHUNK, type WasmContext } from "./context.js";
import { OP_LINEAR_CE, OP_SOFTMAX_CE, OP_SOFTMAX_CE_BACKWARD, splitRange } from "./pool.js";

export function lossKernels(cx: WasmContext): Pick<Backend, "softmaxCrossEntropy" | "softmaxCrossEntropyBackward" | "linearCrossEntropy"> {
  const { ex, ar, pool, small, input, begin, commitInputs, gemmWorkspaces, gemmAt, columnSums, optIn } = cx;
  const ref = refBackend;

  function checkTargets(targets: I32, N: number, C: number, ignoreIndex: number): number {
    let count = 0;
    for (let r = 0; r < N; r++) {
      const y = targets[r]!;
      if (y === ignoreIndex) continue;
      if (y < 0 || y >= C) throw new RangeError(`crossEntropy: target at row ${r} is ${y}, expected a class index in [0, ${C})`);
      count++;
    }
    return count;
  }

  /** Rows per chunk so that a chunk of [rows, C] stays near CHUNK·4 floats (at least 1 row). */
  const rowsPerChunk = (C: number): number => Math.max(1, Math.floor((4 * CHUNK) / Math.max(1, C)));

  /**
   * Rows go through wasm in chunks of R (rowsPerChunk): one chunk at a time through a small
   * buffer on one thread; with worker threads, all rows are copied in at once and the chunks
   * shared out. Either way the loss is the chunk sums added in order: identical results.
   */
  function softmaxCrossEntropy(logits: F32, targets: I32, N: number, C: number, ignoreIndex: number, probs: F32): { lossSum: number; count: number } {
    if (N * C < small) return ref.softmaxCrossEntropy(logits, targets, N, C, ignoreIndex, probs);
    const count = checkTargets(targets, N, C, ignoreIndex);
    const R = Math.min(N, rowsPerChunk(C));
    const chunks = Math.ceil(N / R);
    const threads = pool && N * C >= pool.minWork / 16 && chunks >= 2 ? Math.min(pool.threads, chunks) : 1;
    begin();
    if (threads > 1 && pool) {
      const pl = ar.alloc(N * C), pt = ar.alloc(N), pp = ar.alloc(N * C), ps = ar.alloc(2 * chunks);
      ar.commit();
      ar.put(pl, logits, N * C);
      ar.put(pt, targets, N);
      const parts = splitRange(chunks, threads, 1).map(([a, b]) => {
        const r0 = a * R, rows = Math.min(N, b * R) - r0;
        return [pl + 4 * r0 * C, pt + 4 * r0, rows, C, ignoreIndex, pp + 4 * r0 * C, R, ps + 8 * a];
      });
      pool.run(OP_SOFTMAX_CE, parts, (x) => ex.softmaxCrossEntropyChunks(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!), "softmax + cross-entropy");
      ar.get(pp, probs, N * C);
      const sums = new Float64Array(ex.memory.buffer, ps, chunks);
      let lossSum = 0;
      for (let i = 0; i < chunks; i++) lossSum += sums[i]!;
      return { lossSum, count };
    }
    const pl = ar.alloc(R * C), pt = ar.alloc(R), pp = ar.alloc(R * C), ps = ar.alloc(2);
    ar.commit();
    const sum = new Float64Array(ex.memory.buffer, ps, 1);
    let lossSum = 0;
    for (let r0 = 0; r0 < N; r0 += R) {
      const rows = Math.min(R, N - r0);
      ar.put(pl, logits.subarray(r0 * C), rows * C);
      ar.put(pt, targets.subarray(r0), rows);
      ex.softmaxCrossEntropyChunks(pl, pt, rows, C, ignoreIndex, pp, R, ps);
      lossSum += sum[0]!;
      ar.get(pp, probs.subarray(r0 * C), rows * C);
    }
    return { lossSum, count };
  }

  function softmaxCrossEntropyBackward(probs: F32, targets: I32, N: number, C: number, ignoreIndex: number, scale: number, dLogits: F32): void {
    if (N * C < small) return ref.softmaxCrossEntropyBackward(probs, targets, N, C, ignoreIndex, scale, dLogits);
    const threads = pool && N * C >= pool.minWork / 16 && N >= 2 ? Math.min(pool.threads, N) : 1;
    begin();
    if (threads > 1 && pool) {
      const pp = ar.alloc(N * C), pt = ar.alloc(N), pd = ar.alloc(N * C);
      ar.commit();
      ar.put(pp, probs, N * C);
      ar.put(pt, targets, N);
      ar.put(pd, dLogits, N * C);
      const parts = splitRange(N, threads, 1).map(([a, b]) => [pp + 4 * a * C, pt + 4 * a, b - a, C, ignoreIndex, scale, pd + 4 * a * C]);
      pool.run(OP_SOFTMAX_CE_BACKWARD, parts, (x) => ex.softmaxCrossEntropyBackward(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!), "the softmax + cross-entropy gradient");
      ar.get(pd, dLogits, N * C);
      return;
    }
    const R = Math.min(N, rowsPerChunk(C));
    const pp = ar.alloc(R * C), pt = ar.alloc(R), pd = ar.alloc(R * C);
    ar.commit();
    for (let r0 = 0; r0 < N; r0 += R) {
      const rows = Math.min(R, N - r0);
      ar.put(pp, probs.subarray(r0 * C), rows * C);
      ar.put(pt, targets.subarray(r0), rows);
      ar.put(pd, dLogits.subarray(r0 * C), rows * C);
      ex.softmaxCrossEntropyBackward(pp, pt, rows, C, ignoreIndex, scale, pd);
      ar.get(pd, dLogits.subarray(r0 * C), rows * C);
    }
  }

  /**
   * Fused linear + cross-entropy: x, W, b in; z = x·Wᵀ, the loss pass (bias, softmax, dz in place),
   * db = Σ_n dz_n, dx = dz·W and dW = dzᵀ·x all run on the module's memory; only the loss and the
   * gradients come out. Against the unfused ops this saves five [N, C] copies across the boundary.
   */
  function linearCrossEntropy(a: LinearCrossEntropyArgs): { lossSum: number; count: number } {
    const { N, K, C, ignoreIndex, grads } = a;
    const count = checkTargets(a.targets, N, C, ignoreIndex);
    if (N <= 0 || C <= 0) return { lossSum: 0, count };
    const R = Math.min(N, rowsPerChunk(C));
    const chunks = Math.ceil(N / R);
    const threads = pool && N * C >= pool.minWork / 16 && chunks >= 2 ? Math.min(pool.threads, chunks) : 1;
    begin();
    const px = input(a.x, N * K), pw = input(a.w, C * K), pb = optIn(a.b, C), pt = ar.alloc(N), pz = ar.alloc(N * C);
    const ps = ar.alloc(2 * chunks);
    const pdx = grads?.dx ? ar.alloc(N * K) : 0, pdw = grads?.dw ? ar.alloc(C * K) : 0, pdb = grads?.db ? ar.alloc(2 * C) : 0;
    const ws = gemmWorkspaces([[N, C, K], [N, K, C], [C, K, N]]);
    commitInputs();
    ar.put(pt, a.targets, N);
    gemmAt(0, 1, N, C, K, px, pw, 0, pz, ws); // z = x·Wᵀ
    const scale = grads ? grads.scale : 0, grad = grads ? 1 : 0;
    if (threads > 1 && pool) {
      const jobs = splitRange(chunks, threads, 1).map(([c0, c1]) => {
        const r0 = c0 * R, rows = Math.min(N, c1 * R) - r0;
        return [pz + 4 * r0 * C, pb, pt + 4 * r0, rows, C, ignoreIndex, scale, grad, R, ps + 8 * c0];
      });
      pool.run(OP_LINEAR_CE, jobs, (x) => ex.linearCeChunks(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!, x[8]!, x[9]!), "linear + cross-entropy");
    } else ex.linearCeChunks(pz, pb, pt, N, C, ignoreIndex, scale, grad, R, ps);
    const sums = new Float64Array(ex.memory.buffer, ps, chunks);
    let lossSum = 0;
    for (let i = 0; i < chunks; i++) lossSum += sums[i]!; // chunk order: independent of threads
    if (grads) {
      if (grads.db) columnSums(pz, N, C, pdb, grads.db); // db = Σ_n dz_n
      if (grads.dx) gemmAt(0, 0, N, K, C, pz, pw, 0, pdx, ws); // dx = dz·W
      if (grads.dw) gemmAt(1, 0, C, K, N, pz, px, 0, pdw, ws); // dW = dzᵀ·x
      if (grads.dx) ar.get(pdx, grads.dx, N * K);
      if (grads.dw) ar.get(pdw, grads.dw, C * K);
    }
    return { lossSum, count };
  }

  return { softmaxCrossEntropy, softmaxCrossEntropyBackward, linearCrossEntropy };
}
