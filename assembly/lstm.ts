/**
 * Fused whole-sequence LSTM (no projection; P = H) forward and backward through time, the same
 * math as kernels/ref/lstm.ts. Per step the recurrent product accumulates straight into that
 * step's gate pre-activations (xg[t], a private copy) and the gate arithmetic runs right after on
 * the cache-hot [B, 4H] block, 4 hidden units at a time.
 */
import { gemm, gemmPackedB, packB, packedBFloats, MC, KC } from "./gemm";
import { ftz, vsigmoid, vtanh } from "./vmath";
import { bytes16, copyF32, f32ptr, isActive, timeAt, zeroF32 } from "./common";

// @ts-ignore: decorator
@inline function one(): v128 {
  return f32x4.splat(1);
}

export { ld, st } from "./lanes";
import { ld, st } from "./lanes";
import { rowsDot } from "./dot";

/**
 * xg [T,B,4H] (overwritten), whh [4H,H], h0/c0 [B,H], out [T,B,H], hN/cN [B,H]; saved buffers
 * gates [T,B,4H], cAll/cPrev/hPrev [T,B,H] when gates ≠ 0. lengths [B] i32 or 0.
 * Bs ≥ B: rows per time step in the [T, ·, ·] buffers. Rows of a batch are independent through
 * time, so a thread can run rows b0 … b0+B−1 of a batch of Bs rows: every pointer then starts at
 * row b0 (lengths at b0) and the time steps stay Bs rows apart. Bs = B is the whole batch.
 */
export function lstmForward(T: i32, B: i32, Bs: i32, H: i32, xg: usize, whh: usize, h0: usize, c0: usize, out: usize, hN: usize, cN: usize, lengths: usize, reverse: bool, gates: usize, cAll: usize, cPrev: usize, hPrev: usize, ws: usize): void {
  const G = 4 * H;
  const BH = B * H;
  const pW = ws;
  const pa = pW + bytes16(packedBFloats(H, G));
  const h = pa + bytes16(MC * KC);
  const c = h + bytes16(BH);
  // A batch of at most 2 rows (classifying one text): dot products on W_hh as it lies, since a
  // packed GEMM would fill its 4-row tile with one row. Decided on the whole batch (Bs), so a
  // block of rows run by a thread takes the same path as the whole batch (identical numbers).
  const dot = Bs <= 2;
  if (!dot) packB(true, whh, H, G, pW); // op(B) = Whhᵀ [H, 4H]
  copyF32(h, h0, BH);
  copyF32(c, c0, BH);
  const Hb = <usize>H << 2;
  for (let s = 0; s < T; s++) {
    const t = timeAt(T, s, reverse);
    const gt = f32ptr(xg, t * Bs * G);
    if (dot) rowsDot(whh, H, 0, G, h, H, B, 0, 1, gt, G);
    else gemmPackedB(false, B, G, H, 1, h, pW, false, gt, pa);
    if (gates != 0) {
      copyF32(f32ptr(hPrev, t * Bs * H), h, BH);
      copyF32(f32ptr(cPrev, t * Bs * H), c, BH);
    }
    for (let b = 0; b < B; b++) {
      const ob = f32ptr(out, (t * Bs + b) * H);
      const sg = gates != 0 ? f32ptr(gates, (t * Bs + b) * G) : 0;
      if (!isActive(lengths, b, t)) {
        zeroF32(ob, H);
        if (gates != 0) zeroF32(sg, G);
        continue;
      }
      const gi = f32ptr(gt, b * G);
      const cb = f32ptr(c, b * H);
      const hb = f32ptr(h, b * H);
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o4 = <usize>j << 2;
        const ig = vsigmoid(ld(gi + o4, n));
        const fg = vsigmoid(ld(gi + Hb + o4, n));
        const gg = vtanh(ld(gi + 2 * Hb + o4, n));
        const og = vsigmoid(ld(gi + 3 * Hb + o4, n));
        const cn = f32x4.add(f32x4.mul(fg, ld(cb + o4, n)), f32x4.mul(ig, gg));
        const hn = f32x4.mul(og, vtanh(cn));
        st(cb + o4, cn, n);
        st(hb + o4, hn, n);
        st(ob + o4, hn, n);
        if (gates != 0) {
          st(sg + o4, ig, n);
          st(sg + Hb + o4, fg, n);
          st(sg + 2 * Hb + o4, gg, n);
          st(sg + 3 * Hb + o4, og, n);
        }
      }
    }
    if (gates != 0) copyF32(f32ptr(cAll, t * Bs * H), c, BH);
  }
  copyF32(hN, h, BH);
  copyF32(cN, c, BH);
}

