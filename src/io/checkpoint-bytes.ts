/**
 * Checkpoints as bytes — the one checkpoint layer of rnnkit, without the file system, so browsers
 * (which get a checkpoint from fetch or a file picker) share exactly the code and checks that
 * Node uses when it reads a file (./checkpoint.ts adds the files). It knows the two model kinds
 * rnnkit trains: language models (`lmToBytes` / `loadLmFromBytes`) and sequence classifiers
 * (`classifierToBytes` / `loadClassifierFromBytes`).
 */
import type { TruncateMode } from "../data/text/sequence.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import { type LmVocabulary, Vocabulary } from "../data/text/vocabulary.js";
import { checkLanguageModelCheckpoint, checkTextClassifierCheckpoint } from "../models/checkpoint-config.js";
import { AwdLstm } from "../models/awd-lstm.js";
import { AWD_ARCHITECTURE, checkAwdLstmCheckpoint, isAwdConfig } from "../models/awd-checkpoint.js";
import { LanguageModel, type LanguageModelConfig } from "../models/language-model.js";
import { type TextClassifier, buildTextClassifier, textClassifierConfig } from "../models/text-classifier.js";
import { CheckpointError } from "../errors.js";
import { checkLabels, checkPipeline } from "./checkpoint-check.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { load, save } from "./safetensors.js";

/**
 * rnnkit checkpoints are plain safetensors files: the tensors are the model's stateDict() under
 * PyTorch's names (so `safetensors.torch.load_file` + `model.load_state_dict` works in Python),
 * and `__metadata__` carries `format: "pt"` plus one JSON string, `rnnkit`, with what is needed
 * to rebuild the model: its kind, config, vocabulary, labels and training info.
 */
export interface CheckpointMeta {
  format: "rnnkit.checkpoint";
  version: 1;
  kind: string;
  config: unknown;
  vocab?: unknown;
  labels?: string[];
  info?: Record<string, unknown>;
}

/** The bytes of a checkpoint file for `model` (what saveCheckpoint writes). */
export function encodeCheckpoint(model: Module, meta: Omit<CheckpointMeta, "format" | "version">): Uint8Array {
  const full: CheckpointMeta = { format: "rnnkit.checkpoint", version: 1, ...meta };
  return save(model.stateDict(), { format: "pt", rnnkit: JSON.stringify(full) });
}

/**
 * Parse checkpoint bytes. `where` names the source in errors (a path, a URL, "checkpoint bytes");
 * `expectKind` rejects a checkpoint of another model kind.
 */
