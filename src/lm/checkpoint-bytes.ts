/**
 * Language-model checkpoints as bytes, without the file system: a browser fetches the
 * .safetensors file and calls loadLmFromBytes; ./checkpoint.ts (Node) reads the file and calls
 * the same lmFromCheckpoint, so both check and rebuild a checkpoint identically.
 */
import { LmVocab } from "../data/corpus/vocab.js";
import { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint, vocabFrom } from "../io/checkpoint-bytes.js";
import { CheckpointError } from "../errors.js";
import { checkLanguageModelCheckpoint } from "../models/checkpoint-config.js";
import { LanguageModel } from "../models/language-model.js";
import type { Tensor } from "../tensor/tensor.js";

export const LM_KIND = "language-model";

/** A language model ready for predictNext / scoreText / generate (in eval mode). */
export interface LoadedLm {
  model: LanguageModel;
  vocab: LmVocab;
  info: Record<string, unknown>;
}

/** The bytes of a language-model checkpoint (what saveLm writes); e.g. to offer as a download. */
export function lmToBytes(model: LanguageModel, vocab: LmVocab, info: Record<string, unknown> = {}): Uint8Array {
  return encodeCheckpoint(model, { kind: LM_KIND, config: model.config, vocab: vocab.toJSON(), info });
}

/** Rebuild a model from a decoded checkpoint; checks that vocabulary and embedding agree. */
export function lmFromCheckpoint(ckpt: { tensors: Record<string, Tensor>; meta: CheckpointMeta }, where: string): LoadedLm {
  const { tensors, meta } = ckpt;
  const config = checkLanguageModelCheckpoint(meta.config, tensors, where); // before anything is allocated from it
  const vocab = vocabFrom(where, () => LmVocab.fromJSON(meta.vocab));
  if (vocab.size !== config.vocabSize)
    throw new CheckpointError(`${where}: the vocabulary has ${vocab.size} tokens but the model's embedding has ${config.vocabSize} rows (the checkpoint is inconsistent)`);
  const model = new LanguageModel(config);
  model.loadStateDict(tensors);
  model.eval();
  return { model, vocab, info: meta.info ?? {} };
}

/** Load a language model from the bytes of its .safetensors checkpoint; `where` names it in errors. */
export function loadLmFromBytes(bytes: Uint8Array, where = "language-model checkpoint"): LoadedLm {
  return lmFromCheckpoint(decodeCheckpoint(bytes, where, LM_KIND), where);
}
