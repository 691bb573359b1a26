import { backend } from "../kernels/registry.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Hyper, Optimizer, type ParamGroupSpec, checkNumber } from "./optimizer.js";

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, exactly torch.optim.SGD, per parameter:
 *   d ← g + λθ                                   (L2 weight decay)
 *   b ← d on the first step, else μ b + (1 − τ) d  (momentum μ, dampening τ; skipped when μ = 0)
 *   d ← d + μ b (Nesterov) or d ← b
 *   θ ← θ − lr · d
 * State per parameter: `momentum_buffer` (only when momentum ≠ 0).
 */
export class SGD extends Optimizer {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec[], opts: SgdOptions) {
    if (opts === null || typeof opts !== "object") throw new TypeError("SGD: options { lr, momentum?, ... } are required (lr has no default)");
    if (opts.lr === undefined) throw new TypeError("SGD: lr is required (e.g. new SGD(params, { lr: 0.1 }))");
    super("SGD", params, ["momentum_buffer"], { lr: opts.lr, momentum: opts.momentum ?? 0, dampening: opts.dampening ?? 0, weightDecay: opts.weightDecay ?? 0, nesterov: opts.nesterov ?? false });
  }

  /** Hyperparameters of the first group; setting one sets every group's. */
  get momentum(): number {
    return this.hyperOf("momentum") as number;
  }
  set momentum(v: number) {
    this.setHyperAll("momentum", v);
  }
  get dampening(): number {
    return this.hyperOf("dampening") as number;
  }
  set dampening(v: number) {
    this.setHyperAll("dampening", v);
  }
  get weightDecay(): number {
    return this.hyperOf("weightDecay") as number;
  }
  set weightDecay(v: number) {
    this.setHyperAll("weightDecay", v);
  }
  get nesterov(): boolean {
    return this.hyperOf("nesterov") as boolean;
  }
  set nesterov(v: boolean) {
    this.setHyperAll("nesterov", v);
  }

  protected checkHyper(h: Record<string, unknown>): Hyper {
    const lr = checkNumber("SGD", "lr", h.lr, 0);
    const momentum = checkNumber("SGD", "momentum", h.momentum, 0);
    const dampening = checkNumber("SGD", "dampening", h.dampening, 0);
    const weightDecay = checkNumber("SGD", "weightDecay", h.weightDecay, 0);
    if (typeof h.nesterov !== "boolean") throw new TypeError(`SGD: nesterov must be a boolean, got ${String(h.nesterov)}`);
    if (h.nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError(`SGD: nesterov momentum needs momentum > 0 and dampening = 0, got momentum ${momentum}, dampening ${dampening}`);
    return { lr, momentum, dampening, weightDecay, nesterov: h.nesterov };
  }

  protected update(i: number, p: Float32Array, g: Float32Array, h: Hyper): void {
    const firstStep = this.buffers.momentum_buffer![i] === null;
    const momentum = h.momentum as number;
    const buf = momentum !== 0 ? this.buffer("momentum_buffer", i) : null;
    backend().sgdStep(p, g, buf, p.length, {
      lr: h.lr as number,
      momentum,
      dampening: h.dampening as number,
      weightDecay: h.weightDecay as number,
      nesterov: h.nesterov as boolean,
      firstStep,
    });
  }

  protected checkLoadedBuffers(where: string, buffers: Record<string, Array<Float32Array | null>>, steps: readonly number[]): void {
    steps.forEach((t, i) => {
      if (t === 0 && buffers.momentum_buffer![i]) throw new RangeError(`${where}: parameter ${i} has taken no step but has a momentum_buffer.${i}`);
    });
  }
}
