import type { LstmBackwardArgs, LstmForwardArgs } from "../backend.js";
import { sigmoid } from "./elementwise.js";
import { type GemmFn, isActive, timeAt } from "./recurrent-common.js";

/**
 * Whole-sequence LSTM forward (one direction of one layer). Per step t, for the [B, 4H] gate block:
 *   G = xg[t] + h W_hh^T                                   (one [B,P]·[P,4H] product)
 *   i, f, g, o = σ(G_i), σ(G_f), tanh(G_g), σ(G_o)
 *   c = f ⊙ c + i ⊙ g ;  m = o ⊙ tanh(c) ;  h = m W_hr^T (projection) or m
 * Written against a GEMM function so a backend with only a fast GEMM can reuse the driver.
 */
export function makeLstmForward(gemm: GemmFn) {
  return function lstmForward(a: LstmForwardArgs): void {
    const { T, B, H, P, xg, whh, whr, out, lengths, reverse, saved } = a;
    const G = 4 * H;
    const h = Float32Array.from(a.h0.subarray(0, B * P)); // [B, P] running state
    const c = Float32Array.from(a.c0.subarray(0, B * H)); // [B, H]
    const gt = new Float32Array(B * G); // [B, 4H] pre-activations of this step
    const m = new Float32Array(B * H); // [B, H] o ⊙ tanh(c)
    const hp = whr ? new Float32Array(B * P) : null; // [B, P] projected m
    for (let s = 0; s < T; s++) {
      const t = timeAt(T, s, reverse);
      gt.set(xg.subarray(t * B * G, (t + 1) * B * G));
      gemm(false, true, B, G, P, 1, h, whh, 1, gt);
      if (saved) {
        saved.hPrev.set(h, t * B * P);
        saved.cPrev.set(c, t * B * H);
      }
      for (let b = 0; b < B; b++) {
        const go = b * G;
        if (!isActive(lengths, b, t)) {
          if (saved) saved.gates.fill(0, t * B * G + go, t * B * G + go + G);
          continue;
        }
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(gt[go + j]!);
          const fg = sigmoid(gt[go + H + j]!);
          const gg = Math.tanh(gt[go + 2 * H + j]!);
          const og = sigmoid(gt[go + 3 * H + j]!);
          const cn = fg * c[b * H + j]! + ig * gg;
          c[b * H + j] = cn;
          m[b * H + j] = og * Math.tanh(cn);
          if (saved) {
            const so = t * B * G + go;
            saved.gates[so + j] = ig;
            saved.gates[so + H + j] = fg;
            saved.gates[so + 2 * H + j] = gg;
            saved.gates[so + 3 * H + j] = og;
          }
        }
        if (!whr) h.set(m.subarray(b * H, b * H + H), b * P);
      }
      if (whr && hp) {
        gemm(false, true, B, P, H, 1, m, whr, 0, hp);
        for (let b = 0; b < B; b++) if (isActive(lengths, b, t)) h.set(hp.subarray(b * P, b * P + P), b * P);
      }
      for (let b = 0; b < B; b++) {
        const o = (t * B + b) * P;
        if (isActive(lengths, b, t)) out.set(h.subarray(b * P, b * P + P), o);
        else out.fill(0, o, o + P);
      }
      if (saved) saved.c.set(c, t * B * H);
    }
    a.hN.set(h);
    a.cN.set(c);
  };
}

/**
 * Backward through time for the LSTM above. Walking the steps in reverse processing order, with
 * dh, dc the gradients flowing into the state after the step:
 *   dh += dOut[t];  dm = dh W_hr (or dh);  do = dm ⊙ tanh(c);  dc += dm ⊙ o ⊙ (1 − tanh²(c))
 *   di = dc ⊙ g ; df = dc ⊙ c_prev ; dg = dc ⊙ i ; dc_prev = dc ⊙ f
 *   dG = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)] ;  dh_prev = dG W_hh
 * and after the loop dW_hh += dGᵀ h_prev as one [4H, T·B]·[T·B, P] product.
 */
export function makeLstmBackward(gemm: GemmFn) {
  return function lstmBackward(a: LstmBackwardArgs): void {
    const { T, B, H, P, whh, whr, saved, dOut, lengths, reverse, dXg } = a;
    const G = 4 * H;
    const dh = a.dhN ? Float32Array.from(a.dhN.subarray(0, B * P)) : new Float32Array(B * P);
    const dc = a.dcN ? Float32Array.from(a.dcN.subarray(0, B * H)) : new Float32Array(B * H);
    const dhTot = new Float32Array(B * P);
    const dm = whr ? new Float32Array(B * H) : dhTot; // P = H when there is no projection
    const mt = whr ? new Float32Array(B * H) : null;
    const dhPrev = new Float32Array(B * P);
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(T, s, reverse);
      const gates = saved.gates.subarray(t * B * G);
      for (let b = 0; b < B; b++) {
        const act = isActive(lengths, b, t);
        for (let k = 0; k < P; k++) dhTot[b * P + k] = act ? dh[b * P + k]! + (dOut ? dOut[(t * B + b) * P + k]! : 0) : 0;
      }
      if (whr && mt && a.dWhr) {
        // m_t recomputed from the saved gates: m = o ⊙ tanh(c); zero rows where inactive
        for (let b = 0; b < B; b++)
          for (let j = 0; j < H; j++) mt[b * H + j] = gates[b * G + 3 * H + j]! * Math.tanh(saved.c[(t * B + b) * H + j]!);
        gemm(false, false, B, H, P, 1, dhTot, whr, 0, dm);
        gemm(true, false, P, H, B, 1, dhTot, mt, 1, a.dWhr);
      }
      const dG = dXg.subarray(t * B * G, (t + 1) * B * G);
      for (let b = 0; b < B; b++) {
        const go = b * G;
        if (!isActive(lengths, b, t)) {
          dG.fill(0, go, go + G);
          continue;
        }
        for (let j = 0; j < H; j++) {
          const ig = gates[go + j]!;
          const fg = gates[go + H + j]!;
          const gg = gates[go + 2 * H + j]!;
          const og = gates[go + 3 * H + j]!;
          const tc = Math.tanh(saved.c[(t * B + b) * H + j]!);
          const dmv = dm[b * H + j]!;
          const dct = dc[b * H + j]! + dmv * og * (1 - tc * tc);
          dG[go + j] = dct * gg * ig * (1 - ig);
          dG[go + H + j] = dct * saved.cPrev[(t * B + b) * H + j]! * fg * (1 - fg);
          dG[go + 2 * H + j] = dct * ig * (1 - gg * gg);
          dG[go + 3 * H + j] = dmv * tc * og * (1 - og);
          dc[b * H + j] = dct * fg;
        }
      }
      gemm(false, false, B, P, G, 1, dG, whh, 0, dhPrev);
      for (let b = 0; b < B; b++) if (isActive(lengths, b, t)) dh.set(dhPrev.subarray(b * P, b * P + P), b * P);
    }
    gemm(true, false, G, P, T * B, 1, dXg, saved.hPrev, 1, a.dWhh);
    a.dh0.set(dh);
    a.dc0.set(dc);
  };
}
