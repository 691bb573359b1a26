import { linear } from "../tensor/ops/matmul.js";
import type { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { uniformInit } from "./init.js";
import { Module, parameter } from "./module.js";

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
  /** Draws the initial weights (default: the default generator). */
  generator?: Generator;
}

/** y = x Wᵀ + b, W [out, in], b [out]; initialised U(−1/√in, 1/√in) as PyTorch. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(o: LinearOptions) {
    super();
    for (const k of ["inFeatures", "outFeatures"] as const)
      if (!Number.isInteger(o[k]) || o[k] <= 0) throw new RangeError(`Linear: ${k} must be a positive integer, got ${o[k]}`);
    this.inFeatures = o.inFeatures;
    this.outFeatures = o.outFeatures;
    const bound = 1 / Math.sqrt(o.inFeatures);
    this.weight = this.registerParameter("weight", parameter(uniformInit(o.outFeatures * o.inFeatures, bound, o.generator), [o.outFeatures, o.inFeatures]));
    this.bias = o.bias === false ? null : this.registerParameter("bias", parameter(uniformInit(o.outFeatures, bound, o.generator), [o.outFeatures]));
  }

  /** x [..., inFeatures] → [..., outFeatures] */
  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures)
      throw new RangeError(`Linear.forward: input must be [..., ${this.inFeatures}], got [${x.shape.join(", ")}]`);
    return linear(x, this.weight, this.bias);
  }

  /** Share another tensor as the weight (weight tying); it must be [out, in]. */
  tieWeight(w: Tensor): void {
    if (w.ndim !== 2 || w.shape[0] !== this.outFeatures || w.shape[1] !== this.inFeatures)
      throw new RangeError(`Linear.tieWeight: weight must be [${this.outFeatures}, ${this.inFeatures}], got [${w.shape.join(", ")}] (hint: tying needs embeddingDim == hidden size)`);
    this.weight = this.registerParameter("weight", w);
  }
}
