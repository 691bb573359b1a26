import { backend } from "../kernels/registry.js";
import type { LanguageModel } from "../models/language-model.js";
import { Tensor, noGrad } from "../tensor/tensor.js";

/**
 * What an LSTM's gates do on a text, step by step (the lecture's picture of the cell):
 *   i = σ(W_ii x + W_hi h + b_i)  input gate: how much of the candidate g is written
 *   f = σ(W_if x + W_hf h + b_f)  forget gate: how much of c(t−1) is kept
 *   g = tanh(…)                   candidate
 *   o = σ(W_io x + W_ho h + b_o)  output gate: how much of tanh(c) is shown as h
 *   c(t) = f ⊙ c(t−1) + i ⊙ g,  h(t) = o ⊙ tanh(c(t))
 * The activations are exactly those of the fused kernel (backend().lstmForward with its `saved`
 * buffers), layer by layer, in inference mode (no dropout).
 */
export interface LstmLayerGates {
  layer: number;
  /** Cell size H. */
  hiddenSize: number;
  /** [T, H] each, row t = the step that reads token t. */
  input: Float32Array;
  forget: Float32Array;
  candidate: Float32Array;
  output: Float32Array;
  /** Cell state c(t) after the step, [T, H]. */
  cell: Float32Array;
  /** Hidden state h(t) after the step, [T, P]. */
  hidden: Float32Array;
}

/**
 * Run a one-stream token sequence through an LSTM language model and return every layer's gate
 * activations and states. ids: the token ids, in order (the state starts at zero).
 */
export function lstmGates(model: LanguageModel, ids: ArrayLike<number>): LstmLayerGates[] {
  const rnn = model.rnn;
  if (rnn.mode !== "LSTM") throw new TypeError(`lstmGates: the model's recurrent layer is ${model.config.cell}, not LSTM (gates are an LSTM notion; hint: train with --cell lstm)`);
  if (rnn.bidirectional) throw new TypeError("lstmGates: bidirectional models are not supported");
  const T = ids.length;
  if (T === 0) throw new RangeError("lstmGates: the text has no tokens");
  const be = backend();
  const H = rnn.hiddenSize;
  const P = rnn.outSize;
  const sd = rnn.stateDict();
  const layers: LstmLayerGates[] = [];
  noGrad(() => {
    let x = model.embedding.forward(new Tensor(Int32Array.from(ids), [T])).f32; // [T, E] (= [T, 1, E])
    for (let l = 0; l < rnn.numLayers; l++) {
      const wIh = sd[`weight_ih_l${l}`]!;
      const I = wIh.shape[1]!;
      const GH = 4 * H;
      const xg = new Float32Array(T * GH);
      for (const b of [sd[`bias_ih_l${l}`], sd[`bias_hh_l${l}`]]) if (b) for (let t = 0; t < T; t++) for (let j = 0; j < GH; j++) xg[t * GH + j]! += b.f32[j]!;
      be.gemm(false, true, T, GH, I, 1, x, wIh.f32, 1, xg);
      const saved = { gates: new Float32Array(T * GH), c: new Float32Array(T * H), cPrev: new Float32Array(T * H), hPrev: new Float32Array(T * P) };
      const out = new Float32Array(T * P);
      const whr = sd[`weight_hr_l${l}`];
      be.lstmForward({ T, B: 1, H, P, lengths: null, reverse: false, xg, whh: sd[`weight_hh_l${l}`]!.f32, whr: whr ? whr.f32 : null, h0: new Float32Array(P), c0: new Float32Array(H), out, hN: new Float32Array(P), cN: new Float32Array(H), saved });
      const gate = (k: number): Float32Array => {
        const r = new Float32Array(T * H);
        for (let t = 0; t < T; t++) r.set(saved.gates.subarray(t * GH + k * H, t * GH + (k + 1) * H), t * H);
        return r;
      };
      layers.push({ layer: l, hiddenSize: H, input: gate(0), forget: gate(1), candidate: gate(2), output: gate(3), cell: saved.c, hidden: out });
      x = out;
    }
  });
  return layers;
}

/** Mean over units of one [T, W] matrix, per step. */
export function rowMeans(m: Float32Array, T: number): number[] {
  const W = m.length / T;
  return Array.from({ length: T }, (_, t) => {
    let s = 0;
    for (let j = 0; j < W; j++) s += m[t * W + j]!;
    return s / W;
  });
}
