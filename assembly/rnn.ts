/** Fused whole-sequence Elman RNN (tanh or relu) forward / backward, as kernels/ref/rnn.ts. */
import { gemm, gemmPackedB, packB, packedBFloats, MC, KC } from "./gemm";
import { ftz, vtanh } from "./vmath";
import { bytes16, copyF32, f32ptr, isActive, timeAt, zeroF32 } from "./common";
import { ld, st } from "./lanes";
import { rowsDot } from "./dot";

/** xg [T,B,H] (overwritten), whh [H,H], h0 [B,H]; saved hAll/hPrev [T,B,H] when hAll ≠ 0. */
export function rnnForward(T: i32, B: i32, Bs: i32, H: i32, relu: bool, xg: usize, whh: usize, h0: usize, out: usize, hN: usize, lengths: usize, reverse: bool, hAll: usize, hPrev: usize, ws: usize): void {
  const BH = B * H;
  const pW = ws;
  const pa = pW + bytes16(packedBFloats(H, H));
  const h = pa + bytes16(MC * KC);
  const dot = Bs <= 2; // dot products on W_hh for a batch of ≤ 2 rows (see lstmForward)
  if (!dot) packB(true, whh, H, H, pW);
  copyF32(h, h0, BH);
  const zero = f32x4.splat(0);
  for (let s = 0; s < T; s++) {
    const t = timeAt(T, s, reverse);
    const pre = f32ptr(xg, t * Bs * H);
    if (dot) rowsDot(whh, H, 0, H, h, H, B, 0, 1, pre, H);
    else gemmPackedB(false, B, H, H, 1, h, pW, false, pre, pa);
    if (hAll != 0) copyF32(f32ptr(hPrev, t * Bs * H), h, BH);
    for (let b = 0; b < B; b++) {
      const ob = f32ptr(out, (t * Bs + b) * H);
      if (!isActive(lengths, b, t)) {
        zeroF32(ob, H);
        continue;
      }
      const pb = f32ptr(pre, b * H);
      const hb = f32ptr(h, b * H);
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o4 = <usize>j << 2;
        const v = ld(pb + o4, n);
        const hv = relu ? f32x4.pmax(v, zero) : vtanh(v);
        st(hb + o4, hv, n);
        st(ob + o4, hv, n);
      }
    }
    if (hAll != 0) copyF32(f32ptr(hAll, t * Bs * H), h, BH);
  }
  copyF32(hN, h, BH);
}

/** Writes dXg [T,B,H], dh0 [B,H]; accumulates dWhh [H,H] += dXgᵀ · hPrev. */
export function rnnBackward(T: i32, B: i32, Bs: i32, H: i32, relu: bool, whh: usize, hAll: usize, hPrev: usize, dOut: usize, dhN: usize, dXg: usize, dWhh: usize, dh0: usize, lengths: usize, reverse: bool, ws: usize): void {
  const BH = B * H;
  const pW = ws;
  const pa = pW + bytes16(packedBFloats(H, H));
  const dh = pa + bytes16(MC * KC);
  packB(false, whh, H, H, pW);
  if (dhN != 0) copyF32(dh, dhN, BH);
  else zeroF32(dh, BH);
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(T, s, reverse);
    const dP = f32ptr(dXg, t * Bs * H);
    for (let b = 0; b < B; b++) {
      const dp = f32ptr(dP, b * H);
      if (!isActive(lengths, b, t)) {
        zeroF32(dp, H);
        continue;
      }
      const row = (t * Bs + b) * H;
      const hb = f32ptr(hAll, row);
      const dob = dOut != 0 ? f32ptr(dOut, row) : 0;
      const dhb = f32ptr(dh, b * H);
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o4 = <usize>j << 2;
        let g = ld(dhb + o4, n);
        if (dob != 0) g = f32x4.add(g, ld(dob + o4, n));
        const hv = ld(hb + o4, n);
        const d = relu ? v128.and(g, f32x4.gt(hv, zero)) : f32x4.mul(g, f32x4.sub(one, f32x4.mul(hv, hv)));
        st(dp + o4, ftz(d), n);
      }
      zeroF32(dhb, H);
    }
    gemmPackedB(false, B, H, H, 1, dP, pW, false, dh, pa);
  }
  if (dWhh != 0) gemm(true, false, H, H, T * B, 1, dXg, hPrev, 1, dWhh, ws);
  copyF32(dh0, dh, BH);
}
