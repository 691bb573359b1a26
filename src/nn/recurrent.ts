import { type CellMode, type DirectionResult, gateCount, recurrentDirection } from "../tensor/ops/recurrent.js";
import { dropout } from "../tensor/ops/nn-ops.js";
import { weightDrop } from "../tensor/ops/weight-drop.js";
import { concat, stack } from "../tensor/ops/shape-ops.js";
import { Tensor } from "../tensor/tensor.js";
import { uniformInit } from "./init.js";
import { Module, parameter } from "./module.js";

/**
 * The parameters a recurrent stack registers, by name and shape, without allocating anything (a
 * checkpoint's metadata is checked against its tensors with this before a model is built).
 * Order = PyTorch's _flat_weights_names, so stateDict() lists keys identically:
 *   weight_ih_l{k}[_reverse] [G·H, I_k], weight_hh [G·H, P], bias_ih/bias_hh [G·H], weight_hr [P, H]
 * with G gates (LSTM 4, GRU 3, RNN 1), P = projSize or H, I_0 = inputSize, I_k = D·P above.
 */
export function recurrentParameterShapes(
  mode: CellMode,
  o: { inputSize: number; hiddenSize: number; numLayers: number; bias: boolean; bidirectional: boolean; projSize: number },
): Array<[string, number[]]> {
  const H = o.hiddenSize;
  const P = o.projSize > 0 ? o.projSize : H;
  const D = o.bidirectional ? 2 : 1;
  const GH = gateCount(mode) * H;
  const out: Array<[string, number[]]> = [];
  for (let l = 0; l < o.numLayers; l++) {
    const inSize = l === 0 ? o.inputSize : P * D;
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      out.push([`weight_ih${sfx}`, [GH, inSize]], [`weight_hh${sfx}`, [GH, P]]);
      if (o.bias) out.push([`bias_ih${sfx}`, [GH]], [`bias_hh${sfx}`, [GH]]);
      if (o.projSize > 0) out.push([`weight_hr${sfx}`, [o.projSize, H]]);
    }
  }
  return out;
}

/** Options shared by RNN, LSTM and GRU (PyTorch's, in camelCase). */
export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  /** Input and output are [B, T, F] instead of [T, B, F] (states stay [L·D, B, H]). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (training only). */
  dropout?: number;
  bidirectional?: boolean;
  /**
   * DropConnect on every recurrent matrix weight_hh* (Merity et al.'s weight drop): a fresh mask
   * per forward call (one per BPTT window), training only. The gradient reaches the raw weight,
   * which keeps PyTorch's plain name (`weight_hh_l0`), so checkpoints still load into nn.LSTM.
   */
  weightDrop?: number;
}
export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: "tanh" | "relu";
}
export interface LSTMOptions extends RecurrentOptions {
  /** LSTM with projections: h = W_hr (o ⊙ tanh(c)), h of size projSize < hiddenSize. */
  projSize?: number;
}

export interface ForwardOptions {
  /** Initial hidden state [numLayers·D, B, P] (zeros if absent). */
  h0?: Tensor | null;
  /** Initial cell state [numLayers·D, B, H] (LSTM; zeros if absent). */
  c0?: Tensor | null;
  /**
   * True length of each sequence (any order), for right-padded batches: padded positions of
   * `output` are zero and hN/cN are each sequence's own final state (pack_padded_sequence).
   */
  lengths?: Int32Array | readonly number[] | Tensor | null;
  /**
   * Keep flags (1 keep, 0 drop) for the weight-drop masks by parameter name (`weight_hh_l0`, …),
   * instead of random draws: to reproduce a mask drawn elsewhere (e.g. a PyTorch golden test).
   */
  weightDropMasks?: Readonly<Record<string, ArrayLike<number>>>;
}

export interface RecurrentResult {
  /** [T, B, D·P] (or [B, T, D·P] with batchFirst): the last layer's states at every step. */
  output: Tensor;
  /** Final hidden state of every layer and direction, [numLayers·D, B, P]. */
  hN: Tensor;
  /** Final cell state (LSTM only, else null), [numLayers·D, B, H]. */
  cN: Tensor | null;
}

