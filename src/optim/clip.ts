import { backend } from "../kernels/registry.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * Global-norm gradient clipping, exactly torch.nn.utils.clip_grad_norm_:
 *   total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ  over the parameters that have a gradient (p = normType, may be Infinity)
 *   c = maxNorm / (total + 1e-6);  if c < 1, every gradient is scaled by c (in place)
 * Returns the total norm BEFORE clipping (0 when no parameter has a gradient). A non-finite total
 * (a NaN/Inf gradient) makes c NaN/0 and the gradients NaN/0, as in PyTorch: check the returned
 * norm with Number.isFinite and skip the optimizer step when it is not.
 */
export function clipGradNorm(params: readonly Tensor[] | Tensor, maxNorm: number, normType = 2): number {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) throw new TypeError("clipGradNorm: params must be a Tensor or an array of tensors");
  if (typeof maxNorm !== "number" || !(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new RangeError(`clipGradNorm: maxNorm must be a positive number, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0)) throw new RangeError(`clipGradNorm: normType must be a positive number or Infinity, got ${String(normType)}`);
  const grads = list.flatMap((p) => (p.grad ? [p.grad.f32] : []));
  if (grads.length === 0) return 0;
  const total = totalNorm(grads, normType);
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) for (const g of grads) backend().scale(g, coef, g.length);
  return total;
}

function totalNorm(grads: readonly Float32Array[], p: number): number {
  if (p === 2) return Math.sqrt(grads.reduce((s, g) => s + backend().sumSquares(g, g.length), 0));
  if (p === Infinity) {
    let m = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) m = Math.max(m, Math.abs(g[i]!)); // NaN sticks
    return m;
  }
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!) ** p;
  return s ** (1 / p);
}
