/**
 * Seeded, stratified splits. Randomness: a Generator of its own per shuffle (seededShuffle), so a
 * split depends only on its seed and leaves every other stream untouched.
 * Within every returned part the examples keep their original relative order.
 */
import { seededShuffle } from "../../tensor/random.js";
import type { Example } from "./types.js";

/** Indices of the examples grouped by label, each group in original order; groups in first-seen label order. */
function byLabel(examples: readonly Example[]): number[][] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < examples.length; i++) {
    const l = examples[i]!.label;
    let g = groups.get(l);
    if (g === undefined) groups.set(l, (g = []));
    g.push(i);
  }
  return [...groups.values()];
}

const pick = <E>(examples: readonly E[], idx: ArrayLike<number>): E[] => Array.from(idx, (i) => examples[i]!);

export interface ValidationSplitOptions {
  /** Seed of the split (required: a split must be reproducible). */
  seed: number;
  /** Share of the TRAINING examples held out (default 0.1). Ignored when validSize is given. */
  validFraction?: number;
  /** Exact number of held-out examples. */
  validSize?: number;
  /** Keep the label proportions in both parts (default true). */
  stratify?: boolean;
}

/**
 * Carve a validation set out of the TRAINING examples (never the test set).
 *   const { train, valid } = trainValidationSplit(imdbTrain.examples, { seed: 1, validFraction: 0.1 });
 * Stratified: each label contributes round(share · count) examples, with largest-remainder
 * rounding so the total is exactly the requested size.
 */
export function trainValidationSplit<E extends Example>(examples: readonly E[], opts: ValidationSplitOptions): { train: E[]; valid: E[]; trainIndices: Int32Array; validIndices: Int32Array } {
  const N = examples.length;
  const size = opts.validSize ?? Math.round((opts.validFraction ?? 0.1) * N);
  if (!Number.isInteger(size) || size < 0 || size >= N) {
    throw new RangeError(`trainValidationSplit: validation size must be an integer in [0, ${N}) for ${N} examples, got ${size} (validFraction ${opts.validFraction}, validSize ${opts.validSize})`);
  }
  const groups = opts.stratify ?? true ? byLabel(examples) : [Array.from({ length: N }, (_, i) => i)];
  // Largest-remainder allocation of `size` over the groups.
  const exact = groups.map((g) => (size * g.length) / N);
  const take = exact.map(Math.floor);
  let left = size - take.reduce((a, b) => a + b, 0);
  const order = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, k] of order) {
    if (left === 0) break;
    if (take[k]! < groups[k]!.length) {
      take[k]!++;
      left--;
    }
  }
  const isValid = new Uint8Array(N);
  groups.forEach((g, k) => {
    const shuffled = seededShuffle([...g], opts.seed + 7919 * k);
    for (let j = 0; j < take[k]!; j++) isValid[shuffled[j]!] = 1;
  });
  const tr: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < N; i++) (isValid[i] ? va : tr).push(i);
  return { train: pick(examples, tr), valid: pick(examples, va), trainIndices: Int32Array.from(tr), validIndices: Int32Array.from(va) };
}

export interface Fold<E> {
  train: E[];
  test: E[];
  trainIndices: Int32Array;
  testIndices: Int32Array;
}

/**
 * Stratified k-fold cross-validation (the protocol for rt-polarity and Financial PhraseBank, k = 10):
 * every example is in exactly one test fold; each label's examples are shuffled and dealt
 * round-robin over the folds, so each fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ of every label c and fold
 * sizes differ by at most one.
 */
export function stratifiedKFold<E extends Example>(examples: readonly E[], k: number, seed: number): Fold<E>[] {
  if (!Number.isInteger(k) || k < 2 || k > examples.length) throw new RangeError(`stratifiedKFold: k must be an integer in [2, ${examples.length}], got ${k}`);
  const foldOf = new Int32Array(examples.length);
  let pos = 0;
  byLabel(examples).forEach((g, c) => {
    for (const i of seededShuffle([...g], seed + 7919 * c)) foldOf[i] = pos++ % k;
  });
  const folds: Fold<E>[] = [];
  for (let f = 0; f < k; f++) {
    const tr: number[] = [];
    const te: number[] = [];
    for (let i = 0; i < examples.length; i++) (foldOf[i] === f ? te : tr).push(i);
    folds.push({ train: pick(examples, tr), test: pick(examples, te), trainIndices: Int32Array.from(tr), testIndices: Int32Array.from(te) });
  }
  return folds;
}
