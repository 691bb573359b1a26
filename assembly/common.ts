/** Helpers shared by the fused recurrent kernels. Pointers are byte offsets; sizes in floats. */
import { KC, MC, packedBFloats, roundUp, NC } from "./gemm";

/** Row b takes part in step t: lengths == 0 means every row runs all T steps. */
// @ts-ignore: decorator
@inline export function isActive(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}

// @ts-ignore: decorator
@inline export function timeAt(T: i32, s: i32, reverse: bool): i32 {
  return reverse ? T - 1 - s : s;
}

// @ts-ignore: decorator
@inline export function f32ptr(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Bytes of n floats rounded up to 16. */
// @ts-ignore: decorator
@inline export function bytes16(n: i32): usize {
  return <usize>roundUp(n, 4) << 2;
}

export function copyF32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

export function zeroF32(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

/**
 * Workspace (floats) of a recurrent kernel with G gate blocks, hidden H, batch B: the packed
 * recurrent weight (both orientations are the same size rounded up), one packed A block, three
 * [B, G·H] state buffers, or the final dW GEMM's workspace, whichever is larger.
 */
export function recurrentWorkFloats(G: i32, B: i32, H: i32): i32 {
  const w = max(packedBFloats(H, G * H), packedBFloats(G * H, H));
  const loop = roundUp(w, 4) + MC * KC + 3 * roundUp(B * G * H, 4);
  return max(loop, KC * NC + MC * KC);
}
