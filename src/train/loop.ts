/**
 * The one training loop of rnnkit (language models, classifiers and the recipes built on them).
 * What differs between models is a `TrainTask`: its batches, its forward pass and loss, its
 * validation. The loop owns everything else, once:
 *
 *   for each epoch: for each batch (from where a resumed run stopped):
 *     lr_g ← base_g · lrFactor(position)            per step, per parameter group (STLR, decay, …)
 *     loss ← task.forward(batch);  stop if NaN/Inf or above task.divergenceLimit
 *     ∇ ← backward;  clip ‖∇‖₂ ≤ clip;  optimizer.step()
 *     progress event; Ctrl-C / time limit / periodic snapshot
 *   after each epoch: validation, best-so-far (`improved`), early stopping, snapshot
 *
 * A snapshot (`TrainerSnapshot`) is everything needed to continue exactly: weights, optimizer
 * buffers, the random streams (dropout, sampling …), the step inside the epoch, the carried state
 * (a language model's hidden state), the epoch's running sums and the history. Resuming from one
 * gives bit-identical weights to a run that was never stopped, wherever it stopped — mid-epoch
 * included. The loop never touches the file system (it runs in browsers); `./run-files.ts` writes
 * snapshots for Node.
 */
import type { Module } from "../nn/module.js";
import { clipGradNorm } from "../optim/clip.js";
import type { Optimizer, OptimizerMeta } from "../optim/optimizer.js";
import type { Generator, RngState } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { breather } from "./yield.js";

/** What one step of a task produced. */
export interface StepOutput {
  /** The scalar loss to minimise. */
  loss: Tensor;
  /** How much the step counts in the epoch's means (a language model: 1 window; a classifier: its B examples). */
  weight: number;
  /** Tokens processed (for tokens/s). */
  tokens: number;
  /** Extra sums averaged by the summed weight in progress and epoch records, e.g. `{ acc: correct }`. */
  sums?: Record<string, number>;
}

/** A validation result: its loss and any metrics (`{ loss, perplexity }`, `{ loss, acc }`). */
export type Validation = { loss: number } & Record<string, number>;

/** Where a step sits in the run (what an lr schedule sees). */
export interface StepPosition {
  /** Epoch, 1-based. */
  epoch: number;
  /** Step within the epoch, 1-based. */
  step: number;
  stepsPerEpoch: number;
  /** Steps completed before this one, over the whole run (0-based). */
  globalStep: number;
  /** epochs × stepsPerEpoch. */
  totalSteps: number;
}

/** The model-specific part of training. */
export interface TrainTask<B> {
  /** Steps per epoch (the same every epoch). */
  readonly stepsPerEpoch: number;
  /** The batches of `epoch` in training order; asked again on resume, so they must depend only on the epoch. */
  batches(epoch: number): readonly B[];
  /** Before an epoch's first step, and when a run resumes into the epoch (before `carry.set`). */
  startEpoch?(epoch: number): void;
  /** Forward pass and loss of one batch (training mode). */
  forward(batch: B, at: StepPosition): StepOutput;
  /** Validation after an epoch (the task switches to eval mode and back); null: no validation data. */
  validate?(): Validation | null;
  /** State carried from step to step inside an epoch (a language model's hidden state): saved in mid-epoch snapshots. */
  carry?: { get(): Record<string, Tensor>; set(tensors: Record<string, Tensor>): void };
  /** A loss above this means training diverged (NaN and ±Infinity always do). */
  divergenceLimit?: number;
}

/** One finished (or, with `partial`, cut-short) epoch. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss of the epoch (weighted by StepOutput.weight). */
  trainLoss: number;
  /** Means of the task's extra sums, e.g. `{ acc }`. */
  train: Record<string, number>;
  valid: Validation | null;
  /** The first parameter group's learning rate at the end of the epoch. */
  lr: number;
  seconds: number;
  tokensPerSec: number;
  /** The monitored value beat the best so far. */
  improved: boolean;
  /** Steps run in this epoch. */
  steps: number;
  /** The epoch was cut short by the time limit: its numbers cover the steps it ran. */
  partial?: boolean;
}

/** A progress event after every step. */
export interface StepEvent {
  epoch: number;
  step: number;
  steps: number;
  globalStep: number;
  /** Running mean loss of this epoch. */
  loss: number;
  /** Running means of the task's extra sums. */
  means: Record<string, number>;
  tokensPerSec: number;
  /** StepOutput.weight per second (examples/s for a classifier). */
  weightPerSec: number;
  lr: number;
  /** Global gradient norm before clipping (NaN when clipping is off). */
  gradNorm: number;
}

export type StopReason = "epochs" | "early-stop" | "nan" | "interrupt" | "time-limit";
export type SnapshotReason = "epoch" | "periodic" | "interrupt" | "time-limit";

