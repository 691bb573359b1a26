import { LmClassifier, type LmClassifierConfig } from "./lm-classifier.js";
import { SequenceClassifier, type SequenceClassifierConfig } from "./sequence-classifier.js";

/**
 * Every model rnnkit classifies texts with: right-padded ids [B, T] + lengths [B] → logits [B, C].
 * - SequenceClassifier: embedding → (Bi)RNN/LSTM/GRU → final/mean/max pooling → linear;
 * - LmClassifier: a language model's encoder → concat pooling → two-layer head (ULMFiT).
 */
export type TextClassifier = SequenceClassifier | LmClassifier;

/** How a classifier's config is stored in a checkpoint: `arch` tells which model to rebuild. */
export type TextClassifierConfig = (SequenceClassifierConfig & { arch?: "sequence-classifier" }) | (LmClassifierConfig & { arch: "lm-classifier" });

/** The stored config of a classifier: an LmClassifier's carries `arch`; a SequenceClassifier's is stored as it always was. */
export function textClassifierConfig(m: TextClassifier): TextClassifierConfig {
  return m instanceof LmClassifier ? { arch: "lm-classifier", ...m.config } : m.config;
}

/** Rebuild a classifier from a stored config (configs without `arch` are SequenceClassifiers, as all older checkpoints). */
export function buildTextClassifier(cfg: TextClassifierConfig): TextClassifier {
  if (cfg.arch === "lm-classifier") return new LmClassifier(withoutArch(cfg));
  return new SequenceClassifier(withoutArch(cfg));
}

/** One line about a classifier's architecture, for logs. */
export function describeClassifier(m: TextClassifier): string {
  if (m instanceof LmClassifier) {
    const c = m.config;
    return `LM classifier: embedding ${c.vocabSize.toLocaleString()} × ${c.embeddingDim}, LSTM ${c.hiddenSizes.join("/")}, concat pooling → ${c.headHidden} → ${c.numClasses}`;
  }
  const c = m.config;
  return `${c.bidirectional ? "Bi" : ""}${c.cell} ${c.numLayers}×${c.hiddenSize}, embedding ${c.vocabSize.toLocaleString()} × ${c.embeddingDim}, ${c.pooling} pooling → ${c.numClasses}`;
}

function withoutArch<T extends { arch?: string }>(cfg: T): Omit<T, "arch"> {
  const c: Partial<T> = { ...cfg };
  delete c.arch;
  return c as Omit<T, "arch">;
}
