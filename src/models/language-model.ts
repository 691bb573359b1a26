import { Dropout } from "../nn/dropout.js";
import { Embedding } from "../nn/embedding.js";
import { Linear } from "../nn/linear.js";
import { Module } from "../nn/module.js";
import type { RecurrentBase } from "../nn/recurrent.js";
import { uniformInit } from "../nn/init.js";
import { linearCrossEntropy } from "../tensor/ops/linear-ce.js";
import type { CrossEntropyOptions } from "../tensor/ops/nn-ops.js";
import type { Generator } from "../tensor/random.js";
import { linearInto } from "../tensor/ops/matmul.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { type CellType, makeRecurrent } from "./cell.js";
import type { RecurrentLm } from "./recurrent-lm.js";

export interface LanguageModelConfig {
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  numLayers?: number;
  cell?: CellType;
  /** Dropout on the embeddings, between recurrent layers and before the decoder (Zaremba et al.). */
  dropout?: number;
  /** Share the embedding matrix with the decoder (Press & Wolf; Inan et al.); needs embeddingDim == hiddenSize. */
  tieWeights?: boolean;
}

/** Recurrent state carried between BPTT windows: h [L, B, H] (and c for LSTM). */
export interface LmState {
  h: Tensor;
  c: Tensor | null;
}

/**
 * Word/char language model: embedding → RNN/LSTM/GRU stack → dropout → linear decoder, with
 * PyTorch's names (`embedding.weight`, `rnn.weight_ih_l0`, `decoder.weight`, `decoder.bias`):
 *   e_t = E[x_t],  h_t = RNN(e_t, h_{t−1}),  ŷ_t = softmax(W_d h_t + b_d)  over the vocabulary.
 */
export class LanguageModel extends Module implements RecurrentLm<LmState> {
  readonly config: Required<LanguageModelConfig>;
  readonly embedding: Embedding;
  readonly rnn: RecurrentBase;
  readonly drop: Dropout;
  readonly decoder: Linear;

