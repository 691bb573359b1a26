import { backend } from "../kernels/registry.js";
import type { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { fmtShape } from "../tensor/shape.js";

/**
 * Base class of every layer and model, after torch.nn.Module: parameters and submodules are
 * registered by name in order, so `stateDict()` yields PyTorch's names (`rnn.weight_ih_l0`, …)
 * and a checkpoint round-trips with PyTorch.
 */
export abstract class Module {
  /** True in training mode (dropout active), false after eval(). */
  training = true;
  /** The stream this module's random ops (dropout) draw from; null = the default generator. */
  generator: Generator | null = null;
  readonly #params = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  /** Register a parameter (a float leaf tensor with requiresGrad) under `name`. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.#params.set(name, t);
    return t;
  }
  /**
   * Register a buffer: state that is saved and loaded with the parameters but not trained
   * (BatchNorm's running statistics), as torch.nn.Module.register_buffer.
   */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.#buffers.set(name, t);
    return t;
  }
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#children.set(name, m);
    return m;
  }

  /** Every parameter with its dotted name. A tensor shared by two names (tied weights) is listed once, under its first name, as PyTorch's named_parameters does. */
  namedParameters(): Array<[string, Tensor]> {
    const seen = new Set<Tensor>();
    return this.#namedAll("", false).filter(([, t]) => (seen.has(t) ? false : (seen.add(t), true)));
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }
  namedModules(prefix = ""): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [n, m] of this.#children) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }
  /** Parameters (and, with `buffers`, buffers) by dotted name: each module's own first, then its children's (PyTorch's state_dict order). */
  #namedAll(prefix: string, buffers: boolean): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, t] of this.#params) out.push([prefix + n, t]);
    if (buffers) for (const [n, t] of this.#buffers) out.push([prefix + n, t]);
    for (const [n, m] of this.#children) out.push(...m.#namedAll(`${prefix}${n}.`, buffers));
    return out;
  }

  /** All parameters and buffers by PyTorch name (tied weights appear under each of their names). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.#namedAll("", true));
  }

  /**
   * Copy values into the parameters, in place (ties and optimizer references stay valid).
   * With strict (default), every missing, unexpected or mis-shaped key is named in one error and
   * nothing is loaded.
   */
  loadStateDict(state: Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const own = this.#namedAll("", true);
    const missing: string[] = [];
    const wrong: string[] = [];
    const known = new Set(own.map(([n]) => n));
    for (const [name, p] of own) {
      const src = state[name];
      if (!src) missing.push(name);
      else if (src.size !== p.size || src.shape.length !== p.shape.length || src.shape.some((d, i) => d !== p.shape[i]))
        wrong.push(`${name}: expected ${fmtShape(p.shape)}, got ${fmtShape(src.shape)}`);
    }
    const unexpected = Object.keys(state).filter((k) => !known.has(k));
    const problems: string[] = [];
    if (wrong.length) problems.push(`shape mismatch: ${wrong.join("; ")}`);
    if (strict && missing.length) problems.push(`missing keys: ${missing.join(", ")}`);
    if (strict && unexpected.length) problems.push(`unexpected keys: ${unexpected.join(", ")}`);
    if (problems.length)
      throw new Error(`${this.constructor.name}.loadStateDict: ${problems.join(" | ")} (hint: the checkpoint was saved from a model with a different configuration)`);
    for (const [name, p] of own) {
      const src = state[name];
      if (src) p.f32.set(src.dtype === "float32" ? src.f32 : Float32Array.from(src.data));
    }
  }

  /**
   * Draw this module's and every submodule's random ops (dropout) from `generator` — e.g. a
   * training run's own dropout stream, so nothing else that draws shifts the masks.
   */
  useGenerator(generator: Generator | null): this {
    for (const [, m] of this.namedModules()) m.generator = generator;
    return this;
  }

  /** Set training mode here and in every submodule. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }
  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((a, p) => a + p.size, 0);
  }
}

/**
 * A new parameter: float leaf with requiresGrad. Large ones are stored where the backend computes
 * (Backend.allocState: the threaded wasm backend's shared memory), so the optimizer step and the
 * kernels read them without a copy; the values are the same either way.
 */
export function parameter(data: Float32Array, shape: readonly number[]): Tensor {
  const home = backend().allocState?.(data.length, false);
  if (home) home.set(data);
  return new Tensor(home ?? data, shape, true);
}
