/**
 * Pair accuracy on minimal pairs (see data/sentiment/pairs.ts): a pair counts only when both the
 * text and its sentiment-flipping edit are classified right. Works for any classifier given as a
 * function from texts to labels (an rnnkit checkpoint, a bag-of-words baseline, a transformer).
 */
import { type BaselineKind, TextBaseline } from "../baselines/pipeline.js";
import { tokenizeAll } from "../data/sentiment/batching.js";
import { encodeLabels } from "../data/sentiment/labels.js";
import type { MinimalPair } from "../data/sentiment/pairs.js";
import type { Example } from "../data/sentiment/types.js";
import { type TokenizeOptions, tokenize } from "../data/text/tokenize.js";
import type { ClassifierBundle } from "../io/checkpoint-bytes.js";
import { mapLabels, toDatasetProbs } from "../transformers/labels.js";
import { classifyTexts } from "./classify.js";
import { argmaxRows } from "./evaluate.js";

export interface PairScores {
  pairs: number;
  /** Both sides right. */
  pairAccuracy: number;
  /** Accuracy on the original texts (side a) and on the edits (side b). */
  aAccuracy: number;
  bAccuracy: number;
  /** All 2·pairs texts. */
  textAccuracy: number;
}

export interface PairReport extends PairScores {
  byCategory: Record<string, PairScores>;
  /** Pairs with at least one side wrong: what the model answered on each side. */
  failures: { id: string; category: string; a: { text: string; label: string; predicted: string }; b: { text: string; label: string; predicted: string } }[];
}

/** Classify both sides of every pair in one call of `predict` and score the answers. */
export function evaluatePairs(pairs: readonly MinimalPair[], predict: (texts: string[]) => readonly string[]): PairReport {
  if (pairs.length === 0) throw new RangeError("evaluatePairs: no pairs");
  const texts = pairs.flatMap((p) => [p.a.text, p.b.text]);
  const pred = predict(texts);
  if (pred.length !== texts.length) throw new RangeError(`evaluatePairs: predict returned ${pred.length} labels for ${texts.length} texts`);
  const groups = new Map<string, boolean[][]>();
  const failures: PairReport["failures"] = [];
  pairs.forEach((p, i) => {
    const pa = pred[2 * i]!;
    const pb = pred[2 * i + 1]!;
    const ok = [pa === p.a.label, pb === p.b.label];
    for (const g of ["\u0000all", p.category]) {
      const list = groups.get(g) ?? [];
      list.push(ok);
      groups.set(g, list);
    }
    if (!ok[0] || !ok[1]) failures.push({ id: p.id, category: p.category, a: { ...p.a, predicted: pa }, b: { ...p.b, predicted: pb } });
  });
  const score = (rows: boolean[][]): PairScores => {
    const n = rows.length;
    const a = rows.filter((r) => r[0]).length;
    const b = rows.filter((r) => r[1]).length;
    return { pairs: n, pairAccuracy: rows.filter((r) => r[0] && r[1]).length / n, aAccuracy: a / n, bAccuracy: b / n, textAccuracy: (a + b) / (2 * n) };
  };
  const byCategory: Record<string, PairScores> = {};
  for (const [g, rows] of groups) if (g !== "\u0000all") byCategory[g] = score(rows);
  return { ...score(groups.get("\u0000all")!), byCategory, failures };
}

/** A fixed-width table of a pair report (overall row first, then one row per category). */
export function formatPairReport(r: PairReport, title = "minimal pairs"): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}`.padStart(6);
  const row = (name: string, s: PairScores): string => `${name.padEnd(18)} ${String(s.pairs).padStart(5)} ${pct(s.pairAccuracy)} ${pct(s.aAccuracy)} ${pct(s.bAccuracy)}`;
  const lines = [`${title}: pair accuracy (both sides right) and per-side accuracy, %`, `${"category".padEnd(18)} ${"pairs".padStart(5)} ${"pair".padStart(6)} ${"a".padStart(6)} ${"b".padStart(6)}`, row("all", r)];
  for (const [k, s] of Object.entries(r.byCategory).sort()) lines.push(row(k, s));
  return lines.join("\n");
}

/**
 * An rnnkit classifier as a pair predictor: its probabilities mapped onto the pairs' labels (by
 * name, then polarity, or `labelMap`), arg-max.
 */
export function classifierPredictor(b: ClassifierBundle, pairLabels: readonly string[], labelMap: Readonly<Record<string, string>> = {}): (texts: string[]) => string[] {
  const mapping = mapLabels(b.labels, pairLabels, labelMap);
  return (texts) => {
    const probs = new Float32Array(texts.length * b.labels.length);
    classifyTexts(b, texts).forEach((p, i) => b.labels.forEach((l, c) => (probs[i * b.labels.length + c] = p.probs[l]!)));
    const P = toDatasetProbs(probs, mapping);
    const K = pairLabels.length;
    return Array.from(argmaxRows(P, K), (k) => pairLabels[k]!);
  };
}

/** A bag-of-words baseline (NBSVM or TF-IDF + LR) trained on `train`, as a pair predictor. */
/** How the bag-of-words baselines read text (lower case, HTML tags dropped), wherever rnnkit trains one. */
export const BASELINE_TOKENIZE: TokenizeOptions = { lowercase: true, stripHtml: true };

export function baselinePredictor(kind: BaselineKind, train: readonly Example[], labels: readonly string[], tokenizeOpts: TokenizeOptions = BASELINE_TOKENIZE): (texts: string[]) => string[] {
  const model = new TextBaseline(kind).fit(tokenizeAll(train, tokenizeOpts), encodeLabels(train, labels), labels.length);
  return (texts) => Array.from(model.predict(texts.map((t) => tokenize(t, tokenizeOpts))), (y) => labels[y]!);
}

/** Both sides' labels of a set of pairs, sorted. */
export function pairLabels(pairs: readonly MinimalPair[]): string[] {
  return [...new Set(pairs.flatMap((p) => [p.a.label, p.b.label]))].sort();
}
