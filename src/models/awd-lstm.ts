import { AdaptiveLogSoftmaxWithLoss } from "../nn/adaptive-softmax.js";
import { ModuleList } from "../nn/container.js";
import { Embedding } from "../nn/embedding.js";
import { uniformInit } from "../nn/init.js";
import type { Generator } from "../tensor/random.js";
import { Linear } from "../nn/linear.js";
import { Module } from "../nn/module.js";
import { LSTM } from "../nn/recurrent.js";
import { activationRegularization, temporalActivationRegularization } from "../tensor/ops/activation-reg.js";
import { embeddingDropout } from "../tensor/ops/embedding-dropout.js";
import { linearCrossEntropy } from "../tensor/ops/linear-ce.js";
import { lockedDropout } from "../tensor/ops/locked-dropout.js";
import type { CrossEntropyOptions } from "../tensor/ops/nn-ops.js";
import { Tensor } from "../tensor/tensor.js";
import type { RecurrentLm } from "./recurrent-lm.js";

export interface AwdLstmConfig {
  vocabSize: number;
  /** Embedding size E (AWD-LSTM: 400). */
  embeddingDim: number;
  /**
   * Hidden size of each LSTM layer, bottom to top (AWD-LSTM: [1150, 1150, 400]). Default: numLayers
   * layers of hiddenSize, the last of size embeddingDim when the weights are tied (the AWD way).
   */
  hiddenSizes?: number[];
  hiddenSize?: number;
  numLayers?: number;
  /** Decoder = encoder matrix (Inan et al.; Press & Wolf). Default true with the full softmax. */
  tieWeights?: boolean;
  /**
   * With tied weights and a top layer whose size differs from embeddingDim: "linear" adds
   * `proj` (a bias-free Linear H → E before the decoder), "lstm" gives the top LSTM projSize = E.
   */
  projection?: "linear" | "lstm";
  /** Whole-word dropout on the embedding matrix (AWD dropoute, 0.1). */
  dropoutEmb?: number;
  /** Locked dropout on the embedding output (dropouti, 0.65). */
  dropoutInp?: number;
  /** Locked dropout between LSTM layers (dropouth, 0.3). */
  dropoutHid?: number;
  /** Locked dropout on the top layer's output (dropout, 0.4). */
  dropoutOut?: number;
  /** DropConnect on every weight_hh (wdrop, 0.5). */
  weightDrop?: number;
  /** AR coefficient α on the dropped top output (2). */
  alpha?: number;
  /** TAR coefficient β on the undropped top output (1). */
  beta?: number;
  /** Adaptive softmax output layer instead of the full softmax (untied). */
  adaptiveSoftmax?: { cutoffs: number[]; divValue?: number; headBias?: boolean } | null;
}

/** Per-layer state carried between BPTT windows: h[l] [1, B, P_l], c[l] [1, B, H_l]. */
export interface AwdState {
  h: Tensor[];
  c: Tensor[];
}

/**
 * Keep flags (1 keep, 0 drop) to use instead of random draws, e.g. to reproduce PyTorch:
 * embedding [V], input [B·E], hidden[l] [B·P_l] (between layer l and l+1), output [B·P_top],
 * weights[l] { weight_hh_l0: [4H_l·P_l] }.
 */
export interface AwdMasks {
  embedding?: ArrayLike<number>;
  input?: ArrayLike<number>;
  hidden?: ArrayLike<number>[];
  output?: ArrayLike<number>;
  weights?: Array<Record<string, ArrayLike<number>>>;
}

/** What the encoder computed for one window (see AwdLstm.encode). */
export interface AwdEncoding {
  /** Each layer's output before its dropout, [T, B, P_l]. */
  raw: Tensor[];
  /** Each layer's output after its locked dropout, [T, B, P_l]. */
  dropped: Tensor[];
  /** The decoder's input [T, B, E or P_top] (dropped top output, projected when `proj` exists). */
  out: Tensor;
  state: AwdState;
}

export interface AwdLossResult {
  /** What to minimise: lmLoss + AR + TAR (AR/TAR only while training). */
  loss: Tensor;
  /** The cross-entropy alone (per token, or summed with reduction "sum"). */
  lmLoss: Tensor;
  ar: number;
  tar: number;
  state: AwdState;
}

