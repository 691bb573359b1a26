import { backend } from "../../kernels/registry.js";
import { aroundDim, normDim } from "../shape.js";
import { Tensor, makeOutput } from "../tensor.js";


function reducedShape(x: Tensor, d: number, keepdim: boolean): number[] {
  return keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
}

/** Sum of all elements (dim undefined) or along one dimension.  d(Σx)/dx = 1 (broadcast back). */
export function sum(x: Tensor, dim?: number, keepdim = false): Tensor {
  const xd = x.f32;
  if (dim === undefined) {
    const out = new Float32Array(1);
    backend().sumAxis(xd, 1, xd.length, 1, out);
    return makeOutput(out, keepdim ? x.shape.map(() => 1) : [], [x], (g) => [new Float32Array(xd.length).fill(g[0]!)]);
  }
  const d = normDim("sum", dim, x.ndim);
  const [outer, n, inner] = aroundDim(x.shape, d);
  const out = new Float32Array(outer * inner);
  backend().sumAxis(xd, outer, n, inner, out);
  return makeOutput(out, reducedShape(x, d, keepdim), [x], (g) => {
    const dx = new Float32Array(xd.length);
    for (let o = 0; o < outer; o++) for (let k = 0; k < n; k++) dx.set(g.subarray(o * inner, o * inner + inner), (o * n + k) * inner);
    return [dx];
  });
}

export function mean(x: Tensor, dim?: number, keepdim = false): Tensor {
  const n = dim === undefined ? x.size : x.shape[normDim("mean", dim, x.ndim)]!;
  return sum(x, dim, keepdim).mul(1 / n);
}

/** Maximum along a dimension; the gradient goes to the (first) arg-max. */
export function max(x: Tensor, dim: number, keepdim = false): Tensor {
  const d = normDim("max", dim, x.ndim);
  const [outer, n, inner] = aroundDim(x.shape, d);
  if (n === 0) throw new RangeError("max: cannot reduce an empty dimension");
  const xd = x.f32;
  const out = new Float32Array(outer * inner);
  const arg = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let best = -Infinity;
      let bi = 0;
      for (let k = 0; k < n; k++) {
        const v = xd[(o * n + k) * inner + j]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          bi = k;
          if (Number.isNaN(v)) break;
        }
      }
      out[o * inner + j] = best;
      arg[o * inner + j] = bi;
    }
  return makeOutput(out, reducedShape(x, d, keepdim), [x], (g) => {
    const dx = new Float32Array(xd.length);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) dx[(o * n + arg[o * inner + j]!) * inner + j] = g[o * inner + j]!;
    return [dx];
  });
}
