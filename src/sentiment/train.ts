import type { BatchAugment } from "../data/sentiment/augment.js";
import { type Batch, type EncodedDataset, makeBatches } from "../data/sentiment/batching.js";
import type { TextClassifier } from "../models/text-classifier.js";
import { crossEntropy } from "../tensor/ops/nn-ops.js";
import { Tensor } from "../tensor/tensor.js";
import { type EpochRecord, type StopReason, type TrainLoopOptions, type TrainLoopResult, type TrainTask, trainLoop } from "../train/loop.js";
import { predictProba } from "./evaluate.js";

export interface ClsStepInfo {
  epoch: number;
  step: number;
  steps: number;
  globalStep: number;
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
  /** Cut short by the time limit. */
  partial?: boolean;
}

export type ClsStopReason = StopReason;

/**
 * A classifier's part of training: length-bucketed batches shuffled per epoch (from `seed` and
 * the epoch alone), mean cross-entropy, training accuracy, validation loss and accuracy.
 */
export function classifierTask(model: TextClassifier, train: EncodedDataset, valid: EncodedDataset | null | undefined, o: { batchSize: number; seed: number; augment?: BatchAugment | null }): TrainTask<Batch> {
  const B = o.batchSize;
  const C = model.config.numClasses;
  return {
    // makeBatches cuts pools of 50 batches (a multiple of B), so every batch but the last is full
    stepsPerEpoch: Math.ceil(train.ids.length / B),
    batches: (epoch) => {
      const bs = makeBatches(train, { batchSize: B, seed: o.seed, epoch, shuffle: true, bucket: true });
      return o.augment ? o.augment(bs, epoch) : bs;
    },
    forward: (b) => {
      const logits = model.forward(new Tensor(b.ids, [b.B, b.T]), b.lengths);
      const loss = crossEntropy(logits, new Tensor(b.labels, [b.B]));
      const z = logits.f32;
      let right = 0;
      for (let r = 0; r < b.B; r++) {
        let arg = 0;
        for (let c = 1; c < C; c++) if (z[r * C + c]! > z[r * C + arg]!) arg = c;
        if (arg === b.labels[r]) right++;
      }
      let tokens = 0;
      for (const l of b.lengths) tokens += l;
      return { loss, weight: b.B, tokens, sums: { acc: right } };
    },
    ...(valid && valid.ids.length > 0 ? { validate: () => evaluateLossAcc(model, valid, B) } : {}),
    // far beyond a uniform guess (ln C): diverged
    divergenceLimit: 20 * Math.log(C) + 20,
  };
}

export interface TrainClassifierOptions extends Omit<TrainLoopOptions<Batch>, "task" | "monitor" | "epochs" | "onStep" | "onEpoch" | "restoreBest"> {
  model: TextClassifier;
  train: EncodedDataset;
  valid?: EncodedDataset | null;
  batchSize?: number;
  epochs?: number;
  /** Seed of the batch order (epoch e shuffles with deriveSeed(seed, e)). */
  seed?: number;
  /** Training-batch augmentation applied per epoch (e.g. `boosterSwap`); never applied to validation. */
  augment?: BatchAugment | null;
  onStep?: (s: ClsStepInfo) => void;
  /** After every epoch; `improved` = best validation accuracy so far. */
  onEpoch?: (e: ClsEpochInfo) => void;
}

export interface TrainClassifierResult extends Omit<TrainLoopResult, "history" | "best"> {
  history: ClsEpochInfo[];
  bestValidAcc: number;
}

export const clsEpochInfo = (e: EpochRecord): ClsEpochInfo => ({
  epoch: e.epoch,
  trainLoss: e.trainLoss,
  trainAcc: e.train.acc ?? NaN,
  validLoss: e.valid?.loss ?? null,
  validAcc: e.valid?.acc ?? null,
  seconds: e.seconds,
  improved: e.improved,
  ...(e.partial ? { partial: true } : {}),
});

/**
 * Train a text classifier (the shared loop of train/loop.ts with `classifierTask`): mini-batches
 * bucketed by length (padding never reaches the state: the true lengths go to the recurrent
 * layer), loss = mean cross-entropy over the batch. The best epoch by validation accuracy
 * (training accuracy without validation data) is kept and restored at the end (early stopping).
 */
export async function trainClassifier(o: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const { model, train, valid, batchSize, epochs, seed, augment, onStep, onEpoch, ...loop } = o;
  const r = await trainLoop({
    patience: 0,
    ...loop,
    task: classifierTask(model, train, valid, { batchSize: batchSize ?? 64, seed: seed ?? 0, augment: augment ?? null }),
    model,
    epochs: epochs ?? 5,
    restoreBest: true,
    monitor: { mode: "max", value: (e) => e.valid?.acc ?? e.train.acc ?? 0 },
    ...(onStep ? { onStep: (s) => onStep({ epoch: s.epoch, step: s.step, steps: s.steps, globalStep: s.globalStep, loss: s.loss, acc: s.means.acc ?? NaN, examplesPerSec: s.weightPerSec, tokensPerSec: s.tokensPerSec }) } : {}),
    ...(onEpoch ? { onEpoch: (e) => onEpoch(clsEpochInfo(e)) } : {}),
  });
  const { history, best, ...rest } = r;
  return { ...rest, history: history.map(clsEpochInfo), bestValidAcc: best };
}

/** Mean cross-entropy and accuracy of a dataset (eval mode, no graph). */
export function evaluateLossAcc(model: TextClassifier, data: EncodedDataset, batchSize = 64): { loss: number; acc: number } {
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
