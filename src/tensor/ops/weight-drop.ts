import type { Generator } from "../random.js";
import { type Tensor, makeOutput } from "../tensor.js";
import { dropoutMultipliers } from "./dropout-mask.js";

/**
 * DropConnect on a weight matrix (Wan et al. 2013; Merity et al.'s WeightDrop on W_hh): every
 * entry is zeroed with probability p for this forward pass and survivors scaled by 1/(1−p),
 *   W̃ = W ⊙ m,   dW = g ⊙ m
 * The result is a new tensor in the graph, so the gradient reaches the raw weight W, which keeps
 * its own name in the state dict. `mask` gives keep flags (1 keep, 0 drop) instead of random
 * draws (from `generator`, default the default generator). Identity when not training or p = 0.
 */
export function weightDrop(w: Tensor, p: number, training: boolean, mask?: ArrayLike<number> | null, generator?: Generator): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`weightDrop: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return w;
  const m = dropoutMultipliers("weightDrop", w.size, p, mask, generator);
  const x = w.f32;
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i]! * m[i]!;
  return makeOutput(out, w.shape, [w], (g) => {
    const dw = new Float32Array(g.length);
    for (let i = 0; i < dw.length; i++) dw[i] = g[i]! * m[i]!;
    return [dw];
  });
}
