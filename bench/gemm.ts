/** GEMM microbenchmark: C[M,N] = A[M,K]·B[K,N] through a Backend (wasm: including its copies in and out). */
import type { Backend } from "../src/kernels/backend.js";
import { type TimingOptions, timed } from "./timing.js";

/** (M, K, N) shapes: a recurrent step, word-LM projections, a big output layer, square. */
export const GEMM_SHAPES: readonly [number, number, number][] = [[32, 128, 512], [64, 768, 1024], [64, 1024, 4096], [512, 512, 512]];

export interface GemmResult {
  shape: string;
  gflops: number;
}

export function benchGemm(be: Backend, timing: TimingOptions): GemmResult[] {
  return GEMM_SHAPES.map(([M, K, N]) => {
    const A = Float32Array.from({ length: M * K }, () => Math.random() - 0.5);
    const B = Float32Array.from({ length: K * N }, () => Math.random() - 0.5);
    const C = new Float32Array(M * N);
    const t = timed(() => be.gemm(false, false, M, N, K, 1, A, B, 0, C), timing);
    return { shape: `${M}x${K}x${N}`, gflops: (2 * M * N * K) / (t.stepMs / 1e3) / 1e9 };
  });
}
