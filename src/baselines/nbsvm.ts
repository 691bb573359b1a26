/**
 * NBSVM (Wang & Manning 2012, "Baselines and Bigrams"): a linear SVM (or logistic regression) on
 * naive-Bayes-scaled binary features, interpolated with the NB model.
 *
 * For binary features x̂ ∈ {0,1}^F and a positive class:
 *   p = α + Σ_{i: y_i = +1} x̂_i,  q = α + Σ_{i: y_i = −1} x̂_i,  r = ln((p / ‖p‖₁) / (q / ‖q‖₁))
 *   train (w, b) on x̃ = r ⊙ x̂;   w' = (1 − β) w̄ + β w,  w̄ = ‖w‖₁ / F
 * The bias interpolates the same way between the NB prior (w̄ · ln(N₊/N₋), the NB model scaled
 * like w') and b: b' = (1 − β) w̄ ln(N₊/N₋) + β b. Paper defaults: α = 1, β = 0.25, C = 1,
 * L2-regularised L2-loss SVM. K > 2 classes: one-vs-rest with a ratio r per class.
 *
 *   const vec = new NgramVectorizer({ weighting: "binary" });
 *   const nb = new NbSvm().fit(vec.fitTransform(trainTokens), yTrain);
 *   const pred = nb.predict(vec.transform(testTokens));
 */
import { numClasses, predictFromScores, signTargets, trainBinary, type LinearClassifierOptions } from "./linear.js";
import { csrScaleColumns, type CsrMatrix } from "./sparse.js";

export interface NbSvmOptions extends LinearClassifierOptions {
  /** Smoothing α of the count ratio (default 1). */
  alpha?: number;
  /** Interpolation β (default 0.25; 1 = plain SVM on NB features). */
  beta?: number;
}

interface NbModel {
  r: Float64Array;
  w: Float64Array;
  b: number;
}

export class NbSvm {
  readonly opts: NbSvmOptions;
  models: NbModel[] = [];
  nClasses = 0;

  constructor(opts: NbSvmOptions = {}) {
    this.opts = { loss: "squared-hinge", C: 1, ...opts };
  }

  /** X: binary (or count) features; values are binarised (> 0 → 1). */
  fit(X: CsrMatrix, y: Int32Array, nClasses?: number): this {
    const K = numClasses(y, nClasses);
    this.nClasses = K;
    const Xb = binarize(X);
    const alpha = this.opts.alpha ?? 1;
    const beta = this.opts.beta ?? 0.25;
    const F = X.cols;
    const problems = K === 2 ? [1] : Array.from({ length: K }, (_, k) => k);
    this.models = problems.map((k) => {
      const t = signTargets(y, k);
      const p = new Float64Array(F).fill(alpha);
      const q = new Float64Array(F).fill(alpha);
      let nPos = 0;
      for (let i = 0; i < Xb.rows; i++) {
        const pos = t[i]! > 0;
        if (pos) nPos++;
        const acc = pos ? p : q;
        for (let e = Xb.indptr[i]!; e < Xb.indptr[i + 1]!; e++) acc[Xb.indices[e]!]!++;
      }
      let sp = 0, sq = 0;
      for (let j = 0; j < F; j++) {
        sp += p[j]!;
        sq += q[j]!;
      }
      const r = new Float64Array(F);
      for (let j = 0; j < F; j++) r[j] = Math.log(p[j]! / sp / (q[j]! / sq));
      const m = trainBinary(csrScaleColumns(Xb, r), t, this.opts);
      let wbar = 0;
      for (let j = 0; j < F; j++) wbar += Math.abs(m.w[j]!);
      wbar /= F;
      const w = new Float64Array(F);
      for (let j = 0; j < F; j++) w[j] = (1 - beta) * wbar + beta * m.w[j]!;
      const nNeg = Xb.rows - nPos;
      const prior = nPos > 0 && nNeg > 0 ? Math.log(nPos / nNeg) : 0;
      return { r, w, b: (1 - beta) * wbar * prior + beta * m.b };
    });
    return this;
  }

  /** Scores [N, P] (P = 1 for binary, K otherwise). */
  decisionFunction(X: CsrMatrix): Float32Array {
    if (this.models.length === 0) throw new Error("NbSvm: call fit() first");
    const Xb = binarize(X);
    const P = this.models.length;
    const out = new Float32Array(X.rows * P);
    this.models.forEach((m, k) => {
      if (Xb.cols !== m.r.length) throw new RangeError(`NbSvm: X has ${Xb.cols} features, the model ${m.r.length}`);
      for (let i = 0; i < Xb.rows; i++) {
        let s = m.b;
        for (let e = Xb.indptr[i]!; e < Xb.indptr[i + 1]!; e++) {
          const j = Xb.indices[e]!;
          s += m.w[j]! * m.r[j]!;
        }
        out[i * P + k] = s;
      }
    });
    return out;
  }

  predict(X: CsrMatrix): Int32Array {
    return predictFromScores(this.decisionFunction(X), this.models.length);
  }
}

/** Values > 0 → 1 (structure shared). */
function binarize(X: CsrMatrix): CsrMatrix {
  let already = true;
  for (let p = 0; p < X.data.length && already; p++) if (X.data[p] !== 1) already = false;
  if (already) return X;
  return { ...X, data: Float32Array.from(X.data, (v) => (v > 0 ? 1 : 0)) };
}
