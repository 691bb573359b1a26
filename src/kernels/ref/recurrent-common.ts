import type { F32, I32 } from "../backend.js";

/** The GEMM signature the recurrent drivers are written against (see Backend.gemm). */
export type GemmFn = (transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32) => void;

/** Row b takes part in time step t (packed-sequence semantics). */
export const isActive = (lengths: I32 | null, b: number, t: number): boolean => lengths === null || t < lengths[b]!;

/** Time index visited at processing step s. */
export const timeAt = (T: number, s: number, reverse: boolean): number => (reverse ? T - 1 - s : s);
