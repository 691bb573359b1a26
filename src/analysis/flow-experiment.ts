import { LanguageModel } from "../models/language-model.js";
import type { CellType } from "../models/cell.js";
import { Adam } from "../optim/adam.js";
import { clipGradNorm } from "../optim/clip.js";
import { batchify, bpttWindows } from "../data/corpus/batchify.js";
import { crossEntropy } from "../tensor/ops/nn-ops.js";
import { manualSeed } from "../tensor/random.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { detachState } from "../models/language-model.js";
import { lineChart } from "../viz/line-chart.js";
import { hiddenGradNorms } from "./gradient-flow.js";

export interface FlowExperimentOptions {
  /** Token ids of real text (e.g. PTB validation); windows are cut from it. */
  ids: Int32Array;
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

export interface FlowRow {
  cell: CellType;
  phase: "init" | "trained";
  distance: number;
  norm: number;
}

/** Measure ‖∂J(T)/∂h(t)‖ against distance for several cells of the same size, at init and after training. */
export function gradientFlowExperiment(o: FlowExperimentOptions): { rows: FlowRow[]; chart: string } {
  const cells = o.cells ?? ["RNN_TANH", "RNN_RELU", "GRU", "LSTM"];
  const T = o.steps ?? 60;
  const B = o.batchSize ?? 16;
  const H = o.hiddenSize ?? 128;
  const E = o.embeddingDim ?? 64;
  const seed = o.seed ?? 1;
  const need = (T + 1) * B;
  if (o.ids.length < need + 2) throw new RangeError(`gradientFlow: the text has ${o.ids.length} tokens, need at least ${need + 2} for a [${T}, ${B}] batch`);
  // measured batch: B consecutive pieces of the text, seq-first
  const tokens = new Int32Array(T * B);
  const targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      tokens[t * B + b] = o.ids[b * (T + 1) + t]!;
      targets[t * B + b] = o.ids[b * (T + 1) + t + 1]!;
    }
  const rows: FlowRow[] = [];
  for (const cell of cells) {
    manualSeed(seed);
    const model = new LanguageModel({ vocabSize: o.vocabSize, embeddingDim: E, hiddenSize: H, numLayers: 1, cell });
    if (o.recurrentScale && o.recurrentScale !== 1) noGrad(() => model.rnn.stateDict()["weight_hh_l0"]!.f32.forEach((v, i, a) => (a[i] = v * o.recurrentScale!)));
    const add = (phase: "init" | "trained"): void => hiddenGradNorms(model, tokens, targets, T, B).forEach((norm, distance) => rows.push({ cell, phase, distance, norm }));
    add("init");
    o.onProgress?.(`${cell}: measured at initialisation`);
    if ((o.trainSteps ?? 0) > 0) {
      trainBriefly(model, o.ids.subarray(need), o.trainSteps!, B, 35);
      add("trained");
      o.onProgress?.(`${cell}: measured after ${o.trainSteps} training steps`);
    }
  }
  return { rows, chart: flowChart(rows, T, o.recurrentScale ?? 1) };
}

/** A few Adam steps of ordinary truncated-BPTT LM training (the "after N steps" state). */
function trainBriefly(model: LanguageModel, ids: Int32Array, steps: number, B: number, bptt: number): void {
  const opt = new Adam(model.parameters(), { lr: 2e-3 });
  const V = model.config.vocabSize;
  model.train();
  let done = 0;
  while (done < steps) {
    let state = model.initState(B);
    for (const w of bpttWindows(batchify(ids, B), bptt)) {
      state = detachState(state);
      const r = model.forward(new Tensor(w.input, [w.T, B]), state);
      state = r.state;
      const loss = crossEntropy(r.logits.reshape([-1, V]), new Tensor(w.target, [w.T * B]));
      opt.zeroGrad();
      loss.backward();
      clipGradNorm(model.parameters(), 1);
      opt.step();
      if (++done >= steps) break;
    }
  }
}

const CELL_LABEL: Record<CellType, string> = { RNN_TANH: "RNN (tanh)", RNN_RELU: "RNN (relu)", GRU: "GRU", LSTM: "LSTM" };

export function flowChart(rows: readonly FlowRow[], T: number, scale: number): string {
  const keys = [...new Set(rows.map((r) => `${r.cell}|${r.phase}`))];
  const series = keys.map((k) => {
    const [cell, phase] = k.split("|") as [CellType, "init" | "trained"];
    return { name: `${CELL_LABEL[cell]} — ${phase === "init" ? "at init" : "trained"}`, points: rows.filter((r) => r.cell === cell && r.phase === phase).map((r) => ({ x: r.distance, y: r.norm })) };
  });
  return lineChart({
    title: scale === 1 ? "Gradient flow: ‖∂J(T)/∂h(t)‖ against distance T − t" : `Exploding gradients: ‖∂J(T)/∂h(t)‖ with W_hh × ${scale}`,
    subtitle: `T = ${T}; mean over the batch of the per-sequence norm; log scale`,
    xLabel: "distance T − t (steps back)",
    yLabel: "‖∂J(T)/∂h(t)‖",
    yScale: "log",
    series,
    markers: false,
  });
}

/** Ratio of one cell's gradient norm to another's at a distance (e.g. RNN/LSTM at 50). */
export function normRatio(rows: readonly FlowRow[], a: CellType, b: CellType, distance: number, phase: "init" | "trained" = "init"): number {
  const get = (c: CellType): number => rows.find((r) => r.cell === c && r.phase === phase && r.distance === distance)?.norm ?? NaN;
  return get(a) / get(b);
}
