/**
 * Language-model checkpoints as bytes, without the file system: a browser fetches the
 * .safetensors file and calls loadLmFromBytes; ./checkpoint.ts (Node) reads the file and calls
 * the same lmFromCheckpoint, so both check and rebuild a checkpoint identically.
 */
import { LmVocab } from "../data/corpus/vocab.js";
import { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint } from "../io/checkpoint-bytes.js";
import { AwdLstm, type AwdLstmConfig } from "../models/awd-lstm.js";
import { LanguageModel, type LanguageModelConfig } from "../models/language-model.js";
import type { Tensor } from "../tensor/tensor.js";

export const LM_KIND = "language-model";
/** `config.architecture` of an AwdLstm checkpoint. */
export const AWD_ARCHITECTURE = "awd-lstm";

/** A language model ready for predictNext / scoreText / generate (in eval mode). */
export interface LoadedLm {
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

/** Rebuild a model from a decoded checkpoint; checks that vocabulary and embedding agree. */
export function lmFromCheckpoint(ckpt: { tensors: Record<string, Tensor>; meta: CheckpointMeta }, where: string): LoadedLm {
  const { tensors, meta } = ckpt;
  const config = meta.config as (LanguageModelConfig | AwdLstmConfig) & { architecture?: string };
  const vocab = LmVocab.fromJSON(meta.vocab);
  if (vocab.size !== config.vocabSize)
    throw new Error(`${where}: the vocabulary has ${vocab.size} tokens but the model's embedding has ${config.vocabSize} rows (the checkpoint is inconsistent)`);
  const model = config.architecture === AWD_ARCHITECTURE ? new AwdLstm(config as AwdLstmConfig) : new LanguageModel(config as LanguageModelConfig);
  model.loadStateDict(tensors);
  model.eval();
  return { model, vocab, info: meta.info ?? {} };
}

/** Load a language model from the bytes of its .safetensors checkpoint; `where` names it in errors. */
export function loadLmFromBytes(bytes: Uint8Array, where = "language-model checkpoint"): LoadedLm {
  return lmFromCheckpoint(decodeCheckpoint(bytes, where, LM_KIND), where);
}
