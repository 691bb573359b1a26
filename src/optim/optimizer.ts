import { backend } from "../kernels/registry.js";
import { type Tensor, Tensor as TensorClass } from "../tensor/tensor.js";
import { fmtShape } from "../tensor/shape.js";

/** Flat hyperparameters of one optimizer (JSON-serialisable); `lr` is always present. */
export type Hyper = Record<string, number | boolean>;

/**
 * A checkpointable optimizer state, split so it can be stored as a safetensors file (the tensors)
 * plus a JSON string (the meta, e.g. in the safetensors `__metadata__`):
 * - `tensors`: per-parameter buffers named `<buffer>.<paramIndex>`, e.g. `exp_avg.0`,
 *   `exp_avg_sq.0` (Adam/AdamW) or `momentum_buffer.3` (SGD); each has its parameter's shape.
 *   Parameters that never had a gradient have no buffers (PyTorch's lazy state).
 * - `meta`: the optimizer type, its hyperparameters (including the current `lr`), the parameter
 *   shapes (checked on load) and the number of steps each parameter has taken.
 */
export interface OptimizerStateDict {
  tensors: Record<string, Tensor>;
  meta: OptimizerMeta;
}
export interface OptimizerMeta {
  format: "rnnkit.optimizer";
  version: 1;
  type: string;
  /** The first group's hyperparameters (every group's, when there is one). */
  hyper: Hyper;
  /** With more than one group: each group's hyperparameters and parameter count. */
  groups?: Array<{ hyper: Hyper; size: number }>;
  shapes: number[][];
  steps: number[];
  /** Optimizer-specific numbers that are not per-element buffers (ASGD's per-parameter eta and mu). */
  extra?: Record<string, number[]>;
}

/** Throws unless x is a finite number ≥ min (or > min when `strict`). */
export function checkNumber(where: string, name: string, x: unknown, min: number, strict = false, max = Infinity): number {
  const ok = typeof x === "number" && Number.isFinite(x) && (strict ? x > min : x >= min) && x <= max;
  if (!ok) {
    const lo = strict ? `> ${min}` : `≥ ${min}`;
    const range = max === Infinity ? lo : `in ${strict ? "(" : "["}${min}, ${max}]`;
    const kind = min === 0 && strict && max === Infinity ? "a positive number" : `a finite number ${range}`;
    throw new RangeError(`${where}: ${name} must be ${kind}, got ${String(x)}`);
  }
  return x as number;
}

/**
 * A parameter group as passed to an optimizer (PyTorch's param_groups): its tensors and the
 * hyperparameters in which it differs from the optimizer's options, e.g. discriminative learning
 * rates per layer: `new Adam([{ params: top, lr: 1e-3 }, { params: bottom, lr: 1e-3 / 2.6 }])`.
 */
export interface ParamGroupSpec {
  params: readonly Tensor[];
  lr?: number;
  weightDecay?: number;
  [hyper: string]: unknown;
}

/** One group of an optimizer: its parameters and its own (validated) hyperparameters. */
export class ParamGroup {
  #hyper: Hyper;
  constructor(
    readonly params: readonly Tensor[],
    hyper: Hyper,
    private readonly check: (h: Record<string, unknown>) => Hyper,
  ) {
    this.#hyper = hyper;
  }
  /** This group's learning rate (schedules set it between steps). */
  get lr(): number {
    return this.#hyper.lr as number;
  }
  set lr(v: number) {
    this.#hyper = this.check({ ...this.#hyper, lr: v });
  }
  /** A copy of this group's hyperparameters, lr included. */
  get hyper(): Hyper {
    return { ...this.#hyper };
  }
  /** Change some hyperparameters (validated together; nothing changes on error). */
  setHyper(h: Record<string, unknown>): void {
    this.#hyper = this.check({ ...this.#hyper, ...h });
  }
}

/**
 * Base of SGD / Adam / AdamW (torch.optim semantics, with parameter groups). Subclasses declare the
 * names of their per-parameter buffers, validate hyperparameters (`checkHyper`) and implement
 * `update` for one parameter; numeric work goes through the kernel backend. Parameters whose
 * `.grad` is null are skipped, as in PyTorch.
 */
export abstract class Optimizer {
  /** Every parameter, group after group; buffers and step counts are indexed by this order. */
  readonly params: readonly Tensor[];
  readonly paramGroups: readonly ParamGroup[];
  /** Steps taken per parameter (a parameter without a gradient does not advance). */
  protected steps: number[];
  /** buffers[name][i]: the named buffer of parameter i, allocated on its first step. */
  protected buffers: Record<string, Array<Float32Array | null>> = {};
  /** groupOf[i]: the group of parameter i. */
  readonly #groupOf: number[] = [];