/**
 * The recurrent layer of the lecture, stacked and optionally bidirectional, with PyTorch's
 * parameters, names, shapes and gate orders. Each layer/direction runs its whole sequence in one
 * fused kernel call (see tensor/ops/recurrent.ts). Initialisation U(−1/√H, 1/√H).
 */
export class RecurrentBase extends Module {
  readonly mode: CellMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** DropConnect probability on weight_hh* while training (0 = off). */
  readonly weightDrop: number;
  readonly #name: string;
  readonly #weights = new Map<string, Tensor>();

  constructor(name: string, mode: CellMode, o: RecurrentOptions & { projSize?: number }) {
    super();
    this.#name = name;
    this.mode = mode;
    const posInt = (k: string, v: unknown): number => {
      if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${name}: ${k} must be a positive integer, got ${String(v)}`);
      return v;
    };
    this.inputSize = posInt("inputSize", o.inputSize);
    this.hiddenSize = posInt("hiddenSize", o.hiddenSize);
    this.numLayers = posInt("numLayers", o.numLayers ?? 1);
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    this.bidirectional = o.bidirectional ?? false;
    this.weightDrop = o.weightDrop ?? 0;
    if (!(this.weightDrop >= 0 && this.weightDrop < 1)) throw new RangeError(`${name}: weightDrop must be in [0, 1), got ${this.weightDrop}`);
    this.projSize = o.projSize ?? 0;
    if (this.projSize !== 0 && (!Number.isInteger(this.projSize) || this.projSize < 0 || this.projSize >= this.hiddenSize))
      throw new RangeError(`${name}: projSize must be an integer in [0, hiddenSize=${this.hiddenSize}), got ${this.projSize}`);

    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const [n, shape] of recurrentParameterShapes(mode, this))
      this.#weights.set(n, this.registerParameter(n, parameter(uniformInit(shape.reduce((a, b) => a * b, 1), bound), shape)));
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }
  /** Size of h (projSize when projecting, else hiddenSize). */
  get outSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  #param(n: string): Tensor | null {
    return this.#weights.get(n) ?? null;
  }

  /**
   * x [T, B, inputSize] ([B, T, inputSize] with batchFirst; [T, inputSize] unbatched).
   * Returns { output, hN, cN } in PyTorch's layouts (see RecurrentResult).
   */
  forwardAll(x: Tensor, opts: ForwardOptions = {}): RecurrentResult {
    const name = this.#name;
    if (x.dtype !== "float32") throw new TypeError(`${name}.forward: input must be a float32 tensor, got int32 (hint: pass token ids through an Embedding first)`);
    const layout = this.batchFirst ? "[B, T, " : "[T, B, ";
    if (x.ndim === 2) {
      const r = this.forwardAll(this.batchFirst ? x.unsqueeze(0) : x.unsqueeze(1), { ...opts, h0: opts.h0?.unsqueeze(1), c0: opts.c0?.unsqueeze(1) });
      return { output: r.output.squeeze(this.batchFirst ? 0 : 1), hN: r.hN.squeeze(1), cN: r.cN ? r.cN.squeeze(1) : null };
    }
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize)
      throw new RangeError(`${name}.forward: input must be ${layout}${this.inputSize}], got [${x.shape.join(", ")}]${x.ndim === 3 && x.shape[2] !== this.inputSize ? ` (hint: inputSize is ${this.inputSize})` : ""}`);
    let seq = this.batchFirst ? x.transpose(0, 1) : x; // [T, B, I]
    const [T, B] = seq.shape as [number, number, number];
    const L = this.numLayers;
    const D = this.numDirections;
    const H = this.hiddenSize;
    const P = this.outSize;

    const lengths = this.#checkLengths(opts.lengths ?? null, T, B);
    const checkState = (s: Tensor | null | undefined, size: number, what: string): Tensor | null => {
      if (!s) return null;
      if (s.ndim !== 3 || s.shape[0] !== L * D || s.shape[1] !== B || s.shape[2] !== size)
        throw new RangeError(`${name}.forward: ${what} must be [${L * D}, ${B}, ${size}] (numLayers·directions, batch, size), got [${s.shape.join(", ")}]`);
      return s;
    };
    const h0 = checkState(opts.h0, P, "h0");
    const c0 = this.mode === "lstm" ? checkState(opts.c0, H, "c0") : null;
    if (this.mode !== "lstm" && opts.c0) throw new TypeError(`${name}.forward: c0 is only for LSTM`);
    const zerosH = (): Tensor => new Tensor(new Float32Array(B * P), [B, P]);
    const zerosC = (): Tensor => new Tensor(new Float32Array(B * H), [B, H]);

    const hNs: Tensor[] = [];
    const cNs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const r: DirectionResult = recurrentDirection(
          this.mode,
          seq,
          {
            wIh: this.#param(`weight_ih${sfx}`)!,
            wHh: weightDrop(this.#param(`weight_hh${sfx}`)!, this.weightDrop, this.training, opts.weightDropMasks?.[`weight_hh${sfx}`]),
            bIh: this.#param(`bias_ih${sfx}`),
            bHh: this.#param(`bias_hh${sfx}`),
            wHr: this.#param(`weight_hr${sfx}`),
          },
          h0 ? h0.select(0, k) : zerosH(),
          this.mode === "lstm" ? (c0 ? c0.select(0, k) : zerosC()) : null,
          lengths,
          d === 1,
        );
        outs.push(r.output);
        hNs.push(r.hN);
        if (r.cN) cNs.push(r.cN);
      }
      seq = D === 1 ? outs[0]! : concat(outs, 2); // [T, B, D·P]
      if (l < L - 1 && this.dropout > 0) seq = dropout(seq, this.dropout, this.training);
    }
    return {
      output: this.batchFirst ? seq.transpose(0, 1) : seq,
      hN: stack(hNs, 0),
      cN: cNs.length ? stack(cNs, 0) : null,
    };
  }

  #checkLengths(raw: ForwardOptions["lengths"], T: number, B: number): Int32Array | null {
    if (raw === null || raw === undefined) return null;
    const lens = raw instanceof Tensor ? Int32Array.from(raw.data) : Int32Array.from(raw);
    if (lens.length !== B) throw new RangeError(`${this.#name}.forward: lengths must have one entry per sequence (${B}), got ${lens.length}`);
    lens.forEach((v, i) => {
      if (!(v >= 1 && v <= T)) throw new RangeError(`${this.#name}.forward: lengths[${i}] = ${v} is outside [1, ${T}] (T = the padded length of the input)`);
    });
    return lens;
  }
}

/** Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or relu). */
export class RNN extends RecurrentBase {
  constructor(o: RNNOptions) {
    const nl = o.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new RangeError(`RNN: nonlinearity must be "tanh" or "relu", got ${String(nl)}`);
    super("RNN", nl === "tanh" ? "rnn_tanh" : "rnn_relu", o);
  }
  forward(x: Tensor, opts: ForwardOptions = {}): { output: Tensor; hN: Tensor } {
    const { output, hN } = this.forwardAll(x, opts);
    return { output, hN };
  }
}

/**
 * LSTM, gate order i, f, g, o:
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')   (then h' = W_hr h' with projSize)
 */
export class LSTM extends RecurrentBase {
  constructor(o: LSTMOptions) {
    super("LSTM", "lstm", o);
  }
  forward(x: Tensor, opts: ForwardOptions = {}): { output: Tensor; hN: Tensor; cN: Tensor } {
    const { output, hN, cN } = this.forwardAll(x, opts);
    return { output, hN, cN: cN! };
  }
}

/**
 * GRU, gate order r, z, n (PyTorch's form):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   h' = (1 − z) ⊙ n + z ⊙ h
 */
export class GRU extends RecurrentBase {
  constructor(o: RecurrentOptions) {
    super("GRU", "gru", o);
  }
  forward(x: Tensor, opts: ForwardOptions = {}): { output: Tensor; hN: Tensor } {
    const { output, hN } = this.forwardAll(x, opts);
    return { output, hN };
  }
}
