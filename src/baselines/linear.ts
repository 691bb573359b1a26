/**
 * L2-regularised linear classifiers over sparse features, trained full-batch with L-BFGS:
 *
 *   minimise_{w,b}  C · Σ_i ℓ(y_i (w·x_i + b)) + ½‖w‖²,   y_i ∈ {−1, +1}
 *   logistic:       ℓ(z) = ln(1 + e^(−z))            (scikit-learn LogisticRegression, C convention)
 *   squared-hinge:  ℓ(z) = max(0, 1 − z)²            (L2-loss linear SVM, liblinear's default)
 *
 * The bias b is not regularised. Binary problems train one model (class 1 = positive);
 * K > 2 classes train K one-vs-rest models and predict the highest score.
 */
import { lbfgs, type LbfgsOptions } from "./lbfgs.js";
import { csrMatVec, csrTransposeMatVecAdd, type CsrMatrix } from "./sparse.js";

export type LinearLoss = "logistic" | "squared-hinge";

export interface LinearClassifierOptions extends LbfgsOptions {
  /** Inverse regularisation strength (default 1). */
  C?: number;
  /** Default "logistic". */
  loss?: LinearLoss;
}

/** One binary problem: weights and bias. */
export interface BinaryModel {
  w: Float64Array;
  b: number;
}

/** Train one binary model; y[i] ∈ {−1, +1}. */
export function trainBinary(X: CsrMatrix, y: Float64Array, opts: LinearClassifierOptions = {}): BinaryModel & { iterations: number } {
  const C = opts.C ?? 1;
  const loss = opts.loss ?? "logistic";
  if (!(C > 0)) throw new RangeError(`trainBinary: C must be positive, got ${C}`);
  if (y.length !== X.rows) throw new RangeError(`trainBinary: ${y.length} targets for ${X.rows} rows`);
  const F = X.cols;
  const z = new Float64Array(X.rows);
  const dz = new Float64Array(X.rows);
  const params = new Float64Array(F + 1); // [w, b]
  const fg = (p: Float64Array, g: Float64Array): number => {
    const w = p.subarray(0, F);
    const b = p[F]!;
    csrMatVec(X, w, b, z);
    let f = 0;
    let gb = 0;
    for (let i = 0; i < X.rows; i++) {
      const yi = y[i]!;
      const m = yi * z[i]!;
      let l: number, dl: number; // ℓ(m), ℓ'(m)
      if (loss === "logistic") {
        if (m > 0) {
          const e = Math.exp(-m);
          l = Math.log1p(e);
          dl = -e / (1 + e);
        } else {
          const e = Math.exp(m);
          l = -m + Math.log1p(e);
          dl = -1 / (1 + e);
        }
      } else {
        const h = 1 - m;
        l = h > 0 ? h * h : 0;
        dl = h > 0 ? -2 * h : 0;
      }
      f += l;
      dz[i] = C * yi * dl;
      gb += dz[i]!;
    }
    f *= C;
    const gw = g.subarray(0, F);
    for (let j = 0; j < F; j++) {
      const wj = w[j]!;
      gw[j] = wj;
      f += 0.5 * wj * wj;
    }
    csrTransposeMatVecAdd(X, dz, gw);
    g[F] = gb;
    return f;
  };
  const res = lbfgs(params, fg, opts);
  return { w: params.slice(0, F), b: params[F]!, iterations: res.iterations };
}

/** Scores [N, P] of P binary models: s[n, p] = w_p·x_n + b_p. */
export function linearScores(X: CsrMatrix, models: readonly BinaryModel[]): Float32Array {
  const P = models.length;
  const out = new Float32Array(X.rows * P);
  const col = new Float64Array(X.rows);
  models.forEach((m, p) => {
    csrMatVec(X, m.w, m.b, col);
    for (let i = 0; i < X.rows; i++) out[i * P + p] = col[i]!;
  });
  return out;
}

/** Class predictions from scores: sign for one model (binary), argmax otherwise. */
export function predictFromScores(scores: Float32Array, P: number): Int32Array {
  const N = scores.length / P;
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    if (P === 1) out[i] = scores[i]! > 0 ? 1 : 0;
    else {
      let best = 0;
      for (let p = 1; p < P; p++) if (scores[i * P + p]! > scores[i * P + best]!) best = p;
      out[i] = best;
    }
  }
  return out;
}

/** Check class ids and return K. */
export function numClasses(y: Int32Array, nClasses?: number): number {
  let K = nClasses ?? 0;
  if (nClasses === undefined) for (const v of y) K = Math.max(K, v + 1);
  if (K < 2) throw new RangeError(`need at least 2 classes, got ${K} (hint: pass nClasses)`);
  for (let i = 0; i < y.length; i++) if (!(y[i]! >= 0 && y[i]! < K)) throw new RangeError(`class id ${y[i]} at row ${i} is outside [0, ${K})`);
  return K;
}

/** ±1 targets for "class k vs rest" (binary: k = 1). */
export function signTargets(y: Int32Array, k: number): Float64Array {
  return Float64Array.from(y, (v) => (v === k ? 1 : -1));
}

/**
 * Logistic regression (or L2-loss linear SVM with loss "squared-hinge") on sparse features.
 *   const clf = new LinearClassifier({ C: 4 }).fit(Xtrain, ytrain);
 *   const pred = clf.predict(Xtest);
 */
export class LinearClassifier {
  models: BinaryModel[] = [];
  nClasses = 0;
  constructor(readonly opts: LinearClassifierOptions = {}) {}

  fit(X: CsrMatrix, y: Int32Array, nClasses?: number): this {
    const K = numClasses(y, nClasses);
    this.nClasses = K;
    this.models = K === 2 ? [trainBinary(X, signTargets(y, 1), this.opts)] : Array.from({ length: K }, (_, k) => trainBinary(X, signTargets(y, k), this.opts));
    return this;
  }

  /** Raw scores [N, P]: P = 1 for binary (positive = class 1), P = K otherwise. */
  decisionFunction(X: CsrMatrix): Float32Array {
    if (this.models.length === 0) throw new Error("LinearClassifier: call fit() first");
    if (X.cols !== this.models[0]!.w.length) throw new RangeError(`LinearClassifier: X has ${X.cols} features, the model ${this.models[0]!.w.length}`);
    return linearScores(X, this.models);
  }

  predict(X: CsrMatrix): Int32Array {
    return predictFromScores(this.decisionFunction(X), this.models.length);
  }

  /**
   * Class probabilities [N, K] for the logistic loss: binary σ(s); one-vs-rest σ(s_k) normalised
   * to sum to 1 (as scikit-learn's OvR). For the hinge loss these are only monotone scores.
   */
  predictProba(X: CsrMatrix): Float32Array {
    const s = this.decisionFunction(X);
    const P = this.models.length;
    const K = this.nClasses;
    const out = new Float32Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      if (P === 1) {
        const p = 1 / (1 + Math.exp(-s[i]!));
        out[i * 2] = 1 - p;
        out[i * 2 + 1] = p;
      } else {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += out[i * K + k] = 1 / (1 + Math.exp(-s[i * K + k]!));
        for (let k = 0; k < K; k++) out[i * K + k]! /= sum;
      }
    }
    return out;
  }
}