  /**
   * `params`: a list of tensors (one group) or of groups; `defaults`: the options every group
   * starts from (a group's own entries override them).
   */
  constructor(
    protected readonly kind: string,
    params: readonly Tensor[] | readonly ParamGroupSpec[],
    bufferNames: readonly string[],
    defaults: Record<string, unknown>,
  ) {
    if (!Array.isArray(params)) throw new TypeError(`${kind}: params must be an array of tensors or of parameter groups, got ${typeof params}`);
    if (params.length === 0) throw new RangeError(`${kind}: got an empty parameter list (hint: pass model.parameters())`);
    const specs: ParamGroupSpec[] = params.every((p) => p instanceof TensorClass) ? [{ params: params as Tensor[] }] : (params as ParamGroupSpec[]);
    const check = (h: Record<string, unknown>): Hyper => this.checkHyper(h);
    const base = check(defaults);
    const flat: Tensor[] = [];
    const seen = new Set<Tensor>();
    this.paramGroups = specs.map((g, gi) => {
      if (g === null || typeof g !== "object" || g instanceof TensorClass || !Array.isArray(g.params))
        throw new TypeError(`${kind}: params[${gi}] must be a parameter group { params: Tensor[], lr?, … } (or pass a plain list of tensors)`);
      if (g.params.length === 0) throw new RangeError(`${kind}: parameter group ${gi} is empty`);
      for (const p of g.params) {
        const i = flat.length;
        const where = specs.length > 1 ? `group ${gi} params[${g.params.indexOf(p)}]` : `params[${i}]`;
        if (!(p instanceof TensorClass)) throw new TypeError(`${kind}: ${where} is not a Tensor`);
        if (p.dtype !== "float32") throw new TypeError(`${kind}: ${where} is an int32 tensor ${fmtShape(p.shape)}; only float tensors can be optimized`);
        if (!p.isLeaf) throw new TypeError(`${kind}: ${where} is not a leaf tensor (it was produced by an op); optimize the leaves`);
        if (seen.has(p)) throw new RangeError(`${kind}: ${where} appears more than once in the parameter list`);
        seen.add(p);
        flat.push(p);
        this.#groupOf.push(gi);
      }
      const { params: _, ...own } = g;
      let hyper: Hyper;
      try {
        hyper = Object.keys(own).length ? check({ ...base, ...own }) : base;
      } catch (e) {
        throw specs.length > 1 ? new RangeError(`${(e as Error).message} (parameter group ${gi})`) : e;
      }
      return new ParamGroup(g.params, { ...hyper }, check);
    });
    this.params = flat;
    this.steps = flat.map(() => 0);
    for (const b of bufferNames) this.buffers[b] = flat.map(() => null);
  }

  /** The learning rate of the first group; setting it sets every group's (use paramGroups[i].lr for one). */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }
  set lr(v: number) {
    this.setHyperAll("lr", v);
  }

