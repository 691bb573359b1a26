import { fmtShape } from "../shape.js";
import { type Tensor, makeOutput } from "../tensor.js";

/**
 * One entry per row: out[n] = x[n, idx[n]] (torch's x.gather(1, idx[:, None]).squeeze(1)).
 * x [N, C], idx int32 [N] → [N];  dx[n, idx[n]] = g[n], zero elsewhere.
 */
export function gatherRows(x: Tensor, idx: Tensor | Int32Array): Tensor {
  if (x.ndim !== 2) throw new RangeError(`gatherRows: input must be [N, C], got ${fmtShape(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  const ix = idx instanceof Int32Array ? idx : idx.i32;
  if (ix.length !== N) throw new RangeError(`gatherRows: index must have ${N} entries (one per row of ${fmtShape(x.shape)}), got ${ix.length}`);
  const xd = x.f32;
  const out = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    const c = ix[n]!;
    if (c < 0 || c >= C) throw new RangeError(`gatherRows: index ${c} at row ${n} is out of range [0, ${C})`);
    out[n] = xd[n * C + c]!;
  }
  return makeOutput(out, [N], [x], (g) => {
    const dx = new Float32Array(N * C);
    for (let n = 0; n < N; n++) dx[n * C + ix[n]!] = g[n]!;
    return [dx];
  });
}

/**
 * Place values at given positions of a zero vector: out[rows[k]] = v[k] (torch's
 * zeros(N).index_copy_(0, rows, v)), v [n] → [N]; rows must be distinct. dv[k] = g[rows[k]].
 */
export function scatterRows(v: Tensor, rows: Int32Array, N: number): Tensor {
  if (v.ndim !== 1 || v.size !== rows.length) throw new RangeError(`scatterRows: values must be [${rows.length}] (one per row index), got ${fmtShape(v.shape)}`);
  const vd = v.f32;
  const out = new Float32Array(N);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (r < 0 || r >= N) throw new RangeError(`scatterRows: row ${r} is out of range [0, ${N})`);
    out[r] = vd[k]!;
  }
  return makeOutput(out, [N], [v], (g) => {
    const dv = new Float32Array(rows.length);
    for (let k = 0; k < rows.length; k++) dv[k] = g[rows[k]!]!;
    return [dv];
  });
}
