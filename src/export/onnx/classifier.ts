/**
 * A SequenceClassifier as an ONNX graph, batch-first like SequenceClassifier.forward:
 *
 *   inputs   ids     int64 [B, T]  right-padded token ids (padding id in metadata_props)
 *            lengths int64 [B]     true lengths, 1 ≤ lengths[b] ≤ T, in any order
 *   outputs  logits  float [B, C], probs float [B, C] (softmax)
 *
 * The recurrent layers get the lengths as `sequence_lens`, so padding never reaches a state and
 * the reverse direction starts at each sequence's last real token. Pooling, with m_tb = [t < len_b]:
 *   final  [h_fwd; h_bwd] of the last layer's final states
 *   mean   Σ_t m_tb y_tb · (1 / len_b)
 *   max    max_t (m_tb ? y_tb : −1e30)
 */
import type { SequenceClassifier } from "../../models/sequence-classifier.js";
import { type GraphBuilder } from "./graph.js";
import { DataType } from "./proto.js";
import { recurrentStack, timeMask } from "./recurrent.js";

export function classifierGraph(g: GraphBuilder, model: SequenceClassifier): void {
  const c = model.config;
  const rnn = model.rnn;
  const D = rnn.numDirections;
  const L = rnn.numLayers;
  const ids = g.input("ids", DataType.INT64, ["batch", "time"], "right-padded token ids [B, T] (see metadata_props vocab, pad_id)");
  const lengths = g.input("lengths", DataType.INT64, ["batch"], "true length of each sequence [B], 1 ≤ length ≤ T, any order");

  const E = model.embedding.weight;
  const emb = g.floats("embedding.weight", E.f32, E.shape);
  const x = g.op1("Transpose", [g.op1("Gather", [emb, ids], { axis: { i: 0 } })], { perm: { ints: [1, 0, 2] } }, "embedded"); // [T, B, E]
  const s = recurrentStack(g, rnn, { x, lengths });

  let pooled: string; // [B, D·P]
  if (c.pooling === "final") {
    const last = g.op1("Slice", [s.hN, g.ints([(L - 1) * D]), g.ints([L * D]), g.ints([0])]); // [D, B, P]
    pooled = g.op1("Reshape", [g.op1("Transpose", [last], { perm: { ints: [1, 0, 2] } }), g.ints([0, -1])]);
  } else {
    const mask = timeMask(g, s.y, 0, lengths); // [T, B, 1]
    if (c.pooling === "mean") {
      const sum = g.op1("ReduceSum", [g.op1("Mul", [s.y, g.op1("Cast", [mask], { to: { i: DataType.FLOAT } })]), g.ints([0])], { keepdims: { i: 0 } });
      const inv = g.op1("Reciprocal", [g.op1("Unsqueeze", [g.op1("Cast", [lengths], { to: { i: DataType.FLOAT } }), g.ints([1])])]); // [B, 1]
      pooled = g.op1("Mul", [sum, inv]);
    } else {
      const floor = g.floats("neg_inf", new Float32Array([-1e30]), []);
      pooled = g.op1("ReduceMax", [g.op1("Where", [mask, s.y, floor])], { axes: { ints: [0] }, keepdims: { i: 0 } });
    }
  }
  const W = model.classifier.weight;
  const gemmIn = [pooled, g.floats("classifier.weight", W.f32, W.shape)];
  if (model.classifier.bias) gemmIn.push(g.floats("classifier.bias", model.classifier.bias.f32, model.classifier.bias.shape));
  const logits = g.op1("Gemm", gemmIn, { transB: { i: 1 } });
  g.output("logits", logits, DataType.FLOAT, ["batch", c.numClasses], "class logits [B, classes] (labels in metadata_props)");
  g.output("probs", g.op1("Softmax", [logits], { axis: { i: 1 } }), DataType.FLOAT, ["batch", c.numClasses], "class probabilities [B, classes]");
}
