import { type LanguageModel, detachState } from "../models/language-model.js";
import type { Optimizer } from "../optim/optimizer.js";
import { clipGradNorm } from "../optim/clip.js";
import { Tensor } from "../tensor/tensor.js";
import { evaluateLm } from "./evaluate.js";
import { breather } from "../train/yield.js";
import { batchify, bpttWindows, countBpttWindows } from "../data/corpus/batchify.js";

export interface LmStepInfo {
  epoch: number;
  step: number; // window within the epoch, 1-based
  steps: number; // windows per epoch
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
}

export type LmStopReason = "epochs" | "early-stop" | "nan" | "interrupt" | "time-limit";

export interface TrainLmOptions {
  model: LanguageModel;
  optimizer: Optimizer;
  train: Int32Array;
  valid?: Int32Array | null;
  batchSize?: number;
  bptt?: number;
  epochs?: number;
  /** Epoch to start from (1-based; > 1 when resuming). */
  startEpoch?: number;
  /** Global-norm gradient clipping threshold (0 = off). */
  clip?: number;
  /** Learning rate for an epoch (1-based), e.g. Zaremba's "halve after epoch 4"; null keeps the optimizer's lr. */
  lrForEpoch?: ((epoch: number, history: readonly LmEpochInfo[]) => number) | null;
  /** Stop when validation has not improved for this many epochs (0 = never). */
  patience?: number;
  /** Best validation loss so far (when resuming). */
  bestValidLoss?: number;
  /** Stop (after the current step) once this many seconds have passed (0 = no limit). */
  timeLimit?: number;
  onStep?: (s: LmStepInfo) => void;
  /** After each epoch; `improved` says validation beat the best so far (save the checkpoint then). */
  onEpoch?: (e: LmEpochInfo) => void;
  /** Polled between steps: return true to stop cleanly (Ctrl-C). */
  shouldStop?: () => boolean;
}

export interface TrainLmResult {
  history: LmEpochInfo[];
  bestValidLoss: number;
  stoppedBy: LmStopReason;
  /** Epochs fully completed (for resuming). */
  lastEpoch: number;
  message: string;
}

/**
 * Train a language model with truncated backpropagation through time. The training stream is
 * cut into B parallel streams; each window of `bptt` steps is one update; the hidden state is
 * carried from window to window but detached (gradients stop at the window edge) and reset to
 * zero at each epoch start. Loss = mean cross-entropy per token:
 *   J = −(1/T·B) Σ_t Σ_b log P(x_{t+1,b} | x_{≤t,b})
 */
export async function trainLm(o: TrainLmOptions): Promise<TrainLmResult> {
  const { model, optimizer } = o;
  const B = o.batchSize ?? 20;
  const bptt = o.bptt ?? 35;
  const epochs = o.epochs ?? 10;
  const V = model.config.vocabSize;
  const streams = batchify(o.train, B);
  const steps = countBpttWindows(streams, bptt);
  const history: LmEpochInfo[] = [];
  let best = o.bestValidLoss ?? Infinity;
  let sinceBest = 0;
  const t0 = Date.now();
  const pause = breather();
  let lastEpoch = (o.startEpoch ?? 1) - 1;
  const stop = (stoppedBy: LmStopReason, message: string): TrainLmResult => ({ history, bestValidLoss: best, stoppedBy, lastEpoch, message });

  for (let epoch = o.startEpoch ?? 1; epoch <= epochs; epoch++) {
    if (o.lrForEpoch) optimizer.lr = o.lrForEpoch(epoch, history);
    model.train();
    let state = model.initState(B);
    let lossSum = 0;
    let n = 0;
    const e0 = Date.now();
    let step = 0;
    for (const w of bpttWindows(streams, bptt)) {
      step++;
      state = detachState(state);
      const { loss, state: next } = model.loss(new Tensor(w.input, [w.T, B]), new Tensor(w.target, [w.T, B]), state);
      state = next;
      const lv = loss.item();
      // NaN/Infinity, or a loss far beyond a uniform guess (ln V): training has diverged
      if (!Number.isFinite(lv) || lv > 20 * Math.log(V) + 20)
        return stop("nan", `training loss became ${Number.isFinite(lv) ? `${lv.toPrecision(3)} (diverged)` : lv} at epoch ${epoch}, step ${step}: stopped; the last good checkpoint is kept (hint: lower --lr or set --clip)`);
      optimizer.zeroGrad();
      loss.backward();
      const gradNorm = o.clip && o.clip > 0 ? clipGradNorm(model.parameters(), o.clip) : NaN;
      optimizer.step();
      lossSum += lv;
      n++;
      const secs = (Date.now() - e0) / 1000;
      o.onStep?.({ epoch, step, steps, loss: lossSum / n, tokensPerSec: (n * bptt * B) / Math.max(secs, 1e-3), lr: optimizer.lr, gradNorm });
      await pause();
      if (o.shouldStop?.()) return stop("interrupt", `interrupted at epoch ${epoch}, step ${step}`);
      if (o.timeLimit && (Date.now() - t0) / 1000 > o.timeLimit) {
        // finish as if the epoch ended, so the caller still gets a validated checkpoint
        const info = endEpoch(epoch, lossSum / n, e0, n * bptt * B);
        o.onEpoch?.(info);
        lastEpoch = epoch;
        return stop("time-limit", `time limit of ${o.timeLimit}s reached in epoch ${epoch} (step ${step}/${steps})`);
      }
    }
    const info = endEpoch(epoch, lossSum / n, e0, n * bptt * B);
    lastEpoch = epoch;
    o.onEpoch?.(info);
    if (o.patience && o.patience > 0 && sinceBest >= o.patience) return stop("early-stop", `validation loss did not improve for ${o.patience} epoch(s): early stop after epoch ${epoch}`);
  }
  return stop("epochs", `finished ${epochs} epoch(s)`);

  function endEpoch(epoch: number, trainLoss: number, e0: number, tokens: number): LmEpochInfo {
    const v = o.valid && o.valid.length > 2 ? evaluateLm(model, o.valid, { batchSize: 10, bptt }) : null;
    const metric = v ? v.loss : trainLoss;
    const improved = metric < best;
    if (improved) {
      best = metric;
      sinceBest = 0;
    } else sinceBest++;
    const seconds = (Date.now() - e0) / 1000;
    const info: LmEpochInfo = { epoch, trainLoss, validLoss: v?.loss ?? null, validPerplexity: v?.perplexity ?? null, lr: optimizer.lr, seconds, tokensPerSec: tokens / seconds, improved };
    history.push(info);
    return info;
  }
}
