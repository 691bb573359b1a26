import { type BpttWindow, batchify, bpttWindows } from "../data/corpus/batchify.js";
import type { RecurrentLm } from "../models/recurrent-lm.js";
import { Tensor } from "../tensor/tensor.js";
import { type EpochRecord, type StopReason, type TrainLoopOptions, type TrainLoopResult, type TrainTask, trainLoop } from "../train/loop.js";
import { evaluateLm } from "./evaluate.js";

export interface LmStepInfo {
  epoch: number;
  step: number; // window within the epoch, 1-based
  steps: number; // windows per epoch
  globalStep: number;
  loss: number; // running mean training loss of this epoch (nats/token)
  tokensPerSec: number;
  lr: number;
  gradNorm: number;
}

export interface LmEpochInfo {
  epoch: number;
  trainLoss: number;
  validLoss: number | null;
  validPerplexity: number | null;
  lr: number;
  seconds: number;
  tokensPerSec: number;
  improved: boolean;
  /** Cut short by the time limit. */
  partial?: boolean;
}

export type LmStopReason = StopReason;

/** What lmTask needs beyond the batches. */
export interface LmTaskOptions {
  batchSize: number;
  bptt: number;
  /**
   * Runs validation (and anything else that should see the weights being evaluated): e.g.
   * `(fn) => asgd.withAveraged(fn)` to validate averaged SGD's averaged weights. Default: fn().
   */
  evalWith?: <T>(fn: () => T) => T;
}

/**
 * A language model's part of training: truncated-BPTT windows, the carried hidden state (any
 * RecurrentLm: a LanguageModel's stacked h/c, an AwdLstm's per-layer ones), perplexity validation.
 * A model whose loss adds regularisers (AwdLstm: AR, TAR) also reports the cross-entropy alone
 * (`train.ce`, which is what the epoch's train loss and perplexity show) and the terms (`train.ar`,
 * `train.tar`).
 */
export function lmTask<S>(model: RecurrentLm<S>, train: Int32Array, valid: Int32Array | null | undefined, o: LmTaskOptions): TrainTask<BpttWindow> {
  const B = o.batchSize;
  const windows = [...bpttWindows(batchify(train, B), o.bptt)];
  const evalWith = o.evalWith ?? (<T>(fn: () => T): T => fn());
  let state: S = model.initState(B);
  return {
    stepsPerEpoch: windows.length,
    batches: () => windows,
    startEpoch: () => void (state = model.initState(B)), // each epoch starts from a zero state
    forward: (w) => {
      const r: { loss: Tensor; state: S; lmLoss?: Tensor; ar?: number; tar?: number } = model.loss(new Tensor(w.input, [w.T, B]), new Tensor(w.target, [w.T, B]), model.detachState(state));
      state = r.state;
      const sums = r.lmLoss ? { ce: r.lmLoss.item(), ar: r.ar ?? 0, tar: r.tar ?? 0 } : undefined;
      return { loss: r.loss, weight: 1, tokens: w.T * B, ...(sums ? { sums } : {}) };
    },
    ...(valid && valid.length > 2
      ? {
          validate: () => {
            const v = evalWith(() => evaluateLm(model, valid, { batchSize: 10, bptt: o.bptt }));
            return { loss: v.loss, perplexity: v.perplexity };
          },
        }
      : {}),
    carry: {
      get: () => model.stateTensors(state),
      set: (t) => {
        state = model.stateFromTensors(t);
      },
    },
    // far beyond a uniform guess (ln V): diverged
    divergenceLimit: 20 * Math.log(model.config.vocabSize) + 20,
  };
}

/** The epoch's training cross-entropy: `train.ce` when the task reports it (regularised models), else the loss. */
export const lmTrainLoss = (e: Pick<EpochRecord, "train" | "trainLoss">): number => e.train.ce ?? e.trainLoss;

export interface TrainLmOptions extends Omit<TrainLoopOptions<BpttWindow>, "task" | "monitor" | "epochs" | "onStep" | "onEpoch"> {
  model: RecurrentLm;
  train: Int32Array;
  valid?: Int32Array | null;
  batchSize?: number;
  bptt?: number;
  epochs?: number;
  onStep?: (s: LmStepInfo) => void;
  /** After each epoch; `improved` says validation beat the best so far (save the checkpoint then). */
  onEpoch?: (e: LmEpochInfo) => void;
}

export interface TrainLmResult extends Omit<TrainLoopResult, "history" | "best"> {
  history: LmEpochInfo[];
  bestValidLoss: number;
  /** Epochs fully completed. */
  lastEpoch: number;
}

export const lmEpochInfo = (e: EpochRecord): LmEpochInfo => ({
  epoch: e.epoch,
  trainLoss: lmTrainLoss(e),
  validLoss: e.valid?.loss ?? null,
  validPerplexity: e.valid?.perplexity ?? null,
  lr: e.lr,
  seconds: e.seconds,
  tokensPerSec: e.tokensPerSec,
  improved: e.improved,
  ...(e.partial ? { partial: true } : {}),
});

/**
 * Train a language model with truncated backpropagation through time (the shared loop of
 * train/loop.ts with `lmTask`). The training stream is cut into B parallel streams; each window of
 * `bptt` steps is one update; the hidden state is carried from window to window but detached
 * (gradients stop at the window edge) and reset to zero at each epoch start. Loss = mean
 * cross-entropy per token:
 *   J = −(1/T·B) Σ_t Σ_b log P(x_{t+1,b} | x_{≤t,b})
 * The best epoch is the one with the lowest validation loss (training loss without validation data).
 */
export async function trainLm(o: TrainLmOptions): Promise<TrainLmResult> {
  const { model, train, valid, batchSize, bptt, epochs, onStep, onEpoch, ...loop } = o;
  const task = lmTask(model, train, valid, { batchSize: batchSize ?? 20, bptt: bptt ?? 35 });
  const r = await trainLoop({
    ...loop,
    task,
    model,
    epochs: epochs ?? 10,
    monitor: { mode: "min", value: (e) => e.valid?.loss ?? lmTrainLoss(e) },
    ...(onStep ? { onStep: (s) => onStep({ epoch: s.epoch, step: s.step, steps: s.steps, globalStep: s.globalStep, loss: s.means.ce ?? s.loss, tokensPerSec: s.tokensPerSec, lr: s.lr, gradNorm: s.gradNorm }) } : {}),
    ...(onEpoch ? { onEpoch: (e) => onEpoch(lmEpochInfo(e)) } : {}),
  });
  const { history, best, ...rest } = r;
  return { ...rest, history: history.map(lmEpochInfo), bestValidLoss: best, lastEpoch: r.position.epoch - 1 };
}
