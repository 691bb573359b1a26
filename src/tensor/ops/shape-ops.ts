import { type Shape, aroundDim, fmtShape, normDim, numel, sameShape, stridesOf } from "../shape.js";
import { Tensor, makeOutput } from "../tensor.js";

/** Same data, new shape (one dimension may be −1). Tensors are always contiguous, so this is a copy-free relabel of the gradient too. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const infer = shape.indexOf(-1);
  let s = [...shape];
  if (infer >= 0) {
    const known = numel(shape.filter((_, i) => i !== infer));
    s[infer] = known === 0 ? 0 : x.size / known;
  }
  if (numel(s) !== x.size || !s.every((d) => Number.isInteger(d) && d >= 0))
    throw new RangeError(`reshape: cannot view ${fmtShape(x.shape)} (${x.size} elements) as ${fmtShape(shape)}`);
  if (x.dtype === "int32") return new Tensor(x.data, s);
  return makeOutput(x.f32, s, [x], (g) => [g]);
}

/** Reorder dimensions: out.shape[i] = x.shape[dims[i]]. The gradient is the inverse permutation. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const nd = x.ndim;
  const p = dims.map((d) => normDim("permute", d, nd));
  if (p.length !== nd || new Set(p).size !== nd) throw new RangeError(`permute: dims ${fmtShape(dims)} are not a permutation of ${nd} dimensions`);
  const outShape = p.map((d) => x.shape[d]!);
  const src = stridesOf(x.shape);
  const perm = (data: Float32Array | Int32Array, inverse: boolean): Float32Array | Int32Array => {
    const out = data instanceof Int32Array ? new Int32Array(data.length) : new Float32Array(data.length);
    const shape = inverse ? x.shape : outShape;
    const st = inverse ? invert(p).map((d) => stridesOf(outShape)[d]!) : p.map((d) => src[d]!);
    const idx = new Array<number>(nd).fill(0);
    let off = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = data[off]!;
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]!++;
        off += st[d]!;
        if (idx[d]! < shape[d]!) break;
        off -= st[d]! * shape[d]!;
        idx[d] = 0;
      }
    }
    return out;
  };
  const data = perm(x.data, false);
  if (data instanceof Int32Array) return new Tensor(data, outShape);
  return makeOutput(data, outShape, [x], (g) => [perm(g, true) as Float32Array]);
}
const invert = (p: number[]): number[] => {
  const r = new Array<number>(p.length);
  p.forEach((d, i) => (r[d] = i));
  return r;
};

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normDim("transpose", dim0, x.ndim);
  const b = normDim("transpose", dim1, x.ndim);
  const p = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, p);
}

/** Elements start ≤ i < end along dim (negative indices count from the end). */
export function slice(x: Tensor, dim: number, start: number, end: number): Tensor {
  const d = normDim("slice", dim, x.ndim);
  const n = x.shape[d]!;
  const s = Math.max(0, Math.min(n, start < 0 ? start + n : start));
  const e = Math.max(s, Math.min(n, end < 0 ? end + n : end));
  const [outer, , inner] = aroundDim(x.shape, d);
  const m = e - s;
  const copy = (src: Float32Array | Int32Array): Float32Array | Int32Array => {
    const out = src instanceof Int32Array ? new Int32Array(outer * m * inner) : new Float32Array(outer * m * inner);
    for (let o = 0; o < outer; o++) out.set(src.subarray((o * n + s) * inner, (o * n + e) * inner), o * m * inner);
    return out;
  };
  const shape = x.shape.map((v, i) => (i === d ? m : v));
  const data = copy(x.data);
  if (data instanceof Int32Array) return new Tensor(data, shape);
  return makeOutput(data, shape, [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let o = 0; o < outer; o++) dx.set(g.subarray(o * m * inner, (o + 1) * m * inner), (o * n + s) * inner);
    return [dx];
  });
}

