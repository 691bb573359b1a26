import { LanguageModel, detachState } from "../models/language-model.js";
import type { CellType } from "../models/cell.js";
import { Adam } from "../optim/adam.js";
import { SGD } from "../optim/sgd.js";
import { clipGradNorm } from "../optim/clip.js";
import { batchify, bpttWindows } from "../data/corpus/batchify.js";
import { crossEntropy } from "../tensor/ops/nn-ops.js";
import { manualSeed } from "../tensor/random.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { lineChart } from "../viz/line-chart.js";
import { CELL_COLOR, CELL_LABEL } from "./style.js";
import { hiddenGradNorms } from "./gradient-flow.js";

export interface FlowExperimentOptions {
  /** Token ids of real text (e.g. PTB validation); the measured batch is cut from its start. */
  ids: Int32Array;
  /** Text to train on between the two measurements (default: what follows the measured batch in `ids`). */
  trainIds?: Int32Array;
  vocabSize: number;
  cells?: readonly CellType[];
  /** Sequence length T of the measured batch. */
  steps?: number;
  batchSize?: number;
  hiddenSize?: number;
  embeddingDim?: number;
  /** Training steps between the "init" and "trained" measurements (0 = init only). */
  trainSteps?: number;
  /** Multiply the initial recurrent weights W_hh by this (> 1 to provoke explosion). */
  recurrentScale?: number;
  seed?: number;
  onProgress?: (msg: string) => void;
}

export type FlowPhase = "init" | "trained";

export interface FlowRow {
  cell: CellType;
  phase: FlowPhase;
  /** T − 1 − t: steps between h(t) and the last step. */
  distance: number;
  /** ‖∂J(T)/∂h(t)‖, mean over the batch. */
  norm: number;
}

/** The measured batch: B consecutive pieces of T+1 tokens from the start of ids, seq-first [T, B]. */
export function flowBatch(ids: Int32Array, T: number, B: number): { tokens: Int32Array; targets: Int32Array } {
  const need = (T + 1) * B;
  if (ids.length < need) throw new RangeError(`gradientFlow: the text has ${ids.length} tokens, need at least ${need} for a [${T}, ${B}] batch (hint: lower --steps or --batch)`);
  const tokens = new Int32Array(T * B);
  const targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      tokens[t * B + b] = ids[b * (T + 1) + t]!;
      targets[t * B + b] = ids[b * (T + 1) + t + 1]!;
    }
  return { tokens, targets };
}

/** A one-layer language model seeded for the experiment, W_hh optionally scaled by `recurrentScale`. */
export function flowModel(cell: CellType, o: { vocabSize: number; embeddingDim: number; hiddenSize: number; seed: number; recurrentScale?: number }): LanguageModel {
  manualSeed(o.seed);
  const model = new LanguageModel({ vocabSize: o.vocabSize, embeddingDim: o.embeddingDim, hiddenSize: o.hiddenSize, numLayers: 1, cell });
  const s = o.recurrentScale ?? 1;
  if (s !== 1) noGrad(() => model.rnn.stateDict()["weight_hh_l0"]!.f32.forEach((v, i, a) => (a[i] = v * s)));
  return model;
}

/** Measure ‖∂J(T)/∂h(t)‖ against distance for several cells of the same size, at init and after training. */
export function gradientFlowExperiment(o: FlowExperimentOptions): { rows: FlowRow[]; chart: string } {
  const cells = o.cells ?? ["RNN_TANH", "RNN_RELU", "GRU", "LSTM"];
  const T = o.steps ?? 60;
  const B = o.batchSize ?? 16;
  const H = o.hiddenSize ?? 128;
  const E = o.embeddingDim ?? 64;
  const seed = o.seed ?? 1;
  const trainSteps = o.trainSteps ?? 0;
  const { tokens, targets } = flowBatch(o.ids, T, B);
  const rest = o.trainIds ?? o.ids.subarray((T + 1) * B);
  if (trainSteps > 0 && rest.length < 2 * B + 2) throw new RangeError(`gradientFlow: no text left to train on after the measured batch (${o.ids.length} tokens)`);
  const rows: FlowRow[] = [];
  for (const cell of cells) {
    const model = flowModel(cell, { vocabSize: o.vocabSize, embeddingDim: E, hiddenSize: H, seed, recurrentScale: o.recurrentScale ?? 1 });
    const add = (phase: FlowPhase): void => hiddenGradNorms(model, tokens, targets, T, B).forEach((norm, distance) => rows.push({ cell, phase, distance, norm }));
    add("init");
    o.onProgress?.(`${CELL_LABEL[cell]}: measured at initialisation`);
    if (trainSteps > 0) {
      const r = trainLmSteps(model, rest, { steps: trainSteps, batchSize: B });
      add("trained");
      o.onProgress?.(`${CELL_LABEL[cell]}: measured after ${trainSteps} training steps (loss ${r.losses[r.losses.length - 1]?.toFixed(3)})`);
    }
  }
  return { rows, chart: flowChart(rows, T, o.recurrentScale ?? 1) };
}

