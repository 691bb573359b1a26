/**
 * An AWD-LSTM language model (models/awd-lstm.ts) as an ONNX graph, time-major like
 * AwdLstm.forward. Its layers differ in size, so each has its own state input and output:
 *
 *   inputs   tokens  int64 [T, B]          ids; T and B are dynamic
 *            h0_l{k} float [1, B, P_k]     layer k's state from the previous call (zeros to start);
 *            c0_l{k} float [1, B, H_k]     P_k = H_k, or embeddingDim for a top layer with LSTM projection
 *   outputs  logits  float [T, B, V]       next-token scores; with the adaptive softmax these are
 *                                          log-probabilities (softmax of either gives the distribution)
 *            h_n_l{k}, c_n_l{k}            feed them back as h0_l{k}, c0_l{k}
 *
 *   e = E[tokens],  y_k, state_k = LSTM_k(y_{k−1}, state_k)  (y_0 = e),  z = y_L [W_projᵀ],
 *   logits = z W_dᵀ + b_d   (tied: W_d = E, stored once), or the adaptive softmax:
 *   log p = [log softmax(z W_headᵀ [+ b])[:c₀],  log softmax(z W_i,0ᵀ W_i,1ᵀ) + log softmax(…)[c₀ + i]  for each cluster i]
 *
 * Inference only: the dropouts, weight drop and AR/TAR act in training (eval mode uses the raw
 * weight_hh), so the graph is the model in eval mode. A top layer with projection (`projection:
 * "lstm"`) becomes the Scan of ./recurrent.ts; the others are ONNX LSTM operators.
 */
import type { AwdLstm } from "../../models/awd-lstm.js";
import { AdaptiveLogSoftmaxWithLoss } from "../../nn/adaptive-softmax.js";
import type { Linear } from "../../nn/linear.js";
import { type GraphBuilder } from "./graph.js";
import { DataType } from "./proto.js";
import { recurrentStack } from "./recurrent.js";

export function awdLstmGraph(g: GraphBuilder, model: AwdLstm): void {
  const V = model.config.vocabSize;
  const tokens = g.input("tokens", DataType.INT64, ["time", "batch"], "token ids [T, B], time-major (see metadata_props vocab)");
  const layers = model.rnns.items;
  const states = layers.map((rnn, k) => ({
    h0: g.input(`h0_l${k}`, DataType.FLOAT, [1, "batch", rnn.outSize], `layer ${k}'s initial hidden state [1, B, ${rnn.outSize}]: zeros, or h_n_l${k} of the previous call`),
    c0: g.input(`c0_l${k}`, DataType.FLOAT, [1, "batch", rnn.hiddenSize], `layer ${k}'s initial cell state [1, B, ${rnn.hiddenSize}]: zeros, or c_n_l${k} of the previous call`),
  }));

  const E = model.encoder.weight;
  const emb = g.floats("encoder.weight", E.f32, E.shape);
  let x = g.op1("Gather", [emb, tokens], { axis: { i: 0 } }, "embedded"); // [T, B, E]
  const outs = layers.map((rnn, k) => {
    const s = recurrentStack(g, rnn, { x, h0: states[k]!.h0, c0: states[k]!.c0 }, `rnns_${k}`);
    x = s.y; // [T, B, P_k]
    return s;
  });
  let K = layers[layers.length - 1]!.outSize;
  let z = g.op1("Reshape", [x, g.ints([-1, K])]); // [T·B, K]
  if (model.proj) {
    z = g.op1("MatMul", [z, transposed(g, "proj.weight_t", model.proj)]);
    K = model.proj.outFeatures;
  }

  const dec = model.decoder;
  let flat: string; // [T·B, V]
  if (dec instanceof AdaptiveLogSoftmaxWithLoss) flat = adaptiveLogProb(g, dec, z);
  else {
    // transB: W_d stays [V, K], so a tied matrix is the encoder's own initializer
    const wd = dec.weight === E ? emb : g.floats("decoder.weight", dec.weight.f32, dec.weight.shape);
    const ins = [z, wd];
    if (dec.bias) ins.push(g.floats("decoder.bias", dec.bias.f32, dec.bias.shape));
    flat = g.op1("Gemm", ins, { transB: { i: 1 } });
  }
  const shape = g.op1("Concat", [g.op1("Shape", [tokens]), g.ints([V])], { axis: { i: 0 } });
  const what = dec instanceof AdaptiveLogSoftmaxWithLoss ? "next-token log-probabilities (adaptive softmax)" : "next-token logits (softmax gives probabilities)";
  g.output("logits", g.op1("Reshape", [flat, shape]), DataType.FLOAT, ["time", "batch", V], `${what} [T, B, vocab]`);
  outs.forEach((s, k) => {
    g.output(`h_n_l${k}`, s.hN, DataType.FLOAT, [1, "batch", layers[k]!.outSize], `layer ${k}'s hidden state after the last step`);
    g.output(`c_n_l${k}`, s.cN!, DataType.FLOAT, [1, "batch", layers[k]!.hiddenSize], `layer ${k}'s cell state after the last step`);
  });
}

/** A bias-free Linear's weight [out, in] as a MatMul operand [in, out]. */
function transposed(g: GraphBuilder, name: string, lin: Linear): string {
  const [rows, cols] = lin.weight.shape as [number, number];
  const w = lin.weight.f32;
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return g.floats(name, t, [cols, rows]);
}

/** AdaptiveLogSoftmaxWithLoss.logProb: z [N, K] → log-probabilities [N, V] (formula in the file comment). */
function adaptiveLogProb(g: GraphBuilder, a: AdaptiveLogSoftmaxWithLoss, z: string): string {
  const headIn = [z, g.floats("decoder.head.weight", a.head.weight.f32, a.head.weight.shape)];
  if (a.head.bias) headIn.push(g.floats("decoder.head.bias", a.head.bias.f32, a.head.bias.shape));
  const headLp = g.op1("LogSoftmax", [g.op1("Gemm", headIn, { transB: { i: 1 } })], { axis: { i: 1 } }, "head_log_prob"); // [N, c₀ + clusters]
  const S = a.shortlistSize;
  const cols = (from: number, to: number): string => g.op1("Slice", [headLp, g.ints([from]), g.ints([to]), g.ints([1])]);
  const parts = [cols(0, S)];
  for (let i = 0; i < a.nClusters; i++) {
    const [w0, w1] = a.tail.at(i).items as [Linear, Linear];
    const h = g.op1("MatMul", [z, transposed(g, `decoder.tail.${i}.0.weight_t`, w0)]); // [N, K / div^(i+1)]
    const lp = g.op1("LogSoftmax", [g.op1("MatMul", [h, transposed(g, `decoder.tail.${i}.1.weight_t`, w1)])], { axis: { i: 1 } }); // [N, cluster size]
    parts.push(g.op1("Add", [lp, cols(S + i, S + i + 1)]));
  }
  return g.op1("Concat", parts, { axis: { i: 1 } }, "log_prob");
}
