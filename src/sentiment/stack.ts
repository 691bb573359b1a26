/**
 * Stacking a trained recurrent classifier with a bag-of-words baseline, as Mesnil et
 * al. (2014) combined an RNN language model with NBSVM on IMDB: the two read different things —
 * the (Bi)LSTM word order and negation scope, NBSVM which n-grams occur — so their errors differ.
 *
 *   s(x) = w_m · logit p_model(c₁ | x) + w_b · f_baseline(x) + b,    p_stack(c₁ | x) = σ(s(x))
 *
 * f_baseline is the baseline's decision value (NBSVM's margin, or TF-IDF + LR's logit). The
 * baseline is trained on the classifier's TRAINING split; w_m, w_b, b are fit by L2-regularised
 * logistic regression on its VALIDATION split (carved from the training data with the same seed
 * and fraction as `train-classifier`, or the dataset's dev split), so neither model nor stacker
 * ever sees the test split, which is scored once at the end. The validation split is the one the
 * classifier's early stopping chose its epoch on, so its weight w_m is fit on slightly
 * favourable ground; the test accuracy is unaffected by that.
 *
 * Several classifiers (a seed or recipe ensemble, all trained on the same split) enter as one feature,
 * the mean of their logits: logit p_model = (1/M) Σ_m logit p_m. One weight for the ensemble keeps the
 * stacker at three parameters, fit on a validation split of a few thousand examples.
 *
 * K > 2 classes (Financial PhraseBank's negative / neutral / positive): the same two weights shared by
 * every class, and a bias per class (a conditional logit; K + 1 parameters, as few as the binary case
 * allows, since a fold's validation part may hold only ~200 sentences):
 *
 *   s_k(x) = w_m · log p_model(c_k | x) + w_b · f_baseline,k(x) + b_k,    p_stack = softmax(s)
 *
 * with f_baseline,k the baseline's one-vs-rest score of class k and log p_model the ensemble's mean.
 */
import { type BaselineKind, TextBaseline } from "../baselines/pipeline.js";
import { encodeDataset, tokenizeAll } from "../data/sentiment/batching.js";
import { encodeLabels } from "../data/sentiment/labels.js";
import { trainValidationSplit } from "../data/sentiment/splits.js";
import type { Example } from "../data/sentiment/types.js";
import type { ClassifierBundle } from "../io/checkpoint-bytes.js";
import { predictProba } from "./evaluate.js";
import { BASELINE_TOKENIZE } from "./evaluate-pairs.js";

export interface StackOptions {
  /** The bag-of-words model to stack with (default "nbsvm"). */
  baseline?: BaselineKind;
  /** The seed and validation fraction the classifier was trained with (train-classifier's defaults: 1 and 0.1). */
  seed?: number;
  validFraction?: number;
  /** L2 penalty on the two stacking weights (standardised features; default 1e-3). */
  l2?: number;
  batchSize?: number;
  /** Progress lines (what is being fit). */
  info?: (message: string) => void;
}

export interface StackAccuracies {
  model: number;
  baseline: number;
  stack: number;
}

export interface StackReport {
  baseline: BaselineKind;
  /** Sizes of the three splits used. */
  trainExamples: number;
  validExamples: number;
  testExamples: number;
  /** The stacker on raw features: s = model · logit p + baseline · f + bias. */
  weights: { model: number; baseline: number; bias: number };
  valid: StackAccuracies;
  test: StackAccuracies;
  seconds: number;
  /** K > 2 classes: s_k = model · log p_k + baseline · f_k + classBiases[k] (then `bias` is 0). */
  classBiases?: number[];
}

export interface StackData {
  labels: readonly string[];
  train: readonly Example[];
  /** The dataset's own development split, when it has one (then no validation is carved from train). */
  dev?: readonly Example[] | null;
  test: readonly Example[];
}

/**
 * Stack `b` (one classifier, or several whose mean logit is one feature) with a baseline on `data` (see the
 * module comment); throws when the split does not match a model's.
 */
