/**
 * Fused whole-sequence GRU forward / backward through time, the math of kernels/ref/gru.ts.
 * Per step Hg = h W_hhᵀ + b_hh ([B, 3H]) is one packed GEMM, then the gates run 4 units at a time.
 */
import { gemm, gemmPackedB, packB, packedBFloats, MC, KC } from "./gemm";
import { ftz, vsigmoid, vtanh } from "./vmath";
import { bytes16, copyF32, f32ptr, isActive, timeAt, zeroF32 } from "./common";
import { ld, st } from "./lanes";
import { rowsDot } from "./dot";

/** xg [T,B,3H] (read), whh [3H,H], bhh [3H] or 0, h0 [B,H]; saved gates [T,B,3H], hgn/hPrev [T,B,H] when gates ≠ 0. */
export function gruForward(T: i32, B: i32, Bs: i32, H: i32, xg: usize, whh: usize, bhh: usize, h0: usize, out: usize, hN: usize, lengths: usize, reverse: bool, gates: usize, hgn: usize, hPrev: usize, ws: usize): void {
  const G = 3 * H;
  const BH = B * H;
  const pW = ws;
  const pa = pW + bytes16(packedBFloats(H, G));
  const h = pa + bytes16(MC * KC);
  const hg = h + bytes16(BH);
  const dot = Bs <= 2; // dot products on W_hh for a batch of ≤ 2 rows (see lstmForward)
  if (!dot) packB(true, whh, H, G, pW);
  copyF32(h, h0, BH);
  const Hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let s = 0; s < T; s++) {
    const t = timeAt(T, s, reverse);
    if (dot) rowsDot(whh, H, 0, G, h, H, B, bhh, 0, hg, G);
    else {
      if (bhh != 0) for (let b = 0; b < B; b++) copyF32(f32ptr(hg, b * G), bhh, G);
      gemmPackedB(false, B, G, H, 1, h, pW, bhh == 0, hg, pa);
    }
    if (gates != 0) copyF32(f32ptr(hPrev, t * Bs * H), h, BH);
    for (let b = 0; b < B; b++) {
      const row = (t * Bs + b) * H;
      const ob = f32ptr(out, row);
      const sg = gates != 0 ? f32ptr(gates, (t * Bs + b) * G) : 0;
      if (!isActive(lengths, b, t)) {
        zeroF32(ob, H);
        if (gates != 0) {
          zeroF32(sg, G);
          zeroF32(f32ptr(hgn, row), H);
        }
        continue;
      }
      const xb = f32ptr(xg, (t * Bs + b) * G);
      const hgb = f32ptr(hg, b * G);
      const hb = f32ptr(h, b * H);
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o4 = <usize>j << 2;
        const r = vsigmoid(f32x4.add(ld(xb + o4, n), ld(hgb + o4, n)));
        const z = vsigmoid(f32x4.add(ld(xb + Hb + o4, n), ld(hgb + Hb + o4, n)));
        const hn4 = ld(hgb + 2 * Hb + o4, n);
        const nn = vtanh(f32x4.add(ld(xb + 2 * Hb + o4, n), f32x4.mul(r, hn4)));
        const hv = f32x4.add(f32x4.mul(f32x4.sub(one, z), nn), f32x4.mul(z, ld(hb + o4, n)));
        st(hb + o4, hv, n);
        st(ob + o4, hv, n);
        if (gates != 0) {
          st(sg + o4, r, n);
          st(sg + Hb + o4, z, n);
          st(sg + 2 * Hb + o4, nn, n);
          st(f32ptr(hgn, row) + o4, hn4, n);
        }
      }
    }
  }
  copyF32(hN, h, BH);
}

/** Writes dXg, dHg [T,B,3H], dh0 [B,H]; accumulates dWhh [3H,H] += dHgᵀ · hPrev. */
export function gruBackward(T: i32, B: i32, Bs: i32, H: i32, whh: usize, gates: usize, hgn: usize, hPrev: usize, dOut: usize, dhN: usize, dXg: usize, dHg: usize, dWhh: usize, dh0: usize, lengths: usize, reverse: bool, ws: usize): void {
  const G = 3 * H;
  const BH = B * H;
  const pW = ws;
  const pa = pW + bytes16(packedBFloats(G, H));
  const dh = pa + bytes16(MC * KC);
  packB(false, whh, G, H, pW);
  if (dhN != 0) copyF32(dh, dhN, BH);
  else zeroF32(dh, BH);
  const Hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(T, s, reverse);
    const dX = f32ptr(dXg, t * Bs * G);
    const dHt = f32ptr(dHg, t * Bs * G);
    for (let b = 0; b < B; b++) {
      const dx = f32ptr(dX, b * G);
      const dhg = f32ptr(dHt, b * G);
      if (!isActive(lengths, b, t)) {
        zeroF32(dx, G);
        zeroF32(dhg, G);
        continue;
      }
      const row = (t * Bs + b) * H;
      const sg = f32ptr(gates, (t * Bs + b) * G);
      const hgb = f32ptr(hgn, row);
      const hpb = f32ptr(hPrev, row);
      const dob = dOut != 0 ? f32ptr(dOut, row) : 0;
      const dhb = f32ptr(dh, b * H);
      for (let j = 0; j < H; j += 4) {
        const n = H - j;
        const o4 = <usize>j << 2;
        let dht = ld(dhb + o4, n);
        if (dob != 0) dht = f32x4.add(dht, ld(dob + o4, n));
        const r = ld(sg + o4, n);
        const z = ld(sg + Hb + o4, n);
        const nn = ld(sg + 2 * Hb + o4, n);
        const dnp = ftz(f32x4.mul(f32x4.mul(dht, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(nn, nn))));
        const dzp = ftz(f32x4.mul(f32x4.mul(dht, f32x4.sub(ld(hpb + o4, n), nn)), f32x4.mul(z, f32x4.sub(one, z))));
        const drp = ftz(f32x4.mul(f32x4.mul(dnp, ld(hgb + o4, n)), f32x4.mul(r, f32x4.sub(one, r))));
        st(dx + o4, drp, n);
        st(dx + Hb + o4, dzp, n);
        st(dx + 2 * Hb + o4, dnp, n);
        st(dhg + o4, drp, n);
        st(dhg + Hb + o4, dzp, n);
        st(dhg + 2 * Hb + o4, f32x4.mul(dnp, r), n);
        st(dhb + o4, ftz(f32x4.mul(dht, z)), n); // the direct path; dHg W_hh is added below
      }
    }
    gemmPackedB(false, B, H, G, 1, dHt, pW, false, dh, pa);
  }
  if (dWhh != 0) gemm(true, false, G, H, T * B, 1, dHg, hPrev, 1, dWhh, ws);
  copyF32(dh0, dh, BH);
}
