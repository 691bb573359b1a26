/**
 * The input projection of a recurrent layer as plain kernel calls (InputProjection in
 * ./backend.ts), for backends that fuse nothing: the reference backend and the native one. The
 * arithmetic is the definition a fusing backend must match.
 */
import type { Backend, F32, InputProjectionForward, InputProjectionGrads } from "./backend.js";

/** xg [T·B, G·H] = x W_ihᵀ + bias (bias rows first, then one accumulating product). */
export function projectInput(gemm: Backend["gemm"], p: InputProjectionForward, TB: number, GH: number, xg: F32): void {
  if (p.bias) for (let r = 0; r < TB; r++) xg.set(p.bias.subarray(0, GH), r * GH);
  gemm(false, true, TB, GH, p.I, 1, p.x, p.wIh, p.bias ? 1 : 0, xg);
}

/** dx = dXg W_ih, dW_ih = dXgᵀ x, db = Σ_rows dXg, from dXg [T·B, G·H]. */
export function projectGrads(be: Pick<Backend, "gemm" | "sumAxis">, p: InputProjectionGrads, TB: number, GH: number, dXg: F32): void {
  if (p.dx) be.gemm(false, false, TB, p.I, GH, 1, dXg, p.wIh, 0, p.dx);
  if (p.dWih) be.gemm(true, false, GH, p.I, TB, 1, dXg, p.x, 0, p.dWih);
  if (p.db) be.sumAxis(dXg, 1, TB, GH, p.db);
}