export function stackWithBaseline(b: ClassifierBundle | readonly ClassifierBundle[], data: StackData, o: StackOptions = {}): StackReport {
  const t0 = Date.now();
  const labels = data.labels;
  const bundles: readonly ClassifierBundle[] = Array.isArray(b) ? b : [b as ClassifierBundle];
  if (bundles.length === 0) throw new RangeError("stackWithBaseline: no classifier given; hint: pass one bundle or a non-empty array");
  if (labels.length < 2) throw new RangeError(`stackWithBaseline: a dataset of ${labels.length} class (${labels.join(", ")}) has nothing to stack`);
  const K = labels.length;
  const seed = o.seed ?? 1;
  const validFraction = o.validFraction ?? 0.1;
  const split = data.dev ? { train: [...data.train], valid: [...data.dev] } : trainValidationSplit(data.train, { seed, validFraction });
  // column of each dataset label in each model's output
  const colsOf = bundles.map((m, i) => {
    const which = bundles.length > 1 ? `model ${i + 1}'s` : "the model's";
    const cols = labels.map((l) => m.labels.indexOf(l));
    if (m.labels.length !== K || cols.some((c) => c < 0))
      throw new RangeError(`stackWithBaseline: ${which} labels (${m.labels.join(", ")}) must be the dataset's (${labels.join(", ")}); hint: stack a model trained on this dataset`);
    // A model trained on another split would have seen part of this validation split: refuse when its checkpoint says so.
    const info = m.info ?? {};
    if (typeof info.seed === "number" && !data.dev && info.seed !== seed)
      throw new RangeError(`stackWithBaseline: ${bundles.length > 1 ? `model ${i + 1} was` : "the model was"} trained with seed ${info.seed}, got seed ${seed}; hint: pass --seed ${info.seed} so the validation split is the one the model did not train on (stacked models must share their training seed)`);
    if (typeof info.trainExamples === "number" && info.trainExamples !== split.train.length)
      throw new RangeError(`stackWithBaseline: ${bundles.length > 1 ? `model ${i + 1} was` : "the model was"} trained on ${info.trainExamples} examples, this split has ${split.train.length}; hint: use the dataset, --valid-fraction and --seed of its training run`);
    return cols;
  });
  /** [N, K] probabilities of each classifier, in the dataset's label order. */
  const probas = (ex: readonly Example[]): Float32Array[] =>
    bundles.map((c, b) => {
      const enc = encodeDataset(tokenizeAll(ex, c.pipeline.tokenize), new Int32Array(ex.length), c.vocab, { maxLen: c.pipeline.maxLen, truncate: c.pipeline.truncate });
      const P = predictProba(c.model, enc, o.batchSize ?? 64);
      const Q = new Float32Array(ex.length * K);
      for (let i = 0; i < ex.length; i++) for (let k = 0; k < K; k++) Q[i * K + k] = P[i * K + colsOf[b]![k]!]!;
      return Q;
    });
  const r = stackOnLogits(
    {
      labels,
      train: split.train,
      valid: split.valid,
      test: data.test,
      validLogit: () => meanLogit(probas(split.valid)),
      testLogit: () => meanLogit(probas(data.test)),
      validLogProba: () => meanLogProba(probas(split.valid)),
      testLogProba: () => meanLogProba(probas(data.test)),
    },
    o,
  );
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}

/** Mean over classifiers of logit p(c₁ | x), from [N, 2] probabilities. */
const meanLogit = (Ps: readonly Float32Array[]): Float64Array => {
  const N = Ps[0]!.length / 2;
  const m = new Float64Array(N);
  for (const P of Ps) for (let i = 0; i < N; i++) m[i] = m[i]! + logit(P[i * 2 + 1]!) / Ps.length;
  return m;
};

/** Mean over classifiers of log p(c_k | x), [N, K] from [N, K] probabilities (p clipped at 1e-7). */
export const meanLogProba = (Ps: readonly Float32Array[]): Float64Array => {
  const m = new Float64Array(Ps[0]!.length);
  for (const P of Ps) for (let j = 0; j < m.length; j++) m[j] = m[j]! + Math.log(Math.max(1e-7, P[j]!)) / Ps.length;
  return m;
};

/** log(p / (1 − p)), p clipped to [1e-7, 1 − 1e-7]. */
export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};

