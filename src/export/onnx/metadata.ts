/**
 * metadata_props of an exported model: everything needed to use the .onnx file without rnnkit —
 * the vocabulary in id order, the labels, and how text becomes ids — as JSON strings, plus the
 * whole rnnkit checkpoint metadata under "rnnkit" (the same JSON the .safetensors file carries).
 *
 *   key          language model                          classifier
 *   kind         "language-model"                        "sequence-classifier"
 *   vocab        JSON array, token of id i at [i]        same
 *   tokenizer    {level, wordStyle, lower, eos, unk}     {lowercase, stripHtml, …, maxLen, truncate}
 *   labels       —                                       JSON array, label of class c at [c]
 *   special_ids  {unk, eos} (−1 = none)                  {pad, unk}
 *   architecture {cell, layers, hidden, …}               same, with bidirectional and pooling
 *                (an AWD-LSTM's: {architecture: "awd-lstm", hiddenSizes, projection, adaptiveSoftmax, …})
 *   rnnkit       the checkpoint's metadata JSON          same
 */
import { type LmVocabulary, UNK_ID, type Vocabulary } from "../../data/text/vocabulary.js";
import type { AwdLstm } from "../../models/awd-lstm.js";
import type { LanguageModel } from "../../models/language-model.js";
import type { SequenceClassifier } from "../../models/sequence-classifier.js";
import type { TextPipeline } from "../../io/checkpoint-bytes.js";

export type MetadataProps = { key: string; value: string }[];
const props = (o: Record<string, unknown>): MetadataProps => Object.entries(o).map(([key, v]) => ({ key, value: typeof v === "string" ? v : JSON.stringify(v) }));

export function lmMetadata(kind: string, model: LanguageModel, vocab: LmVocabulary, info: Record<string, unknown>): MetadataProps {
  const c = model.config;
  return props({
    kind,
    vocab: vocab.tokens,
    tokenizer: { ...vocab.tokenizer, unk: vocab.unk },
    special_ids: { unk: vocab.unkId, eos: vocab.eosId },
    architecture: { cell: c.cell, layers: c.numLayers, embedding: c.embeddingDim, hidden: c.hiddenSize, projection: model.rnn.projSize, vocab: c.vocabSize, tied: c.tieWeights },
    rnnkit: { format: "rnnkit.checkpoint", version: 1, kind, config: c, vocab: vocab.toJSON(), info },
  });
}

/** `config.architecture` of an AWD-LSTM language-model checkpoint (a plain LanguageModel's config has none). */
export const AWD_ARCHITECTURE = "awd-lstm";

export function awdMetadata(kind: string, model: AwdLstm, vocab: LmVocabulary, info: Record<string, unknown>): MetadataProps {
  const c = model.config;
  const layers = model.rnns.items;
  return props({
    kind,
    vocab: vocab.tokens,
    tokenizer: { ...vocab.tokenizer, unk: vocab.unk },
    special_ids: { unk: vocab.unkId, eos: vocab.eosId },
    architecture: {
      architecture: AWD_ARCHITECTURE,
      cell: "LSTM",
      layers: layers.length,
      embedding: c.embeddingDim,
      hiddenSizes: c.hiddenSizes,
      stateSizes: layers.map((r) => r.outSize),
      projection: c.tieWeights && model.proj ? "linear" : layers[layers.length - 1]!.projSize > 0 ? "lstm" : null,
      vocab: c.vocabSize,
      tied: c.tieWeights,
      adaptiveSoftmax: c.adaptiveSoftmax,
      output: c.adaptiveSoftmax ? "log-probabilities" : "logits",
    },
    rnnkit: { format: "rnnkit.checkpoint", version: 1, kind, config: { architecture: AWD_ARCHITECTURE, ...c }, vocab: vocab.toJSON(), info },
  });
}

export function classifierMetadata(kind: string, model: SequenceClassifier, vocab: Vocabulary, labels: readonly string[], pipeline: TextPipeline, info: Record<string, unknown>): MetadataProps {
  const c = model.config;
  return props({
    kind,
    vocab: vocab.tokens,
    labels,
    tokenizer: { ...pipeline.tokenize, maxLen: pipeline.maxLen, truncate: pipeline.truncate },
    special_ids: { pad: c.paddingIdx, unk: UNK_ID },
    architecture: { cell: c.cell, layers: c.numLayers, embedding: c.embeddingDim, hidden: c.hiddenSize, projection: model.rnn.projSize, bidirectional: c.bidirectional, pooling: c.pooling, classes: c.numClasses },
    rnnkit: { format: "rnnkit.checkpoint", version: 1, kind, config: { model: c, pipeline }, vocab: vocab.toJSON(), labels, info },
  });
}
