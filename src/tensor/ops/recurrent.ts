import type { GruSaved, InputProjectionGrads, LstmSaved, RnnSaved } from "../../kernels/backend.js";
import { backend } from "../../kernels/registry.js";
import type { Shape } from "../shape.js";
import { giveF32, takeF32 } from "../buffer-pool.js";
import { Tensor, isGradEnabled, makeOutput } from "../tensor.js";

/**
 * The recurrent cell types, by PyTorch's names (RNNBase.mode, word_language_model's --model): the
 * one spelling used by the API, the CLI and checkpoints.
 */
export type CellType = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";

/** Gate blocks per cell: LSTM i,f,g,o; GRU r,z,n; RNN one. */
export const gateCount = (mode: CellType): number => (mode === "LSTM" ? 4 : mode === "GRU" ? 3 : 1);

export interface DirectionWeights {
  wIh: Tensor; // [G·H, I]
  wHh: Tensor; // [G·H, P]
  bIh: Tensor | null; // [G·H]
  bHh: Tensor | null; // [G·H]
  wHr: Tensor | null; // [P, H] (LSTM projection)
}

export interface DirectionResult {
  output: Tensor; // [T, B, P]
  hN: Tensor; // [B, P]
  cN: Tensor | null; // [B, H] (LSTM)
}

/**
 * One direction of one recurrent layer over a whole sequence, as a single autograd node:
 *   xg = x W_ihᵀ + b_ih (+ b_hh)     one [T·B, I]·[I, G·H] product for all steps
 *   then the backend's fused kernel runs the time loop (forward, or backward through time).
 * x [T, B, I]; h0 [B, P]; c0 [B, H]; lengths [B] or null. Returns output [T, B, P], hN, cN.
 */
