import { dropout } from "../tensor/ops/nn-ops.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** Inverted dropout with probability p while training; identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  constructor(o: { p?: number } = {}) {
    super();
    this.p = o.p ?? 0.5;
    if (!(this.p >= 0 && this.p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${this.p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator ?? undefined);
  }
}
