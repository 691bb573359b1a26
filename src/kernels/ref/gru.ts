import type { GruBackwardArgs, GruForwardArgs } from "../backend.js";
import { sigmoid } from "./elementwise.js";
import { type GemmFn, isActive, timeAt } from "./recurrent-common.js";

/**
 * Whole-sequence GRU forward, PyTorch's form. Per step, with Hg = h W_hh^T + b_hh ([B, 3H]):
 *   r = σ(xg_r + Hg_r),  z = σ(xg_z + Hg_z),  n = tanh(xg_n + r ⊙ Hg_n),  h = (1 − z) ⊙ n + z ⊙ h
 */
export function makeGruForward(gemm: GemmFn) {
  return function gruForward(a: GruForwardArgs): void {
    const { T, B, H, xg, whh, bhh, out, lengths, reverse, saved } = a;
    const G = 3 * H;
    const h = Float32Array.from(a.h0.subarray(0, B * H));
    const hg = new Float32Array(B * G);
    for (let s = 0; s < T; s++) {
      const t = timeAt(T, s, reverse);
      for (let b = 0; b < B; b++) {
        if (bhh) hg.set(bhh.subarray(0, G), b * G);
        else hg.fill(0, b * G, b * G + G);
      }
      gemm(false, true, B, G, H, 1, h, whh, 1, hg);
      if (saved) saved.hPrev.set(h, t * B * H);
      const x = xg.subarray(t * B * G);
      for (let b = 0; b < B; b++) {
        const go = b * G;
        const o = (t * B + b) * H;
        if (!isActive(lengths, b, t)) {
          out.fill(0, o, o + H);
          if (saved) {
            saved.gates.fill(0, t * B * G + go, t * B * G + go + G);
            saved.hgn.fill(0, o, o + H);
          }
          continue;
        }
        for (let j = 0; j < H; j++) {
          const r = sigmoid(x[go + j]! + hg[go + j]!);
          const z = sigmoid(x[go + H + j]! + hg[go + H + j]!);
          const n = Math.tanh(x[go + 2 * H + j]! + r * hg[go + 2 * H + j]!);
          const hn = (1 - z) * n + z * h[b * H + j]!;
          h[b * H + j] = hn;
          out[o + j] = hn;
          if (saved) {
            const so = t * B * G + go;
            saved.gates[so + j] = r;
            saved.gates[so + H + j] = z;
            saved.gates[so + 2 * H + j] = n;
            saved.hgn[o + j] = hg[go + 2 * H + j]!;
          }
        }
      }
    }
    a.hN.set(h);
  };
}

/**
 * GRU backward through time. With dh the gradient into the state after the step (plus dOut[t]):
 *   dn = dh ⊙ (1 − z) ; dz = dh ⊙ (h_prev − n) ; dn̂ = dn ⊙ (1 − n²)
 *   dr = dn̂ ⊙ Hg_n ; dr̂ = dr ⊙ r(1 − r) ; dẑ = dz ⊙ z(1 − z)
 *   dxg = [dr̂, dẑ, dn̂] ; dHg = [dr̂, dẑ, dn̂ ⊙ r] ; dh_prev = dh ⊙ z + dHg W_hh
 */
export function makeGruBackward(gemm: GemmFn) {
  return function gruBackward(a: GruBackwardArgs): void {
    const { T, B, H, whh, saved, dOut, lengths, reverse, dXg, dHg } = a;
    const G = 3 * H;
    const dh = a.dhN ? Float32Array.from(a.dhN.subarray(0, B * H)) : new Float32Array(B * H);
    const direct = new Float32Array(B * H);
    const dhPrev = new Float32Array(B * H);
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(T, s, reverse);
      const dX = dXg.subarray(t * B * G, (t + 1) * B * G);
      const dHt = dHg.subarray(t * B * G, (t + 1) * B * G);
      for (let b = 0; b < B; b++) {
        const go = b * G;
        const o = (t * B + b) * H;
        if (!isActive(lengths, b, t)) {
          dX.fill(0, go, go + G);
          dHt.fill(0, go, go + G);
          continue;
        }
        for (let j = 0; j < H; j++) {
          const dht = dh[b * H + j]! + (dOut ? dOut[o + j]! : 0);
          const r = saved.gates[t * B * G + go + j]!;
          const z = saved.gates[t * B * G + go + H + j]!;
          const n = saved.gates[t * B * G + go + 2 * H + j]!;
          const hp = saved.hPrev[o + j]!;
          const dnp = dht * (1 - z) * (1 - n * n);
          const dzp = dht * (hp - n) * z * (1 - z);
          const drp = dnp * saved.hgn[o + j]! * r * (1 - r);
          dX[go + j] = drp;
          dX[go + H + j] = dzp;
          dX[go + 2 * H + j] = dnp;
          dHt[go + j] = drp;
          dHt[go + H + j] = dzp;
          dHt[go + 2 * H + j] = dnp * r;
          direct[b * H + j] = dht * z;
        }
      }
      gemm(false, false, B, H, G, 1, dHt, whh, 0, dhPrev);
      for (let b = 0; b < B; b++) {
        if (!isActive(lengths, b, t)) continue;
        for (let j = 0; j < H; j++) dh[b * H + j] = direct[b * H + j]! + dhPrev[b * H + j]!;
      }
    }
    gemm(true, false, G, H, T * B, 1, dHg, saved.hPrev, 1, a.dWhh);
    a.dh0.set(dh);
  };
}
