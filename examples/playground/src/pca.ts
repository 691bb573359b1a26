/**
 * The first two principal components of a few dozen hidden states, for the trajectory plot:
 * covariance of the centred rows, top eigenvectors by power iteration with deflation.
 * rows: [n, d] row-major. Returns the [n, 2] projections and the share of variance each explains.
 */
export function pca2(rows: Float32Array, n: number, d: number): { xy: Float64Array; explained: [number, number] } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += rows[i * d + j]! / n;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = rows[i * d + j]! - mean[j]!;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) {
      const xa = x[i * d + a]!;
      if (xa === 0) continue;
      for (let b = 0; b < d; b++) cov[a * d + b]! += (xa * x[i * d + b]!) / Math.max(1, n - 1);
    }
  let total = 0;
  for (let a = 0; a < d; a++) total += cov[a * d + a]!;
  const comps: Float64Array[] = [];
  const vals: number[] = [];
  for (let k = 0; k < 2; k++) {
    // deterministic start, not orthogonal to typical data: 1, 1/2, 1/3, …
    let v = Float64Array.from({ length: d }, (_, j) => 1 / (j + 1 + k));
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b]! * v[b]!;
        w[a] = s;
      }
      for (const c of comps) {
        let dot = 0;
        for (let a = 0; a < d; a++) dot += w[a]! * c[a]!;
        for (let a = 0; a < d; a++) w[a]! -= dot * c[a]!;
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-12) break;
      lambda = norm;
      for (let a = 0; a < d; a++) w[a]! /= norm;
      v = w;
    }
    comps.push(v);
    vals.push(lambda);
  }
  const xy = new Float64Array(n * 2);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * comps[k]![j]!;
      xy[i * 2 + k] = s;
    }
  return { xy, explained: [total > 0 ? vals[0]! / total : 0, total > 0 ? vals[1]! / total : 0] };
}
