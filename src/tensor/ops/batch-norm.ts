/**
 * Batch normalisation over the batch dimension (Ioffe & Szegedy 2015), torch.nn.functional.batch_norm
 * for x [N, F]:
 *   training:  μ = mean_n x,  σ² = mean_n (x − μ)²,  x̂ = (x − μ) / √(σ² + ε),  y = γ ⊙ x̂ + β
 *              running_mean ← (1 − m)·running_mean + m·μ;  running_var ← (1 − m)·running_var + m·σ²·N/(N−1)
 *   eval (and a training batch of one row, where σ² is undefined): μ, σ² = the running statistics.
 * Backward (training): dx = γ/√(σ²+ε) · (g − mean_n g − x̂ · mean_n(g ⊙ x̂)),  dγ = Σ_n g ⊙ x̂,  dβ = Σ_n g;
 * (eval) dx = g · γ/√(running_var + ε).
 */
import { fmtShape } from "../shape.js";
import { type Tensor, makeOutput } from "../tensor.js";

export interface BatchNormOptions {
  training: boolean;
  /** [F], updated in place while training (null: no running statistics, always batch statistics). */
  runningMean: Float32Array | null;
  runningVar: Float32Array | null;
  momentum?: number;
  eps?: number;
}

export function batchNorm1d(x: Tensor, weight: Tensor | null, bias: Tensor | null, o: BatchNormOptions): Tensor {
  if (x.ndim !== 2) throw new RangeError(`batchNorm1d: input must be [N, F], got ${fmtShape(x.shape)}`);
  const [N, F] = x.shape as [number, number];
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const)
    if (t && t.size !== F) throw new RangeError(`batchNorm1d: ${name} must be [${F}], got ${fmtShape(t.shape)}`);
  const eps = o.eps ?? 1e-5;
  const m = o.momentum ?? 0.1;
  const useBatch = (o.training && N > 1) || !o.runningMean || !o.runningVar;
  if (useBatch && N < 2) throw new RangeError("batchNorm1d: batch statistics need at least 2 rows (hint: keep running statistics, or use a batch of ≥ 2)");
  const xd = x.f32;
  const mean = new Float64Array(F);
  const invStd = new Float64Array(F);
  if (useBatch) {
    for (let n = 0; n < N; n++) for (let f = 0; f < F; f++) mean[f]! += xd[n * F + f]!;
    for (let f = 0; f < F; f++) mean[f]! /= N;
    const v = new Float64Array(F);
    for (let n = 0; n < N; n++)
      for (let f = 0; f < F; f++) {
        const d = xd[n * F + f]! - mean[f]!;
        v[f]! += d * d;
      }
    for (let f = 0; f < F; f++) {
      const biased = v[f]! / N;
      invStd[f] = 1 / Math.sqrt(biased + eps);
      if (o.training && o.runningMean && o.runningVar) {
        o.runningMean[f] = (1 - m) * o.runningMean[f]! + m * mean[f]!;
        o.runningVar[f] = (1 - m) * o.runningVar[f]! + (m * v[f]!) / (N - 1);
      }
    }
  } else {
    for (let f = 0; f < F; f++) {
      mean[f] = o.runningMean![f]!;
      invStd[f] = 1 / Math.sqrt(o.runningVar![f]! + eps);
    }
  }
  const w = weight?.f32 ?? null;
  const b = bias?.f32 ?? null;
  const xhat = new Float32Array(N * F);
  const out = new Float32Array(N * F);
  for (let n = 0; n < N; n++)
    for (let f = 0; f < F; f++) {
      const i = n * F + f;
      const h = (xd[i]! - mean[f]!) * invStd[f]!;
      xhat[i] = h;
      out[i] = (w ? w[f]! : 1) * h + (b ? b[f]! : 0);
    }
  const parents = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return makeOutput(out, [N, F], parents, (g) => {
    const dx = new Float32Array(N * F);
    const dw = new Float32Array(F);
    const db = new Float32Array(F);
    for (let n = 0; n < N; n++)
      for (let f = 0; f < F; f++) {
        const i = n * F + f;
        dw[f]! += g[i]! * xhat[i]!;
        db[f]! += g[i]!;
      }
    for (let f = 0; f < F; f++) {
      const scale = (w ? w[f]! : 1) * invStd[f]!;
      if (useBatch) {
        const mg = db[f]! / N;
        const mgx = dw[f]! / N;
        for (let n = 0; n < N; n++) {
          const i = n * F + f;
          dx[i] = scale * (g[i]! - mg - xhat[i]! * mgx);
        }
      } else for (let n = 0; n < N; n++) dx[n * F + f] = scale * g[n * F + f]!;
    }
    return [dx, ...(weight ? [dw] : []), ...(bias ? [db] : [])];
  });
}
