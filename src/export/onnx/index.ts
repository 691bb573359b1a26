/**
 * ONNX export of rnnkit models: language models and sequence classifiers become self-describing
 * .onnx files (opset 17, IR 8) that ONNX Runtime and other runtimes run without rnnkit.
 *
 *   const onnx = lmToOnnx(loadLm("runs/lm/model.safetensors"));       // Uint8Array
 *   const onnx2 = checkpointToOnnx(readFileSync("model.safetensors")); // either kind
 *
 * Graph layouts: ./language-model.ts, ./awd-lstm.ts and ./classifier.ts; recurrent layers:
 * ./recurrent.ts; metadata_props: ./metadata.ts.
 */
import { createRequire } from "node:module";
import { CLASSIFIER_KIND, type ClassifierBundle, LM_KIND, type LoadedLm, classifierFromCheckpoint, decodeCheckpoint, anyLmFromCheckpoint } from "../../io/checkpoint-bytes.js";
import { AwdLstm } from "../../models/awd-lstm.js";
import type { LanguageModel } from "../../models/language-model.js";
import { awdLstmGraph } from "./awd-lstm.js";
import { classifierGraph } from "./classifier.js";
import { GraphBuilder } from "./graph.js";
import { languageModelGraph } from "./language-model.js";
import { awdMetadata, classifierMetadata, lmMetadata, type MetadataProps } from "./metadata.js";
import { DataType, IR_VERSION, OPSET, encodeModel } from "./proto.js";
import { recurrentStack } from "./recurrent.js";
import { SequenceClassifier } from "../../models/sequence-classifier.js";
import { CheckpointError } from "../../errors.js";
import type { RecurrentBase } from "../../nn/recurrent.js";

export { decodeModel, OPSET as ONNX_OPSET, IR_VERSION as ONNX_IR_VERSION } from "./proto.js";

