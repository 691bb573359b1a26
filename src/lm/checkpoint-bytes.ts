/**
 * Language-model checkpoints as bytes, without the file system: a browser fetches the
 * .safetensors file and calls loadLmFromBytes; ./checkpoint.ts (Node) reads the file and calls
 * the same lmFromCheckpoint, so both check and rebuild a checkpoint identically.
 */
import { LmVocab } from "../data/corpus/vocab.js";
import { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint, vocabFrom } from "../io/checkpoint-bytes.js";
import { CheckpointError } from "../errors.js";
import { checkLanguageModelCheckpoint } from "../models/checkpoint-config.js";
import { AwdLstm } from "../models/awd-lstm.js";
import { AWD_ARCHITECTURE, checkAwdLstmCheckpoint, isAwdConfig } from "../models/awd-checkpoint.js";
import { LanguageModel, type LanguageModelConfig } from "../models/language-model.js";
import type { Tensor } from "../tensor/tensor.js";

export const LM_KIND = "language-model";

/** A language model ready for predictNext / scoreText / generate (in eval mode). */
export interface LoadedLm {
  model: LanguageModel;
  vocab: LmVocab;
  info: Record<string, unknown>;
}

/** A language model of either architecture (loadAnyLm): what the LM tools (RecurrentLm) take. */
export interface LoadedAnyLm {
  model: LanguageModel | AwdLstm;
  vocab: LmVocab;
  info: Record<string, unknown>;
}

/** The bytes of a language-model checkpoint (what saveLm writes); e.g. to offer as a download. */
export function lmToBytes(model: LanguageModel | AwdLstm, vocab: LmVocab, info: Record<string, unknown> = {}): Uint8Array {
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
  const vocab = vocabFrom(where, () => LmVocab.fromJSON(meta.vocab));
  if (vocab.size !== config.vocabSize)
    throw new CheckpointError(`${where}: the vocabulary has ${vocab.size} tokens but the model's embedding has ${config.vocabSize} rows (the checkpoint is inconsistent)`);
  const model = awd ? new AwdLstm(config) : new LanguageModel(config as Required<LanguageModelConfig>);
  model.loadStateDict(tensors);
  model.eval();
  return { model, vocab, info: meta.info ?? {} };
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
