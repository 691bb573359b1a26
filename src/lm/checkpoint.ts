import type { LmVocab } from "../data/corpus/vocab.js";
import { readCheckpoint, writeFileAtomic } from "../io/checkpoint.js";
import type { AwdLstm } from "../models/awd-lstm.js";
import type { LanguageModel } from "../models/language-model.js";
import { LM_KIND, type LoadedAnyLm, type LoadedLm, anyLmFromCheckpoint, lmFromCheckpoint, lmToBytes } from "./checkpoint-bytes.js";

// Byte-level (browser-safe) loading and saving live in ./checkpoint-bytes.ts.
export { LM_KIND, type LoadedAnyLm, type LoadedLm, lmToBytes, loadAnyLmFromBytes, loadLmFromBytes } from "./checkpoint-bytes.js";

/** Save a language model with its vocabulary (one safetensors file, PyTorch names). */
export function saveLm(path: string, model: LanguageModel | AwdLstm, vocab: LmVocab, info: Record<string, unknown> = {}): void {
  writeFileAtomic(path, lmToBytes(model, vocab, info));
}

/** Load a language model and its vocabulary; checks that they agree. */
export function loadLm(path: string): LoadedLm {
  return lmFromCheckpoint(readCheckpoint(path, LM_KIND), path);
}

/** Load a language model of either architecture (LanguageModel or AwdLstm) and its vocabulary. */
export function loadAnyLm(path: string): LoadedAnyLm {
  return anyLmFromCheckpoint(readCheckpoint(path, LM_KIND), path);
}
