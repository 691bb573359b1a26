/**
 * Classification metrics over class ids (Int32Array or number[]):
 *   accuracy = correct / N
 *   precision_k = TP_k / (TP_k + FP_k), recall_k = TP_k / (TP_k + FN_k),
 *   F1_k = 2 P R / (P + R)   (0 when the denominator is 0, as scikit-learn's zero_division=0)
 *   macro-F1 = mean_k F1_k;  weighted-F1 = Σ_k support_k F1_k / N
 *   ROC-AUC (binary) = P(score of a random positive > score of a random negative), ties counting
 *   ½ — the Mann–Whitney U statistic from average ranks.
 */

type Ids = ArrayLike<number>;

function checkPair(yTrue: Ids, yPred: Ids, what: string): void {
  if (yTrue.length !== yPred.length) throw new RangeError(`${what}: ${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new RangeError(`${what}: no examples`);
}

/** Share of positions where yPred equals yTrue. */
export function accuracy(yTrue: Ids, yPred: Ids): number {
  checkPair(yTrue, yPred, "accuracy");
  let c = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) c++;
  return c / yTrue.length;
}

/**
 * K×K counts, rows = true class, columns = predicted class: m[t][p].
 * K defaults to 1 + the largest id seen.
 */
export function confusionMatrix(yTrue: Ids, yPred: Ids, K?: number): number[][] {
  checkPair(yTrue, yPred, "confusionMatrix");
  let k = K ?? 0;
  if (K === undefined) for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i]! + 1, yPred[i]! + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!, p = yPred[i]!;
    if (!(Number.isInteger(t) && Number.isInteger(p) && t >= 0 && p >= 0 && t < k && p < k)) {
      throw new RangeError(`confusionMatrix: example ${i} has true ${t} / predicted ${p}, expected class ids in [0, ${k})`);
    }
    m[t]![p]!++;
  }
  return m;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  perClass: ClassMetrics[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  weightedF1: number;
  confusion: number[][];
  /** Binary only, when scores were given. */
  rocAuc?: number;
  n: number;
  /** Class names (default "0", "1", …). */
  labels: string[];
}

/** Per-class precision / recall / F1 / support from a confusion matrix. */
export function perClassMetrics(confusion: readonly (readonly number[])[]): ClassMetrics[] {
  const K = confusion.length;
  return Array.from({ length: K }, (_, k) => {
    const tp = confusion[k]![k]!;
    let predicted = 0, actual = 0;
    for (let j = 0; j < K; j++) {
      predicted += confusion[j]![k]!;
      actual += confusion[k]![j]!;
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support: actual };
  });
}

/** Unweighted mean of the per-class F1 scores. */
export function macroF1(yTrue: Ids, yPred: Ids, K?: number): number {
  const pc = perClassMetrics(confusionMatrix(yTrue, yPred, K));
  return pc.reduce((a, c) => a + c.f1, 0) / pc.length;
}

/**
 * Binary ROC-AUC from scores (higher = more positive); yTrue holds 0/1. Ties between a positive
 * and a negative count ½ (average ranks). Throws when only one class is present.
 */
export function rocAuc(yTrue: Ids, scores: ArrayLike<number>): number {
  checkPair(yTrue, scores, "rocAuc");
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) {
      const y = yTrue[order[k]!]!;
      if (y !== 0 && y !== 1) throw new RangeError(`rocAuc: label at ${order[k]} is ${y}, expected 0 or 1`);
      if (!Number.isFinite(scores[order[k]!]!)) throw new RangeError(`rocAuc: score at ${order[k]} is ${scores[order[k]!]}, expected a finite number`);
      if (y === 1) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new RangeError(`rocAuc: needs both classes, got ${nPos} positives and ${nNeg} negatives`);
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Everything at once. `scores` (binary only): a score per example for class 1, e.g. a probability
 * or logit, used for ROC-AUC.
 */
export function classificationReport(yTrue: Ids, yPred: Ids, opts: { labels?: readonly string[]; scores?: ArrayLike<number> } = {}): ClassificationReport {
  const K = opts.labels?.length;
  const confusion = confusionMatrix(yTrue, yPred, K);
  const perClass = perClassMetrics(confusion);
  const n = yTrue.length;
  const mean = (f: (c: ClassMetrics) => number): number => perClass.reduce((a, c) => a + f(c), 0) / perClass.length;
  const report: ClassificationReport = {
    accuracy: accuracy(yTrue, yPred),
    perClass,
    macroPrecision: mean((c) => c.precision),
    macroRecall: mean((c) => c.recall),
    macroF1: mean((c) => c.f1),
    weightedF1: perClass.reduce((a, c) => a + c.support * c.f1, 0) / n,
    confusion,
    n,
    labels: opts.labels ? [...opts.labels] : confusion.map((_, k) => String(k)),
  };
  if (opts.scores !== undefined) {
    if (confusion.length !== 2) throw new RangeError(`classificationReport: scores (for ROC-AUC) need a binary task, got ${confusion.length} classes`);
    report.rocAuc = rocAuc(yTrue, opts.scores);
  }
  return report;
}

/**
 * A fixed-width table of a report:
 *
 *   class      precision  recall  f1     support
 *   neg        0.8912     0.8804  0.8858  12500
 *   …
 *   accuracy 0.8871 · macro-F1 0.8871 · ROC-AUC 0.9512 · n 25000
 *   confusion (rows true, columns predicted): …
 */
export function formatReport(r: ClassificationReport, digits = 4): string {
  const f = (x: number): string => x.toFixed(digits);
  const w = Math.max(8, ...r.labels.map((l) => l.length)) + 2;
  const rows: string[][] = [["class", "precision", "recall", "f1", "support"]];
  r.perClass.forEach((c, k) => rows.push([r.labels[k]!, f(c.precision), f(c.recall), f(c.f1), String(c.support)]));
  rows.push(["macro avg", f(r.macroPrecision), f(r.macroRecall), f(r.macroF1), String(r.n)]);
  const widths = [Math.max(w, 11), 11, 9, 9, 9];
  const lines = rows.map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(""));
  lines.push("");
  lines.push(`accuracy ${f(r.accuracy)} · macro-F1 ${f(r.macroF1)} · weighted-F1 ${f(r.weightedF1)}${r.rocAuc !== undefined ? ` · ROC-AUC ${f(r.rocAuc)}` : ""} · n ${r.n}`);
  const cw = Math.max(6, ...r.labels.map((l) => l.length), ...r.confusion.flat().map((v) => String(v).length)) + 2;
  lines.push("confusion (rows = true, columns = predicted):");
  lines.push("".padEnd(w) + r.labels.map((l) => l.padStart(cw)).join(""));
  r.confusion.forEach((row, k) => lines.push(r.labels[k]!.padEnd(w) + row.map((v) => String(v).padStart(cw)).join("")));
  return lines.join("\n");
}