/** The splits and the classifier's logits of the second label on validation and test, for stackOnLogits. */
export interface LogitStackData {
  labels: readonly string[];
  /** The baseline is fit here (the classifier's own training examples). */
  train: readonly Example[];
  /** The stacker is fit here. */
  valid: readonly Example[];
  /** Scored once. */
  test: readonly Example[];
  /** logit p(labels[1] | x) per validation / test example, in order (computed when asked, after the baseline is fit). */
  validLogit: () => Float64Array;
  testLogit: () => Float64Array;
  /** K > 2 classes: log p(labels[k] | x), [N, K] row-major (required then; the logits above are not used). */
  validLogProba?: () => Float64Array;
  testLogProba?: () => Float64Array;
}

/**
 * The stack itself, on a classifier's logits given by the caller: fit the baseline on `train`, the
 * stacker on `valid`, score `test`. Used by stackWithBaseline (checkpoints) and by train-classifier's
 * cross-validation (`--stack`: each fold's model, fold's splits).
 */
export function stackOnLogits(d: LogitStackData, o: StackOptions = {}): StackReport {
  const t0 = Date.now();
  const kind = o.baseline ?? "nbsvm";
  const labels = d.labels;
  const K = labels.length;
  if (K < 2) throw new RangeError(`stackOnLogits: a task of ${K} class (${labels.join(", ")}) has nothing to stack`);
  if (K > 2 && (!d.validLogProba || !d.testLogProba)) throw new RangeError(`stackOnLogits: ${K} classes need validLogProba and testLogProba ([N, ${K}] log-probabilities)`);
  if (d.valid.length < 10) throw new RangeError(`stackWithBaseline: the validation split has ${d.valid.length} examples; at least 10 are needed to fit the stacker`);
  o.info?.(`fitting ${kind} on ${d.train.length.toLocaleString()} training examples…`);
  const baseline = new TextBaseline(kind).fit(tokenizeAll(d.train, BASELINE_TOKENIZE), encodeLabels(d.train, labels), K);
  // per example: one logit and one margin (two classes), or K log-probabilities and K one-vs-rest scores
  const P = K === 2 ? 1 : K;
  const features = (ex: readonly Example[], scores: () => Float64Array): StackFeatures => {
    const f = Float64Array.from(baseline.decisionFunction(tokenizeAll(ex, BASELINE_TOKENIZE)));
    const m = scores();
    if (m.length !== ex.length * P || f.length !== ex.length * P) throw new RangeError(`stackOnLogits: ${m.length} model scores and ${f.length} baseline scores for ${ex.length} examples × ${P}`);
    return { m, f, y: encodeLabels(ex, labels), K };
  };
  o.info?.(`scoring ${d.valid.length.toLocaleString()} validation examples with both models…`);
  const v = features(d.valid, K === 2 ? d.validLogit : d.validLogProba!);
  const l2 = o.l2 ?? 1e-3;
  const multi = K === 2 ? null : fitConditionalLogit(v.m, v.f, v.y, K, l2);
  const weights = multi ? { model: multi.model, baseline: multi.baseline, bias: 0 } : fitLogistic2(v.m, v.f, v.y, l2);
  const acc = (x: StackFeatures): StackAccuracies => (multi ? multiclassAccuracies(x, multi) : accuracies(x, weights));
  o.info?.(`scoring ${d.test.length.toLocaleString()} test examples (once)…`);
  const t = features(d.test, K === 2 ? d.testLogit : d.testLogProba!);
  return {
    baseline: kind,
    trainExamples: d.train.length,
    validExamples: d.valid.length,
    testExamples: d.test.length,
    weights,
    ...(multi ? { classBiases: multi.classBiases } : {}),
    valid: acc(v),
    test: acc(t),
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The stacker's inputs on one split: model and baseline scores [N, P] (P = 1 for two classes, else K), labels. */
interface StackFeatures {
  m: Float64Array;
  f: Float64Array;
  y: Int32Array;
  K: number;
}

function accuracies(d: StackFeatures, w: StackReport["weights"]): StackAccuracies {
  let model = 0, base = 0, stack = 0;
  for (let i = 0; i < d.y.length; i++) {
    const y = d.y[i]! === 1;
    if (d.m[i]! > 0 === y) model++;
    if (d.f[i]! > 0 === y) base++;
    if (w.model * d.m[i]! + w.baseline * d.f[i]! + w.bias > 0 === y) stack++;
  }
  const n = Math.max(1, d.y.length);
  return { model: model / n, baseline: base / n, stack: stack / n };
}

/**
 * Logistic regression on two features by Newton's method: minimise
 *   Σ_i log(1 + exp(−y_i s_i)) / N + l2 (a² + c²) / 2,   s_i = a x̂_i + c ẑ_i + d,  y ∈ {−1, +1},
 * on standardised features x̂, ẑ (so l2 means the same for any scale), then return the weights for
 * the raw features. Three parameters: a 3×3 solve per step; converges in a handful of steps.
 */
export function fitLogistic2(x: Float64Array, z: Float64Array, y: Int32Array, l2 = 1e-3): { model: number; baseline: number; bias: number } {
  const N = y.length;
  const stats = (a: Float64Array): [number, number] => {
    let s = 0, s2 = 0;
    for (let i = 0; i < N; i++) s += a[i]!;
    const mean = s / N;
    for (let i = 0; i < N; i++) s2 += (a[i]! - mean) ** 2;
    return [mean, Math.sqrt(s2 / N) || 1];
  };
  const [mx, sx] = stats(x);
  const [mz, sz] = stats(z);
  let a = 0, c = 0, d = 0;
  for (let iter = 0; iter < 50; iter++) {
    // gradient g and Hessian H of the mean loss (+ L2 on a, c)
    const g = [l2 * a, l2 * c, 0];
    const H = [[l2, 0, 0], [0, l2, 0], [0, 0, 1e-9]];
    for (let i = 0; i < N; i++) {
      const f = [(x[i]! - mx) / sx, (z[i]! - mz) / sz, 1];
      const t = y[i]! === 1 ? 1 : 0;
      const s = a * f[0]! + c * f[1]! + d;
      const p = 1 / (1 + Math.exp(-s));
      const r = (p - t) / N;
      const wgt = (p * (1 - p)) / N;
      for (let j = 0; j < 3; j++) {
        g[j]! += r * f[j]!;
        for (let k = 0; k < 3; k++) H[j]![k]! += wgt * f[j]! * f[k]!;
      }
    }
    const step = solveLinear(H, g);
    a -= step[0]!;
    c -= step[1]!;
    d -= step[2]!;
    if (Math.abs(step[0]!) + Math.abs(step[1]!) + Math.abs(step[2]!) < 1e-10) break;
  }
  // s = a (x − mx)/sx + c (z − mz)/sz + d
  return { model: a / sx, baseline: c / sz, bias: d - (a * mx) / sx - (c * mz) / sz };
}


const argmax = (a: ArrayLike<number>, at: number, K: number): number => {
  let best = 0;
  for (let k = 1; k < K; k++) if (a[at + k]! > a[at + best]!) best = k;
  return best;
};

function multiclassAccuracies(d: StackFeatures, w: { model: number; baseline: number; classBiases: number[] }): StackAccuracies {
  const { K } = d;
  const s = new Float64Array(K);
  let model = 0, base = 0, stack = 0;
  for (let i = 0; i < d.y.length; i++) {
    for (let k = 0; k < K; k++) s[k] = w.model * d.m[i * K + k]! + w.baseline * d.f[i * K + k]! + w.classBiases[k]!;
    if (argmax(d.m, i * K, K) === d.y[i]) model++;
    if (argmax(d.f, i * K, K) === d.y[i]) base++;
    if (argmax(s, 0, K) === d.y[i]) stack++;
  }
  const n = Math.max(1, d.y.length);
  return { model: model / n, baseline: base / n, stack: stack / n };
}

/**
 * Conditional logit by Newton's method: minimise the mean cross-entropy of softmax(s) plus
 * l2 (a² + c²) / 2, where s_ik = a m̂_ik + c f̂_ik + b_k, b_0 = 0 (the softmax ignores a common
 * shift). m̂, f̂ are centred within each example (which the softmax ignores too) and scaled to unit
 * standard deviation, so l2 means the same for any scale; the weights returned are for the raw
 * features. Parameters θ = (a, c, b_1 … b_{K−1}); with φ_ik = ∂s_ik/∂θ the gradient is
 * Σ_i Σ_k (p_ik − y_ik) φ_ik / N and the Hessian Σ_i (Σ_k p_ik φ_ik φ_ikᵀ − φ̄_i φ̄_iᵀ) / N, φ̄_i = Σ_k p_ik φ_ik.
 */
export function fitConditionalLogit(m: Float64Array, f: Float64Array, y: Int32Array, K: number, l2 = 1e-3): { model: number; baseline: number; classBiases: number[] } {
  const N = y.length;
  if (m.length !== N * K || f.length !== N * K) throw new RangeError(`fitConditionalLogit: features must be [${N}, ${K}], got ${m.length} and ${f.length} values`);
  const scaleOf = (a: Float64Array): number => {
    let s2 = 0;
    for (let i = 0; i < N; i++) {
      let mean = 0;
      for (let k = 0; k < K; k++) mean += a[i * K + k]! / K;
      for (let k = 0; k < K; k++) s2 += (a[i * K + k]! - mean) ** 2;
    }
    return Math.sqrt(s2 / Math.max(1, N * K)) || 1;
  };
  const sm = scaleOf(m), sf = scaleOf(f);
  const P = K + 1;
  const theta = new Array<number>(P).fill(0);
  const phi = (i: number, k: number): number[] => {
    const v = new Array<number>(P).fill(0);
    v[0] = m[i * K + k]! / sm;
    v[1] = f[i * K + k]! / sf;
    if (k > 0) v[1 + k] = 1;
    return v;
  };
  const p = new Float64Array(K);
  for (let iter = 0; iter < 100; iter++) {
    const g = new Array<number>(P).fill(0);
    const H = Array.from({ length: P }, (_, j) => Array.from({ length: P }, (_, l) => (j === l ? (j < 2 ? l2 : 1e-9) : 0)));
    g[0] = l2 * theta[0]!;
    g[1] = l2 * theta[1]!;
    for (let i = 0; i < N; i++) {
      const phis = Array.from({ length: K }, (_, k) => phi(i, k));
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += theta[j]! * phis[k]![j]!;
        p[k] = s;
        max = Math.max(max, s);
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += (p[k] = Math.exp(p[k]! - max));
      const bar = new Array<number>(P).fill(0);
      for (let k = 0; k < K; k++) {
        p[k] = p[k]! / z;
        const r = (p[k]! - (y[i] === k ? 1 : 0)) / N;
        for (let j = 0; j < P; j++) {
          g[j] = g[j]! + r * phis[k]![j]!;
          bar[j] = bar[j]! + p[k]! * phis[k]![j]!;
          for (let l = 0; l < P; l++) H[j]![l] = H[j]![l]! + (p[k]! * phis[k]![j]! * phis[k]![l]!) / N;
        }
      }
      for (let j = 0; j < P; j++) for (let l = 0; l < P; l++) H[j]![l] = H[j]![l]! - (bar[j]! * bar[l]!) / N;
    }
    const step = solveLinear(H, g);
    let size = 0;
    for (let j = 0; j < P; j++) {
      theta[j] = theta[j]! - step[j]!;
      size += Math.abs(step[j]!);
    }
    if (size < 1e-10) break;
  }
  // s_k = a m_ik / sm + c f_ik / sf + b_k  (centring within an example shifts every s_ik alike)
  return { model: theta[0]! / sm, baseline: theta[1]! / sf, classBiases: [0, ...theta.slice(2)] };
}

/** A x = b for a small symmetric positive-definite A (Gaussian elimination with partial pivoting). */
function solveLinear(A0: number[][], b: number[]): number[] {
  const n = b.length;
  const A = A0.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let best = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[best]![col]!)) best = r;
    [A[col], A[best]] = [A[best]!, A[col]!];
    for (let r = col + 1; r < n; r++) {
      const k = A[r]![col]! / A[col]![col]!;
      for (let j = col; j <= n; j++) A[r]![j] = A[r]![j]! - k * A[col]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let acc = A[r]![n]!;
    for (let j = r + 1; j < n; j++) acc -= A[r]![j]! * x[j]!;
    x[r] = acc / A[r]![r]!;
  }
  return x;
}
