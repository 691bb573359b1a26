import { ModuleList } from "../nn/container.js";
import { BatchNorm1d } from "../nn/batch-norm.js";
import { Embedding } from "../nn/embedding.js";
import { Linear } from "../nn/linear.js";
import { Module } from "../nn/module.js";
import { LSTM } from "../nn/recurrent.js";
import { embeddingDropout } from "../tensor/ops/embedding-dropout.js";
import { lockedDropout } from "../tensor/ops/locked-dropout.js";
import { dropout } from "../tensor/ops/nn-ops.js";
import { maskedMax, maskedSum } from "../tensor/ops/pool.js";
import { concat } from "../tensor/ops/shape-ops.js";
import type { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { AwdLstm } from "./awd-lstm.js";
import { LanguageModel } from "./language-model.js";

export interface LmClassifierConfig {
  vocabSize: number;
  embeddingDim: number;
  /** Hidden size of each single-layer LSTM, bottom to top (the language model's). */
  hiddenSizes: number[];
  /** LSTM projection size per layer (0 = none), as in the language model (AWD "lstm" projection). */
  projSizes?: number[];
  numClasses: number;
  /** Width of the head's hidden layer (ULMFiT: 50). */
  headHidden?: number;
  /** Whole-word dropout on the embedding matrix. */
  dropoutEmb?: number;
  /** Locked dropout on the embeddings. */
  dropoutInp?: number;
  /** Locked dropout on every LSTM layer's output (the top one included: the head pools dropped outputs). */
  dropoutHid?: number;
  /** DropConnect on every weight_hh. */
  weightDrop?: number;
  /** Dropout on the pooled features, before the head's first layer. */
  dropoutPool?: number;
  /** Dropout before the head's output layer. */
  dropoutHead?: number;
  /**
   * BPTT for text classification (ULMFiT §3.3): read the text in chunks of this many tokens, each
   * starting from the previous chunk's final state (detached: gradients stay inside a chunk),
   * pooling over the whole text. 0 = the whole text in one recurrent call (exact gradients).
   */
  bpttChunk?: number;
}

/**
 * A text classifier built on a language model's encoder (ULMFiT, Howard & Ruder 2018):
 *   e = embedding_dropout(E)[x] → LSTM₁ … LSTM_L (weight-dropped, locked dropout after each)
 *   → concat pooling  z = [h_T ; max_t h_t ; mean_t h_t]        (over each text's own length)
 *   → BatchNorm → dropout → ReLU(W₁ · + b₁) → BatchNorm → dropout → logits = W₂ · + b₂
 * Input: right-padded token ids [B, T] (batch-first) with their true lengths; padding never
 * reaches the recurrent state. Parameter names follow the language model (`encoder.weight`,
 * `rnns.0.weight_ih_l0`, …) so its weights copy over by name; the head is `head.0` … `head.3`
 * (BatchNorm1d, Linear, BatchNorm1d, Linear).
 */
export class LmClassifier extends Module {
  readonly config: Required<LmClassifierConfig>;
  readonly encoder: Embedding;
  readonly rnns: ModuleList<LSTM>;
  /** [BatchNorm1d(3P), Linear(3P → headHidden), BatchNorm1d(headHidden), Linear(headHidden → C)]. */
  readonly head: ModuleList<BatchNorm1d | Linear>;

  /** `generator` draws the initial weights (default: the default generator); dropout draws from `useGenerator`'s. */
  constructor(cfg: LmClassifierConfig, opts: { generator?: Generator } = {}) {
    super();
    const g = opts.generator ? { generator: opts.generator } : {};
    const where = "LmClassifier";
    const hs = cfg.hiddenSizes;
    if (!Array.isArray(hs) || hs.length === 0 || hs.some((h) => !Number.isInteger(h) || h <= 0)) throw new RangeError(`${where}: hiddenSizes must be positive integers, got ${JSON.stringify(hs)}`);
    const ps = cfg.projSizes ?? hs.map(() => 0);
    if (ps.length !== hs.length) throw new RangeError(`${where}: projSizes must have one entry per layer (${hs.length}), got ${ps.length}`);
    if (!Number.isInteger(cfg.numClasses) || cfg.numClasses < 2) throw new RangeError(`${where}: numClasses must be an integer ≥ 2, got ${cfg.numClasses}`);
    this.config = {
      vocabSize: cfg.vocabSize, embeddingDim: cfg.embeddingDim, hiddenSizes: [...hs], projSizes: [...ps], numClasses: cfg.numClasses,
      headHidden: cfg.headHidden ?? 50, dropoutEmb: cfg.dropoutEmb ?? 0.05, dropoutInp: cfg.dropoutInp ?? 0.25, dropoutHid: cfg.dropoutHid ?? 0.15,
      weightDrop: cfg.weightDrop ?? 0.2, dropoutPool: cfg.dropoutPool ?? 0.2, dropoutHead: cfg.dropoutHead ?? 0.1, bpttChunk: cfg.bpttChunk ?? 0,
    };
    const c = this.config;
    for (const k of ["dropoutEmb", "dropoutInp", "dropoutHid", "weightDrop", "dropoutPool", "dropoutHead"] as const)
      if (!(c[k] >= 0 && c[k] < 1)) throw new RangeError(`${where}: ${k} must be in [0, 1), got ${c[k]}`);
    if (!Number.isInteger(c.bpttChunk) || c.bpttChunk < 0) throw new RangeError(`${where}: bpttChunk must be an integer ≥ 0, got ${c.bpttChunk}`);
    this.encoder = this.registerModule("encoder", new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, ...g }));
    let inSize = c.embeddingDim;
    this.rnns = this.registerModule(
      "rnns",
      new ModuleList(
        hs.map((h, l) => {
          const m = new LSTM({ inputSize: inSize, hiddenSize: h, projSize: ps[l]!, weightDrop: c.weightDrop, ...g });
          inSize = m.outSize;
          return m;
        }),
      ),
    );
    this.head = this.registerModule(
      "head",
      new ModuleList<BatchNorm1d | Linear>([
        new BatchNorm1d({ numFeatures: 3 * inSize }),
        new Linear({ inFeatures: 3 * inSize, outFeatures: c.headHidden, ...g }),
        new BatchNorm1d({ numFeatures: c.headHidden }),
        new Linear({ inFeatures: c.headHidden, outFeatures: c.numClasses, ...g }),
      ]),
    );
  }

  /**
   * A classifier whose embedding and LSTM layers start as a trained language model's (ULMFiT step
   * 3): an AwdLstm's `encoder` and `rnns` by name, or a LanguageModel's `embedding` and stacked
   * `rnn` layer by layer (`rnn.weight_ih_l1` → `rnns.1.weight_ih_l0`). The head starts fresh.
   * Regularisation and `numClasses` come from `opts`; the architecture from the language model.
   */
  static fromLanguageModel(lm: AwdLstm | LanguageModel, opts: Omit<LmClassifierConfig, "vocabSize" | "embeddingDim" | "hiddenSizes" | "projSizes">, init: { generator?: Generator } = {}): LmClassifier {
    let arch: Pick<LmClassifierConfig, "vocabSize" | "embeddingDim" | "hiddenSizes" | "projSizes">;
    const weights: Record<string, Tensor> = {};
    if (lm instanceof AwdLstm) {
      arch = { vocabSize: lm.config.vocabSize, embeddingDim: lm.config.embeddingDim, hiddenSizes: lm.rnns.items.map((r) => r.hiddenSize), projSizes: lm.rnns.items.map((r) => r.projSize) };
      for (const [k, v] of Object.entries(lm.stateDict())) if (k.startsWith("encoder.") || k.startsWith("rnns.")) weights[k] = v;
    } else if (lm instanceof LanguageModel) {
      const c = lm.config;
      if (c.cell !== "LSTM") throw new RangeError(`LmClassifier.fromLanguageModel: the language model's cell is ${c.cell}; a classifier is built from an LSTM language model (hint: train-lm --cell lstm)`);
      const L = c.numLayers;
      arch = { vocabSize: c.vocabSize, embeddingDim: c.embeddingDim, hiddenSizes: Array.from({ length: L }, () => c.hiddenSize), projSizes: Array.from({ length: L }, () => lm.rnn.projSize) };
      weights["encoder.weight"] = lm.embedding.weight;
      for (const [k, v] of Object.entries(lm.rnn.stateDict())) {
        const m = /^(.+)_l(\d+)$/.exec(k);
        if (!m) throw new Error(`LmClassifier.fromLanguageModel: unexpected recurrent parameter ${k}`);
        weights[`rnns.${m[2]}.${m[1]}_l0`] = v;
      }
    } else throw new TypeError("LmClassifier.fromLanguageModel: expected an AwdLstm or a LanguageModel");
    const clf = new LmClassifier({ ...arch, ...opts }, init);
    const own = clf.stateDict();
    for (const [k, v] of Object.entries(weights)) {
      const t = own[k];
      if (!t || t.size !== v.size) throw new Error(`LmClassifier.fromLanguageModel: no matching parameter for ${k} [${v.shape.join(", ")}]`);
      t.f32.set(v.f32);
    }
    return clf;
  }

  /** Size of the top layer's output P (the pooled features are 3P). */
  get outSize(): number {
    return this.rnns.at(this.rnns.length - 1).outSize;
  }

  /**
   * Parameter groups bottom to top, for discriminative learning rates and gradual unfreezing:
   * [embedding], [LSTM 1], …, [LSTM L], [head].
   */
  layerGroups(): Tensor[][] {
    return [this.encoder.parameters(), ...this.rnns.items.map((r) => r.parameters()), this.head.parameters()];
  }

  /** ids int32 [B, T] (right-padded), lengths [B] → logits [B, numClasses]. */
  forward(ids: Tensor, lengths: Int32Array | readonly number[]): Tensor {
    const c = this.config;
    const gen = this.generator ?? undefined;
    const [bn0, lin0, bn1, lin1] = this.head.items as [BatchNorm1d, Linear, BatchNorm1d, Linear];
    const z = this.features(ids, lengths);
    // ULMFiT's PoolingLinearClassifier: BatchNorm keeps the pooled features (a last state, a max,
    // a mean: three different scales) in range, so the ReLU units do not die at the head's high lr
    const h = lin0.forward(dropout(bn0.forward(z), c.dropoutPool, this.training, gen)).relu();
    return lin1.forward(dropout(bn1.forward(h), c.dropoutHead, this.training, gen));
  }

  /** The pooled features [B, 3P] = [last ; max ; mean] of the top layer's (dropped) outputs. */
  features(ids: Tensor, lengths: Int32Array | readonly number[]): Tensor {
    if (ids.dtype !== "int32" || ids.ndim !== 2) throw new TypeError(`LmClassifier.forward: ids must be int32 [B, T], got ${ids.toString()}`);
    const [B, T] = ids.shape as [number, number];
    const lens = Int32Array.from(lengths);
    if (lens.length !== B) throw new RangeError(`LmClassifier.forward: lengths must have one entry per text (${B}), got ${lens.length}`);
    lens.forEach((l, b) => {
      if (!(l >= 1 && l <= T)) throw new RangeError(`LmClassifier.forward: lengths[${b}] = ${l} is outside [1, ${T}] (T = the padded length)`);
    });
    // Work time-major on rows sorted by length (longest first): the texts still being read in a
    // chunk are then always rows 0 … n−1, so a chunk is a plain slice and so is its state.
    const order = Array.from(lens.keys()).sort((a, b) => lens[b]! - lens[a]! || a - b);
    const sorted = Int32Array.from(order, (b) => lens[b]!);
    const src = ids.i32;
    const tok = new Int32Array(T * B);
    for (let t = 0; t < T; t++) for (let r = 0; r < B; r++) tok[t * B + r] = src[order[r]! * T + t]!;
    const cfg = this.config;
    const tr = this.training;
    const gen = this.generator ? { generator: this.generator } : {};
    const emb = embeddingDropout(new Tensor(tok, [T, B]), this.encoder.weight, cfg.dropoutEmb, tr, gen); // [T, B, E]
    let x = lockedDropout(emb, cfg.dropoutInp, tr, gen);
    const chunk = cfg.bpttChunk > 0 ? cfg.bpttChunk : T;
    let last: Tensor | null = null;
    for (const rnn of this.rnns.items) {
      const r = runChunked(rnn, x, sorted, chunk);
      x = lockedDropout(r.output, cfg.dropoutHid, tr, gen); // [T, B, P]
      last = r.last;
    }
    // h_T is the undropped final state (each text's own end); max and mean over the dropped outputs
    const xb = x.transpose(0, 1); // [B, T, P]
    const mean = maskedSum(xb, sorted).mul(new Tensor(Float32Array.from(sorted, (l) => 1 / l), [B, 1]));
    const pooled = concat([last!, maskedMax(xb, sorted), mean], 1); // [B, 3P], rows sorted
    const inverse = new Int32Array(B);
    order.forEach((b, r) => (inverse[b] = r));
    return pooled.indexSelect(0, inverse);
  }
}

