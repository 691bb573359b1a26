/**
 * Score a pretrained transformer on labelled examples like rnnkit's own classifiers: map its
 * labels onto the dataset's (labels.ts), predict, and report accuracy / macro-F1 / ROC-AUC with
 * the time per text.
 */
import type { Example } from "../data/sentiment/types.js";
import { encodeLabels } from "../data/sentiment/labels.js";
import { type ClassificationReport, classificationReport } from "../eval/metrics.js";
import type { HfPredictOptions, HfRunStats, HfTextClassifier } from "./classifier.js";
import { type LabelMapping, mapLabels, toDatasetProbs } from "./labels.js";

export interface HfEvaluation extends ClassificationReport {
  seconds: number;
  msPerExample: number;
  stats: HfRunStats;
  mapping: LabelMapping;
  /** Dataset-label probabilities [N, K]. */
  probs: Float32Array;
}

/** Arg-max per row of [N, K]. */
function argmax(P: Float32Array, K: number): Int32Array {
  const y = new Int32Array(P.length / K);
  for (let i = 0; i < y.length; i++) {
    let a = 0;
    for (let k = 1; k < K; k++) if (P[i * K + k]! > P[i * K + a]!) a = k;
    y[i] = a;
  }
  return y;
}

export async function evaluateHfClassifier(
  clf: HfTextClassifier,
  examples: readonly Example[],
  labels: readonly string[],
  opts: HfPredictOptions & { labelMap?: Readonly<Record<string, string>> } = {},
): Promise<HfEvaluation> {
  const mapping = mapLabels(clf.labels, labels, opts.labelMap);
  const y = encodeLabels(examples, labels);
  const { probs: raw, stats } = await clf.predictProba(
    examples.map((e) => e.text),
    opts,
  );
  const K = labels.length;
  const probs = toDatasetProbs(raw, mapping);
  const pred = argmax(probs, K);
  const scores = K === 2 ? probs.filter((_, i) => i % 2 === 1) : undefined;
  const r = classificationReport(y, pred, { labels, ...(scores ? { scores } : {}) });
  return { ...r, seconds: stats.seconds, msPerExample: stats.msPerText, stats, mapping, probs };
}
