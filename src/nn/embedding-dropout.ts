import { embeddingDropout } from "../tensor/ops/embedding-dropout.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Embedding } from "./embedding.js";
import { Module } from "./module.js";

/**
 * Whole-word dropout on an Embedding's lookups (Merity et al.'s embedded_dropout; fastai's
 * EmbeddingDropout): each vocabulary row is dropped with probability p per forward pass while
 * training, survivors scaled by 1/(1−p). It reads the wrapped embedding's weight but does not
 * register it, so the state dict keeps one `encoder.weight` name (no duplicate key).
 */
export class EmbeddingDropout extends Module {
  readonly p: number;
  readonly embedding: Embedding;
  constructor(embedding: Embedding, o: { p?: number } = {}) {
    super();
    this.embedding = embedding;
    this.p = o.p ?? 0.1;
    if (!(this.p >= 0 && this.p < 1)) throw new RangeError(`EmbeddingDropout: p must be in [0, 1), got ${this.p}`);
  }
  /** ids int32 [...] → [..., D]; `mask`: keep flags [V] (1 keep, 0 drop) instead of random draws. */
  forward(ids: Tensor, mask?: ArrayLike<number> | null): Tensor {
    if (ids.dtype !== "int32") throw new TypeError(`EmbeddingDropout.forward: ids must be an int32 tensor (token ids), got float32 ${ids.toString()}`);
    const e = this.embedding;
    return embeddingDropout(ids, e.weight, this.p, this.training, { paddingIdx: e.paddingIdx ?? -1, mask: mask ?? null, ...(this.generator ? { generator: this.generator } : {}) });
  }
}