export interface TrainStepsOptions {
  steps: number;
  batchSize: number;
  bptt?: number;
  optimizer?: "adam" | "sgd";
  lr?: number;
  /** Global gradient-norm clip; 0 = none. Default 1. */
  clip?: number;
}

/**
 * A few steps of ordinary truncated-BPTT LM training (the "after N steps" state, and the
 * exploding-gradient training curves). Stops early when the loss or the gradient norm stops
 * being finite; `divergedAt` is then that step (0-based), else null.
 */
export function trainLmSteps(model: LanguageModel, ids: Int32Array, o: TrainStepsOptions): { losses: number[]; gradNorms: number[]; divergedAt: number | null } {
  const B = o.batchSize;
  const bptt = o.bptt ?? 35;
  const clip = o.clip ?? 1;
  const params = model.parameters();
  const opt = (o.optimizer ?? "adam") === "adam" ? new Adam(params, { lr: o.lr ?? 2e-3 }) : new SGD(params, { lr: o.lr ?? 1 });
  const V = model.config.vocabSize;
  const losses: number[] = [];
  const gradNorms: number[] = [];
  model.train();
  while (losses.length < o.steps) {
    let state = model.initState(B);
    for (const w of bpttWindows(batchify(ids, B), bptt)) {
      state = detachState(state);
      const r = model.forward(new Tensor(w.input, [w.T, B]), state);
      state = r.state;
      const loss = crossEntropy(r.logits.reshape([-1, V]), new Tensor(w.target, [w.T * B]));
      opt.zeroGrad();
      loss.backward();
      const lv = loss.item();
      // the norm before clipping (clipGradNorm returns it); measured with clip = ∞ when off
      const gn = clipGradNorm(params, clip > 0 ? clip : Number.MAX_VALUE);
      losses.push(lv);
      gradNorms.push(gn);
      if (!Number.isFinite(lv) || !Number.isFinite(gn)) return { losses, gradNorms, divergedAt: losses.length - 1 };
      opt.step();
      if (losses.length >= o.steps) break;
    }
  }
  model.eval();
  return { losses, gradNorms, divergedAt: null };
}

/** Log-scale norm against distance, all cells (and phases) on the same axes: colour = cell, solid = at init, dashed = trained. */
export function flowChart(rows: readonly FlowRow[], T: number, scale: number): string {
  const keys = [...new Set(rows.map((r) => `${r.cell}|${r.phase}`))];
  const series = keys.map((k) => {
    const [cell, phase] = k.split("|") as [CellType, FlowPhase];
    return {
      name: `${CELL_LABEL[cell]}, ${phase === "init" ? "at init" : "trained"}`,
      points: rows.filter((r) => r.cell === cell && r.phase === phase).map((r) => ({ x: r.distance, y: r.norm })),
      color: CELL_COLOR[cell],
      dash: phase === "init" ? "" : "7 4",
    };
  });
  return lineChart({
    title: scale === 1 ? "Gradient flow: ‖∂J(T)/∂h(t)‖ against distance T − t" : `Exploding gradients: ‖∂J(T)/∂h(t)‖ with W_hh × ${scale} at init`,
    subtitle: `T = ${T}; J(T) = loss of the last step; mean over the batch of the per-sequence norm`,
    xLabel: "distance T − t (steps back)",
    yLabel: "‖∂J(T)/∂h(t)‖ (log scale)",
    yScale: "log",
    series,
    markers: false,
  });
}

/** Norm of one cell at one distance and phase (NaN when absent). */
export function normAt(rows: readonly FlowRow[], cell: CellType, distance: number, phase: FlowPhase = "init"): number {
  return rows.find((r) => r.cell === cell && r.phase === phase && r.distance === distance)?.norm ?? NaN;
}

/** Ratio of one cell's gradient norm to another's at a distance (e.g. RNN/LSTM at 50). */
export function normRatio(rows: readonly FlowRow[], a: CellType, b: CellType, distance: number, phase: FlowPhase = "init"): number {
  return normAt(rows, a, distance, phase) / normAt(rows, b, distance, phase);
}
