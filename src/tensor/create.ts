import { type Generator, defaultGenerator } from "./random.js";
import { type Shape, fmtShape, numel } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface TensorOptions {
  requiresGrad?: boolean;
}

/** Infer the shape of a nested number array ([[1, 2], [3, 4]] → [2, 2]). */
function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let cur = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

type Nested = number | readonly Nested[];

/**
 * Make a tensor. A Float32Array or (nested) number array gives a float32 tensor, an Int32Array an
 * int32 tensor (token ids, targets, lengths). The shape defaults to the array's own nesting.
 *   tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true })
 */
export function tensor(data: Float32Array | Int32Array | readonly Nested[] | number, shape?: Shape, opts: TensorOptions = {}): Tensor {
  let arr: Float32Array | Int32Array;
  let s: Shape;
  if (data instanceof Float32Array || data instanceof Int32Array) {
    arr = data;
    s = shape ?? [data.length];
  } else if (typeof data === "number") {
    arr = new Float32Array([data]);
    s = shape ?? [];
  } else {
    const flat = (data as Nested[]).flat(Infinity as 1) as number[];
    arr = Float32Array.from(flat);
    s = shape ?? inferShape(data);
  }
  if (numel(s) !== arr.length) throw new RangeError(`tensor: ${arr.length} values do not fill shape ${fmtShape(s)} (${numel(s)} elements)`);
  return new Tensor(arr, s, opts.requiresGrad ?? false);
}

export const zeros = (shape: Shape, opts: TensorOptions = {}): Tensor => new Tensor(new Float32Array(numel(shape)), shape, opts.requiresGrad ?? false);
export const ones = (shape: Shape, opts: TensorOptions = {}): Tensor => full(shape, 1, opts);
export const full = (shape: Shape, value: number, opts: TensorOptions = {}): Tensor =>
  new Tensor(new Float32Array(numel(shape)).fill(value), shape, opts.requiresGrad ?? false);

/** Standard normal draws from `opts.generator` (default: the default generator). */
export function randn(shape: Shape, opts: TensorOptions & { generator?: Generator } = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const d = new Float32Array(numel(shape));
  for (let i = 0; i < d.length; i++) d[i] = g.randn();
  return new Tensor(d, shape, opts.requiresGrad ?? false);
}

/** Uniform draws in [lo, hi) from `opts.generator` (default: the default generator). */
export function rand(shape: Shape, lo = 0, hi = 1, opts: TensorOptions & { generator?: Generator } = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const d = new Float32Array(numel(shape));
  for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * g.random();
  return new Tensor(d, shape, opts.requiresGrad ?? false);
}

/** Integer tensor from numbers (ids, targets, lengths). */
export const intTensor = (data: ArrayLike<number>, shape?: Shape): Tensor => new Tensor(Int32Array.from(data as ArrayLike<number>), shape ?? [data.length]);
