import { type Shape, fmtShape, numel } from "./shape.js";
import { giveF32 } from "./buffer-pool.js";
import * as ew from "./ops/elementwise.js";
import * as mm from "./ops/matmul.js";
import * as red from "./ops/reduce.js";
import * as sh from "./ops/shape-ops.js";
import * as sm from "./ops/softmax.js";

export type TensorData = Float32Array | Int32Array;
export type DType = "float32" | "int32";

/**
 * A backward rule: given the gradient of the op's output (same size as the output), return the
 * gradient for each parent in order (null where a parent needs none). Returned buffers may be the
 * incoming gradient itself; the engine copies before it aliases.
 */
export type BackwardFn = (grad: Float32Array) => ReadonlyArray<Float32Array | null>;

let gradEnabled = true;

/** Run fn without recording the autograd graph (like torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}
export const isGradEnabled = (): boolean => gradEnabled;

/**
 * A dense row-major tensor with reverse-mode autodiff (micrograd's idea at tensor granularity):
 * each op output remembers its parents and a closure that maps the output's gradient to theirs;
 * `backward()` visits the graph in reverse topological order. Float tensors hold a Float32Array,
 * integer tensors (token ids, class targets, lengths) an Int32Array and never take gradients.
 */
export class Tensor {
  readonly data: TensorData;
  readonly shape: readonly number[];
  requiresGrad: boolean;
  /** Gradient accumulated by backward() (leaves, and tensors that called retainGrad()). */
  grad: Tensor | null = null;
  /** @internal graph edges; empty for leaves. */
  parents: readonly Tensor[] = [];
  /** @internal */
  backwardFn: BackwardFn | null = null;
  /** @internal keep .grad on a non-leaf after backward (see retainGrad). */
  retainsGrad = false;

  constructor(data: TensorData, shape: Shape, requiresGrad = false) {
    const n = numel(shape);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RangeError(`Tensor: shape must be non-negative integers, got ${fmtShape(shape)}`);
    if (data.length !== n) throw new RangeError(`Tensor: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${n}`);
    if (requiresGrad && data instanceof Int32Array) throw new TypeError("Tensor: an integer tensor cannot require gradients (hint: pass a Float32Array)");
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return this.data instanceof Int32Array ? "int32" : "float32";
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.data.length;
  }
  /** True for tensors created by the user (not by an op): where .grad accumulates. */
  get isLeaf(): boolean {
    return this.backwardFn === null;
  }

