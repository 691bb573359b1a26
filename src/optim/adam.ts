import { backend } from "../kernels/registry.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Hyper, Optimizer, type ParamGroupSpec, checkNumber } from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba), exactly torch.optim.Adam with its bias-corrected step, per parameter:
 *   g ← g + λθ                       (L2 weight decay, Adam) — or θ ← θ(1 − lr·λ) (AdamW)
 *   m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²
 *   θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
 * State per parameter: `exp_avg` (m), `exp_avg_sq` (v) and its own step count t.
 */
abstract class AdamBase extends Optimizer {
  constructor(kind: string, decoupled: boolean, params: readonly Tensor[] | readonly ParamGroupSpec[], opts: AdamOptions) {
    if (opts === null || typeof opts !== "object") throw new TypeError(`${kind}: options must be an object`);
    const betas = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`${kind}: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
    super(kind, params, ["exp_avg", "exp_avg_sq"], { lr: opts.lr ?? 1e-3, beta1: betas[0], beta2: betas[1], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? (decoupled ? 1e-2 : 0) });
  }

  /** Hyperparameters of the first group; setting one sets every group's. */
  get beta1(): number {
    return this.hyperOf("beta1") as number;
  }
  set beta1(v: number) {
    this.setHyperAll("beta1", v);
  }
  get beta2(): number {
    return this.hyperOf("beta2") as number;
  }
  set beta2(v: number) {
    this.setHyperAll("beta2", v);
  }
  get eps(): number {
    return this.hyperOf("eps") as number;
  }
  set eps(v: number) {
    this.setHyperAll("eps", v);
  }
  get weightDecay(): number {
    return this.hyperOf("weightDecay") as number;
  }
  set weightDecay(v: number) {
    this.setHyperAll("weightDecay", v);
  }

  protected checkHyper(h: Record<string, unknown>): Hyper {
    const k = this.kind;
    if (Array.isArray(h.betas)) h = { ...h, beta1: h.betas[0], beta2: h.betas[1], betas: undefined };
    const lr = checkNumber(k, "lr", h.lr, 0);
    const beta1 = checkNumber(k, "betas[0]", h.beta1, 0, false, 1);
    const beta2 = checkNumber(k, "betas[1]", h.beta2, 0, false, 1);
    if (beta1 === 1 || beta2 === 1) throw new RangeError(`${k}: betas must be in [0, 1), got [${beta1}, ${beta2}]`);
    const eps = checkNumber(k, "eps", h.eps, 0);
    const weightDecay = checkNumber(k, "weightDecay", h.weightDecay, 0);
    return { lr, beta1, beta2, eps, weightDecay };
  }

  protected update(i: number, p: Float32Array, g: Float32Array, h: Hyper): void {
    backend().adamStep(p, g, this.buffer("exp_avg", i), this.buffer("exp_avg_sq", i), p.length, {
      lr: h.lr as number,
      beta1: h.beta1 as number,
      beta2: h.beta2 as number,
      eps: h.eps as number,
      weightDecay: h.weightDecay as number,
      decoupled: this.kind === "AdamW", // the optimizer's kind, not a per-group choice
      step: this.steps[i]!,
    });
  }

  protected checkLoadedBuffers(where: string, buffers: Record<string, Array<Float32Array | null>>, steps: readonly number[]): void {
    steps.forEach((t, i) => {
      const has = [buffers.exp_avg![i], buffers.exp_avg_sq![i]].map((b) => b !== null);
      if (has[0] !== t > 0 || has[1] !== t > 0) throw new RangeError(`${where}: parameter ${i} has taken ${t} steps, so exp_avg.${i} and exp_avg_sq.${i} must ${t > 0 ? "both be present" : "be absent"}`);
    });
  }
}

/** Adam with L2 weight decay added to the gradient (torch.optim.Adam); lr defaults to 1e-3. */
export class Adam extends AdamBase {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec[], opts: AdamOptions = {}) {
    super("Adam", false, params, opts);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay θ ← θ(1 − lr·λ) applied before
 * the Adam update, exactly torch.optim.AdamW. weightDecay defaults to 1e-2.
 */
export class AdamW extends AdamBase {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec[], opts: AdamOptions = {}) {
    super("AdamW", true, params, opts);
  }
}
