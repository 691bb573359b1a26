import { backend } from "../../kernels/registry.js";
import { aroundDim, normDim } from "../shape.js";
import { Tensor, makeOutput } from "../tensor.js";


/** log softmax(x)_k = x_k − log Σ_j exp(x_j).   dx = g − softmax · Σ g */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const d = normDim("logSoftmax", dim, x.ndim);
  const [outer, n, inner] = aroundDim(x.shape, d);
  const out = new Float32Array(x.size);
  backend().logSoftmax(x.f32, outer, n, inner, out);
  return makeOutput(out, x.shape, [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += g[(o * n + k) * inner + j]!;
        for (let k = 0; k < n; k++) {
          const i = (o * n + k) * inner + j;
          dx[i] = g[i]! - Math.exp(out[i]!) * s;
        }
      }
    return [dx];
  });
}

/** softmax(x)_k = exp(x_k) / Σ_j exp(x_j).   dx = y ⊙ (g − Σ g ⊙ y) */
export function softmax(x: Tensor, dim = -1): Tensor {
  const d = normDim("softmax", dim, x.ndim);
  const [outer, n, inner] = aroundDim(x.shape, d);
  const out = new Float32Array(x.size);
  backend().logSoftmax(x.f32, outer, n, inner, out);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]!);
  return makeOutput(out, x.shape, [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += g[(o * n + k) * inner + j]! * out[(o * n + k) * inner + j]!;
        for (let k = 0; k < n; k++) {
          const i = (o * n + k) * inner + j;
          dx[i] = out[i]! * (g[i]! - s);
        }
      }
    return [dx];
  });
}