  /** The float32 data; throws for integer tensors. */
  get f32(): Float32Array {
    if (!(this.data instanceof Float32Array)) throw new TypeError(`expected a float32 tensor, got an int32 tensor of shape ${fmtShape(this.shape)}`);
    return this.data;
  }
  /** The int32 data; throws for float tensors. */
  get i32(): Int32Array {
    if (!(this.data instanceof Int32Array)) throw new TypeError(`expected an int32 tensor (indices), got a float32 tensor of shape ${fmtShape(this.shape)} (hint: pass an Int32Array)`);
    return this.data;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: tensor has ${this.size} elements, expected 1 (shape ${fmtShape(this.shape)})`);
    return this.data[0]!;
  }
  toArray(): number[] {
    return Array.from(this.data);
  }
  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }

  /** A new leaf sharing no graph (data copied). */
  detach(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }
  /** Keep .grad on this non-leaf tensor after backward() (like torch's retain_grad). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }
  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Reverse-mode autodiff from this tensor. Without an argument the tensor must hold one element
   * (a loss); with one, `grad` has this tensor's shape (a vector-Jacobian product).
   */
  backward(grad?: Tensor): void {
    if (!this.requiresGrad) throw new Error(`backward: this ${this} does not require grad (hint: create inputs/parameters with requiresGrad, and do not call under noGrad)`);
    let seed: Float32Array;
    if (grad) {
      if (grad.size !== this.size) throw new RangeError(`backward: gradient of shape ${fmtShape(grad.shape)} does not match tensor of shape ${fmtShape(this.shape)}`);
      seed = Float32Array.from(grad.f32);
    } else {
      if (this.size !== 1) throw new RangeError(`backward: called without a gradient on a tensor of shape ${fmtShape(this.shape)} (hint: reduce to a scalar loss, or pass a gradient)`);
      seed = new Float32Array([1]);
    }
    runBackward(this, seed);
  }

  // ----- ops (implemented in ./ops; listed here so they chain) -----
  add(o: Tensor | number): Tensor { return ew.add(this, o); }
  sub(o: Tensor | number): Tensor { return ew.sub(this, o); }
  mul(o: Tensor | number): Tensor { return ew.mul(this, o); }
  div(o: Tensor | number): Tensor { return ew.div(this, o); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  relu(): Tensor { return ew.relu(this); }
  matmul(o: Tensor): Tensor { return mm.matmul(this, o); }
  sum(dim?: number, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  max(dim: number, keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  softmax(dim = -1): Tensor { return sm.softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return sm.logSoftmax(this, dim); }
  reshape(shape: Shape): Tensor { return sh.reshape(this, shape); }
  view(shape: Shape): Tensor { return sh.reshape(this, shape); }
  flatten(): Tensor { return sh.reshape(this, [this.size]); }
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  slice(dim: number, start: number, end: number): Tensor { return sh.slice(this, dim, start, end); }
  select(dim: number, index: number): Tensor { return sh.select(this, dim, index); }
  indexSelect(dim: number, index: Tensor | Int32Array | readonly number[]): Tensor { return sh.indexSelect(this, dim, index); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  squeeze(dim: number): Tensor { return sh.squeeze(this, dim); }
}

/** Build an op's output and, when grad mode is on and a parent needs it, record the graph edge. */
export function makeOutput(data: Float32Array, shape: Shape, parents: readonly Tensor[], backwardFn: BackwardFn): Tensor {
  const out = new Tensor(data, shape);
  if (gradEnabled && parents.some((p) => p.requiresGrad)) {
    out.requiresGrad = true;
    out.parents = parents;
    out.backwardFn = backwardFn;
  }
  return out;
}

function topoOrder(root: Tensor): Tensor[] {
  // iterative DFS post-order: graphs of long unrolled loops would overflow a recursive one
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: Array<[Tensor, number]> = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.parents.length) {
      top[1] = i + 1;
      const p = node.parents[i]!;
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

function runBackward(root: Tensor, seed: Float32Array): void {
  const order = topoOrder(root);
  // Gradients of intermediate nodes live only here and are dropped as soon as they are used.
  const grads = new Map<Tensor, Float32Array>([[root, seed]]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const g = grads.get(node);
    if (!g) continue;
    grads.delete(node);
    // A leaf's incoming gradient is owned by this map alone (backward rules return fresh arrays or
    // pass g through), so the first one becomes .grad without a copy; a retained non-leaf's g may
    // still flow to its parents, so that one is copied.
    if (node.isLeaf || node.retainsGrad) accumulateInto(node, g, !node.backwardFn);
    if (!node.backwardFn) continue;
    const pg = node.backwardFn(g);
    // g is used up: unless a parent received it (or a view of it), nothing refers to it any more
    // (a leaf's or retained gradient was stored above; the caller's seed is theirs), so its
    // memory is recycled for the next step's large buffers (see ./buffer-pool.ts).
    if (g !== seed && !pg.some((gi) => gi && gi.buffer === g.buffer)) giveF32(g);
    node.parents.forEach((p, i) => {
      const gi = pg[i];
      if (!gi || !p.requiresGrad) return;
      if (gi.length !== p.size) throw new Error(`autograd: internal error, gradient of size ${gi.length} for a parent of shape ${fmtShape(p.shape)}`);
      const prev = grads.get(p);
      // g passed through (reshape, add …) is ours to reuse: its node's entry is gone. The same
      // array handed to two parents (add(a, b) → [g, g]) is copied for the second.
      if (!prev) grads.set(p, pg.indexOf(gi) !== i || (gi === g && node.retainsGrad) ? Float32Array.from(gi) : gi);
      else for (let j = 0; j < prev.length; j++) prev[j]! += gi[j]!;
    });
  }
}

function accumulateInto(t: Tensor, g: Float32Array, owned: boolean): void {
  if (!t.grad) t.grad = new Tensor(owned ? g : Float32Array.from(g), t.shape);
  else {
    const d = t.grad.f32;
    for (let j = 0; j < d.length; j++) d[j]! += g[j]!;
  }
}
