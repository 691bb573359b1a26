import { encodeDataset, makeBatches } from "../data/sentiment/batching.js";
import { classifierProba } from "../models/classifier-step.js";
import { SequenceClassifier } from "../models/sequence-classifier.js";
import { noGrad } from "../tensor/tensor.js";
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

/**
 * Class probabilities [N, C] in input order, batches of up to `batchSize` texts of similar length
 * (little padding), through the inference path (models/classifier-step.ts: no autograd, no
 * layout copies); a model that path does not know goes through predictProba (model.forward).
 */
function probabilities(b: ClassifierBundle, ids: Int32Array[], batchSize: number): Float32Array {
  const C = b.labels.length;
  const out = new Float32Array(ids.length * C);
  const model = b.model;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      for (const batch of makeBatches({ ids, labels: new Int32Array(ids.length) }, { batchSize, shuffle: false, bucket: true, poolBatches: 1e9 })) {
        const p = model instanceof SequenceClassifier ? classifierProba(model, batch.ids, batch.B, batch.T, batch.lengths) : null;
        if (!p) return predictProba(model, { ids, labels: new Int32Array(ids.length) }, batchSize);
        for (let r = 0; r < batch.B; r++) out.set(p.subarray(r * C, (r + 1) * C), batch.indices[r]! * C);
      }
      return out;
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Label and probability for each text, with the model's own text pipeline. */
export function classifyTexts(b: ClassifierBundle, texts: readonly string[]): Prediction[] {
  if (texts.length === 0) return [];
  const toks = texts.map((t) => tokenize(t, b.pipeline.tokenize));
  const data = encodeDataset(toks, new Int32Array(texts.length), b.vocab, { maxLen: b.pipeline.maxLen, truncate: b.pipeline.truncate });
  const P = probabilities(b, data.ids, 64);
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
