/**
 * The AWD-LSTM parts of `trainLanguageModel` / `rnnkit train-lm --awd`: the options, the model
 * they build, the optimizers (SGD, Adam, ASGD, NT-ASGD) and the defaults of Merity et al.'s PTB
 * recipe (emb 400, LSTM 1150/1150/400, dropouts 0.1/0.65/0.3/0.4, weight drop 0.5, AR 2, TAR 1,
 * NT-ASGD with lr 30, clip 0.25, weight decay 1.2e-6, BPTT 70).
 */
import { AwdLstm, type AwdLstmConfig } from "../models/awd-lstm.js";
import { Adam } from "../optim/adam.js";
import { ASGD } from "../optim/asgd.js";
import { NTASGD } from "../optim/nt-asgd.js";
import type { Optimizer } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import type { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

export type LmOptimizerName = "sgd" | "adam" | "asgd" | "nt-asgd";
export const LM_OPTIMIZERS: readonly LmOptimizerName[] = ["sgd", "adam", "asgd", "nt-asgd"];

/** The AWD-LSTM options of a language-model run (see AwdLstmConfig for each). */
export interface AwdRunOptions {
  /** Train an AwdLstm (Merity et al.'s AWD-LSTM) instead of the plain LanguageModel. */
  awd?: boolean;
  /** Hidden size of each LSTM layer, e.g. [1150, 1150, 400] (default: numLayers × hiddenSize, the top = embeddingDim). */
  hiddenSizes?: readonly number[];
  weightDrop?: number;
  dropoutEmb?: number;
  dropoutInp?: number;
  dropoutHid?: number;
  dropoutOut?: number;
  /** AR coefficient (α·mean(h̃²)). */
  alpha?: number;
  /** TAR coefficient (β·mean((h_t − h_{t−1})²)). */
  beta?: number;
  /** Adaptive softmax cutoffs, e.g. [2000, 10000] (the decoder is then untied). */
  adaptiveSoftmax?: readonly number[];
  /** Adaptive softmax: tail cluster i projects to hidden / divValue^(i+1) (default 4). */
  divValue?: number;
  /** NT-ASGD's non-monotone interval (default 5). */
  nonmono?: number;
  /** NT-ASGD: switch to averaging at the first step of this run instead of waiting for the trigger. */
  averageNow?: boolean;
}

/** Merity et al.'s PTB defaults that differ from the plain model's. */
export const AWD_DEFAULTS = { embeddingDim: 400, hiddenSize: 1150, numLayers: 3, optimizer: "nt-asgd", lr: 30, clip: 0.25, weightDecay: 1.2e-6, bptt: 70 } as const;

/**
 * The AwdLstm of a run: sizes from the options (or the AWD defaults; smaller ones for the
 * quick-start corpus), dropouts and AR/TAR as given or AwdLstm's defaults.
 */
export function buildAwdModel(o: AwdRunOptions & { embeddingDim?: number; hiddenSize?: number; numLayers?: number; tieWeights?: boolean; dropout?: number; cell?: string }, vocabSize: number, quickStart: boolean, generator: Generator): AwdLstm {
  if (o.dropout !== undefined) throw new RangeError("--dropout is the plain model's; an AWD-LSTM takes --dropout-emb, --dropout-inp, --dropout-hid, --dropout-out and --weight-drop");
  if (o.cell !== undefined && o.cell !== "LSTM") throw new RangeError(`--awd builds LSTM layers; got --cell ${o.cell}`);
  const adaptive = o.adaptiveSoftmax?.length ? { cutoffs: [...o.adaptiveSoftmax], divValue: o.divValue ?? 4 } : null;
  if (adaptive && o.tieWeights) throw new RangeError("--tie cannot be used with --adaptive-softmax (its head and tails have their own shapes)");
  const cfg: AwdLstmConfig = {
    vocabSize,
    embeddingDim: o.embeddingDim ?? (quickStart ? 128 : AWD_DEFAULTS.embeddingDim),
    ...(o.hiddenSizes ? { hiddenSizes: [...o.hiddenSizes] } : { hiddenSize: o.hiddenSize ?? (quickStart ? 256 : AWD_DEFAULTS.hiddenSize), numLayers: o.numLayers ?? (quickStart ? 2 : AWD_DEFAULTS.numLayers) }),
    tieWeights: !adaptive,
    adaptiveSoftmax: adaptive,
    ...defined({ weightDrop: o.weightDrop, dropoutEmb: o.dropoutEmb, dropoutInp: o.dropoutInp, dropoutHid: o.dropoutHid, dropoutOut: o.dropoutOut, alpha: o.alpha, beta: o.beta }),
  };
  return new AwdLstm(cfg, { generator });
}

/**
 * The optimizer of a language-model run. "asgd" averages from the first step (AWD-LSTM's
 * ASGD(t0 = 0, lambd = 0)); "nt-asgd" switches to it when the non-monotonic trigger fires.
 */
export function buildLmOptimizer(name: LmOptimizerName, params: Tensor[], o: { lr: number; weightDecay: number; nonmono?: number }): Optimizer {
  switch (name) {
    case "sgd":
      return new SGD(params, { lr: o.lr, weightDecay: o.weightDecay });
    case "adam":
      return new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
    case "asgd":
      return new ASGD(params, { lr: o.lr, t0: 0, lambd: 0, weightDecay: o.weightDecay });
    case "nt-asgd":
      return new NTASGD(params, { lr: o.lr, weightDecay: o.weightDecay, nonmono: o.nonmono ?? 5 });
    default:
      throw new RangeError(`unknown optimizer ${String(name)}; expected one of ${LM_OPTIMIZERS.join(", ")}`);
  }
}

/** Run fn with the weights an averaging optimizer evaluates and saves (its averages), else as they are. */
export function averagedWeights(opt: Optimizer): <T>(fn: () => T) => T {
  return opt instanceof ASGD ? (fn) => opt.withAveraged(fn) : (fn) => fn();
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