  /** The hyperparameters of parameter i's group. */
  protected hyperOfParam(i: number): Hyper {
    return this.paramGroups[this.#groupOf[i]!]!.hyper;
  }
  /** The first group's value of hyperparameter `name` (subclasses expose these as properties). */
  protected hyperOf(name: string): number | boolean {
    return this.paramGroups[0]!.hyper[name]!;
  }
  /** Set hyperparameter `name` in every group (validated in each before any changes). */
  protected setHyperAll(name: string, v: number | boolean): void {
    for (const g of this.paramGroups) this.checkHyper({ ...g.hyper, [name]: v });
    for (const g of this.paramGroups) g.setHyper({ [name]: v });
  }

  /** The first group's hyperparameters, including lr. */
  get hyper(): Hyper {
    return this.paramGroups[0]!.hyper;
  }
  /** Validate hyperparameters, filling defaults; returns them complete (lr included). Throws a RangeError naming the bad one. */
  protected abstract checkHyper(h: Record<string, unknown>): Hyper;
  /** Update parameter i in place from its gradient g (a Float32Array of the same size) with its group's hyperparameters h. */
  protected abstract update(i: number, p: Float32Array, g: Float32Array, h: Hyper): void;

  /** One optimization step over every parameter that has a gradient. */
  step(): void {
    this.params.forEach((p, i) => {
      const grad = p.grad;
      if (!grad) return;
      if (grad.size !== p.size) throw new RangeError(`${this.kind}.step: params[${i}] ${fmtShape(p.shape)} has a gradient of shape ${fmtShape(grad.shape)}`);
      this.steps[i]! += 1;
      this.update(i, p.f32, grad.f32, this.paramGroups[this.#groupOf[i]!]!.hyper);
    });
  }

  /** Drop every parameter's gradient (sets .grad = null, like PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** The buffer `name` of parameter i, allocated (zeros) on first use. */
  protected buffer(name: string, i: number): Float32Array {
    const list = this.buffers[name]!;
    return (list[i] ??= newState(this.params[i]!.size));
  }

  /** A copy of the state (see OptimizerStateDict). */
  stateDict(): OptimizerStateDict {
    const tensors: Record<string, Tensor> = {};
    for (const [name, list] of Object.entries(this.buffers)) {
      list.forEach((b, i) => {
        if (b) tensors[`${name}.${i}`] = new TensorClass(b.slice(), this.params[i]!.shape);
      });
    }
    const meta: OptimizerMeta = {
      format: "rnnkit.optimizer",
      version: 1,
      type: this.kind,
      hyper: this.hyper,
      ...(this.paramGroups.length > 1 ? { groups: this.paramGroups.map((g) => ({ hyper: g.hyper, size: g.params.length })) } : {}),
      shapes: this.params.map((p) => [...p.shape]),
      steps: [...this.steps],
    };
    return { tensors, meta };
  }

  /**
   * Restore a state from stateDict() (possibly after a JSON / safetensors round trip) for the same
   * parameter list. Everything is validated before anything changes; hyperparameters (including lr)
   * are restored, as in PyTorch.
   */
  loadStateDict(s: OptimizerStateDict): void {
    const where = `${this.kind}.loadStateDict`;
    const m = s?.meta as Partial<OptimizerMeta> | undefined;
    if (!m || typeof m !== "object" || m.format !== "rnnkit.optimizer") throw new TypeError(`${where}: meta is not an rnnkit optimizer state (expected meta.format "rnnkit.optimizer")`);
    if (m.version !== 1) throw new RangeError(`${where}: unsupported state version ${String(m.version)}, expected 1`);
    if (m.type !== this.kind) throw new TypeError(`${where}: the state is for ${String(m.type)}, not ${this.kind}`);
    const n = this.params.length;
    if (!Array.isArray(m.shapes) || m.shapes.length !== n) throw new RangeError(`${where}: the state has ${Array.isArray(m.shapes) ? m.shapes.length : "no"} parameter shapes, this optimizer has ${n} parameters`);
    m.shapes.forEach((sh, i) => {
      const want = this.params[i]!.shape;
      if (!Array.isArray(sh) || sh.length !== want.length || sh.some((d, k) => d !== want[k])) throw new RangeError(`${where}: parameter ${i} has shape ${fmtShape(want)} but the state has ${Array.isArray(sh) ? fmtShape(sh) : String(sh)}`);
    });
    if (!Array.isArray(m.steps) || m.steps.length !== n || m.steps.some((t) => !Number.isSafeInteger(t) || t < 0)) throw new RangeError(`${where}: meta.steps must be ${n} non-negative integers`);
    if (!m.hyper || typeof m.hyper !== "object") throw new TypeError(`${where}: meta.hyper is missing`);
    const tensors = s.tensors ?? {};
    const buffers: Record<string, Array<Float32Array | null>> = {};
    for (const name of Object.keys(this.buffers)) buffers[name] = this.params.map(() => null);
    for (const [key, t] of Object.entries(tensors)) {
      const match = /^(.+)\.(\d+)$/.exec(key);
      const list = match ? buffers[match[1]!] : undefined;
      const i = match ? Number(match[2]) : -1;
      if (!match || !list || i >= n) throw new RangeError(`${where}: unexpected state tensor "${key}" (expected ${Object.keys(this.buffers).map((b) => `${b}.<0..${n - 1}>`).join(", ") || "none"})`);
      if (!(t instanceof TensorClass) || t.dtype !== "float32" || t.size !== this.params[i]!.size) throw new RangeError(`${where}: state tensor "${key}" must be a float32 tensor of ${this.params[i]!.size} elements (parameter shape ${fmtShape(this.params[i]!.shape)})`);
      const buf = newState(t.size);
      buf.set(t.f32);
      list[i] = buf;
    }
    this.checkLoadedBuffers(where, buffers, m.steps);
    // every group's hyperparameters are validated before any is applied
    const groups = m.groups ?? this.paramGroups.map(() => ({ hyper: m.hyper!, size: -1 }));
    if (!Array.isArray(groups) || groups.length !== this.paramGroups.length)
      throw new RangeError(`${where}: the state has ${Array.isArray(groups) ? groups.length : "no"} parameter groups, this optimizer has ${this.paramGroups.length}`);
    const hypers = groups.map((g, gi) => {
      const own = this.paramGroups[gi]!;
      if (g.size !== -1 && g.size !== own.params.length) throw new RangeError(`${where}: parameter group ${gi} has ${own.params.length} parameters but the state's has ${g.size}`);
      try {
        return this.checkHyper(g.hyper);
      } catch (e) {
        throw new RangeError(`${where}: bad hyperparameters in the state: ${(e as Error).message}`);
      }
    });
    hypers.forEach((h, gi) => this.paramGroups[gi]!.setHyper(h));
    this.buffers = buffers;
    this.steps = [...m.steps];
  }

  /** Subclass hook: check that the loaded buffers are consistent with the step counts. */
  protected abstract checkLoadedBuffers(where: string, buffers: Record<string, Array<Float32Array | null>>, steps: readonly number[]): void;
}

/** Zeroed state buffer: in the backend's own memory when it offers that (Backend.allocState). */
function newState(n: number): Float32Array {
  return backend().allocState?.(n, true) ?? new Float32Array(n); // stateDict() copies: no view outlives it
}