/**
 * One LSTM layer over x [T, B, F] whose rows are sorted by length (desc), in chunks of `chunk`
 * steps. Chunk k covers steps [k·chunk, (k+1)·chunk) of the rows still unfinished; each row starts
 * from its state at the end of chunk k−1, detached. Returns the outputs [T, B, P] (zero past each
 * row's end) and each row's final hidden state [B, P].
 */
function runChunked(rnn: LSTM, x: Tensor, lens: Int32Array, chunk: number): { output: Tensor; last: Tensor } {
  const [T, B] = x.shape as [number, number, number];
  if (chunk >= T) {
    const r = rnn.forward(x, { lengths: lens });
    return { output: r.output, last: r.hN.select(0, 0) };
  }
  const P = rnn.outSize;
  const outs: Tensor[] = [];
  const lastParts: Tensor[] = []; // rows that end in chunk k, collected from the last chunk back
  let h: Tensor | null = null;
  let c: Tensor | null = null;
  const active = (t0: number): number => {
    let n = 0;
    while (n < B && lens[n]! > t0) n++;
    return n;
  };
  const ends: Array<{ hN: Tensor; from: number; to: number }> = [];
  for (let t0 = 0; t0 < T; t0 += chunk) {
    const t1 = Math.min(T, t0 + chunk);
    const n = active(t0);
    if (n === 0) {
      outs.push(new Tensor(new Float32Array((t1 - t0) * B * P), [t1 - t0, B, P]));
      continue;
    }
    const xs = x.slice(0, t0, t1).slice(1, 0, n); // [c, n, F]
    const lk = Int32Array.from(lens.subarray(0, n), (l) => Math.min(l - t0, t1 - t0));
    const r = rnn.forward(xs, { lengths: lk, h0: h ? h.slice(1, 0, n).detach() : null, c0: c ? c.slice(1, 0, n).detach() : null });
    outs.push(n === B ? r.output : concat([r.output, new Tensor(new Float32Array((t1 - t0) * (B - n) * P), [t1 - t0, B - n, P])], 1));
    h = r.hN;
    c = r.cN;
    // rows [m, n) end inside this chunk
    const m = active(t1);
    if (m < n) ends.push({ hN: r.hN, from: m, to: n });
  }
  for (let i = ends.length - 1; i >= 0; i--) {
    const e = ends[i]!;
    lastParts.push(e.hN.slice(1, e.from, e.to));
  }
  const last = (lastParts.length === 1 ? lastParts[0]! : concat(lastParts, 1)).select(0, 0); // [B, P]
  return { output: outs.length === 1 ? outs[0]! : concat(outs, 0), last };
}