/** x[..., index, ...] with dimension dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim("select", dim, x.ndim);
  const n = x.shape[d]!;
  const i = index < 0 ? index + n : index;
  if (i < 0 || i >= n) throw new RangeError(`select: index ${index} is out of range for dimension ${dim} of size ${n}`);
  return squeeze(slice(x, d, i, i + 1), d);
}

/** Gather whole slices along dim: out[..., k, ...] = x[..., index[k], ...]. Gradient scatter-adds back. */
export function indexSelect(x: Tensor, dim: number, index: Tensor | Int32Array | readonly number[]): Tensor {
  const d = normDim("indexSelect", dim, x.ndim);
  const idx = index instanceof Tensor ? index.i32 : Int32Array.from(index);
  const [outer, n, inner] = aroundDim(x.shape, d);
  for (const k of idx) if (k < 0 || k >= n) throw new RangeError(`indexSelect: index ${k} is out of range for dimension ${dim} of size ${n}`);
  const m = idx.length;
  const src = x.data;
  const out = src instanceof Int32Array ? new Int32Array(outer * m * inner) : new Float32Array(outer * m * inner);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < m; k++) out.set(src.subarray((o * n + idx[k]!) * inner, (o * n + idx[k]! + 1) * inner), (o * m + k) * inner);
  const shape = x.shape.map((v, i) => (i === d ? m : v));
  if (out instanceof Int32Array) return new Tensor(out, shape);
  return makeOutput(out, shape, [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let o = 0; o < outer; o++)
      for (let k = 0; k < m; k++) {
        const to = (o * n + idx[k]!) * inner;
        const from = (o * m + k) * inner;
        for (let j = 0; j < inner; j++) dx[to + j]! += g[from + j]!;
      }
    return [dx];
  });
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim("unsqueeze", dim, x.ndim + 1);
  const s = [...x.shape];
  s.splice(d, 0, 1);
  return reshape(x, s);
}

export function squeeze(x: Tensor, dim: number): Tensor {
  const d = normDim("squeeze", dim, x.ndim);
  if (x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

/** Join tensors along an existing dimension; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new RangeError("concat: needs at least one tensor");
  const first = xs[0]!;
  const d = normDim("concat", dim, first.ndim);
  for (const [k, t] of xs.entries()) {
    const ok = t.ndim === first.ndim && t.shape.every((v, i) => i === d || v === first.shape[i]) && t.dtype === first.dtype;
    if (!ok) throw new RangeError(`concat: tensor ${k} has shape ${fmtShape(t.shape)} (${t.dtype}), expected ${fmtShape(first.shape.map((v, i) => (i === d ? -1 : v)))} with any size at dim ${d} (${first.dtype})`);
  }
  const [outer, , inner] = aroundDim(first.shape, d);
  const sizes = xs.map((t) => t.shape[d]!);
  const total = sizes.reduce((a, b) => a + b, 0);
  const isInt = first.dtype === "int32";
  const out = isInt ? new Int32Array(outer * total * inner) : new Float32Array(outer * total * inner);
  let at = 0;
  xs.forEach((t, k) => {
    const m = sizes[k]!;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * m * inner, (o + 1) * m * inner), (o * total + at) * inner);
    at += m;
  });
  const shape = first.shape.map((v, i) => (i === d ? total : v));
  if (out instanceof Int32Array) return new Tensor(out, shape);
  return makeOutput(out, shape, xs, (g) => {
    let off = 0;
    return xs.map((t, k) => {
      const m = sizes[k]!;
      const start = off;
      off += m;
      if (!t.requiresGrad) return null;
      const dx = new Float32Array(t.size);
      for (let o = 0; o < outer; o++) dx.set(g.subarray((o * total + start) * inner, (o * total + start + m) * inner), o * m * inner);
      return dx;
    });
  });
}

/** Join tensors of one shape along a new dimension. */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  if (xs.length === 0) throw new RangeError("stack: needs at least one tensor");
  const s0 = xs[0]!.shape;
  xs.forEach((t, k) => {
    if (!sameShape(t.shape, s0)) throw new RangeError(`stack: tensor ${k} has shape ${fmtShape(t.shape)}, expected ${fmtShape(s0)}`);
  });
  return concat(xs.map((t) => unsqueeze(t, dim)), dim);
}
