/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 two-loop recursion) with a backtracking
 * Armijo line search, for smooth convex objectives such as L2-regularised logistic regression.
 * Pairs with sᵀy ≤ 1e-10 are not stored (keeps the inverse-Hessian estimate positive definite).
 */

export interface LbfgsOptions {
  /** Stored correction pairs (default 10). */
  memory?: number;
  /** Maximum iterations (default 200). */
  maxIter?: number;
  /** Stop when ‖∇f‖∞ ≤ gradTol · max(1, ‖∇f(x₀)‖∞) (default 1e-4). */
  gradTol?: number;
  /** Stop when the relative decrease (f_prev − f) / max(1, |f|) is at most this (default 1e-7). */
  funcTol?: number;
}

export interface LbfgsResult {
  f: number;
  iterations: number;
  /** Why it stopped. */
  reason: "gradient" | "function" | "maxIter" | "lineSearch";
}

/**
 * Minimise f over x in place. `fg(x, g)` returns f(x) and writes ∇f(x) into g.
 */
export function lbfgs(x: Float64Array, fg: (x: Float64Array, g: Float64Array) => number, opts: LbfgsOptions = {}): LbfgsResult {
  const n = x.length;
  const m = opts.memory ?? 10;
  const maxIter = opts.maxIter ?? 200;
  const gradTol = opts.gradTol ?? 1e-4;
  const funcTol = opts.funcTol ?? 1e-7;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const g = new Float64Array(n);
  const gNew = new Float64Array(n);
  const xNew = new Float64Array(n);
  const d = new Float64Array(n);
  const alphaBuf = new Float64Array(m);
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    return s;
  };
  const infNorm = (a: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(a[i]!));
    return s;
  };
  let f = fg(x, g);
  const g0 = Math.max(1, infNorm(g));
  for (let it = 1; it <= maxIter; it++) {
    if (infNorm(g) <= gradTol * g0) return { f, iterations: it - 1, reason: "gradient" };
    // d = −H g by the two-loop recursion.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, d);
      alphaBuf[j] = a;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= a * y[i]!;
    }
    if (k > 0) {
      const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j]! * dot(Y[j]!, d);
      const s = S[j]!;
      const c = alphaBuf[j]! - b;
      for (let i = 0; i < n; i++) d[i]! += c * s[i]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    // Backtracking Armijo line search.
    let step = k === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let fNew = Infinity;
    let ok = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = fg(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) return { f, iterations: it, reason: "lineSearch" };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-10) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    x.set(xNew);
    g.set(gNew);
    const decrease = f - fNew;
    f = fNew;
    if (decrease / Math.max(1, Math.abs(f)) <= funcTol) return { f, iterations: it, reason: "function" };
  }
  return { f, iterations: maxIter, reason: "maxIter" };
}
