import { Dropout } from "../nn/dropout.js";
import { Embedding } from "../nn/embedding.js";
import { Linear } from "../nn/linear.js";
import { Module } from "../nn/module.js";
import type { RecurrentBase } from "../nn/recurrent.js";
import { concat } from "../tensor/ops/shape-ops.js";
import type { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { type CellType, makeRecurrent } from "./cell.js";

export type Pooling = "final" | "mean" | "max";

export interface SequenceClassifierConfig {
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  numClasses: number;
  numLayers?: number;
  cell?: CellType;
  bidirectional?: boolean;
  /** final: last layer's final states [forward; backward]; mean/max: over the valid time steps of the output. */
  pooling?: Pooling;
  dropout?: number;
  paddingIdx?: number;
}

/**
 * Text classifier: embedding → (Bi)RNN/LSTM/GRU stack → pooling → dropout → linear, with
 * PyTorch's names (`embedding.weight`, `rnn.*`, `classifier.weight`). Input is right-padded
 * token ids [B, T] with their true lengths, so padding never reaches the recurrent state.
 */
export class SequenceClassifier extends Module {
  readonly config: Required<SequenceClassifierConfig>;
  embedding: Embedding;
  readonly rnn: RecurrentBase;
  readonly drop: Dropout;
  readonly classifier: Linear;

  /** `generator` draws the initial weights (default: the default generator). */
  constructor(cfg: SequenceClassifierConfig, opts: { generator?: Generator } = {}) {
    super();
    const g = opts.generator ? { generator: opts.generator } : {};
    this.config = { numLayers: 1, cell: "LSTM", bidirectional: true, pooling: "final", dropout: 0, paddingIdx: 0, ...cfg };
    const c = this.config;
    if (!["final", "mean", "max"].includes(c.pooling)) throw new RangeError(`SequenceClassifier: pooling must be final, mean or max, got ${c.pooling}`);
    if (!Number.isInteger(c.numClasses) || c.numClasses < 2) throw new RangeError(`SequenceClassifier: numClasses must be an integer ≥ 2, got ${c.numClasses}`);
    this.embedding = this.registerModule("embedding", new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, paddingIdx: c.paddingIdx, ...g }));
    this.rnn = this.registerModule(
      "rnn",
      makeRecurrent(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, dropout: c.dropout, bidirectional: c.bidirectional, batchFirst: true, ...g }),
    );
    this.drop = this.registerModule("drop", new Dropout({ p: c.dropout }));
    const D = c.bidirectional ? 2 : 1;
    this.classifier = this.registerModule("classifier", new Linear({ inFeatures: D * c.hiddenSize, outFeatures: c.numClasses, ...g }));
  }

  /** Replace the embedding table (e.g. pretrained GloVe/word2vec vectors), keeping the name. */
  setEmbedding(e: Embedding): void {
    if (e.numEmbeddings !== this.config.vocabSize || e.embeddingDim !== this.config.embeddingDim)
      throw new RangeError(`SequenceClassifier.setEmbedding: expected [${this.config.vocabSize}, ${this.config.embeddingDim}], got [${e.numEmbeddings}, ${e.embeddingDim}]`);
    this.embedding = this.registerModule("embedding", e);
  }

  /** ids int32 [B, T] (right-padded), lengths [B] → logits [B, numClasses]. */
  forward(ids: Tensor, lengths: Int32Array | readonly number[]): Tensor {
    if (ids.dtype !== "int32" || ids.ndim !== 2) throw new TypeError(`SequenceClassifier.forward: ids must be int32 [B, T], got ${ids.toString()}`);
    const [B, T] = ids.shape as [number, number];
    const lens = Int32Array.from(lengths);
    const emb = this.embedding.forward(ids); // [B, T, E]
    const r = this.rnn.forwardAll(emb, { lengths: lens });
    const c = this.config;
    const D = c.bidirectional ? 2 : 1;
    let pooled: Tensor; // [B, D·H]
    if (c.pooling === "final") {
      const L = c.numLayers;
      const last = [0, 1].slice(0, D).map((d) => r.hN.select(0, (L - 1) * D + d)); // [B, H] each
      pooled = D === 1 ? last[0]! : concat(last, 1);
    } else if (c.pooling === "mean") {
      // padded outputs are exactly zero, so the sum over T is the sum over valid steps
      const inv = new Float32Array(B).map((_, b) => 1 / lens[b]!);
      pooled = r.output.sum(1).mul(new Tensor(inv, [B, 1]));
    } else {
      const mask = new Float32Array(B * T * D * c.hiddenSize);
      const F = D * c.hiddenSize;
      for (let b = 0; b < B; b++) mask.fill(-1e30, (b * T + lens[b]!) * F, (b + 1) * T * F);
      pooled = r.output.add(new Tensor(mask, [B, T, F])).max(1);
    }
    return this.classifier.forward(this.drop.forward(pooled));
  }
}