/**
 * AWD-LSTM language model (Merity, Keskar & Socher 2017), built from rnnkit's layers:
 *   e = embedding_dropout(E)[x]  →  locked dropout (dropoutInp)
 *   → LSTM₁ (weight-dropped W_hh) → locked dropout (dropoutHid) → … → LSTM_L → locked dropout (dropoutOut)
 *   → [proj] → decoder: softmax(E h + b) (tied), or an adaptive softmax
 *   loss = CE + α·mean(h̃_L²) + β·mean((h_L,t − h_L,t−1)²)   (h̃ dropped, h undropped; training only)
 * State dict names load into plain PyTorch modules (nn.Embedding `encoder`, a ModuleList `rnns`
 * of single-layer nn.LSTM, `proj` nn.Linear, `decoder` nn.Linear or nn.AdaptiveLogSoftmaxWithLoss):
 * `encoder.weight`, `rnns.0.weight_ih_l0`, `rnns.0.weight_hh_l0`, …, `decoder.weight`, `decoder.bias`.
 */
export class AwdLstm extends Module implements RecurrentLm<AwdState> {
  readonly config: Required<Omit<AwdLstmConfig, "hiddenSize" | "numLayers" | "adaptiveSoftmax">> & { adaptiveSoftmax: AwdLstmConfig["adaptiveSoftmax"] };
  readonly encoder: Embedding;
  readonly rnns: ModuleList<LSTM>;
  readonly proj: Linear | null;
  readonly decoder: Linear | AdaptiveLogSoftmaxWithLoss;