export function recurrentDirection(mode: CellType, x: Tensor, w: DirectionWeights, h0: Tensor, c0: Tensor | null, lengths: Int32Array | null, reverse: boolean): DirectionResult {
  const be = backend();
  const [T, B, I] = x.shape as [number, number, number];
  const GH = w.wIh.shape[0]!;
  const H = GH / gateCount(mode);
  const P = w.wHr ? w.wHr.shape[0]! : H;
  const TB = T * B;
  const isLstm = mode === "LSTM";

  // xg [T·B, G·H]: the input projection of every step at once, biases folded in where the cell
  // allows. The kernels compute it themselves from `proj` (Backend InputProjection: a fusing
  // backend keeps xg and its gradient in its own memory); xg and dXg here are the scratch the
  // other backends write it to: pooled, written whole by them, not zeroed.
  const xg = takeF32(TB * GH, false);
  const hasBias = w.bIh !== null || (w.bHh !== null && mode !== "GRU");
  const bias = hasBias ? new Float32Array(GH) : null;
  if (bias && w.bIh) bias.set(w.bIh.f32);
  if (bias && w.bHh && mode !== "GRU") for (let j = 0; j < GH; j++) bias[j]! += w.bHh.f32[j]!;
  const proj = { I, x: x.f32, wIh: w.wIh.f32, bias };
  // what backward asks the kernels for: dx = dXg W_ih, dW_ih = dXgᵀ x, db = Σ dXg (= db_ih)
  const projGrads = (): InputProjectionGrads => ({ I, x: x.f32, wIh: w.wIh.f32, dx: x.requiresGrad ? new Float32Array(TB * I) : null, dWih: w.wIh.requiresGrad ? new Float32Array(GH * I) : null, db: w.bIh?.requiresGrad || (mode !== "GRU" && w.bHh?.requiresGrad) ? new Float32Array(GH) : null });
  // db_hh = db_ih for the LSTM and RNN (both biases enter every pre-activation the same way)
  const sameBias = (db: Float32Array | null): [Float32Array | null, Float32Array | null] => [w.bIh?.requiresGrad ? db : null, w.bHh?.requiresGrad ? (w.bIh?.requiresGrad && db ? Float32Array.from(db) : db) : null];

  const parents = [x, w.wIh, w.wHh, w.bIh, w.bHh, w.wHr, h0, c0].filter((t): t is Tensor => t !== null);
  const needGrad = isGradEnabled() && parents.some((p) => p.requiresGrad);
  const outLen = TB * P;
  const cLen = isLstm ? B * H : 0;
  const packed = new Float32Array(outLen + B * P + cLen); // [output | hN | cN]
  const out = packed.subarray(0, outLen);
  const hN = packed.subarray(outLen, outLen + B * P);
  const cN = packed.subarray(outLen + B * P);
  const dims = { T, B, H, lengths, reverse };
  // Saved activations and gate gradients are pooled scratch (see ../buffer-pool.ts): they go back
  // once the backward pass has used them, so a second backward through this node is refused.
  let released = false;
  const release = (...bufs: (Float32Array | null)[]): void => {
    for (const b of bufs) if (b && !be.releaseState?.(b)) giveF32(b);
  };
  // Saved activations live where the backend computes when it can (Backend.allocState: the
  // threaded wasm backend's shared memory), so forward writes and backward reads them in place.
  // Only this op holds them (no views escape), so they may be reused once released or collected.
  // Not zeroed: forward writes every element, padded steps included (test/kernels/saved-whole).
  const keep = (n: number): Float32Array => be.allocState?.(n, true, false) ?? takeF32(n, false);
  const once = (): void => {
    if (released) throw new Error(`${mode} layer: backward through the same recurrent layer a second time (its saved activations were freed after the first; hint: run the forward pass again, as PyTorch requires without retain_graph)`);
    released = true;
  };

  let backwardFn: (g: Float32Array) => (Float32Array | null)[];
  if (isLstm) {
    const saved: LstmSaved | null = needGrad ? { gates: keep(TB * GH), c: keep(TB * H), cPrev: keep(TB * H), hPrev: keep(TB * P) } : null;
    const c0d = c0 ? c0.f32 : new Float32Array(B * H);
    be.lstmForward({ ...dims, P, xg, proj, whh: w.wHh.f32, whr: w.wHr ? w.wHr.f32 : null, h0: h0.f32, c0: c0d, out, hN, cN, saved });
    giveF32(xg);
    backwardFn = (g) => {
      once();
      const dXg = takeF32(TB * GH, false); // written by the kernel, or scratch it may leave untouched
      const dWhh = new Float32Array(GH * P);
      const dWhr = w.wHr ? new Float32Array(P * H) : null;
      const dh0 = new Float32Array(B * P);
      const dc0 = new Float32Array(B * H);
      const pg = projGrads();
      be.lstmBackward({ ...dims, P, whh: w.wHh.f32, whr: w.wHr ? w.wHr.f32 : null, saved: saved!, dOut: g.subarray(0, outLen), dhN: g.subarray(outLen, outLen + B * P), dcN: g.subarray(outLen + B * P), dXg, projGrads: pg, dWhh, dWhr, dh0, dc0 });
      const grads = collectGrads(pg.dx, pg.dWih, dWhh, ...sameBias(pg.db), dWhr, dh0, dc0);
      release(dXg, saved!.gates, saved!.c, saved!.cPrev, saved!.hPrev);
      return grads;
    };
  } else if (mode === "GRU") {
    const saved: GruSaved | null = needGrad ? { gates: keep(TB * GH), hgn: keep(TB * H), hPrev: keep(TB * H) } : null;
    be.gruForward({ ...dims, xg, proj, whh: w.wHh.f32, bhh: w.bHh ? w.bHh.f32 : null, h0: h0.f32, out, hN, saved });
    giveF32(xg);
    backwardFn = (g) => {
      once();
      const dXg = takeF32(TB * GH, false); // written by the kernel, or scratch it may leave untouched
      const dHg = takeF32(TB * GH);
      const dWhh = new Float32Array(GH * H);
      const dh0 = new Float32Array(B * H);
      const pg = projGrads();
      be.gruBackward({ ...dims, whh: w.wHh.f32, saved: saved!, dOut: g.subarray(0, outLen), dhN: g.subarray(outLen, outLen + B * H), dXg, projGrads: pg, dHg, dWhh, dh0 });
      // the GRU's b_hn sits inside r ⊙ (·): db_hh = Σ dHg, not Σ dXg
      const dbHh = w.bHh?.requiresGrad ? colSum(dHg) : null;
      const grads = collectGrads(pg.dx, pg.dWih, dWhh, w.bIh?.requiresGrad ? pg.db : null, dbHh, null, dh0, null);
      release(dXg, dHg, saved!.gates, saved!.hgn, saved!.hPrev);
      return grads;
    };
  } else {
    const relu = mode === "RNN_RELU";
    const saved: RnnSaved | null = needGrad ? { h: keep(TB * H), hPrev: keep(TB * H) } : null;
    be.rnnForward({ ...dims, relu, xg, proj, whh: w.wHh.f32, h0: h0.f32, out, hN, saved });
    giveF32(xg);
    backwardFn = (g) => {
      once();
      const dXg = takeF32(TB * GH, false); // written by the kernel, or scratch it may leave untouched
      const dWhh = new Float32Array(GH * H);
      const dh0 = new Float32Array(B * H);
      const pg = projGrads();
      be.rnnBackward({ ...dims, relu, whh: w.wHh.f32, saved: saved!, dOut: g.subarray(0, outLen), dhN: g.subarray(outLen, outLen + B * H), dXg, projGrads: pg, dWhh, dh0 });
      const grads = collectGrads(pg.dx, pg.dWih, dWhh, ...sameBias(pg.db), null, dh0, null);
      release(dXg, saved!.h, saved!.hPrev);
      return grads;
    };
  }

  /** Σ over the T·B rows of a [T·B, G·H] gradient. */
  function colSum(m: Float32Array): Float32Array {
    const r = new Float32Array(GH);
    be.sumAxis(m, 1, TB, GH, r);
    return r;
  }

  /** The gradients in the order of `parents` (absent optional tensors skipped). */
  function collectGrads(dx: Float32Array | null, dWih: Float32Array | null, dWhh: Float32Array, dbIh: Float32Array | null, dbHh: Float32Array | null, dWhr: Float32Array | null, dh0: Float32Array, dc0: Float32Array | null): (Float32Array | null)[] {
    const all = [dx, dWih, dWhh, w.bIh ? dbIh : undefined, w.bHh ? dbHh : undefined, w.wHr ? dWhr : undefined, dh0, c0 ? dc0 : undefined];
    return all.filter((v) => v !== undefined) as (Float32Array | null)[];
  }

  const Y = makeOutput(packed, [packed.length], parents, (g) => backwardFn(g));
  const part = (from: number, len: number, shape: Shape): Tensor => {
    if (!Y.requiresGrad) return new Tensor(packed.subarray(from, from + len), shape);
    return makeOutput(packed.subarray(from, from + len), shape, [Y], (g) => {
      const full = takeF32(packed.length); // zero outside this part
      full.set(g, from);
      return [full];
    });
  };
  return {
    output: part(0, outLen, [T, B, P]),
    hN: part(outLen, B * P, [B, P]),
    cN: isLstm ? part(outLen + B * P, B * H, [B, H]) : null,
  };
}

