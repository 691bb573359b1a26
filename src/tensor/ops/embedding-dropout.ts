import { backend } from "../../kernels/registry.js";
import { takeF32 } from "../buffer-pool.js";
import { fmtShape } from "../shape.js";
import type { Generator } from "../random.js";
import { type Tensor, makeOutput } from "../tensor.js";
import { dropoutMultipliers } from "./dropout-mask.js";

export interface EmbeddingDropoutOptions {
  /** The padding row: never receives a gradient (as Embedding's paddingIdx). */
  paddingIdx?: number;
  /** Keep flags [V] (1 keep, 0 drop) instead of random draws (to reproduce a given mask). */
  mask?: ArrayLike<number> | null;
  /** The stream the mask is drawn from (default: the default generator). */
  generator?: Generator;
}

/**
 * Embedding lookup with whole-word dropout (Gal & Ghahramani; Merity et al.'s embedded_dropout):
 * each vocabulary row is dropped with probability p for this forward pass, survivors scaled by
 * 1/(1−p), so a dropped word is zero at every position it occurs:
 *   out[n, :] = m[ids[n]] · W[ids[n], :],   m[v] = 0 with probability p, else 1/(1−p)
 * ids int32 of any shape, W [V, D] → [..., D]. dW[v] = Σ_{n: ids[n] = v} m[v] · g[n] (the
 * [V, D] table is never copied: the mask scales the gathered rows). Plain embedding when not
 * training or p = 0.
 */
export function embeddingDropout(ids: Tensor, weight: Tensor, p: number, training: boolean, opts: EmbeddingDropoutOptions = {}): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`embeddingDropout: p must be in [0, 1), got ${p}`);
  if (weight.ndim !== 2) throw new RangeError(`embeddingDropout: weight must be [V, D], got ${fmtShape(weight.shape)}`);
  const idx = ids.i32;
  const [V, D] = weight.shape as [number, number];
  const N = idx.length;
  for (let n = 0; n < N; n++) {
    const v = idx[n]!;
    if (v < 0 || v >= V) throw new RangeError(`embeddingDropout: token id ${v} at position ${n} is out of range [0, ${V}) (hint: the vocabulary and the embedding table disagree)`);
  }
  const active = training && p > 0;
  const m = active ? dropoutMultipliers("embeddingDropout", V, p, opts.mask, opts.generator) : null; // [V]
  const be = backend();
  const out = new Float32Array(N * D);
  be.embeddingForward(weight.f32, idx, N, D, out);
  if (m) scaleRows(out, idx, m, D);
  const pad = opts.paddingIdx ?? -1;
  return makeOutput(out, [...ids.shape, D], [weight], (g) => {
    let gs = g;
    if (m) {
      gs = Float32Array.from(g);
      scaleRows(gs, idx, m, D);
    }
    const dw = takeF32(V * D); // accumulated into: zeroed
    be.embeddingBackward(gs, idx, N, D, pad, dw);
    return [dw];
  });
}

/** rows[n, :] *= m[ids[n]] */
function scaleRows(rows: Float32Array, ids: Int32Array, m: Float32Array, D: number): void {
  for (let n = 0; n < ids.length; n++) {
    const s = m[ids[n]!]!;
    if (s === 1) continue;
    const o = n * D;
    for (let j = 0; j < D; j++) rows[o + j]! *= s;
  }
}
