import { batchNorm1d } from "../tensor/ops/batch-norm.js";
import { Tensor } from "../tensor/tensor.js";
import { Module, parameter } from "./module.js";

/**
 * torch.nn.BatchNorm1d on [N, F] (see tensor/ops/batch-norm.ts for the math): batch statistics
 * while training (running statistics updated with `momentum`), running statistics in eval mode.
 * State dict: `weight`, `bias` (γ, β) and the buffers `running_mean`, `running_var`,
 * `num_batches_tracked` — PyTorch's names, so it loads into nn.BatchNorm1d.
 */
export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;

  constructor(o: { numFeatures: number; eps?: number; momentum?: number }) {
    super();
    if (!Number.isInteger(o.numFeatures) || o.numFeatures <= 0) throw new RangeError(`BatchNorm1d: numFeatures must be a positive integer, got ${o.numFeatures}`);
    const F = o.numFeatures;
    this.numFeatures = F;
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    this.weight = this.registerParameter("weight", parameter(new Float32Array(F).fill(1), [F]));
    this.bias = this.registerParameter("bias", parameter(new Float32Array(F), [F]));
    this.runningMean = this.registerBuffer("running_mean", new Tensor(new Float32Array(F), [F]));
    this.runningVar = this.registerBuffer("running_var", new Tensor(new Float32Array(F).fill(1), [F]));
    this.numBatchesTracked = this.registerBuffer("num_batches_tracked", new Tensor(new Float32Array(1), []));
  }

  /** x [N, F] → [N, F]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.numFeatures) throw new RangeError(`BatchNorm1d.forward: input must be [N, ${this.numFeatures}], got [${x.shape.join(", ")}]`);
    if (this.training && x.shape[0]! > 1) this.numBatchesTracked.f32[0]! += 1;
    return batchNorm1d(x, this.weight, this.bias, { training: this.training, runningMean: this.runningMean.f32, runningVar: this.runningVar.f32, momentum: this.momentum, eps: this.eps });
  }
}
