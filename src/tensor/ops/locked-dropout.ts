import { fmtShape } from "../shape.js";
import type { Generator } from "../random.js";
import { type Tensor, makeOutput } from "../tensor.js";
import { dropoutMultipliers } from "./dropout-mask.js";

export interface LockedDropoutOptions {
  /** x is [B, T, F] instead of [T, B, F]. */
  batchFirst?: boolean;
  /** Keep flags [B·F] (1 keep, 0 drop) instead of random draws (to reproduce a given mask). */
  mask?: ArrayLike<number> | null;
  /** The stream the mask is drawn from (default: the default generator). */
  generator?: Generator;
}

/**
 * Locked (variational) dropout, Gal & Ghahramani; Merity et al.'s LockedDropout: one mask per
 * sequence and feature, shared by every time step,
 *   out[t, b, f] = x[t, b, f] · m[b, f],   m[b, f] = 0 with probability p, else 1/(1−p)
 * x [T, B, F] (or [B, T, F] with batchFirst). dx = g ⊙ m. Identity when not training or p = 0.
 */
export function lockedDropout(x: Tensor, p: number, training: boolean, opts: LockedDropoutOptions = {}): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`lockedDropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  if (x.ndim !== 3) throw new RangeError(`lockedDropout: input must be ${opts.batchFirst ? "[B, T, F]" : "[T, B, F]"}, got ${fmtShape(x.shape)}`);
  const bf = opts.batchFirst ?? false;
  const [d0, d1, F] = x.shape as [number, number, number];
  const [T, B] = bf ? [d1, d0] : [d0, d1];
  const m = dropoutMultipliers("lockedDropout", B * F, p, opts.mask, opts.generator); // [B, F]
  const apply = (src: Float32Array): Float32Array => {
    const out = new Float32Array(src.length);
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++) {
        const o = (bf ? b * T + t : t * B + b) * F;
        const mo = b * F;
        for (let f = 0; f < F; f++) out[o + f] = src[o + f]! * m[mo + f]!;
      }
    return out;
  };
  return makeOutput(apply(x.f32), x.shape, [x], (g) => [apply(g)]);
}