/** The JSON half of a snapshot. */
export interface TrainerState {
  format: "rnnkit.trainer";
  version: 1;
  /** The next step to run is `step + 1` of `epoch` (step = stepsPerEpoch: the epoch's end is still to process). */
  position: { epoch: number; step: number; globalStep: number };
  stepsPerEpoch: number;
  /** Running sums of the current epoch. */
  epochSums: { loss: number; weight: number; tokens: number; seconds: number; sums: Record<string, number> };
  /** Best monitored value (JSON keeps ±Infinity as a string). */
  best: number | string;
  bestEpoch: number;
  sinceBest: number;
  history: EpochRecord[];
  /** Each parameter group's learning rate before the schedule's factor. */
  baseLrs: number[];
  generators: Record<string, RngState>;
  optimizer: OptimizerMeta;
}

/**
 * Everything to continue a run exactly. `tensors`: `model.<name>` (live parameters: persist the
 * snapshot before the next step), `optim.<buffer>.<i>`, `carry.<name>`, `best.<name>` (with
 * restoreBest).
 */
export interface TrainerSnapshot {
  tensors: Record<string, Tensor>;
  state: TrainerState;
}

export interface TrainLoopOptions<B> {
  task: TrainTask<B>;
  model: Module;
  optimizer: Optimizer;
  /** Last epoch (1-based, inclusive). */
  epochs: number;
  /** Global-norm gradient clipping threshold (0 / undefined = off). */
  clip?: number;
  /**
   * Per-step learning-rate factor: before every step each group's lr = its base lr × factor
   * (slanted triangular, step decay …). Without it the groups keep their lr (the base lr).
   */
  lrFactor?: ((at: StepPosition) => number) | null;
  /** Each group's base lr (default: the resumed run's, else the optimizer's current lrs); e.g. `--resume --lr X`. */
  baseLrs?: readonly number[];
  /** What "best" means: the value watched and whether lower or higher is better. */
  monitor: { mode: "min" | "max"; value: (e: Omit<EpochRecord, "improved">) => number };
  /** Stop when the monitored value has not improved for this many epochs (0 = never). */
  patience?: number;
  /** Keep a copy of the best epoch's weights and load it back into the model at the end. */
  restoreBest?: boolean;
  /** Stop after this many seconds (0 = none); the cut-short epoch is validated and reported as partial. */
  timeLimit?: number;
  /** Snapshots besides epoch ends: every `steps` steps and/or `seconds` of wall-clock time. */
  checkpointEvery?: { steps?: number; seconds?: number };
  /** Random streams whose state is part of a snapshot, e.g. `{ dropout, sample }`. */
  generators?: Record<string, Generator>;
  /** Continue from a snapshot: its weights, optimizer state, random streams and position are loaded first. */
  resume?: TrainerSnapshot | null;
  /** A snapshot to persist: at epoch ends, periodically, on interrupt and on the time limit. */
  onSnapshot?: (s: TrainerSnapshot, why: SnapshotReason) => void;
  onStep?: (s: StepEvent) => void;
  /** Before every epoch and when resuming into one (e.g. gradual unfreezing); must depend only on the epoch. */
  onEpochStart?: (epoch: number) => void;
  /** After every epoch's validation; `e.improved`: save the best checkpoint now. */
  onEpoch?: (e: EpochRecord) => void;
  /** Polled between steps: true stops cleanly after a snapshot (Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface TrainLoopResult {
  history: EpochRecord[];
  /** Best monitored value (±Infinity when no epoch finished). */
  best: number;
  bestEpoch: number;
  stoppedBy: StopReason;
  message: string;
  /** Where training stopped (as in a snapshot). */
  position: TrainerState["position"];
  /** The best epoch's weights were loaded back into the model (restoreBest). */
  restoredBest: boolean;
}

