/**
 * Classifier checkpoints as bytes, without the file system: a browser fetches the .safetensors
 * file (e.g. models/imdb-bilstm/model.safetensors) and calls loadClassifierFromBytes;
 * ./checkpoint.ts (Node) reads the file and calls the same classifierFromCheckpoint, so both
 * check and rebuild a checkpoint identically.
 */
import type { TruncateMode } from "../data/text/sequence.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import { Vocabulary } from "../data/text/vocabulary.js";
import { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint, vocabFrom } from "../io/checkpoint-bytes.js";
import { CheckpointError } from "../errors.js";
import { checkClassifierCheckpoint } from "../models/checkpoint-config.js";
import { checkLabels, checkPipeline } from "./checkpoint-check.js";
import { SequenceClassifier } from "../models/sequence-classifier.js";
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
  const cfg = meta.config as { model: unknown; pipeline: TextPipeline } | null;
  if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw new CheckpointError(`${where}: the config must be a JSON object {model, pipeline}, got ${JSON.stringify(cfg) ?? "nothing"} (the file is damaged or not an rnnkit checkpoint)`);
  const model = checkClassifierCheckpoint(cfg.model, tensors, where); // before anything is allocated from it
  const pipeline = checkPipeline(cfg.pipeline, where);
  const vocab = vocabFrom(where, () => Vocabulary.fromJSON(meta.vocab));
  if (vocab.size !== model.vocabSize) throw new CheckpointError(`${where}: the vocabulary has ${vocab.size} words but the embedding has ${model.vocabSize} rows (the checkpoint is inconsistent)`);
  const labels = checkLabels(meta.labels ?? [], model.numClasses, where);
  const net = new SequenceClassifier(model);
  net.loadStateDict(tensors);
  net.eval();
  return { model: net, vocab, labels, pipeline, info: meta.info ?? {} };
}

/** Load a classifier from the bytes of its .safetensors checkpoint; `where` names it in errors. */
export function loadClassifierFromBytes(bytes: Uint8Array, where = "classifier checkpoint"): ClassifierBundle {
  return classifierFromCheckpoint(decodeCheckpoint(bytes, where, CLASSIFIER_KIND), where);
}
