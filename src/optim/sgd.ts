import { backend } from "../kernels/registry.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Hyper, Optimizer, checkNumber } from "./optimizer.js";

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
  momentum = 0;
  dampening = 0;
  weightDecay = 0;
  nesterov = false;

  constructor(params: readonly Tensor[], opts: SgdOptions) {
    super("SGD", params, ["momentum_buffer"]);
    if (opts === null || typeof opts !== "object") throw new TypeError("SGD: options { lr, momentum?, ... } are required (lr has no default)");
    if (opts.lr === undefined) throw new TypeError("SGD: lr is required (e.g. new SGD(params, { lr: 0.1 }))");
    this.setHyper({ lr: opts.lr, momentum: opts.momentum ?? 0, dampening: opts.dampening ?? 0, weightDecay: opts.weightDecay ?? 0, nesterov: opts.nesterov ?? false });
  }

  get hyper(): Hyper {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected setHyper(h: Record<string, unknown>): void {
    const momentum = checkNumber("SGD", "momentum", h.momentum, 0);
    const dampening = checkNumber("SGD", "dampening", h.dampening, 0);
    const weightDecay = checkNumber("SGD", "weightDecay", h.weightDecay, 0);
    if (typeof h.nesterov !== "boolean") throw new TypeError(`SGD: nesterov must be a boolean, got ${String(h.nesterov)}`);
    if (h.nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError(`SGD: nesterov momentum needs momentum > 0 and dampening = 0, got momentum ${momentum}, dampening ${dampening}`);
    this.lr = h.lr as number; // validated by the setter
    Object.assign(this, { momentum, dampening, weightDecay, nesterov: h.nesterov });
  }

  protected update(i: number, p: Float32Array, g: Float32Array): void {
    const firstStep = this.buffers.momentum_buffer![i] === null;
    const buf = this.momentum !== 0 ? this.buffer("momentum_buffer", i) : null;
    backend().sgdStep(p, g, buf, p.length, {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: this.weightDecay,
      nesterov: this.nesterov,
      firstStep,
    });
  }

  protected checkLoadedBuffers(where: string, buffers: Record<string, Array<Float32Array | null>>, steps: readonly number[]): void {
    steps.forEach((t, i) => {
      if (t === 0 && buffers.momentum_buffer![i]) throw new RangeError(`${where}: parameter ${i} has taken no step but has a momentum_buffer.${i}`);
    });
  }
}
