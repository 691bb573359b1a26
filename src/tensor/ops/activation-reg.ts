import { fmtShape, normDim } from "../shape.js";
import { type Tensor, makeOutput } from "../tensor.js";

/**
 * Activation regularisation (AR, Merity et al. 2017), a loss term on the (dropped) output of the
 * last recurrent layer:  AR = α · mean(h²) over every element of h (any shape).
 *   dh = 2α h / numel(h)
 */
export function activationRegularization(h: Tensor, alpha: number): Tensor {
  if (!Number.isFinite(alpha)) throw new RangeError(`activationRegularization: alpha must be a finite number, got ${alpha}`);
  const x = h.f32;
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]! * x[i]!;
  const k = n > 0 ? alpha / n : 0;
  return makeOutput(new Float32Array([s * k]), [], [h], (g) => {
    const c = 2 * k * g[0]!;
    const dh = new Float32Array(n);
    for (let i = 0; i < n; i++) dh[i] = c * x[i]!;
    return [dh];
  });
}

/**
 * Temporal activation regularisation (TAR, Merity et al. 2017), a loss term on the undropped
 * output of the last recurrent layer, penalising fast changes of the hidden state:
 *   TAR = β · mean((h_t − h_{t−1})²)  over t = 1 … T−1 and every other index
 * h [T, B, F] with the time axis `timeDim` (0; 1 for batch-first [B, T, F]). With T < 2 there is
 * no difference to penalise and the term is 0 (PyTorch's mean of an empty tensor would be NaN).
 *   with d_t = 2β (h_t − h_{t−1}) / numel:  dh_t += d_t,  dh_{t−1} −= d_t
 */
export function temporalActivationRegularization(h: Tensor, beta: number, timeDim = 0): Tensor {
  if (!Number.isFinite(beta)) throw new RangeError(`temporalActivationRegularization: beta must be a finite number, got ${beta}`);
  if (h.ndim < 1) throw new RangeError(`temporalActivationRegularization: input needs a time axis, got ${fmtShape(h.shape)}`);
  const d = normDim("temporalActivationRegularization", timeDim, h.ndim);
  const x = h.f32;
  const T = h.shape[d]!;
  const inner = h.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = h.size / Math.max(1, T * inner);
  const count = outer * Math.max(0, T - 1) * inner;
  const k = count > 0 ? beta / count : 0;
  let s = 0;
  for (let o = 0; o < outer; o++)
    for (let t = 1; t < T; t++) {
      const a = (o * T + t) * inner;
      const b = a - inner;
      for (let j = 0; j < inner; j++) {
        const diff = x[a + j]! - x[b + j]!;
        s += diff * diff;
      }
    }
  return makeOutput(new Float32Array([s * k]), [], [h], (g) => {
    const c = 2 * k * g[0]!;
    const dh = new Float32Array(x.length);
    for (let o = 0; o < outer; o++)
      for (let t = 1; t < T; t++) {
        const a = (o * T + t) * inner;
        const b = a - inner;
        for (let j = 0; j < inner; j++) {
          const v = c * (x[a + j]! - x[b + j]!);
          dh[a + j]! += v;
          dh[b + j]! -= v;
        }
      }
    return [dh];
  });
}
