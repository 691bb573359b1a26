/**
 * A LanguageModel as an ONNX graph, time-major like LanguageModel.forward and PyTorch's
 * word_language_model:
 *
 *   inputs   tokens int64 [T, B]     ids; T and B are dynamic
 *            h0     float [L, B, P]  state carried from the previous call (zeros to start)
 *            c0     float [L, B, H]  (LSTM only)
 *   outputs  logits float [T, B, V]  unnormalised next-token scores at every step
 *            h_n    float [L, B, P], c_n float [L, B, H] (LSTM): feed them back as h0/c0
 *
 *   e = E[tokens],  y, h_n, c_n = RNN(e, h0, c0),  logits = y W_dᵀ + b_d
 * With tied weights the decoder's W_d is the embedding's initializer (stored once).
 */
import type { LanguageModel } from "../../models/language-model.js";
import { type GraphBuilder } from "./graph.js";
import { DataType } from "./proto.js";
import { recurrentStack } from "./recurrent.js";

export function languageModelGraph(g: GraphBuilder, model: LanguageModel): void {
  const { vocabSize: V, numLayers: L, cell } = model.config;
  const rnn = model.rnn;
  const H = rnn.hiddenSize;
  const P = rnn.outSize;
  const tokens = g.input("tokens", DataType.INT64, ["time", "batch"], "token ids [T, B], time-major (see metadata_props vocab)");
  const h0 = g.input("h0", DataType.FLOAT, [L, "batch", P], "initial hidden state [layers, B, hidden]: zeros, or h_n of the previous call");
  const c0 = cell === "LSTM" ? g.input("c0", DataType.FLOAT, [L, "batch", H], "initial cell state [layers, B, hidden]: zeros, or c_n of the previous call") : null;

  const E = model.embedding.weight;
  const emb = g.floats("embedding.weight", E.f32, E.shape);
  const x = g.op1("Gather", [emb, tokens], { axis: { i: 0 } }, "embedded"); // [T, B, E]
  const s = recurrentStack(g, rnn, { x, h0, c0 });

  // decoder as Gemm on [T·B, P] (transB: W_d stays [V, P], so a tied matrix is the embedding's own)
  const tied = model.decoder.weight === E;
  const wd = tied ? emb : g.floats("decoder.weight", model.decoder.weight.f32, model.decoder.weight.shape);
  const gemmIn = [g.op1("Reshape", [s.y, g.ints([-1, P])]), wd];
  if (model.decoder.bias) gemmIn.push(g.floats("decoder.bias", model.decoder.bias.f32, model.decoder.bias.shape));
  const flat = g.op1("Gemm", gemmIn, { transB: { i: 1 } });
  const shape = g.op1("Concat", [g.op1("Shape", [tokens]), g.ints([V])], { axis: { i: 0 } });
  g.output("logits", g.op1("Reshape", [flat, shape]), DataType.FLOAT, ["time", "batch", V], "next-token logits [T, B, vocab] (softmax gives probabilities)");
  g.output("h_n", s.hN, DataType.FLOAT, [L, "batch", P], "hidden state after the last step [layers, B, hidden]");
  if (s.cN) g.output("c_n", s.cN, DataType.FLOAT, [L, "batch", H], "cell state after the last step [layers, B, hidden]");
}
