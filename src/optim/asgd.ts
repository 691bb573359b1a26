import type { Tensor } from "../tensor/tensor.js";
import { type Hyper, Optimizer, type OptimizerStateDict, type ParamGroupSpec, checkNumber } from "./optimizer.js";

export interface AsgdOptions {
  lr?: number;
  /** Decay term λ (PyTorch default 1e-4; AWD-LSTM uses 0). */
  lambd?: number;
  /** Power of the step-size schedule η_t = lr / (1 + λ·lr·t)^alpha (default 0.75). */
  alpha?: number;
  /** Averaging starts after this many steps (PyTorch default 1e6; AWD-LSTM uses 0). */
  t0?: number;
  weightDecay?: number;
}

/**
 * Averaged SGD (Polyak & Juditsky), exactly torch.optim.ASGD, per parameter at step t (1-based):
 *   g ← g + wd·θ                       (L2 weight decay)
 *   θ ← θ(1 − λη),  θ ← θ − η g
 *   ax ← θ if μ = 1, else ax + μ(θ − ax)
 *   η ← lr / (1 + λ·lr·t)^α,  μ ← 1 / max(1, t − t0)   (used by the next step)
 * starting from η = lr, μ = 1, ax = 0. `ax` is the running average of the iterates from step
 * t0 + 2 on (AWD-LSTM evaluates and saves it): swapAveraged() puts it in place of the weights.
 * State per parameter: buffer `ax`, scalars eta and mu (meta.extra) and the step count.
 */
export class ASGD extends Optimizer {
  protected eta: number[];
  protected mu: number[];
  #swapped: Float32Array[] | null = null;

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec[], opts: AsgdOptions = {}, kind = "ASGD") {
    if (opts === null || typeof opts !== "object") throw new TypeError(`${kind}: options must be an object`);
    super(kind, params, ["ax"], { lr: opts.lr ?? 1e-2, lambd: opts.lambd ?? 1e-4, alpha: opts.alpha ?? 0.75, t0: opts.t0 ?? 1e6, weightDecay: opts.weightDecay ?? 0 });
    this.eta = this.params.map((_, i) => this.hyperOfParam(i).lr as number);
    this.mu = this.params.map(() => 1);
  }

  /** Hyperparameters of the first group; setting one sets every group's. */
  get lambd(): number {
    return this.hyperOf("lambd") as number;
  }
  set lambd(v: number) {
    this.setHyperAll("lambd", v);
  }
  get alpha(): number {
    return this.hyperOf("alpha") as number;
  }
  set alpha(v: number) {
    this.setHyperAll("alpha", v);
  }
  get t0(): number {
    return this.hyperOf("t0") as number;
  }
  set t0(v: number) {
    this.setHyperAll("t0", v);
  }
  get weightDecay(): number {
    return this.hyperOf("weightDecay") as number;
  }
  set weightDecay(v: number) {
    this.setHyperAll("weightDecay", v);
  }

  protected checkHyper(h: Record<string, unknown>): Hyper {
    const k = this.kind;
    return {
      lr: checkNumber(k, "lr", h.lr, 0),
      lambd: checkNumber(k, "lambd", h.lambd, 0),
      alpha: checkNumber(k, "alpha", h.alpha, 0),
      t0: checkNumber(k, "t0", h.t0, 0),
      weightDecay: checkNumber(k, "weightDecay", h.weightDecay, 0),
    };
  }

  override step(): void {
    if (this.#swapped) throw new Error(`${this.kind}.step: the averaged weights are swapped in (hint: call the restore function returned by swapAveraged() before training on)`);
    super.step();
  }

  protected update(i: number, p: Float32Array, g: Float32Array, h: Hyper): void {
    const eta = this.eta[i]!;
    const mu = this.mu[i]!;
    const wd = h.weightDecay as number;
    const lambd = h.lambd as number;
    const lr = h.lr as number;
    const decay = 1 - lambd * eta;
    const ax = this.buffer("ax", i);
    for (let j = 0; j < p.length; j++) {
      const gj = wd !== 0 ? g[j]! + wd * p[j]! : g[j]!;
      p[j] = p[j]! * decay - eta * gj; // stored as float32
      ax[j] = mu !== 1 ? ax[j]! + (p[j]! - ax[j]!) * mu : p[j]!;
    }
    const t = this.steps[i]!;
    this.eta[i] = lr / Math.pow(1 + lambd * lr * t, h.alpha as number);
    this.mu[i] = 1 / Math.max(1, t - (h.t0 as number));
  }

  /** The averaged value of parameter i (a copy), or null before its first step. */
  averaged(i: number): Float32Array | null {
    const ax = this.buffers.ax![i];
    return ax ? ax.slice() : null;
  }

  /**
   * Put the averaged weights in place of the parameters (for evaluation or saving, as AWD-LSTM
   * does) and return the function that puts the trained weights back. Parameters that have not
   * stepped yet keep their value. Values are copied, so ties and optimizer references stay valid.
   */
  swapAveraged(): () => void {
    if (this.#swapped) throw new Error(`${this.kind}.swapAveraged: already swapped in (call the returned restore function first)`);
    const saved = this.params.map((p, i) => {
      const ax = this.buffers.ax![i];
      const keep = p.f32.slice();
      if (ax) p.f32.set(ax);
      return keep;
    });
    this.#swapped = saved;
    return () => {
      if (this.#swapped !== saved) return;
      this.params.forEach((p, i) => p.f32.set(saved[i]!));
      this.#swapped = null;
    };
  }

  /** Run fn with the averaged weights in place, then restore the trained ones. */
  withAveraged<T>(fn: () => T): T {
    const restore = this.swapAveraged();
    try {
      return fn();
    } finally {
      restore();
    }
  }

  override stateDict(): OptimizerStateDict {
    const s = super.stateDict();
    s.meta.extra = { eta: [...this.eta], mu: [...this.mu] };
    return s;
  }

  override loadStateDict(s: OptimizerStateDict): void {
    const where = `${this.kind}.loadStateDict`;
    const n = this.params.length;
    const ex = s?.meta?.extra;
    const ok = (a: unknown): a is number[] => Array.isArray(a) && a.length === n && a.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0);
    if (!ex || !ok(ex.eta) || !ok(ex.mu)) throw new RangeError(`${where}: meta.extra must hold eta and mu, ${n} non-negative numbers each (one per parameter)`);
    super.loadStateDict(s);
    this.eta = [...ex.eta];
    this.mu = [...ex.mu];
  }

  protected checkLoadedBuffers(where: string, buffers: Record<string, Array<Float32Array | null>>, steps: readonly number[]): void {
    steps.forEach((t, i) => {
      if ((buffers.ax![i] !== null) !== t > 0) throw new RangeError(`${where}: parameter ${i} has taken ${t} steps, so ax.${i} must be ${t > 0 ? "present" : "absent"}`);
    });
  }
}
