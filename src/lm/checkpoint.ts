import { LmVocab } from "../data/corpus/vocab.js";
import { readCheckpoint, saveCheckpoint } from "../io/checkpoint.js";
import { LanguageModel, type LanguageModelConfig } from "../models/language-model.js";

export const LM_KIND = "language-model";

/** Save a language model with its vocabulary (one safetensors file, PyTorch names). */
export function saveLm(path: string, model: LanguageModel, vocab: LmVocab, info: Record<string, unknown> = {}): void {
  saveCheckpoint(path, model, { kind: LM_KIND, config: model.config, vocab: vocab.toJSON(), info });
}

/** Load a language model and its vocabulary; checks that they agree. */
export function loadLm(path: string): { model: LanguageModel; vocab: LmVocab; info: Record<string, unknown> } {
  const { tensors, meta } = readCheckpoint(path, LM_KIND);
  const config = meta.config as LanguageModelConfig;
  const vocab = LmVocab.fromJSON(meta.vocab);
  if (vocab.size !== config.vocabSize)
    throw new Error(`${path}: the vocabulary has ${vocab.size} tokens but the model's embedding has ${config.vocabSize} rows (the checkpoint is inconsistent)`);
  const model = new LanguageModel(config);
  model.loadStateDict(tensors);
  model.eval();
  return { model, vocab, info: meta.info ?? {} };
}