/**
 * Backward through time (see kernels/ref/lstm.ts). dOut/dhN/dcN may be 0 (no gradient).
 * Writes dXg [T,B,4H], dh0, dc0; accumulates dWhh [4H,H] += dXgᵀ · hPrev unless dWhh = 0 (a
 * thread running a block of rows leaves that product, which sums over all rows, to the caller).
 * Bs as lstmForward.
 */
export function lstmBackward(T: i32, B: i32, Bs: i32, H: i32, whh: usize, gates: usize, cAll: usize, cPrev: usize, hPrev: usize, dOut: usize, dhN: usize, dcN: usize, dXg: usize, dWhh: usize, dh0: usize, dc0: usize, lengths: usize, reverse: bool, ws: usize): void {
  const G = 4 * H;
  const BH = B * H;
  const pW = ws;
  const pa = pW + bytes16(packedBFloats(G, H));
  const dh = pa + bytes16(MC * KC);
  const dc = dh + bytes16(BH);
  packB(false, whh, G, H, pW); // op(B) = Whh [4H, H]
  if (dhN != 0) copyF32(dh, dhN, BH);
  else zeroF32(dh, BH);
  if (dcN != 0) copyF32(dc, dcN, BH);
  else zeroF32(dc, BH);
  const Hb = <usize>H << 2;
  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(T, s, reverse);
    const dG = f32ptr(dXg, t * Bs * G);
    for (let b = 0; b < B; b++) {
      const dg = f32ptr(dG, b * G);
      if (!isActive(lengths, b, t)) {
        zeroF32(dg, G);
        continue;
      }
      const sg = f32ptr(gates, (t * Bs + b) * G);
      const row = (t * Bs + b) * H;
      const cb = f32ptr(cAll, row);
      const cpb = f32ptr(cPrev, row);
      const dob = dOut != 0 ? f32ptr(dOut, row) : 0;
      const dhb = f32ptr(dh, b * H);
      const dcb = f32ptr(dc, b * H);
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o4 = <usize>j << 2;
        const ig = ld(sg + o4, n);
        const fg = ld(sg + Hb + o4, n);
        const gg = ld(sg + 2 * Hb + o4, n);
        const og = ld(sg + 3 * Hb + o4, n);
        const tc = vtanh(ld(cb + o4, n));
        let dht = ld(dhb + o4, n);
        if (dob != 0) dht = f32x4.add(dht, ld(dob + o4, n));
        const dct = f32x4.add(ld(dcb + o4, n), f32x4.mul(f32x4.mul(dht, og), f32x4.sub(one(), f32x4.mul(tc, tc))));
        st(dg + o4, ftz(f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(ig, f32x4.sub(one(), ig)))), n);
        st(dg + Hb + o4, ftz(f32x4.mul(f32x4.mul(dct, ld(cpb + o4, n)), f32x4.mul(fg, f32x4.sub(one(), fg)))), n);
        st(dg + 2 * Hb + o4, ftz(f32x4.mul(f32x4.mul(dct, ig), f32x4.sub(one(), f32x4.mul(gg, gg)))), n);
        st(dg + 3 * Hb + o4, ftz(f32x4.mul(f32x4.mul(dht, tc), f32x4.mul(og, f32x4.sub(one(), og)))), n);
        st(dcb + o4, ftz(f32x4.mul(dct, fg)), n);
      }
      zeroF32(dhb, H); // replaced by dG W_hh below; inactive rows keep their dh (dG row is 0)
    }
    gemmPackedB(false, B, H, G, 1, dG, pW, false, dh, pa);
  }
  if (dWhh != 0) gemm(true, false, G, H, T * B, 1, dXg, hPrev, 1, dWhh, ws);
  copyF32(dh0, dh, BH);
  copyF32(dc0, dc, BH);
}
