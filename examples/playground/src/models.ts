/**
 * Which model files the views load: models.json next to the page (written by
 * scripts/build-playground.mjs from examples/playground/models.json, whose paths are relative to
 * the repository). Swapping in a better sentiment model is an edit of that file, not of the code.
 */
import { fetchBytes } from "./dom.js";
import * as rk from "./rnnkit.js";

export interface ModelEntry {
  /** Path of the .safetensors file, relative to the page. */
  file: string;
  /** One line for the page: what the model is and how good. */
  about: string;
}

export interface ModelsConfig {
  languageModel: ModelEntry;
  unidirectional: ModelEntry;
  bidirectional: ModelEntry;
  /** The corpus the in-page training and the gradient view read (Moby-Dick). */
  corpus: string;
}

let config: Promise<ModelsConfig> | null = null;
export function modelsConfig(): Promise<ModelsConfig> {
  config ??= fetch("models.json").then(async (r) => {
    if (!r.ok) throw new Error(`could not fetch models.json: HTTP ${r.status}`);
    return (await r.json()) as ModelsConfig;
  });
  return config;
}

let lm: Promise<rk.LoadedLm & { bytes: number }> | null = null;
/** The word-level Moby-Dick language model (loaded once, shared by the next-word and LSTM views). */
export function languageModel(): Promise<rk.LoadedLm & { bytes: number }> {
  lm ??= (async () => {
    const c = await modelsConfig();
    const bytes = await fetchBytes(c.languageModel.file);
    return { ...rk.loadLmFromBytes(bytes, c.languageModel.file), bytes: bytes.length };
  })();
  return lm;
}

const classifiers = new Map<string, Promise<rk.ClassifierBundle>>();
/** A sentiment classifier by its models.json role. */
export function classifier(role: "unidirectional" | "bidirectional"): Promise<rk.ClassifierBundle> {
  let p = classifiers.get(role);
  if (!p) {
    p = (async () => {
      const c = await modelsConfig();
      return rk.loadClassifierFromBytes(await fetchBytes(c[role].file), c[role].file);
    })();
    classifiers.set(role, p);
  }
  return p;
}

let corpus: Promise<string> | null = null;
export function corpusText(): Promise<string> {
  corpus ??= (async () => new TextDecoder().decode(await fetchBytes((await modelsConfig()).corpus)))();
  return corpus;
}
