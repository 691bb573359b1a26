import { checkNumber } from "./optimizer.js";

/** Anything with a mutable learning rate (every optimizer). */
export interface HasLr {
  lr: number;
}

/**
 * A schedule's checkpointable state: plain JSON. Non-finite numbers (ReduceLROnPlateau's initial
 * `best` = ±Infinity) are stored as the strings "Infinity" / "-Infinity" so JSON keeps them.
 */
export interface SchedulerStateDict {
  format: "rnnkit.scheduler";
  type: string;
  state: Record<string, number | string>;
}

const enc = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

/** Shared bookkeeping: the epoch counter and the state-dict envelope. */
abstract class Scheduler {
  /** Number of step() calls so far (PyTorch's last_epoch after construction is 0). */
  lastEpoch = 0;
  constructor(
    protected readonly kind: string,
    readonly optimizer: HasLr,
  ) {
    if (!optimizer || typeof optimizer.lr !== "number") throw new TypeError(`${kind}: expected an optimizer (an object with a numeric lr), got ${String(optimizer)}`);
  }
  protected abstract fields(): Record<string, number | string>;
  protected abstract restore(s: Record<string, unknown>): void;

  /** The schedule's state (hyperparameters and counters); the optimizer's lr lives in its own stateDict. */
  stateDict(): SchedulerStateDict {
    return { format: "rnnkit.scheduler", type: this.kind, state: { lastEpoch: this.lastEpoch, ...this.fields() } };
  }
  /** Restore from stateDict(); validated before anything changes. Does not touch the optimizer's lr. */
  loadStateDict(s: SchedulerStateDict): void {
    const where = `${this.kind}.loadStateDict`;
    if (!s || s.format !== "rnnkit.scheduler" || !s.state || typeof s.state !== "object") throw new TypeError(`${where}: not an rnnkit scheduler state (expected format "rnnkit.scheduler")`);
    if (s.type !== this.kind) throw new TypeError(`${where}: the state is for ${String(s.type)}, not ${this.kind}`);
    const st = s.state;
    const lastEpoch = st.lastEpoch;
    if (!Number.isSafeInteger(lastEpoch) || (lastEpoch as number) < 0) throw new RangeError(`${where}: lastEpoch must be a non-negative integer, got ${String(lastEpoch)}`);
    const num = (k: string): unknown => (typeof st[k] === "string" ? Number(st[k]) : st[k]);
    try {
      this.restore(Object.fromEntries(Object.keys(st).map((k) => [k, k === "mode" || k === "thresholdMode" ? st[k] : num(k)])));
    } catch (e) {
      throw new RangeError(`${where}: ${(e as Error).message}`);
    }
    this.lastEpoch = lastEpoch as number;
  }
}

