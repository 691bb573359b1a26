import type { F32 } from "../backend.js";

/**
 * Reference GEMM: C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C.
 * Plain loops, one per transpose case, each ordered so the innermost loop walks memory
 * contiguously (a strided inner loop is ~50× slower in JavaScript): no blocking, no SIMD.
 */
export function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void {
  for (let i = 0; i < M * N; i++) C[i] = beta === 0 ? 0 : beta * C[i]!;
  if (alpha === 0 || K === 0) return;
  if (!transB) {
    // C[i, :] += α A[i, k] · B[k, :]   (A[i, k] = A[k·M + i] when transposed)
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const a = alpha * (transA ? A[k * M + i]! : A[i * K + k]!);
        if (a === 0) continue;
        const bk = k * N;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      }
    }
  } else if (!transA) {
    // C[i, j] += α ⟨A[i, :], B[j, :]⟩   (both rows contiguous)
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k]! * B[bj + k]!;
        C[i * N + j]! += alpha * s;
      }
    }
  } else {
    // both transposed (rare): C[i, j] += α Σ_k A[k, i] B[j, k]
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[k * M + i]! * B[j * K + k]!;
        C[i * N + j]! += alpha * s;
      }
  }
}
