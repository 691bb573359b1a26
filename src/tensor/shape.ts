/** Shape helpers shared by the tensor ops. */
export type Shape = readonly number[];

export const numel = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const fmtShape = (shape: Shape): string => `[${shape.join(", ")}]`;

/** Row-major element strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** Resolve a possibly negative dimension index against ndim; throws with the op's name. */
export function normDim(where: string, dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= ndim) throw new RangeError(`${where}: dim ${dim} is out of range for a tensor with ${ndim} dimension(s)`);
  return d;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** NumPy broadcasting of two shapes; throws naming both. */
export function broadcastShapes(where: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RangeError(`${where}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ${i}: ${x} vs ${y})`);
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Strides of `shape` seen inside the broadcast shape `out` (0 along broadcast dimensions). */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const own = stridesOf(shape);
  const r = new Array<number>(out.length).fill(0);
  const off = out.length - shape.length;
  for (let d = 0; d < shape.length; d++) r[off + d] = shape[d] === 1 ? 0 : own[d]!;
  return r;
}

/** View a shape as [outer, n, inner] around dimension d (the layout every axis kernel takes). */
export function aroundDim(shape: Shape, d: number): [number, number, number] {
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[d]!, inner];
}