function version(): string {
  try {
    return (createRequire(import.meta.url)("../../../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function model(g: GraphBuilder, doc: string, metadata: MetadataProps): Uint8Array {
  return encodeModel({
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: OPSET }],
    producer_name: "rnnkit",
    producer_version: version(),
    domain: "rnnkit",
    model_version: 1,
    doc_string: doc,
    graph: g.toGraph(doc),
    metadata_props: metadata,
  });
}

/**
 * A language model (and its vocabulary) as .onnx bytes: a LanguageModel (inputs and outputs in
 * ./language-model.ts) or an AwdLstm (per-layer states, ./awd-lstm.ts).
 */
export function lmToOnnx(lm: Omit<LoadedLm, "model" | "info"> & { model: LanguageModel | AwdLstm; info?: Record<string, unknown> }): Uint8Array {
  if (lm.model instanceof AwdLstm) return awdLmToOnnx(lm.model, lm.vocab, lm.info ?? {});
  const g = new GraphBuilder("rnnkit_language_model");
  languageModelGraph(g, lm.model);
  const c = lm.model.config;
  const doc = `rnnkit ${c.cell} language model (${c.numLayers} layer(s), hidden ${c.hiddenSize}, vocabulary ${c.vocabSize}${c.tieWeights ? ", tied" : ""}). tokens int64 [T, B] + h0${c.cell === "LSTM" ? "/c0" : ""} → logits [T, B, V], h_n${c.cell === "LSTM" ? "/c_n" : ""}.`;
  return model(g, doc, lmMetadata(LM_KIND, lm.model, lm.vocab, lm.info ?? {}));
}

function awdLmToOnnx(m: AwdLstm, vocab: LoadedLm["vocab"], info: Record<string, unknown>): Uint8Array {
  const g = new GraphBuilder("rnnkit_awd_lstm_language_model");
  awdLstmGraph(g, m);
  const c = m.config;
  const L = m.numLayers;
  const out = c.adaptiveSoftmax ? "log-probabilities [T, B, V] (adaptive softmax)" : "logits [T, B, V]";
  const doc = `rnnkit AWD-LSTM language model (${L} LSTM layer(s) of ${c.hiddenSizes.join(", ")}, embedding ${c.embeddingDim}, vocabulary ${c.vocabSize}${c.tieWeights ? `, tied${m.proj ? " through a linear projection" : m.rnns.at(L - 1).projSize ? " through the top LSTM's projection" : ""}` : ""}). tokens int64 [T, B] + h0_l0/c0_l0 … h0_l${L - 1}/c0_l${L - 1} [1, B, size] → ${out}, h_n_l0/c_n_l0 ….`;
  return model(g, doc, awdMetadata(LM_KIND, m, vocab, info));
}

/** A sequence classifier bundle as .onnx bytes; see ./classifier.ts for inputs and outputs. */
export function classifierToOnnx(b: Omit<ClassifierBundle, "info"> & { info?: Record<string, unknown> }): Uint8Array {
  if (!(b.model instanceof SequenceClassifier))
    throw new CheckpointError(`classifierToOnnx: ONNX export knows SequenceClassifier models (--arch lstm/gru/rnn, uni- or bidirectional), got a ${b.model.constructor.name} (a classifier fine-tuned from a language model, --from-lm); its concat-pooling head is not exported yet (hint: serve it over HTTP with rnnkit serve, or use it from Node or the browser with loadClassifier)`);
  const g = new GraphBuilder("rnnkit_sequence_classifier");
  classifierGraph(g, b.model);
  const c = b.model.config;
  const doc = `rnnkit ${c.bidirectional ? "bidirectional " : ""}${c.cell} classifier (${c.numLayers} layer(s), hidden ${c.hiddenSize}, ${c.pooling} pooling; labels ${b.labels.join(", ")}). ids int64 [B, T] + lengths int64 [B] → logits, probs [B, ${c.numClasses}].`;
  return model(g, doc, classifierMetadata(CLASSIFIER_KIND, b.model, b.vocab, b.labels, b.pipeline, b.info ?? {}));
}

/** The model kinds checkpointToOnnx exports. */
export const ONNX_EXPORTABLE_KINDS: readonly string[] = [LM_KIND, CLASSIFIER_KIND];

/** The .onnx bytes for the bytes of any rnnkit checkpoint (.safetensors); `where` names it in errors. */
export function checkpointToOnnx(bytes: Uint8Array, where = "checkpoint"): { onnx: Uint8Array; kind: string } {
  const ckpt = decodeCheckpoint(bytes, where);
  const kind = ckpt.meta.kind;
  if (kind === LM_KIND) return { onnx: lmToOnnx(anyLmFromCheckpoint(ckpt, where)), kind };
  if (kind === CLASSIFIER_KIND) return { onnx: classifierToOnnx(classifierFromCheckpoint(ckpt, where)), kind };
  throw new CheckpointError(`${where}: ONNX export knows ${ONNX_EXPORTABLE_KINDS.join(" and ")} checkpoints, got a ${kind}`);
}

/**
 * A bare recurrent layer (nn.RNN / nn.LSTM / nn.GRU, any depth, direction and projection) as .onnx
 * bytes, with PyTorch's layouts: x float [T, B, I] ([B, T, I] with batchFirst), h0 [L·D, B, P],
 * c0 [L·D, B, H] (LSTM) → y [T, B, D·P] ([B, T, D·P]), h_n, c_n. `lengths: true` adds an int64 [B]
 * input of true lengths (packed-sequence semantics).
 */
export function recurrentToOnnx(rnn: RecurrentBase, opts: { lengths?: boolean } = {}): Uint8Array {
  const g = new GraphBuilder("rnnkit_recurrent");
  const L = rnn.numLayers * rnn.numDirections;
  const P = rnn.outSize;
  const H = rnn.hiddenSize;
  const lstm = rnn.mode === "LSTM";
  const xDims = rnn.batchFirst ? ["batch", "time", rnn.inputSize] : ["time", "batch", rnn.inputSize];
  const xIn = g.input("x", DataType.FLOAT, xDims, `input ${rnn.batchFirst ? "[B, T, I]" : "[T, B, I]"}`);
  const lengths = opts.lengths ? g.input("lengths", DataType.INT64, ["batch"], "true lengths [B], any order") : null;
  const h0 = g.input("h0", DataType.FLOAT, [L, "batch", P], "initial hidden state [layers·directions, B, P]");
  const c0 = lstm ? g.input("c0", DataType.FLOAT, [L, "batch", H], "initial cell state [layers·directions, B, H]") : null;
  const x = rnn.batchFirst ? g.op1("Transpose", [xIn], { perm: { ints: [1, 0, 2] } }) : xIn;
  const s = recurrentStack(g, rnn, { x, lengths, h0, c0 });
  const y = rnn.batchFirst ? g.op1("Transpose", [s.y], { perm: { ints: [1, 0, 2] } }) : s.y;
  const F = rnn.numDirections * P;
  g.output("y", y, DataType.FLOAT, rnn.batchFirst ? ["batch", "time", F] : ["time", "batch", F], "outputs of the last layer");
  g.output("h_n", s.hN, DataType.FLOAT, [L, "batch", P], "final hidden states");
  if (s.cN) g.output("c_n", s.cN, DataType.FLOAT, [L, "batch", H], "final cell states");
  return model(g, `rnnkit ${rnn.mode} layer`, []);
}
