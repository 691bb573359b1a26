import { type EncodedDataset, makeBatches } from "../data/sentiment/batching.js";
import { type ClassificationReport, classificationReport } from "../eval/metrics.js";
import type { TextClassifier } from "../models/text-classifier.js";
import { Tensor, noGrad } from "../tensor/tensor.js";

/**
 * Class probabilities [N, C] in dataset order: softmax of the logits, computed in length-sorted
 * batches (little padding) and put back where each example came from.
 */
export function predictProba(model: TextClassifier, data: EncodedDataset, batchSize = 64): Float32Array {
  const C = model.config.numClasses;
  const N = data.ids.length;
  const out = new Float32Array(N * C);
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (const b of makeBatches(data, { batchSize, shuffle: false, bucket: true, poolBatches: 1e9 })) {
      const z = model.forward(new Tensor(b.ids, [b.B, b.T]), b.lengths).softmax(-1).f32;
      for (let r = 0; r < b.B; r++) out.set(z.subarray(r * C, (r + 1) * C), b.indices[r]! * C);
    }
  });
  model.train(wasTraining);
  return out;
}

/** Arg-max class per row of a probability matrix [N, C]. */
export function argmaxRows(P: Float32Array, C: number): Int32Array {
  const N = P.length / C;
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let a = 0;
    for (let c = 1; c < C; c++) if (P[i * C + c]! > P[i * C + a]!) a = c;
    y[i] = a;
  }
  return y;
}

/** Accuracy, per-class P/R/F1, macro-F1, confusion matrix (and ROC-AUC for two classes). */
export function evaluateClassifier(model: TextClassifier, data: EncodedDataset, labels: readonly string[], batchSize = 64): ClassificationReport & { seconds: number; msPerExample: number } {
  const t0 = Date.now();
  const P = predictProba(model, data, batchSize);
  const seconds = (Date.now() - t0) / 1000;
  const r = reportFromProba(P, data.labels, labels);
  return { ...r, seconds, msPerExample: (1000 * seconds) / Math.max(1, data.ids.length) };
}

/** The report of class probabilities P [N, C] (arg-max prediction; ROC-AUC on P[:, 1] for two classes). */
export function reportFromProba(P: Float32Array, yTrue: ArrayLike<number>, labels: readonly string[]): ClassificationReport {
  const C = labels.length;
  if (P.length !== yTrue.length * C) throw new RangeError(`reportFromProba: probabilities must be [${yTrue.length}, ${C}], got ${P.length} values`);
  const pred = argmaxRows(P, C);
  const scores = C === 2 ? P.filter((_, i) => i % 2 === 1) : undefined;
  return classificationReport(yTrue, pred, { labels, ...(scores ? { scores } : {}) });
}