export function decodeCheckpoint(bytes: Uint8Array, where: string, expectKind?: string): { tensors: Record<string, Tensor>; meta: CheckpointMeta } {
  const { tensors, metadata } = load(bytes);
  const raw = metadata.rnnkit;
  if (!raw) throw new CheckpointError(`${where}: a safetensors file without rnnkit metadata (hint: it holds weights only; load them with model.loadStateDict(safetensors.load(bytes).tensors))`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(raw) as CheckpointMeta;
  } catch {
    throw new CheckpointError(`${where}: the rnnkit metadata is not valid JSON (the file is damaged)`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new CheckpointError(`${where}: the rnnkit metadata must be a JSON object, got ${JSON.stringify(meta)} (the file is damaged)`);
  if (meta.format !== "rnnkit.checkpoint") throw new CheckpointError(`${where}: unknown metadata format ${JSON.stringify(meta.format) ?? "(none)"}`);
  if (typeof meta.kind !== "string") throw new CheckpointError(`${where}: the metadata names no model kind (kind: ${JSON.stringify(meta.kind) ?? "absent"})`);
  if (expectKind && meta.kind !== expectKind) throw new CheckpointError(`${where}: holds a ${meta.kind}, expected a ${expectKind}`);
  if (meta.info !== undefined && (typeof meta.info !== "object" || meta.info === null || Array.isArray(meta.info))) throw new CheckpointError(`${where}: metadata info must be an object, got ${JSON.stringify(meta.info)}`);
  return { tensors, meta };
}

/** Rebuild the vocabulary stored in a checkpoint's metadata; its own errors become a CheckpointError naming the file. */
export function vocabFrom<V>(where: string, fromJSON: () => V): V {
  try {
    return fromJSON();
  } catch (e) {
    throw new CheckpointError(`${where}: the vocabulary in the metadata is unusable: ${(e as Error).message}`);
  }
}

/** The model's weights into `model`, in eval mode: the last step of every kind's rebuild. */
function rebuilt<M extends Module>(model: M, tensors: Record<string, Tensor>): M {
  model.loadStateDict(tensors);
  model.eval();
  return model;
}

// ---- language models

export const LM_KIND = "language-model";

/** A language model ready for predictNext / scoreText / generate (in eval mode). */
export interface LoadedLm {
  model: LanguageModel;
  vocab: LmVocabulary;
  info: Record<string, unknown>;
}

/** A language model of either architecture (loadAnyLm): what the LM tools (RecurrentLm) take. */
export interface LoadedAnyLm {
  model: LanguageModel | AwdLstm;
  vocab: LmVocabulary;
  info: Record<string, unknown>;
}

/** The bytes of a language-model checkpoint (what saveLm writes); e.g. to offer as a download. */
export function lmToBytes(model: LanguageModel | AwdLstm, vocab: LmVocabulary, info: Record<string, unknown> = {}): Uint8Array {
  // an AWD-LSTM's config says so (`architecture`); a plain LanguageModel's has no such field
  const config = model instanceof AwdLstm ? { architecture: AWD_ARCHITECTURE, ...model.config } : model.config;
  return encodeCheckpoint(model, { kind: LM_KIND, config, vocab: vocab.toJSON(), info });
}

/** Rebuild a model of either architecture from a decoded checkpoint; checks that vocabulary and embedding agree. */
export function anyLmFromCheckpoint(ckpt: { tensors: Record<string, Tensor>; meta: CheckpointMeta }, where: string): LoadedAnyLm {
  const { tensors, meta } = ckpt;
  // checked before anything is allocated from it
  const awd = isAwdConfig(meta.config);
  const config = awd ? checkAwdLstmCheckpoint(meta.config, tensors, where) : checkLanguageModelCheckpoint(meta.config, tensors, where);
  const vocab = vocabFrom(where, () => Vocabulary.fromJSON(meta.vocab));
  if (!vocab.hasTokenizer()) throw new CheckpointError(`${where}: the vocabulary has no tokenizer spec (a language-model checkpoint stores one; the file is damaged)`);
  if (vocab.size !== config.vocabSize)
    throw new CheckpointError(`${where}: the vocabulary has ${vocab.size} tokens but the model's embedding has ${config.vocabSize} rows (the checkpoint is inconsistent)`);
  const model = awd ? new AwdLstm(config) : new LanguageModel(config as Required<LanguageModelConfig>);
  return { model: rebuilt(model, tensors), vocab, info: meta.info ?? {} };
}

/** Rebuild a plain LanguageModel from a decoded checkpoint (an AWD-LSTM one is refused: anyLmFromCheckpoint). */
export function lmFromCheckpoint(ckpt: { tensors: Record<string, Tensor>; meta: CheckpointMeta }, where: string): LoadedLm {
  if (isAwdConfig(ckpt.meta.config)) throw new CheckpointError(`${where}: holds an AWD-LSTM language model (config.architecture "${AWD_ARCHITECTURE}"), not a plain LanguageModel (hint: load it with loadAnyLm / loadAnyLmFromBytes)`);
  const r = anyLmFromCheckpoint(ckpt, where);
  return { ...r, model: r.model as LanguageModel };
}

/** Load a language model from the bytes of its .safetensors checkpoint; `where` names it in errors. */
export function loadLmFromBytes(bytes: Uint8Array, where = "language-model checkpoint"): LoadedLm {
  return lmFromCheckpoint(decodeCheckpoint(bytes, where, LM_KIND), where);
}

/** Load a language model of either architecture (LanguageModel or AwdLstm) from checkpoint bytes. */
export function loadAnyLmFromBytes(bytes: Uint8Array, where = "language-model checkpoint"): LoadedAnyLm {
  return anyLmFromCheckpoint(decodeCheckpoint(bytes, where, LM_KIND), where);
}

// ---- sequence classifiers

export const CLASSIFIER_KIND = "sequence-classifier";

/** How raw text becomes ids for this model; saved with it so `classify` cuts text identically. */
export interface TextPipeline {
  tokenize: TokenizeOptions;
  maxLen: number;
  truncate: TruncateMode;
}

export interface ClassifierBundle {
  /** A SequenceClassifier (embedding → (Bi)LSTM …) or an LmClassifier (a language model's encoder, ULMFiT). */
  model: TextClassifier;
  vocab: Vocabulary;
  labels: string[];
  pipeline: TextPipeline;
  info: Record<string, unknown>;
}

/** The bytes of a classifier checkpoint (what saveClassifier writes); e.g. to offer as a download. */
export function classifierToBytes(b: Omit<ClassifierBundle, "info"> & { info?: Record<string, unknown> }): Uint8Array {
  return encodeCheckpoint(b.model, { kind: CLASSIFIER_KIND, config: { model: textClassifierConfig(b.model), pipeline: b.pipeline }, vocab: b.vocab.toJSON(), labels: b.labels, info: b.info ?? {} });
}

/** Rebuild a classifier from a decoded checkpoint; checks vocabulary, embedding and labels agree. */
export function classifierFromCheckpoint(ckpt: { tensors: Record<string, Tensor>; meta: CheckpointMeta }, where: string): ClassifierBundle {
  const { tensors, meta } = ckpt;
  const cfg = meta.config as { model: unknown; pipeline: unknown } | null;
  if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw new CheckpointError(`${where}: the config must be a JSON object {model, pipeline}, got ${JSON.stringify(cfg) ?? "nothing"} (the file is damaged or not an rnnkit checkpoint)`);
  const model = checkTextClassifierCheckpoint(cfg.model, tensors, where); // before anything is allocated from it
  const pipeline = checkPipeline(cfg.pipeline, where);
  const vocab = vocabFrom(where, () => Vocabulary.fromJSON(meta.vocab));
  if (vocab.size !== model.vocabSize) throw new CheckpointError(`${where}: the vocabulary has ${vocab.size} words but the embedding has ${model.vocabSize} rows (the checkpoint is inconsistent)`);
  const labels = checkLabels(meta.labels ?? [], model.numClasses, where);
  return { model: rebuilt(buildTextClassifier(model), tensors), vocab, labels, pipeline, info: meta.info ?? {} };
}

/** Load a classifier from the bytes of its .safetensors checkpoint; `where` names it in errors. */
export function loadClassifierFromBytes(bytes: Uint8Array, where = "classifier checkpoint"): ClassifierBundle {
  return classifierFromCheckpoint(decodeCheckpoint(bytes, where, CLASSIFIER_KIND), where);
}
