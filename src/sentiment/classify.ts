import { encodeDataset } from "../data/sentiment/batching.js";
import { tokenize } from "../data/text/tokenize.js";
import type { ClassifierBundle } from "../io/checkpoint.js";
import { predictProba } from "./evaluate.js";

export interface Prediction {
  text: string;
  label: string;
  prob: number;
  probs: Record<string, number>;
  /** Share of the text's words the model knows (low → treat the prediction with care). */
  known: number;
}

/** Label and probability for each text, with the model's own text pipeline. */
export function classifyTexts(b: ClassifierBundle, texts: readonly string[]): Prediction[] {
  if (texts.length === 0) return [];
  const toks = texts.map((t) => tokenize(t, b.pipeline.tokenize));
  const data = encodeDataset(toks, new Int32Array(texts.length), b.vocab, { maxLen: b.pipeline.maxLen, truncate: b.pipeline.truncate });
  const P = predictProba(b.model, data, 64);
  const C = b.labels.length;
  return texts.map((text, i) => {
    let arg = 0;
    for (let c = 1; c < C; c++) if (P[i * C + c]! > P[i * C + arg]!) arg = c;
    const probs = Object.fromEntries(b.labels.map((l, c) => [l, P[i * C + c]!]));
    const t = toks[i]!;
    const known = t.length ? t.filter((w) => b.vocab.has(w)).length / t.length : 0;
    return { text, label: b.labels[arg]!, prob: P[i * C + arg]!, probs, known };
  });
}