  /** `generator` draws the initial weights (default: the default generator). */
  constructor(cfg: LanguageModelConfig, opts: { generator?: Generator } = {}) {
    super();
    const g = opts.generator ? { generator: opts.generator } : {};
    this.config = { numLayers: 1, cell: "LSTM", dropout: 0, tieWeights: false, ...cfg };
    const c = this.config;
    if (c.tieWeights && c.embeddingDim !== c.hiddenSize)
      throw new RangeError(`LanguageModel: tieWeights needs embeddingDim == hiddenSize, got ${c.embeddingDim} and ${c.hiddenSize}`);
    this.embedding = this.registerModule("embedding", new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, ...g }));
    this.rnn = this.registerModule(
      "rnn",
      makeRecurrent(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, dropout: c.dropout, bidirectional: false, batchFirst: false, ...g }),
    );
    this.drop = this.registerModule("drop", new Dropout({ p: c.dropout }));
    this.decoder = this.registerModule("decoder", new Linear({ inFeatures: c.hiddenSize, outFeatures: c.vocabSize, ...g }));
    if (c.tieWeights) this.decoder.tieWeight(this.embedding.weight);
  }

  /**
   * Redraws every parameter from U(−r, r), biases included (Zaremba et al.'s init: r = 0.1 for
   * their small model, 0.05 medium, 0.04 large). A tied embedding/decoder matrix is drawn once.
   */
  initUniform(r: number, generator?: Generator): this {
    if (!(r > 0) || !Number.isFinite(r)) throw new RangeError(`LanguageModel.initUniform: range must be a finite number > 0, got ${r}`);
    for (const p of new Set(this.parameters())) p.f32.set(uniformInit(p.size, r, generator));
    return this;
  }

  /** The state cut from the graph (truncated BPTT): detachState(s) as a method, for RecurrentLm. */
  detachState(s: LmState): LmState {
    return detachState(s);
  }

  /** { h, c } (c only for an LSTM), detached. */
  stateTensors(s: LmState): Record<string, Tensor> {
    return { h: s.h.detach(), ...(s.c ? { c: s.c.detach() } : {}) };
  }

  stateFromTensors(t: Record<string, Tensor>): LmState {
    if (!t.h || (this.config.cell === "LSTM" && !t.c)) throw new Error(`LanguageModel.stateFromTensors: the saved hidden state is missing ${t.h ? "c" : "h"} (the training state is damaged)`);
    return { h: t.h, c: t.c ?? null };
  }

  /** Zero state for a batch of B streams. */
  initState(B: number): LmState {
    const { numLayers: L, hiddenSize: H, cell } = this.config;
    return { h: new Tensor(new Float32Array(L * B * H), [L, B, H]), c: cell === "LSTM" ? new Tensor(new Float32Array(L * B * H), [L, B, H]) : null };
  }

  /** tokens int32 [T, B] → logits [T, B, V] and the state after the last step. */
  forward(tokens: Tensor, state?: LmState | null): { logits: Tensor; state: LmState } {
    const { h, state: next } = this.hidden("forward", tokens, state);
    return { logits: this.decoder.forward(h), state: next }; // [T, B, V]
  }

  /**
   * Inference over whole windows into a buffer the caller keeps: tokens int32 [T, B] → logits written to
   * `out` (T·B·V floats, row (t, b) at (t·B + b)·V, as forward()'s [T, B, V]) and the state after the last
   * step. No autograd; dropout follows the model's mode (call eval() first). Same numbers as forward().
   * Why: forward() hands out a new [T, B, V] array per call and the fresh pages cost as much as the
   * arithmetic (docs/interop.md); scoring a stream window by window reuses one buffer.
   */
  logitsInto(tokens: Tensor, out: Float32Array, state?: LmState | null): LmState {
    return noGrad(() => {
      const { h, state: next } = this.hidden("logitsInto", tokens, state);
      linearInto(h, this.decoder.weight, this.decoder.bias, out, "LanguageModel.logitsInto");
      return next;
    });
  }

  /**
   * Cross-entropy of the next tokens: forward() and crossEntropy(logits, targets) in one, with the
   * decoder and the loss fused (linearCrossEntropy) so the [T·B, V] logits are never materialised.
   * tokens int32 [T, B], targets int32 [T, B] (or [T·B]) → mean (or summed) loss and the state.
   */
  loss(tokens: Tensor, targets: Tensor, state?: LmState | null, opts: CrossEntropyOptions = {}): { loss: Tensor; state: LmState } {
    if (targets.dtype !== "int32" || targets.size !== tokens.size) throw new TypeError(`LanguageModel.loss: targets must be int32 [${tokens.shape.join(", ")}] like the tokens, got ${targets.toString()}`);
    const { h, state: next } = this.hidden("loss", tokens, state);
    const loss = linearCrossEntropy(h.reshape([-1, this.decoder.inFeatures]), this.decoder.weight, this.decoder.bias, targets.reshape([-1]), opts);
    return { loss, state: next };
  }

  /** embedding → dropout → recurrent stack → dropout: the decoder's input [T, B, H] and the state. */
  private hidden(where: string, tokens: Tensor, state?: LmState | null): { h: Tensor; state: LmState } {
    if (tokens.dtype !== "int32" || tokens.ndim !== 2) throw new TypeError(`LanguageModel.${where}: tokens must be int32 [T, B], got ${tokens.toString()}`);
    const emb = this.drop.forward(this.embedding.forward(tokens)); // [T, B, E]
    const r = this.rnn.forwardAll(emb, { h0: state?.h ?? null, c0: state?.c ?? null });
    return { h: this.drop.forward(r.output), state: { h: r.hN, c: r.cN } };
  }
}

/** Detach a state from the graph (truncated BPTT: gradients stop at the window boundary). */
export const detachState = (s: LmState): LmState => ({ h: s.h.detach(), c: s.c ? s.c.detach() : null });
