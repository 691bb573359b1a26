import { Vocabulary } from "../data/text/vocabulary.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import type { TruncateMode } from "../data/text/sequence.js";
import { readCheckpoint, saveCheckpoint } from "../io/checkpoint.js";
import { SequenceClassifier, type SequenceClassifierConfig } from "../models/sequence-classifier.js";

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

export function saveClassifier(path: string, b: Omit<ClassifierBundle, "info"> & { info?: Record<string, unknown> }): void {
  saveCheckpoint(path, b.model, { kind: CLASSIFIER_KIND, config: { model: b.model.config, pipeline: b.pipeline }, vocab: b.vocab.toJSON(), labels: b.labels, info: b.info ?? {} });
}

export function loadClassifier(path: string): ClassifierBundle {
  const { tensors, meta } = readCheckpoint(path, CLASSIFIER_KIND);
  const cfg = meta.config as { model: SequenceClassifierConfig; pipeline: TextPipeline };
  const vocab = Vocabulary.fromJSON(meta.vocab);
  const labels = meta.labels ?? [];
  if (vocab.size !== cfg.model.vocabSize) throw new Error(`${path}: the vocabulary has ${vocab.size} words but the embedding has ${cfg.model.vocabSize} rows (the checkpoint is inconsistent)`);
  if (labels.length !== cfg.model.numClasses) throw new Error(`${path}: ${labels.length} label names for ${cfg.model.numClasses} classes`);
  const model = new SequenceClassifier(cfg.model);
  model.loadStateDict(tensors);
  model.eval();
  return { model, vocab, labels, pipeline: cfg.pipeline, info: meta.info ?? {} };
}
