import { type EncodedDataset, makeBatches } from "../data/sentiment/batching.js";
import type { SequenceClassifier } from "../models/sequence-classifier.js";
import type { Optimizer } from "../optim/optimizer.js";
import { clipGradNorm } from "../optim/clip.js";
import { crossEntropy } from "../tensor/ops/nn-ops.js";
import { Tensor } from "../tensor/tensor.js";
import { predictProba } from "./evaluate.js";
import { breather } from "../train/yield.js";

export interface ClsStepInfo {
  epoch: number;
  step: number;
  steps: number;
  loss: number; // running mean of this epoch
  acc: number; // running training accuracy of this epoch
  examplesPerSec: number;
  tokensPerSec: number;
}

export interface ClsEpochInfo {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  validLoss: number | null;
  validAcc: number | null;
  seconds: number;
  improved: boolean;
}

export type ClsStopReason = "epochs" | "early-stop" | "nan" | "interrupt" | "time-limit";

export interface TrainClassifierOptions {
  model: SequenceClassifier;
  optimizer: Optimizer;
  train: EncodedDataset;
  valid?: EncodedDataset | null;
  batchSize?: number;
  epochs?: number;
  clip?: number;
  /** Early stopping on validation accuracy: epochs without improvement before stopping (0 = never). */
  patience?: number;
  seed?: number;
  timeLimit?: number;
  onStep?: (s: ClsStepInfo) => void;
  /** After every epoch; `improved` = best validation accuracy so far (save the checkpoint then). */
  onEpoch?: (e: ClsEpochInfo) => void;
  shouldStop?: () => boolean;
}

export interface TrainClassifierResult {
  history: ClsEpochInfo[];
  bestValidAcc: number;
  bestEpoch: number;
  stoppedBy: ClsStopReason;
  message: string;
  /** The best epoch's weights (by validation accuracy), already loaded back into the model. */
  restoredBest: boolean;
}

/**
 * Train a text classifier with mini-batches bucketed by length (padding never reaches the state:
 * the true lengths go to the recurrent layer). Loss = mean cross-entropy over the batch. The best
 * epoch by validation accuracy is kept and restored at the end (early stopping).
 */
export async function trainClassifier(o: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const { model, optimizer } = o;
  const B = o.batchSize ?? 64;
  const epochs = o.epochs ?? 5;
  const history: ClsEpochInfo[] = [];
  let bestAcc = -1;
  let bestEpoch = 0;
  let best: Map<Tensor, Float32Array> | null = null;
  let since = 0;
  const t0 = Date.now();
  const pause = breather();
  const finish = (stoppedBy: ClsStopReason, message: string): TrainClassifierResult => {
    let restoredBest = false;
    if (best) {
      for (const [p, v] of best) p.f32.set(v);
      restoredBest = true;
    }
    return { history, bestValidAcc: bestAcc, bestEpoch, stoppedBy, message, restoredBest };
  };

  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    const batches = makeBatches(o.train, { batchSize: B, seed: o.seed ?? 0, epoch, shuffle: true, bucket: true });
    let lossSum = 0;
    let right = 0;
    let seen = 0;
    let tokens = 0;
    const e0 = Date.now();
    for (const [i, b] of batches.entries()) {
      const logits = model.forward(new Tensor(b.ids, [b.B, b.T]), b.lengths);
      const loss = crossEntropy(logits, new Tensor(b.labels, [b.B]));
      const lv = loss.item();
      if (!Number.isFinite(lv)) return finish("nan", `training loss became ${lv} at epoch ${epoch}, batch ${i + 1}: stopped, the best weights so far are kept (hint: lower --lr)`);
      optimizer.zeroGrad();
      loss.backward();
      if (o.clip && o.clip > 0) clipGradNorm(model.parameters(), o.clip);
      optimizer.step();
      const C = logits.shape[1]!;
      const z = logits.f32;
      for (let r = 0; r < b.B; r++) {
        let arg = 0;
        for (let c = 1; c < C; c++) if (z[r * C + c]! > z[r * C + arg]!) arg = c;
        if (arg === b.labels[r]) right++;
      }
      lossSum += lv * b.B;
      seen += b.B;
      for (const l of b.lengths) tokens += l;
      const secs = Math.max((Date.now() - e0) / 1000, 1e-3);
      o.onStep?.({ epoch, step: i + 1, steps: batches.length, loss: lossSum / seen, acc: right / seen, examplesPerSec: seen / secs, tokensPerSec: tokens / secs });
      await pause();
      if (o.shouldStop?.()) return finish("interrupt", `interrupted at epoch ${epoch}, batch ${i + 1}`);
      if (o.timeLimit && (Date.now() - t0) / 1000 > o.timeLimit) {
        endEpoch(epoch, lossSum / seen, right / seen, e0);
        return finish("time-limit", `time limit of ${o.timeLimit}s reached in epoch ${epoch}`);
      }
    }
    endEpoch(epoch, lossSum / seen, right / seen, e0);
    if (o.patience && o.patience > 0 && since >= o.patience) return finish("early-stop", `validation accuracy did not improve for ${o.patience} epoch(s): stopped after epoch ${epoch}, best epoch ${bestEpoch}`);
  }
  return finish("epochs", `finished ${epochs} epoch(s); best epoch ${bestEpoch}`);

  function endEpoch(epoch: number, trainLoss: number, trainAcc: number, e0: number): void {
    let validLoss: number | null = null;
    let validAcc: number | null = null;
    if (o.valid && o.valid.ids.length > 0) {
      const r = evaluateLossAcc(model, o.valid, B);
      validLoss = r.loss;
      validAcc = r.acc;
    }
    const metric = validAcc ?? trainAcc;
    const improved = metric > bestAcc;
    if (improved) {
      bestAcc = metric;
      bestEpoch = epoch;
      since = 0;
      best = new Map(model.parameters().map((p) => [p, Float32Array.from(p.f32)]));
    } else since++;
    const info: ClsEpochInfo = { epoch, trainLoss, trainAcc, validLoss, validAcc, seconds: (Date.now() - e0) / 1000, improved };
    history.push(info);
    o.onEpoch?.(info);
  }
}

/** Mean cross-entropy and accuracy of a dataset (eval mode, no graph). */
export function evaluateLossAcc(model: SequenceClassifier, data: EncodedDataset, batchSize = 64): { loss: number; acc: number } {
  const P = predictProba(model, data, batchSize);
  const C = model.config.numClasses;
  let loss = 0;
  let right = 0;
  const N = data.labels.length;
  for (let i = 0; i < N; i++) {
    const y = data.labels[i]!;
    loss -= Math.log(Math.max(P[i * C + y]!, 1e-12));
    let arg = 0;
    for (let c = 1; c < C; c++) if (P[i * C + c]! > P[i * C + arg]!) arg = c;
    if (arg === y) right++;
  }
  return { loss: loss / N, acc: right / N };
}
