import type { F32 } from "../backend.js";

/**
 * Reference GEMM: C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C.
 * Plain triple loop, float32 accumulation in a local (as a SIMD kernel would), i-k-j order so the
 * inner loop walks rows of B and C contiguously when B is not transposed.
 */
export function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void {
  for (let i = 0; i < M * N; i++) C[i] = beta === 0 ? 0 : beta * C[i]!;
  if (alpha === 0 || K === 0) return;
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const a = alpha * (transA ? A[k * M + i]! : A[i * K + k]!);
      if (a === 0) continue;
      if (!transB) {
        const bk = k * N;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      } else {
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[j * K + k]!;
      }
    }
  }
}