/** lr ← lr · gamma every `stepSize` epochs (torch.optim.lr_scheduler.StepLR); call step() once per epoch. */
export class StepLR extends Scheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: HasLr, opts: { stepSize: number; gamma?: number }) {
    super("StepLR", optimizer);
    const o = StepLR.check(opts?.stepSize, opts?.gamma ?? 0.1);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
  }
  private static check(stepSize: unknown, gamma: unknown): { stepSize: number; gamma: number } {
    if (!Number.isSafeInteger(stepSize) || (stepSize as number) < 1) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${String(stepSize)}`);
    return { stepSize: stepSize as number, gamma: checkNumber("StepLR", "gamma", gamma, 0, true) };
  }
  /** Advance one epoch; returns the new lr. */
  step(): number {
    this.lastEpoch += 1;
    if (this.lastEpoch % this.stepSize === 0) this.optimizer.lr *= this.gamma;
    return this.optimizer.lr;
  }
  protected fields(): Record<string, number> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }
  protected restore(s: Record<string, unknown>): void {
    Object.assign(this, StepLR.check(s.stepSize, s.gamma));
  }
}

/**
 * lr = baseLr · fn(epoch) (torch.optim.lr_scheduler.LambdaLR); baseLr is the optimizer's lr at
 * construction, and the constructor already applies fn(0). fn itself is not saved in stateDict.
 */
export class LambdaLR extends Scheduler {
  baseLr: number;
  constructor(
    optimizer: HasLr,
    readonly fn: (epoch: number) => number,
  ) {
    super("LambdaLR", optimizer);
    if (typeof fn !== "function") throw new TypeError("LambdaLR: fn must be a function epoch => factor");
    this.baseLr = optimizer.lr;
    this.apply();
  }
  private apply(): number {
    const f = this.fn(this.lastEpoch);
    checkNumber("LambdaLR", `fn(${this.lastEpoch})`, f, 0);
    this.optimizer.lr = this.baseLr * f;
    return this.optimizer.lr;
  }
  /** Advance one epoch; returns the new lr. */
  step(): number {
    this.lastEpoch += 1;
    return this.apply();
  }
  protected fields(): Record<string, number> {
    return { baseLr: this.baseLr };
  }
  protected restore(s: Record<string, unknown>): void {
    this.baseLr = checkNumber("LambdaLR", "baseLr", s.baseLr, 0);
  }
}

/**
 * For LambdaLR: keep the base lr for the first `epochs` epochs (0 … epochs−1), then multiply it by
 * `factor` each epoch: fn(e) = factor^max(0, e − epochs + 1). decayAfter(4) is the classic
 * "halve the learning rate every epoch after epoch 4" (Zaremba et al. 2014).
 */
export function decayAfter(epochs: number, factor = 0.5): (epoch: number) => number {
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new RangeError(`decayAfter: epochs must be a non-negative integer, got ${String(epochs)}`);
  checkNumber("decayAfter", "factor", factor, 0, true, 1);
  return (e) => factor ** Math.max(0, e - epochs + 1);
}

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau: after more than `patience` epochs without
 * improvement, lr ← max(lr · factor, minLr) (skipped when the change is ≤ eps), then wait
 * `cooldown` epochs before counting bad epochs again. Improvement in "min" mode with the default
 * relative threshold means metric < best · (1 − threshold) ("abs": metric < best − threshold);
 * "max" mirrors it. A NaN metric never improves.
 */
export class ReduceLROnPlateau extends Scheduler {
  mode: "min" | "max" = "min";
  factor = 0.1;
  patience = 10;
  threshold = 1e-4;
  thresholdMode: "rel" | "abs" = "rel";
  cooldown = 0;
  minLr = 0;
  eps = 1e-8;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(optimizer: HasLr, opts: ReduceLROnPlateauOptions = {}) {
    super("ReduceLROnPlateau", optimizer);
    this.setOptions({ ...this.options(), ...opts });
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  private options(): Required<ReduceLROnPlateauOptions> {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps } = this;
    return { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps };
  }
  private setOptions(o: Record<string, unknown>): void {
    const k = this.kind;
    if (o.mode !== "min" && o.mode !== "max") throw new RangeError(`${k}: mode must be "min" or "max", got ${String(o.mode)}`);
    if (o.thresholdMode !== "rel" && o.thresholdMode !== "abs") throw new RangeError(`${k}: thresholdMode must be "rel" or "abs", got ${String(o.thresholdMode)}`);
    const factor = checkNumber(k, "factor", o.factor, 0, false, 1);
    if (factor === 1) throw new RangeError(`${k}: factor must be < 1 (it multiplies the lr), got 1`);
    for (const name of ["patience", "cooldown"]) {
      if (!Number.isSafeInteger(o[name]) || (o[name] as number) < 0) throw new RangeError(`${k}: ${name} must be a non-negative integer, got ${String(o[name])}`);
    }
    checkNumber(k, "threshold", o.threshold, 0);
    checkNumber(k, "minLr", o.minLr, 0);
    checkNumber(k, "eps", o.eps, 0);
    Object.assign(this, { mode: o.mode, thresholdMode: o.thresholdMode, factor, patience: o.patience, cooldown: o.cooldown, threshold: o.threshold, minLr: o.minLr, eps: o.eps });
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === "rel" ? a > best * (1 + threshold) : a > best + threshold;
  }

  /** Report this epoch's metric (e.g. validation loss); returns the (possibly reduced) lr. */
  step(metric: number): number {
    if (typeof metric !== "number") throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${typeof metric}`);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    return this.optimizer.lr;
  }

  protected fields(): Record<string, number | string> {
    return { ...this.options(), best: enc(this.best), numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }
  protected restore(s: Record<string, unknown>): void {
    const counters = ["numBadEpochs", "cooldownCounter"];
    for (const name of counters) if (!Number.isSafeInteger(s[name]) || (s[name] as number) < 0) throw new RangeError(`${name} must be a non-negative integer, got ${String(s[name])}`);
    if (typeof s.best !== "number" || Number.isNaN(s.best)) throw new RangeError(`best must be a number, got ${String(s.best)}`);
    const before = this.options();
    try {
      this.setOptions(s);
    } catch (e) {
      this.setOptions(before);
      throw e;
    }
    Object.assign(this, { best: s.best, numBadEpochs: s.numBadEpochs, cooldownCounter: s.cooldownCounter });
  }
}
