/**
 * ULMFiT's fine-tuning schedule (Howard & Ruder 2018, §3.2–3.3) for a model split into layer
 * groups g = 0 … G−1 (bottom → top: embedding, LSTM 1 … LSTM L, head):
 *
 * - discriminative rates: group g trains at lr_g = lr / decay^(G−1−g)   (decay = 2.6);
 * - gradual unfreezing in stages of one epoch: stage 1 trains the head alone, stage s the head and
 *   the top s−1 LSTM layers, and the last stage (s = L+1, the embedding joins with the bottom
 *   layer) everything, for the remaining epochs;
 * - each stage is one slanted-triangular cycle; stage s peaks at scale_s · lr_g with
 *   scale = 20, 10, 5, … (halving) and 1 in the last stage — fastai's IMDB recipe
 *   (2e-2, 1e-2, 5e-3, then 1e-3 with lr = 1e-3).
 *
 * The trainer applies it through three hooks: the optimizer's parameter groups (`paramGroups`),
 * `onEpochStart` (which groups learn) and `lrFactor` (scale × STLR). All three depend only on the
 * position in the run, so a resumed run follows the same schedule.
 */
import type { ParamGroupSpec } from "../optim/optimizer.js";
import { discriminativeRates, slantedTriangular } from "../optim/stlr.js";
import type { Tensor } from "../tensor/tensor.js";
import type { StepPosition } from "./loop.js";

export interface GradualUnfreezingOptions {
  /** Parameter groups bottom → top; the first is the embedding, the last the head. */
  groups: Tensor[][];
  /** Learning rate of the head in the last stage (the other groups' follow from `decay`). */
  lr: number;
  /** Ratio between adjacent groups' learning rates (paper: 2.6). */
  decay?: number;
  /** "gradual" (default) or "none": every group learns from the first step, one STLR cycle over the run. */
  unfreeze?: "gradual" | "none";
  /** Peak scale of the first stage (halved each stage; the last stage is 1). Default 20. */
  firstStageScale?: number;
  /** STLR: share of a cycle spent warming up, and peak / lowest rate. */
  cutFrac?: number;
  ratio?: number;
  stepsPerEpoch: number;
  epochs: number;
}

export interface GradualUnfreezingSchedule {
  paramGroups: ParamGroupSpec[];
  /** 1-based stage of an epoch. */
  stageOf(epoch: number): number;
  stages: number;
  onEpochStart(epoch: number): void;
  lrFactor(at: StepPosition): number;
  /** What stage `epoch` trains, for logs. */
  describe(epoch: number): string;
}

export function gradualUnfreezing(o: GradualUnfreezingOptions): GradualUnfreezingSchedule {
  const G = o.groups.length;
  if (G < 3) throw new RangeError(`gradualUnfreezing: expected ≥ 3 groups (embedding, ≥ 1 recurrent layer, head), got ${G}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new RangeError(`gradualUnfreezing: epochs must be a positive integer, got ${o.epochs}`);
  const lrs = discriminativeRates(o.lr, G, o.decay ?? 2.6);
  const gradual = (o.unfreeze ?? "gradual") === "gradual";
  const L = G - 2; // recurrent layers
  const stages = gradual ? Math.min(L + 1, o.epochs) : 1;
  const lastStageStart = gradual ? stages : 1; // epoch where the last stage begins
  const stageOf = (epoch: number): number => (gradual ? Math.min(epoch, stages) : 1);
  const first = o.firstStageScale ?? 20;
  const scale = (s: number): number => (s === stages ? 1 : first / Math.pow(2, s - 1));
  const cycle = (s: number): ((t: number) => number) => {
    const epochsInStage = s === stages ? o.epochs - lastStageStart + 1 : 1;
    return slantedTriangular({ steps: epochsInStage * o.stepsPerEpoch, cutFrac: o.cutFrac ?? 0.1, ratio: o.ratio ?? 32 });
  };
  const cycles = Array.from({ length: stages }, (_, i) => cycle(i + 1));
  /** Groups that learn in stage s: the head and the top s−1 recurrent layers; all in the last stage. */
  const learning = (s: number): boolean[] => o.groups.map((_, g) => !gradual || s === stages || g >= G - s);
  return {
    paramGroups: o.groups.map((params, g) => ({ params, lr: lrs[g]! })),
    stageOf,
    stages,
    onEpochStart(epoch: number): void {
      const on = learning(stageOf(epoch));
      o.groups.forEach((ps, g) => ps.forEach((p) => (p.requiresGrad = on[g]!)));
    },
    lrFactor(at: StepPosition): number {
      const s = stageOf(at.epoch);
      const first = s === stages ? lastStageStart : at.epoch;
      const t = (at.epoch - first) * at.stepsPerEpoch + (at.step - 1);
      return scale(s) * cycles[s - 1]!(t);
    },
    describe(epoch: number): string {
      const s = stageOf(epoch);
      const on = learning(s);
      const n = on.filter(Boolean).length;
      const what = n === G ? "all layers" : n === 1 ? "the head" : `the head and the top ${n - 1} LSTM layer${n > 2 ? "s" : ""}`;
      return `stage ${s}/${stages}: ${what}, peak lr ${(scale(s) * lrs[G - 1]!).toExponential(2)} (head)`;
    },
  };
}
