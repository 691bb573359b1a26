import type { CellType } from "../models/cell.js";
import { lineChart } from "../viz/line-chart.js";
import { CELL_LABEL } from "./style.js";
import { type FlowRow, flowChart, flowModel, gradientFlowExperiment, trainLmSteps } from "./flow-experiment.js";

/**
 * Exploding gradients, the other side of the same product of Jacobians: when the recurrent
 * weights are large (spectral radius of diag(act′) W_hh above 1), ‖∂J(T)/∂h(t)‖ grows
 * geometrically with T − t. Shown two ways:
 *  1. the gradient-flow chart for RNNs whose initial W_hh is scaled up (`recurrentScale`);
 *  2. training the same exploding model with plain SGD, with and without global-norm clipping
 *     (Pascanu et al. 2013): unclipped, a gradient spike throws the weights far away and the loss
 *     jumps or becomes NaN/∞; clipped, each step is at most lr · clip long.
 */
export interface ExplodingOptions {
  /** Text for the measured batch (its first (steps + 1) · batchSize tokens). */
  ids: Int32Array;
  /** Text to train on (default: what follows the measured batch in `ids`). */
  trainIds?: Int32Array;
  vocabSize: number;
  /** Cells for the gradient-flow chart. */
  cells?: readonly CellType[];
  /** The cell trained with and without clipping (default RNN_TANH: its forward pass stays bounded, only the gradients explode). */
  trainCell?: CellType;
  /** Multiply the initial W_hh by this (default 3). */
  recurrentScale?: number;
  /** Sequence length of the measured batch. */
  steps?: number;
  batchSize?: number;
  hiddenSize?: number;
  embeddingDim?: number;
  trainSteps?: number;
  bptt?: number;
  /** SGD learning rate of both runs (default 1). */
  lr?: number;
  /** Clip threshold of the clipped run. */
  clip?: number;
  seed?: number;
  onProgress?: (msg: string) => void;
}

export interface TrainingCurve {
  /** Clip threshold, or null for the unclipped run. */
  clip: number | null;
  losses: number[];
  /** Global gradient norm before clipping, per step. */
  gradNorms: number[];
  /** First step whose loss or gradient norm was NaN/∞ (training stops there), else null. */
  divergedAt: number | null;
}

export interface ExplodingResult {
  rows: FlowRow[];
  flowChart: string;
  curves: TrainingCurve[];
  lossChart: string;
  gradNormChart: string;
}

export function explodingExperiment(o: ExplodingOptions): ExplodingResult {
  const scale = o.recurrentScale ?? 3;
  const T = o.steps ?? 60;
  const B = o.batchSize ?? 16;
  const H = o.hiddenSize ?? 128;
  const E = o.embeddingDim ?? 64;
  const seed = o.seed ?? 1;
  const trainCell = o.trainCell ?? "RNN_TANH";
  const clip = o.clip ?? 1;
  const lr = o.lr ?? 1;
  const trainSteps = o.trainSteps ?? 150;
  const flow = gradientFlowExperiment({ ids: o.ids, vocabSize: o.vocabSize, cells: o.cells ?? ["RNN_TANH", "RNN_RELU"], steps: T, batchSize: B, hiddenSize: H, embeddingDim: E, trainSteps: 0, recurrentScale: scale, seed, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  const rest = o.trainIds ?? o.ids.subarray((T + 1) * B);
  const curves: TrainingCurve[] = [];
  for (const c of [null, clip]) {
    const model = flowModel(trainCell, { vocabSize: o.vocabSize, embeddingDim: E, hiddenSize: H, seed, recurrentScale: scale });
    const r = trainLmSteps(model, rest, { steps: trainSteps, batchSize: B, bptt: o.bptt ?? 35, optimizer: "sgd", lr, clip: c ?? 0 });
    curves.push({ clip: c, ...r });
    o.onProgress?.(`${CELL_LABEL[trainCell]} × ${scale}, ${c === null ? "no clipping" : `clip ${c}`}: ${r.divergedAt === null ? `final loss ${r.losses[r.losses.length - 1]!.toFixed(3)}` : `diverged (NaN/∞) at step ${r.divergedAt}`}`);
  }
  const name = (c: TrainingCurve): string => (c.clip === null ? "no clipping" : `clip global norm at ${c.clip}`);
  const died = curves.filter((c) => c.divergedAt !== null).map((c) => `${name(c)}: NaN/∞ at step ${c.divergedAt}, stopped`);
  const sub = `${CELL_LABEL[trainCell]}, W_hh × ${scale} at init, hidden ${H}, SGD lr ${lr}, batch ${B}, BPTT ${o.bptt ?? 35}${died.length ? `; ${died.join("; ")}` : ""}`;
  const lossChart = lineChart({
    title: "Exploding gradients: training with and without gradient clipping",
    subtitle: sub,
    xLabel: "training step",
    yLabel: "training loss (nats/token, log scale)",
    yScale: "log",
    series: curves.map((c) => ({ name: name(c), points: c.losses.map((y, x) => ({ x, y })) })),
    markers: false,
  });
  const gradNormChart = lineChart({
    title: "Global gradient norm before clipping",
    subtitle: sub,
    xLabel: "training step",
    yLabel: "‖∇θ J‖ (log scale)",
    yScale: "log",
    series: curves.map((c) => ({ name: name(c), points: c.gradNorms.map((y, x) => ({ x, y })) })),
    markers: false,
  });
  return { rows: flow.rows, flowChart: flowChart(flow.rows, T, scale), curves, lossChart, gradNormChart };
}
