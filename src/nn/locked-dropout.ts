import { lockedDropout } from "../tensor/ops/locked-dropout.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/**
 * Locked (variational) dropout, Merity et al.'s LockedDropout: one mask per sequence and feature,
 * the same at every time step, while training; identity in eval mode. Input [T, B, F], or
 * [B, T, F] with batchFirst. See tensor/ops/locked-dropout.ts for the math.
 */
export class LockedDropout extends Module {
  readonly p: number;
  readonly batchFirst: boolean;
  constructor(o: { p?: number; batchFirst?: boolean } = {}) {
    super();
    this.p = o.p ?? 0.5;
    this.batchFirst = o.batchFirst ?? false;
    if (!(this.p >= 0 && this.p < 1)) throw new RangeError(`LockedDropout: p must be in [0, 1), got ${this.p}`);
  }
  /** `mask`: keep flags [B·F] (1 keep, 0 drop) instead of random draws. */
  forward(x: Tensor, mask?: ArrayLike<number> | null): Tensor {
    return lockedDropout(x, this.p, this.training, { batchFirst: this.batchFirst, mask: mask ?? null, ...(this.generator ? { generator: this.generator } : {}) });
  }
}
