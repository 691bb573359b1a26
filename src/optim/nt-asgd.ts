import { backend } from "../kernels/registry.js";
import type { Tensor } from "../tensor/tensor.js";
import { ASGD } from "./asgd.js";
import type { Hyper, OptimizerStateDict, ParamGroupSpec } from "./optimizer.js";

/**
 * The non-monotonic trigger of NT-ASGD (Merity et al. 2017, as in the AWD-LSTM code): after each
 * validation, fire (once) when there are more than `nonmono` earlier evaluations and the new loss
 * is worse than the best of all but the last `nonmono` of them:
 *   fire ⇔ |history| > n  and  loss > min(history[0 … |history| − n − 1])
 * then append the loss to the history.
 */
export class NonMonotonicTrigger {
  readonly nonmono: number;
  history: number[] = [];
  triggered = false;
  /** Number of evaluations seen when it fired (null until then). */
  firedAt: number | null = null;

  constructor(nonmono = 5) {
    if (!Number.isInteger(nonmono) || nonmono < 0) throw new RangeError(`NonMonotonicTrigger: nonmono must be a non-negative integer, got ${nonmono}`);
    this.nonmono = nonmono;
  }

  /** Record a validation loss; true exactly once, when the trigger fires. */
  update(validLoss: number): boolean {
    if (typeof validLoss !== "number" || Number.isNaN(validLoss)) throw new TypeError(`NonMonotonicTrigger.update: validLoss must be a number, got ${String(validLoss)}`);
    const h = this.history;
    let fire = false;
    if (!this.triggered && h.length > this.nonmono) {
      let best = Infinity;
      for (let i = 0; i < h.length - this.nonmono; i++) best = Math.min(best, h[i]!);
      fire = validLoss > best;
    }
    h.push(validLoss);
    if (fire) {
      this.triggered = true;
      this.firedAt = h.length;
    }
    return fire;
  }
}

export interface NtAsgdOptions {
  lr: number;
  weightDecay?: number;
  /** Non-monotone interval n (AWD-LSTM default 5). */
  nonmono?: number;
}

/**
 * NT-ASGD (Merity et al. 2017): plain SGD (θ ← θ − lr·(g + wd·θ), torch.optim.SGD without
 * momentum) until the non-monotonic trigger fires on the validation losses reported through
 * validationLoss(), then averaged SGD exactly as a fresh torch.optim.ASGD(params, lr, t0 = 0,
 * lambd = 0, weight_decay) — what the AWD-LSTM script switches to. Evaluate and save with the
 * averaged weights once averaging (swapAveraged / withAveraged; a no-op before the switch).
 */
export class NTASGD extends ASGD {
  readonly trigger: NonMonotonicTrigger;
  #averaging = false;

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec[], opts: NtAsgdOptions) {
    if (opts === null || typeof opts !== "object" || opts.lr === undefined) throw new TypeError("NTASGD: options { lr, weightDecay?, nonmono? } are required (lr has no default)");
    super(params, { lr: opts.lr, lambd: 0, t0: 0, weightDecay: opts.weightDecay ?? 0 }, "NTASGD");
    this.trigger = new NonMonotonicTrigger(opts.nonmono ?? 5);
  }

  /** True once the trigger has fired (steps are averaged SGD from then on). */
  get averaging(): boolean {
    return this.#averaging;
  }


  /**
   * Report a validation loss (once per evaluation). Returns true when this switches to averaging;
   * the step counts restart then, as for a newly created ASGD.
   */
  validationLoss(loss: number): boolean {
    if (!this.trigger.update(loss) || this.#averaging) return false;
    this.startAveraging();
    return true;
  }

  /** Switch to averaged SGD now (what the trigger does). */
  startAveraging(): void {
    if (this.#averaging) return;
    this.#averaging = true;
    this.trigger.triggered = true;
    this.steps = this.params.map(() => 0);
    this.eta = this.params.map((_, i) => this.hyperOfParam(i).lr as number);
    this.mu = this.params.map(() => 1);
  }

  protected override update(i: number, p: Float32Array, g: Float32Array, h: Hyper): void {
    if (this.#averaging) return super.update(i, p, g, h);
    backend().sgdStep(p, g, null, p.length, { lr: h.lr as number, momentum: 0, dampening: 0, weightDecay: h.weightDecay as number, nesterov: false, firstStep: this.steps[i] === 1 });
  }

  override stateDict(): OptimizerStateDict {
    const s = super.stateDict();
    s.meta.extra = { ...s.meta.extra, history: [...this.trigger.history], firedAt: this.trigger.firedAt === null ? [] : [this.trigger.firedAt], nonmono: [this.trigger.nonmono], averaging: [this.#averaging ? 1 : 0] };
    return s;
  }

  override loadStateDict(s: OptimizerStateDict): void {
    const ex = s?.meta?.extra;
    const hist = ex?.history;
    if (!Array.isArray(hist) || hist.some((v) => typeof v !== "number")) throw new RangeError("NTASGD.loadStateDict: meta.extra.history must be the list of validation losses");
    const averaging = ex?.averaging?.[0];
    if (averaging !== 0 && averaging !== 1) throw new RangeError(`NTASGD.loadStateDict: meta.extra.averaging must be [0] or [1], got ${JSON.stringify(ex?.averaging)}`);
    if (ex?.nonmono?.[0] !== this.trigger.nonmono) throw new RangeError(`NTASGD.loadStateDict: the state has nonmono ${String(ex?.nonmono?.[0])}, this optimizer ${this.trigger.nonmono}`);
    super.loadStateDict(s);
    this.#averaging = averaging === 1;
    this.trigger.history = [...hist];
    this.trigger.triggered = this.#averaging;
    this.trigger.firedAt = ex?.firedAt?.[0] ?? null;
  }

  protected override checkLoadedBuffers(where: string, buffers: Record<string, Array<Float32Array | null>>, steps: readonly number[]): void {
    // before the switch the SGD steps count but keep no average: ax may be absent after steps
    steps.forEach((t, i) => {
      if (t === 0 && buffers.ax![i]) throw new RangeError(`${where}: parameter ${i} has taken no step but has an ax.${i}`);
    });
  }
}
