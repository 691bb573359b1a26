import { embedding } from "../tensor/ops/nn-ops.js";
import type { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { normalInit } from "./init.js";
import { Module, parameter } from "./module.js";

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** This row starts at zero and never receives a gradient (the padding token). */
  paddingIdx?: number;
  /** Draws the initial weights (default: the default generator). */
  generator?: Generator;
}

/** A lookup table weight [numEmbeddings, embeddingDim]; forward(ids int32 [...]) → [..., embeddingDim]. Initialised N(0, 1) as PyTorch. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(o: EmbeddingOptions, weight?: Tensor) {
    super();
    if (!Number.isInteger(o.numEmbeddings) || o.numEmbeddings <= 0) throw new RangeError(`Embedding: numEmbeddings must be a positive integer, got ${o.numEmbeddings}`);
    if (!Number.isInteger(o.embeddingDim) || o.embeddingDim <= 0) throw new RangeError(`Embedding: embeddingDim must be a positive integer, got ${o.embeddingDim}`);
    let pad = o.paddingIdx ?? null;
    if (pad !== null) {
      if (pad < 0) pad += o.numEmbeddings;
      if (!Number.isInteger(pad) || pad < 0 || pad >= o.numEmbeddings) throw new RangeError(`Embedding: paddingIdx must be in [-${o.numEmbeddings}, ${o.numEmbeddings}), got ${o.paddingIdx}`);
    }
    this.numEmbeddings = o.numEmbeddings;
    this.embeddingDim = o.embeddingDim;
    this.paddingIdx = pad;
    const w = weight ?? parameter(normalInit(o.numEmbeddings * o.embeddingDim, o.generator), [o.numEmbeddings, o.embeddingDim]);
    if (!weight && pad !== null) w.f32.fill(0, pad * o.embeddingDim, (pad + 1) * o.embeddingDim);
    this.weight = this.registerParameter("weight", w);
  }

  /**
   * An embedding initialised from pretrained vectors [V, D] (copied). With freeze (default, as
   * PyTorch) the table takes no gradient and optimizers skip it.
   */
  static fromPretrained(vectors: Tensor, opts: { freeze?: boolean; paddingIdx?: number } = {}): Embedding {
    if (vectors.ndim !== 2) throw new RangeError(`Embedding.fromPretrained: vectors must be [V, D], got [${vectors.shape.join(", ")}]`);
    const [V, D] = vectors.shape as [number, number];
    const w = new Tensor(Float32Array.from(vectors.f32), [V, D], !(opts.freeze ?? true));
    return new Embedding({ numEmbeddings: V, embeddingDim: D, ...(opts.paddingIdx !== undefined ? { paddingIdx: opts.paddingIdx } : {}) }, w);
  }

  forward(ids: Tensor): Tensor {
    if (ids.dtype !== "int32") throw new TypeError(`Embedding.forward: ids must be an int32 tensor (token ids), got float32 ${ids.toString()} (hint: tensor(Int32Array.from(ids), shape))`);
    return embedding(ids, this.weight, this.paddingIdx ?? -1);
  }
}
