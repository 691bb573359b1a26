import { encodeDataset, tokenizeAll } from "../data/sentiment/batching.js";
import { encodeLabels, labelSet } from "../data/sentiment/labels.js";
import type { Example } from "../data/sentiment/types.js";
import { type ClassificationReport, classificationReport } from "../eval/metrics.js";
import { mapLabels, toDatasetProbs } from "../transformers/labels.js";
import type { ClassifierBundle } from "../io/checkpoint.js";
import { argmaxRows, evaluateClassifier, predictProba } from "./evaluate.js";

export interface EvaluateExamplesOptions {
  /**
   * Model label → dataset label (the CLI's `--label-map neg=0,pos=1`; `MODEL=-` ignores a model
   * label). Without it, labels are matched by name, then by polarity (neg/negative ↔ 0 and
   * pos/positive ↔ 1 for a two-label 0/1 dataset, neutral ↔ neutral …).
   */
  labelMap?: Readonly<Record<string, string>>;
  /** The dataset's label set in order (default: the examples' distinct labels, sorted). */
  labels?: readonly string[];
  batchSize?: number;
}

export interface EvaluateExamplesResult {
  /** Metrics in the dataset's label space (`labels`). */
  report: ClassificationReport & { seconds: number; msPerExample: number };
  labels: string[];
  /** "neg→0, pos→1" when the model's labels had to be mapped; null when the dataset uses the model's own names. */
  mapping: string | null;
  notes: string[];
}

/**
 * Score a trained classifier on labelled examples from anywhere (a test split, a CSV/JSON file of
 * someone else's data), with the model's own text pipeline. When every dataset label is one of the
 * model's labels the metrics are in the model's label space; otherwise the model's labels are
 * mapped onto the dataset's (explicitly or by name/polarity; see `mapLabels`), the probabilities
 * summed per dataset label, and the metrics reported over the dataset's labels.
 */
export function evaluateExamples(b: ClassifierBundle, examples: readonly Example[], o: EvaluateExamplesOptions = {}): EvaluateExamplesResult {
  if (examples.length === 0) throw new RangeError("evaluateExamples: no examples");
  const dsLabels = labelSet(examples as Example[], o.labels);
  const toks = tokenizeAll(examples as Example[], b.pipeline.tokenize);
  const enc = (y: Int32Array): ReturnType<typeof encodeDataset> => encodeDataset(toks, y, b.vocab, { maxLen: b.pipeline.maxLen, truncate: b.pipeline.truncate });
  const B = o.batchSize ?? 64;
  const sameNames = dsLabels.every((l) => b.labels.includes(l));
  if (sameNames && o.labelMap === undefined) {
    const report = evaluateClassifier(b.model, enc(encodeLabels(examples, b.labels)), b.labels, B);
    return { report, labels: [...b.labels], mapping: null, notes: [] };
  }
  const mapping = mapLabels(b.labels, dsLabels, o.labelMap ?? {});
  const y = encodeLabels(examples, dsLabels);
  const t0 = Date.now();
  const P = toDatasetProbs(predictProba(b.model, enc(new Int32Array(examples.length)), B), mapping);
  const seconds = (Date.now() - t0) / 1000;
  const K = dsLabels.length;
  const pred = argmaxRows(P, K);
  const scores = K === 2 ? P.filter((_, i) => i % 2 === 1) : undefined;
  const report = classificationReport(y, pred, { labels: dsLabels, ...(scores ? { scores } : {}) });
  return { report: { ...report, seconds, msPerExample: (1000 * seconds) / examples.length }, labels: dsLabels, mapping: mapping.description, notes: mapping.notes };
}