  /** `generator` draws the initial weights (default: the default generator); dropout draws from `useGenerator`'s. */
  constructor(cfg: AwdLstmConfig, opts: { generator?: Generator } = {}) {
    super();
    const g = opts.generator ? { generator: opts.generator } : {};
    const where = "AwdLstm";
    const adaptive = cfg.adaptiveSoftmax ?? null;
    const tie = cfg.tieWeights ?? !adaptive;
    if (tie && adaptive) throw new RangeError(`${where}: tieWeights cannot be used with adaptiveSoftmax (its head and tails have their own shapes); pass tieWeights: false`);
    const E = cfg.embeddingDim;
    let hs = cfg.hiddenSizes;
    if (!hs) {
      const L = cfg.numLayers ?? 3;
      const H = cfg.hiddenSize ?? 1150;
      hs = Array.from({ length: L }, (_, l) => (l === L - 1 && tie ? E : H));
    }
    if (hs.length === 0 || hs.some((h) => !Number.isInteger(h) || h <= 0)) throw new RangeError(`${where}: hiddenSizes must be positive integers, got [${hs.join(", ")}]`);
    const top = hs[hs.length - 1]!;
    const projection = cfg.projection ?? "linear";
    if (projection !== "linear" && projection !== "lstm") throw new RangeError(`${where}: projection must be "linear" or "lstm", got ${String(projection)}`);
    if (projection === "lstm" && tie && top !== E && top < E) throw new RangeError(`${where}: projection "lstm" needs the top layer's hiddenSize (${top}) > embeddingDim (${E}) (LSTM projSize < hiddenSize); use projection "linear"`);
    this.config = {
      vocabSize: cfg.vocabSize, embeddingDim: E, hiddenSizes: [...hs], tieWeights: tie, projection,
      dropoutEmb: cfg.dropoutEmb ?? 0.1, dropoutInp: cfg.dropoutInp ?? 0.65, dropoutHid: cfg.dropoutHid ?? 0.3, dropoutOut: cfg.dropoutOut ?? 0.4,
      weightDrop: cfg.weightDrop ?? 0.5, alpha: cfg.alpha ?? 2, beta: cfg.beta ?? 1,
      adaptiveSoftmax: adaptive ? { cutoffs: [...adaptive.cutoffs], divValue: adaptive.divValue ?? 4, headBias: adaptive.headBias ?? false } : null,
    };
    const c = this.config;
    for (const k of ["dropoutEmb", "dropoutInp", "dropoutHid", "dropoutOut", "weightDrop"] as const)
      if (!(c[k] >= 0 && c[k] < 1)) throw new RangeError(`${where}: ${k} must be in [0, 1), got ${c[k]}`);
    for (const k of ["alpha", "beta"] as const) if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw new RangeError(`${where}: ${k} must be a finite number ≥ 0, got ${c[k]}`);

    this.encoder = this.registerModule("encoder", new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: E, ...g }));
    const lstmProj = tie && top !== E && projection === "lstm";
    const layers: LSTM[] = [];
    let inSize = E;
    hs.forEach((h, l) => {
      const projSize = l === hs.length - 1 && lstmProj ? E : 0;
      layers.push(new LSTM({ inputSize: inSize, hiddenSize: h, projSize, weightDrop: c.weightDrop, ...g }));
      inSize = projSize || h;
    });
    this.rnns = this.registerModule("rnns", new ModuleList(layers));
    this.proj = tie && inSize !== E ? this.registerModule("proj", new Linear({ inFeatures: inSize, outFeatures: E, bias: false, ...g })) : null;
    const decIn = this.proj ? E : inSize;
    if (adaptive) {
      this.decoder = this.registerModule("decoder", new AdaptiveLogSoftmaxWithLoss({ inFeatures: decIn, nClasses: c.vocabSize, cutoffs: adaptive.cutoffs, divValue: adaptive.divValue ?? 4, headBias: adaptive.headBias ?? false, ...g }));
    } else {
      const dec = new Linear({ inFeatures: decIn, outFeatures: c.vocabSize, ...g });
      this.decoder = this.registerModule("decoder", dec);
      // AWD-LSTM's init_weights: encoder (= tied decoder) U(−0.1, 0.1), decoder bias 0
      dec.bias!.f32.fill(0);
      if (tie) dec.tieWeight(this.encoder.weight);
    }
    this.encoder.weight.f32.set(uniformInit(this.encoder.weight.size, 0.1, opts.generator));
  }

  /** Number of LSTM layers. */
  get numLayers(): number {
    return this.rnns.length;
  }

  /** Zero state for B streams. */
  initState(B: number): AwdState {
    const h = this.rnns.items.map((r) => new Tensor(new Float32Array(B * r.outSize), [1, B, r.outSize]));
    const c = this.rnns.items.map((r) => new Tensor(new Float32Array(B * r.hiddenSize), [1, B, r.hiddenSize]));
    return { h, c };
  }

  /** Cut the state from the graph (truncated BPTT: gradients stop at the window edge). */
  detachState(s: AwdState): AwdState {
    return detachAwdState(s);
  }

  /** { h0, c0, h1, c1, … } (one pair per layer), detached. */
  stateTensors(s: AwdState): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    s.h.forEach((h, l) => {
      out[`h${l}`] = h.detach();
      out[`c${l}`] = s.c[l]!.detach();
    });
    return out;
  }

  stateFromTensors(t: Record<string, Tensor>): AwdState {
    const h: Tensor[] = [];
    const c: Tensor[] = [];
    this.rnns.items.forEach((r, l) => {
      const hl = t[`h${l}`];
      const cl = t[`c${l}`];
      if (!hl || !cl || hl.shape[2] !== r.outSize || cl.shape[2] !== r.hiddenSize)
        throw new Error(`AwdLstm.stateFromTensors: the saved state of layer ${l} is missing or not [1, B, ${r.outSize}] / [1, B, ${r.hiddenSize}] (the training state is damaged)`);
      h.push(hl);
      c.push(cl);
    });
    return { h, c };
  }

  /**
   * The encoder over one window: tokens int32 [T, B] → every layer's output before and after its
   * dropout, the decoder input and the next state. Dropouts act only in training mode. With
   * `lengths` (right-padded batches, e.g. a classifier's), padded steps of every layer's output are
   * zero and each sequence's state is taken at its own last step (as LSTM's lengths option).
   */
  encode(tokens: Tensor, state?: AwdState | null, opts: { masks?: AwdMasks; lengths?: Int32Array | readonly number[] | null } = {}): AwdEncoding {
    if (tokens.dtype !== "int32" || tokens.ndim !== 2) throw new TypeError(`AwdLstm.encode: tokens must be int32 [T, B], got ${tokens.toString()}`);
    const B = tokens.shape[1]!;
    const L = this.numLayers;
    if (state && (state.h.length !== L || state.c.length !== L || state.h.some((h) => h.shape[1] !== B)))
      throw new RangeError(`AwdLstm.encode: state must hold ${L} layers of batch ${B}, got ${state.h.length} of batch ${state.h[0]?.shape[1]} (hint: initState(B))`);
    const masks = opts.masks ?? {};
    const lengths = opts.lengths ?? null;
    const c = this.config;
    const tr = this.training;
    const gen = this.generator ? { generator: this.generator } : {};
    const emb = embeddingDropout(tokens, this.encoder.weight, c.dropoutEmb, tr, { mask: masks.embedding ?? null, ...gen }); // [T, B, E]
    let x = lockedDropout(emb, c.dropoutInp, tr, { mask: masks.input ?? null, ...gen });
    const raw: Tensor[] = [];
    const dropped: Tensor[] = [];
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    this.rnns.items.forEach((rnn, l) => {
      const r = rnn.forward(x, { h0: state?.h[l] ?? null, c0: state?.c[l] ?? null, lengths, ...(masks.weights?.[l] ? { weightDropMasks: masks.weights[l] } : {}) });
      raw.push(r.output);
      hN.push(r.hN);
      cN.push(r.cN);
      const last = l === L - 1;
      x = lockedDropout(r.output, last ? c.dropoutOut : c.dropoutHid, tr, { mask: (last ? masks.output : masks.hidden?.[l]) ?? null, ...gen });
      dropped.push(x);
    });
    const out = this.proj ? this.proj.forward(x) : x;
    return { raw, dropped, out, state: { h: hN, c: cN } };
  }

  /**
   * tokens int32 [T, B] → logits [T, B, V] and the next state. With the adaptive softmax these are
   * log-probabilities (softmax of either gives the distribution).
   */
  forward(tokens: Tensor, state?: AwdState | null): { logits: Tensor; state: AwdState } {
    const e = this.encode(tokens, state);
    const [T, B] = tokens.shape as [number, number];
    const h = e.out.reshape([T * B, e.out.shape[2]!]);
    const logits = this.decoder instanceof AdaptiveLogSoftmaxWithLoss ? this.decoder.logProb(h) : this.decoder.forward(h);
    return { logits: logits.reshape([T, B, this.config.vocabSize]), state: e.state };
  }

  /**
   * The training objective for one window: cross-entropy of the next tokens (fused with the
   * decoder: the [T·B, V] logits are never materialised; adaptive softmax: loss()), plus AR and
   * TAR while training. targets int32 [T, B] (or [T·B]).
   */
  loss(tokens: Tensor, targets: Tensor, state?: AwdState | null, opts: CrossEntropyOptions & { masks?: AwdMasks } = {}): AwdLossResult {
    if (targets.dtype !== "int32" || targets.size !== tokens.size) throw new TypeError(`AwdLstm.loss: targets must be int32 [${tokens.shape.join(", ")}] like the tokens, got ${targets.toString()}`);
    const e = this.encode(tokens, state, { masks: opts.masks ?? {} });
    const K = e.out.shape[2]!;
    const h = e.out.reshape([-1, K]);
    const y = targets.reshape([-1]);
    let lmLoss: Tensor;
    if (this.decoder instanceof AdaptiveLogSoftmaxWithLoss) {
      if (opts.ignoreIndex !== undefined) throw new RangeError("AwdLstm.loss: ignoreIndex is not supported with the adaptive softmax");
      lmLoss = this.decoder.loss(h, y);
      if (opts.reduction === "sum") lmLoss = lmLoss.mul(y.size);
    } else {
      lmLoss = linearCrossEntropy(h, this.decoder.weight, this.decoder.bias, y, { ...(opts.ignoreIndex !== undefined ? { ignoreIndex: opts.ignoreIndex } : {}), ...(opts.reduction ? { reduction: opts.reduction } : {}) });
    }
    let loss = lmLoss;
    let ar = 0;
    let tar = 0;
    const c = this.config;
    if (this.training && c.alpha > 0) {
      const t = activationRegularization(e.dropped[this.numLayers - 1]!, c.alpha);
      ar = t.item();
      loss = loss.add(t);
    }
    if (this.training && c.beta > 0) {
      const t = temporalActivationRegularization(e.raw[this.numLayers - 1]!, c.beta);
      tar = t.item();
      loss = loss.add(t);
    }
    return { loss, lmLoss, ar, tar, state: e.state };
  }
}

/** Cut an AWD state from the graph (truncated BPTT). */
export const detachAwdState = (s: AwdState): AwdState => ({ h: s.h.map((t) => t.detach()), c: s.c.map((t) => t.detach()) });
