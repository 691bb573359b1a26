/**
 * A language model stepped one token at a time for inference (generate, predict-next, score, a
 * server, the browser): the backend's stepper (Backend.createStepper) runs embedding → stacked
 * cells → decoder → (log-)softmax in one call per token, with the recurrent state carried inside
 * it, preallocated buffers, and no autograd graph. The numbers are those of `model.forward` (the
 * whole-sequence kernels) up to float rounding.
 */
import type { Stepper, StepCell, StepLayer, StepOutput } from "../kernels/backend.js";
import { backend } from "../kernels/registry.js";
import { createRefStepper } from "../kernels/ref/step.js";
import { LanguageModel } from "../models/language-model.js";
import type { RecurrentLm } from "../models/recurrent-lm.js";

const CELLS: Record<string, StepCell> = { LSTM: "lstm", GRU: "gru", RNN_TANH: "rnn_tanh", RNN_RELU: "rnn_relu" };

export class LmStepper {
  /** Vocabulary size (embedding rows = decoder outputs). */
  readonly V: number;
  /** Streams stepped together. */
  readonly B: number;
  /**
   * Weight matrices the backend reads from half-precision copies (native, when every value of a
   * matrix is an exact half: a model saved with `rnnkit export --format safetensors-f16`); 0 otherwise.
   */
  readonly halfWeights: number;
  private readonly ids: Int32Array;
  private disposed = false;

  private constructor(private readonly st: Stepper, V: number, B: number) {
    this.V = V;
    this.B = B;
    this.ids = new Int32Array(B);
    this.halfWeights = st.halfWeights ?? 0;
  }

  /**
   * A stepper for `model` on the active backend, or null when the model is not the plain
   * embedding → unidirectional RNN/LSTM/GRU → linear decoder this path knows (then use
   * model.forward). It reads the model's weights as they are now: do not train while it is in use.
   */
  static create(model: RecurrentLm, opts: { B?: number; halfCopies?: boolean } = {}): LmStepper | null {
    if (!(model instanceof LanguageModel)) return null;
    const c = model.config;
    const cell = CELLS[c.cell];
    const rnn = model.rnn;
    if (!cell || rnn.bidirectional || rnn.projSize > 0 || rnn.numLayers !== c.numLayers) return null;
    const sd = model.stateDict();
    const L = c.numLayers;
    const want = new Set(["embedding.weight", "decoder.weight", "decoder.bias"]);
    for (let l = 0; l < L; l++) for (const k of ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]) want.add(`rnn.${k}_l${l}`);
    const keys = Object.keys(sd);
    // anything beyond a plain model (another output layer, extra parameters) goes the sequence way
    if (keys.some((k) => !want.has(k)) || !sd["embedding.weight"] || !sd["decoder.weight"]) return null;
    const f = (k: string): Float32Array | null => sd[k]?.f32 ?? null;
    const layers: StepLayer[] = [];
    for (let l = 0; l < L; l++) {
      const wIh = f(`rnn.weight_ih_l${l}`), wHh = f(`rnn.weight_hh_l${l}`);
      if (!wIh || !wHh) return null;
      layers.push({ I: l === 0 ? c.embeddingDim : c.hiddenSize, wIh, wHh, bIh: f(`rnn.bias_ih_l${l}`), bHh: f(`rnn.bias_hh_l${l}`) });
    }
    const B = opts.B ?? 1;
    const spec = { cell, H: c.hiddenSize, B, V: c.vocabSize, E: c.embeddingDim, embedding: f("embedding.weight")!, layers, C: c.vocabSize, decoder: f("decoder.weight")!, decoderBias: f("decoder.bias"), halfCopies: opts.halfCopies ?? true };
    const be = backend();
    const st = be.createStepper ? be.createStepper(spec) : createRefStepper(spec);
    return new LmStepper(st, c.vocabSize, B);
  }

  /** Zero the state of every stream. */
  reset(): void {
    this.st.setState(null, null);
  }

  /** Copy the state out (h [L, B, H], c for the LSTM) / back in: to branch from a prompt. */
  getState(h: Float32Array, c: Float32Array | null): void {
    this.st.getState(h, c);
  }
  setState(h: Float32Array | null, c: Float32Array | null): void {
    this.st.setState(h, c);
  }

  /**
   * One step of every stream: ids (one per stream, each in [0, V)) in; `out` [B, V] gets the
   * requested output (nothing for "none": the decoder is skipped).
   */
  step(ids: number | ArrayLike<number>, output: StepOutput = "none", out: Float32Array | null = null, temperature = 1): void {
    if (this.disposed) throw new Error("LmStepper.step: the stepper was disposed");
    const B = this.B;
    if (typeof ids === "number") {
      if (B !== 1) throw new RangeError(`LmStepper.step: expected ${B} token ids (one per stream), got one number`);
      this.ids[0] = ids;
    } else {
      if (ids.length !== B) throw new RangeError(`LmStepper.step: expected ${B} token ids (one per stream), got ${ids.length}`);
      for (let b = 0; b < B; b++) this.ids[b] = ids[b]!;
    }
    for (let b = 0; b < B; b++) {
      const id = this.ids[b]!;
      if (!(Number.isInteger(id) && id >= 0 && id < this.V)) throw new RangeError(`LmStepper.step: token id ${id} (stream ${b}) is outside [0, ${this.V})`);
    }
    if (output !== "none") {
      if (!out || out.length < B * this.V) throw new RangeError(`LmStepper.step: "${output}" needs an output buffer of ${B * this.V} floats ([B, V]), got ${out ? out.length : "none"}`);
      if (output === "probs" && !(temperature > 0 && temperature < Infinity)) throw new RangeError(`LmStepper.step: temperature must be a finite number > 0, got ${temperature}`);
    }
    this.st.step(this.ids, output, temperature, output === "none" ? null : out);
  }

  /** Feed a prompt (stream 0 of a one-stream stepper) with no output. */
  feed(ids: readonly number[]): void {
    for (const id of ids) this.step(id);
  }

  /** Give back the backend memory (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.st.dispose();
  }
}
