/**
 * Classifier checkpoints as bytes, without the file system: a browser fetches the .safetensors
 * file (e.g. models/imdb-bilstm/model.safetensors) and calls loadClassifierFromBytes;
 * ./checkpoint.ts (Node) reads the file and calls the same classifierFromCheckpoint, so both
 * check and rebuild a checkpoint identically.
 */
import type { TruncateMode } from "../data/text/sequence.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import { Vocabulary } from "../data/text/vocabulary.js";
import { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint } from "../io/checkpoint-bytes.js";
import { SequenceClassifier, type SequenceClassifierConfig } from "../models/sequence-classifier.js";
import type { Tensor } from "../tensor/tensor.js";

export const CLASSIFIER_KIND = "sequence-classifier";

/** How raw text becomes ids for this model; saved with it so `classify` cuts text identically. */
export interface TextPipeline {
  tokenize: TokenizeOptions;
  maxLen: number;
  truncate: TruncateMode;
}

export interface ClassifierBundle {
  model: SequenceClassifier;
  vocab: Vocabulary;
  labels: string[];
  pipeline: TextPipeline;
  info: Record<string, unknown>;
}

/** The bytes of a classifier checkpoint (what saveClassifier writes); e.g. to offer as a download. */
export function classifierToBytes(b: Omit<ClassifierBundle, "info"> & { info?: Record<string, unknown> }): Uint8Array {
  return encodeCheckpoint(b.model, { kind: CLASSIFIER_KIND, config: { model: b.model.config, pipeline: b.pipeline }, vocab: b.vocab.toJSON(), labels: b.labels, info: b.info ?? {} });
}

/** Rebuild a classifier from a decoded checkpoint; checks vocabulary, embedding and labels agree. */
export function classifierFromCheckpoint(ckpt: { tensors: Record<string, Tensor>; meta: CheckpointMeta }, where: string): ClassifierBundle {
  const { tensors, meta } = ckpt;
  const cfg = meta.config as { model: SequenceClassifierConfig; pipeline: TextPipeline };
  const vocab = Vocabulary.fromJSON(meta.vocab);
  const labels = meta.labels ?? [];
  if (vocab.size !== cfg.model.vocabSize) throw new Error(`${where}: the vocabulary has ${vocab.size} words but the embedding has ${cfg.model.vocabSize} rows (the checkpoint is inconsistent)`);
  if (labels.length !== cfg.model.numClasses) throw new Error(`${where}: ${labels.length} label names for ${cfg.model.numClasses} classes`);
  const model = new SequenceClassifier(cfg.model);
  model.loadStateDict(tensors);
  model.eval();
  return { model, vocab, labels, pipeline: cfg.pipeline, info: meta.info ?? {} };
}

/** Load a classifier from the bytes of its .safetensors checkpoint; `where` names it in errors. */
export function loadClassifierFromBytes(bytes: Uint8Array, where = "classifier checkpoint"): ClassifierBundle {
  return classifierFromCheckpoint(decodeCheckpoint(bytes, where, CLASSIFIER_KIND), where);
}
