import type { RnnBackwardArgs, RnnForwardArgs } from "../backend.js";
import { type GemmFn, isActive, timeAt } from "./recurrent-common.js";

/** Whole-sequence Elman RNN forward:  h = act(xg[t] + h W_hh^T), act = tanh or relu. */
export function makeRnnForward(gemm: GemmFn) {
  return function rnnForward(a: RnnForwardArgs): void {
    const { T, B, H, xg, whh, out, lengths, reverse, saved, relu } = a;
    const h = Float32Array.from(a.h0.subarray(0, B * H));
    const pre = new Float32Array(B * H);
    for (let s = 0; s < T; s++) {
      const t = timeAt(T, s, reverse);
      pre.set(xg.subarray(t * B * H, (t + 1) * B * H));
      gemm(false, true, B, H, H, 1, h, whh, 1, pre);
      if (saved) saved.hPrev.set(h, t * B * H);
      for (let b = 0; b < B; b++) {
        const o = (t * B + b) * H;
        if (isActive(lengths, b, t)) {
          for (let j = 0; j < H; j++) {
            const v = pre[b * H + j]!;
            h[b * H + j] = relu ? (v > 0 ? v : 0) : Math.tanh(v);
          }
          out.set(h.subarray(b * H, b * H + H), o);
        } else out.fill(0, o, o + H);
      }
      if (saved) saved.h.set(h, t * B * H);
    }
    a.hN.set(h);
  };
}

/**
 * RNN backward through time:  dpre = (dh + dOut[t]) ⊙ act'(h) ;  dh_prev = dpre W_hh ;
 * dW_hh += dpreᵀ h_prev (one product after the loop).
 */
export function makeRnnBackward(gemm: GemmFn) {
  return function rnnBackward(a: RnnBackwardArgs): void {
    const { T, B, H, whh, saved, dOut, lengths, reverse, dXg, relu } = a;
    const dh = a.dhN ? Float32Array.from(a.dhN.subarray(0, B * H)) : new Float32Array(B * H);
    const dhPrev = new Float32Array(B * H);
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(T, s, reverse);
      const dP = dXg.subarray(t * B * H, (t + 1) * B * H);
      for (let b = 0; b < B; b++) {
        const o = (t * B + b) * H;
        if (!isActive(lengths, b, t)) {
          dP.fill(0, b * H, b * H + H);
          continue;
        }
        for (let j = 0; j < H; j++) {
          const g = dh[b * H + j]! + (dOut ? dOut[o + j]! : 0);
          const hv = saved.h[o + j]!;
          dP[b * H + j] = relu ? (hv > 0 ? g : 0) : g * (1 - hv * hv);
        }
      }
      gemm(false, false, B, H, H, 1, dP, whh, 0, dhPrev);
      for (let b = 0; b < B; b++) if (isActive(lengths, b, t)) dh.set(dhPrev.subarray(b * H, b * H + H), b * H);
    }
    gemm(true, false, H, H, T * B, 1, dXg, saved.hPrev, 1, a.dWhh);
    a.dh0.set(dh);
  };
}
