import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `train-classifier` writes by default (and `classify` looks first). */
export const DEFAULT_CLASSIFIER_PATH = join("runs", "classifier", "model.safetensors");

/** The IMDB BiLSTM that ships in the package (models/imdb-bilstm/, see its MODEL_CARD.md). */
export const SHIPPED_MODEL = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "models", "imdb-bilstm", "model.safetensors");

/** The user's own trained classifier if there is one, else the shipped IMDB model. */
export function shippedModelPath(): string {
  return existsSync(DEFAULT_CLASSIFIER_PATH) ? DEFAULT_CLASSIFIER_PATH : SHIPPED_MODEL;
}