/** Run the loop (see the file comment). */
export async function trainLoop<B>(o: TrainLoopOptions<B>): Promise<TrainLoopResult> {
  const { task, model, optimizer } = o;
  const S = task.stepsPerEpoch;
  if (!Number.isInteger(S) || S < 1) throw new RangeError(`trainLoop: the task has ${S} steps per epoch (hint: the training data is smaller than one batch)`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new RangeError(`trainLoop: epochs must be a positive integer, got ${o.epochs}`);
  const groups = optimizer.paramGroups;
  const r = o.resume?.state ?? null;
  const named = model.namedParameters();
  let bestWeights: Map<string, Float32Array> | null = null;
  let carry: Record<string, Tensor> = {};
  if (o.resume && r) {
    checkResumable(r, S, groups.length);
    const part = (prefix: string): Record<string, Tensor> =>
      Object.fromEntries(Object.entries(o.resume!.tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    model.loadStateDict(part("model."));
    optimizer.loadStateDict({ tensors: part("optim."), meta: r.optimizer });
    carry = part("carry.");
    const saved = part("best.");
    if (o.restoreBest && Object.keys(saved).length) bestWeights = new Map(named.map(([n]) => [n, Float32Array.from(saved[n]!.f32)]));
    for (const [name, g] of Object.entries(o.generators ?? {})) {
      const st = r.generators[name];
      if (!st) throw new RangeError(`trainLoop: the saved run has no state for the "${name}" random stream (it has ${Object.keys(r.generators).join(", ") || "none"})`);
      g.setState(st);
    }
  }
  const baseLrs = [...(o.baseLrs ?? r?.baseLrs ?? groups.map((g) => g.lr))];
  if (baseLrs.length !== groups.length) throw new RangeError(`trainLoop: ${baseLrs.length} base learning rates for ${groups.length} parameter groups`);
  if (!o.lrFactor) groups.forEach((g, i) => (g.lr = baseLrs[i]!));
  const better = o.monitor.mode === "min" ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  const history: EpochRecord[] = r ? r.history.map((h) => ({ ...h })) : [];
  let best = r ? Number(r.best) : o.monitor.mode === "min" ? Infinity : -Infinity;
  let bestEpoch = r?.bestEpoch ?? 0;
  let sinceBest = r?.sinceBest ?? 0;
  let pos = r ? { ...r.position } : { epoch: 1, step: 0, globalStep: 0 };
  const totalSteps = o.epochs * S;

  // the running sums of the current epoch
  let sums = r ? { ...r.epochSums, sums: { ...r.epochSums.sums } } : freshSums();
  let epochStart = Date.now() - sums.seconds * 1000;
  let resumingMidEpoch = pos.step > 0;
  const t0 = Date.now();
  let lastSnap = Date.now();
  const pause = breather();

  const finish = (stoppedBy: StopReason, message: string): TrainLoopResult => {
    let restored = false;
    if (o.restoreBest && bestWeights) {
      for (const [name, p] of named) p.f32.set(bestWeights.get(name)!);
      restored = true;
    }
    return { history, best, bestEpoch, stoppedBy, message, position: { ...pos }, restoredBest: restored };
  };
  const snapshot = (why: SnapshotReason): void => {
    if (!o.onSnapshot) return;
    sums.seconds = (Date.now() - epochStart) / 1000;
    const tensors: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
    const os = optimizer.stateDict();
    for (const [k, v] of Object.entries(os.tensors)) tensors[`optim.${k}`] = v;
    if (task.carry && pos.step > 0 && pos.step < S) for (const [k, v] of Object.entries(task.carry.get())) tensors[`carry.${k}`] = v;
    if (bestWeights) for (const [name, p] of named) tensors[`best.${name}`] = new Tensor(bestWeights.get(name)!, p.shape);
    const state: TrainerState = {
      format: "rnnkit.trainer",
      version: 1,
      position: { ...pos },
      stepsPerEpoch: S,
      epochSums: { ...sums, sums: { ...sums.sums } },
      best: Number.isFinite(best) ? best : String(best),
      bestEpoch,
      sinceBest,
      history: history.filter((h) => !h.partial),
      baseLrs: [...baseLrs],
      generators: Object.fromEntries(Object.entries(o.generators ?? {}).map(([k, g]) => [k, g.getState()])),
      optimizer: os.meta,
    };
    o.onSnapshot({ tensors, state }, why);
    lastSnap = Date.now();
  };
  /** Validate and record the current epoch (complete, or partial at the time limit). */
  const endEpoch = (partial: boolean): EpochRecord => {
    const seconds = (Date.now() - epochStart) / 1000;
    const valid = task.validate?.() ?? null;
    model.train();
    const base: Omit<EpochRecord, "improved"> = {
      epoch: pos.epoch,
      trainLoss: sums.loss / sums.weight,
      train: means(sums),
      valid,
      lr: groups[0]!.lr,
      seconds,
      tokensPerSec: sums.tokens / Math.max(seconds, 1e-3),
      steps: pos.step,
      ...(partial ? { partial: true } : {}),
    };
    const value = o.monitor.value(base);
    const improved = better(value, best);
    if (improved) {
      best = value;
      bestEpoch = pos.epoch;
      sinceBest = 0;
      if (o.restoreBest) bestWeights = new Map(named.map(([n, p]) => [n, Float32Array.from(p.f32)]));
    } else sinceBest++;
    const rec: EpochRecord = { ...base, improved };
    history.push(rec);
    o.onEpoch?.(rec);
    model.train();
    return rec;
  };

  while (pos.epoch <= o.epochs) {
    o.onEpochStart?.(pos.epoch);
    model.train();
    task.startEpoch?.(pos.epoch);
    if (resumingMidEpoch) task.carry?.set(carry);
    resumingMidEpoch = false;
    const batches = task.batches(pos.epoch);
    if (batches.length !== S) throw new RangeError(`trainLoop: epoch ${pos.epoch} has ${batches.length} batches, the task said ${S}`);
    while (pos.step < S) {
      const at: StepPosition = { epoch: pos.epoch, step: pos.step + 1, stepsPerEpoch: S, globalStep: pos.globalStep, totalSteps };
      if (o.lrFactor) {
        const f = o.lrFactor(at);
        groups.forEach((g, i) => (g.lr = baseLrs[i]! * f));
      }
      model.train();
      const out = task.forward(batches[pos.step]!, at);
      const lv = out.loss.item();
      if (!Number.isFinite(lv) || lv > (task.divergenceLimit ?? Infinity)) {
        const what = Number.isFinite(lv) ? `${lv.toPrecision(3)} (diverged)` : String(lv);
        const kept = o.restoreBest ? (bestWeights ? "the best weights so far are kept" : "no epoch finished, nothing is kept") : "the last good checkpoint is kept";
        return finish("nan", `training loss became ${what} at epoch ${pos.epoch}, step ${at.step}: stopped; ${kept} (hint: lower --lr${o.clip ? "" : " or set --clip"})`);
      }
      optimizer.zeroGrad();
      out.loss.backward();
      const gradNorm = o.clip && o.clip > 0 ? clipGradNorm(model.parameters(), o.clip) : NaN;
      optimizer.step();
      pos = { epoch: pos.epoch, step: pos.step + 1, globalStep: pos.globalStep + 1 };
      sums.loss += lv * out.weight;
      sums.weight += out.weight;
      sums.tokens += out.tokens;
      for (const [k, v] of Object.entries(out.sums ?? {})) sums.sums[k] = (sums.sums[k] ?? 0) + v;
      const secs = Math.max((Date.now() - epochStart) / 1000, 1e-3);
      o.onStep?.({ epoch: pos.epoch, step: pos.step, steps: S, globalStep: pos.globalStep, loss: sums.loss / sums.weight, means: means(sums), tokensPerSec: sums.tokens / secs, weightPerSec: sums.weight / secs, lr: groups[0]!.lr, gradNorm });
      await pause();
      if (o.shouldStop?.()) {
        snapshot("interrupt");
        return finish("interrupt", `interrupted at epoch ${pos.epoch}, step ${pos.step}/${S}`);
      }
      if (o.timeLimit && (Date.now() - t0) / 1000 > o.timeLimit) {
        // the snapshot comes first: a resumed run continues exactly as if never stopped, while
        // this run still validates what it has (and the caller keeps a checkpoint of it)
        snapshot("time-limit");
        endEpoch(pos.step < S);
        return finish("time-limit", `time limit of ${o.timeLimit}s reached in epoch ${pos.epoch} (step ${pos.step}/${S})`);
      }
      const every = o.checkpointEvery;
      if (every && pos.step < S && ((every.steps && pos.globalStep % every.steps === 0) || (every.seconds && (Date.now() - lastSnap) / 1000 >= every.seconds))) snapshot("periodic");
    }
    endEpoch(false);
    const ended = pos.epoch;
    pos = { epoch: ended + 1, step: 0, globalStep: pos.globalStep };
    sums = freshSums();
    epochStart = Date.now();
    snapshot("epoch");
    if (o.patience && o.patience > 0 && sinceBest >= o.patience) return finish("early-stop", `no improvement for ${o.patience} epoch(s): early stop after epoch ${ended}, best epoch ${bestEpoch}`);
  }
  return finish("epochs", `finished ${o.epochs} epoch(s); best epoch ${bestEpoch}`);
}

function freshSums(): TrainerState["epochSums"] {
  return { loss: 0, weight: 0, tokens: 0, seconds: 0, sums: {} };
}
function means(s: TrainerState["epochSums"]): Record<string, number> {
  return Object.fromEntries(Object.entries(s.sums).map(([k, v]) => [k, v / s.weight]));
}

function checkResumable(r: TrainerState, S: number, nGroups: number): void {
  if (r.format !== "rnnkit.trainer" || r.version !== 1) throw new TypeError(`trainLoop: resume is not an rnnkit trainer state (format ${String(r.format)}, version ${String(r.version)})`);
  if (r.position.step > 0 && r.stepsPerEpoch !== S)
    throw new RangeError(`trainLoop: the run stopped at step ${r.position.step} of ${r.stepsPerEpoch} per epoch, but this run has ${S} steps per epoch (hint: resume with the same data, batch size and bptt)`);
  if (r.baseLrs.length !== nGroups) throw new RangeError(`trainLoop: the saved run had ${r.baseLrs.length} parameter groups, this optimizer has ${nGroups}`);
}

