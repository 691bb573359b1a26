import { Linear } from "../nn/linear.js";
import type { RecurrentBase } from "../nn/recurrent.js";
import { SequenceClassifier } from "../models/sequence-classifier.js";
import { type CellType, makeRecurrent } from "../models/cell.js";
import { Adam } from "../optim/adam.js";
import { clipGradNorm } from "../optim/clip.js";
import { crossEntropy } from "../tensor/ops/nn-ops.js";
import { manualSeed, randint, random } from "../tensor/random.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { lineChart } from "../viz/line-chart.js";

/**
 * Two controlled long-distance tasks, the lecture's "…she finally printed her ___" in miniature:
 *
 * - recall: x = [s, noise × (k−1), ?] — the answer is the symbol s seen k steps before the query.
 *   Only the final state is read, so the model must carry s across k steps (chance = 1/symbols).
 * - adding (Hochreiter & Schmidhuber 1997): a sequence of k (value, marker) pairs, values in
 *   [0, 1), exactly two marked (one in the first half); the target is the sum of the marked
 *   values. "Correct" = absolute error < 0.04, as in the original paper.
 */
export type LongRangeTask = "recall" | "adding";

export interface LongRangeOptions {
  task?: LongRangeTask;
  cells?: readonly CellType[];
  distances?: readonly number[];
  hiddenSize?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  /** Recall task: distinct symbols to remember (chance = 1/symbols). */
  symbols?: number;
  evalSize?: number;
  seed?: number;
  /**
   * LSTM forget-gate bias at initialisation (Gers et al. 2000; Jozefowicz et al. 2015). PyTorch's
   * default is 0, which starts every cell with f ≈ σ(0) = 0.5: the memory halves each step, and
   * the gradient through c over k steps starts near 0.5^k. 1 starts it at σ(1) ≈ 0.73.
   */
  forgetBias?: number;
  onResult?: (r: LongRangeResult) => void;
}

export interface LongRangeResult {
  task: LongRangeTask;
  cell: CellType;
  distance: number;
  accuracy: number;
  finalLoss: number;
  seconds: number;
}

const NOISE = 8;

/** A recall batch: ids [B, k+1], answers [B]. Ids: symbols 0…S−1, noise S…S+7, query S+8. */
function recallBatch(B: number, k: number, S: number): { ids: Int32Array; y: Int32Array } {
  const T = k + 1;
  const ids = new Int32Array(B * T);
  const y = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    y[b] = randint(S);
    ids[b * T] = y[b]!;
    for (let t = 1; t < k; t++) ids[b * T + t] = S + randint(NOISE);
    ids[b * T + k] = S + NOISE;
  }
  return { ids, y };
}

/** An adding batch: x [B, k, 2] (value, marker), y [B]. */
function addingBatch(B: number, k: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(B * k * 2);
  const y = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const half = Math.max(1, Math.floor(k / 2));
    const i = randint(half);
    let j = half + randint(Math.max(1, k - half));
    if (j === i) j = (i + 1) % k;
    for (let t = 0; t < k; t++) x[(b * k + t) * 2] = random();
    for (const m of [i, j]) {
      x[(b * k + m) * 2 + 1] = 1;
      y[b]! += x[(b * k + m) * 2]!;
    }
  }
  return { x, y };
}

/** Set the LSTM's forget-gate bias (b_ih's f slice = value, b_hh's = 0); no-op for other cells. */
export function setForgetBias(rnn: RecurrentBase, value: number | undefined): void {
  if (value === undefined || rnn.mode !== "lstm") return;
  const H = rnn.hiddenSize;
  for (const [name, p] of Object.entries(rnn.stateDict())) {
    if (name.startsWith("bias_ih")) p.f32.fill(value, H, 2 * H);
    if (name.startsWith("bias_hh")) p.f32.fill(0, H, 2 * H);
  }
}

/** Train one cell on one distance and measure held-out accuracy. */
export function runLongRange(task: LongRangeTask, cell: CellType, k: number, o: LongRangeOptions = {}): LongRangeResult {
  const H = o.hiddenSize ?? 64;
  const steps = o.steps ?? 400;
  const B = o.batchSize ?? 32;
  const S = o.symbols ?? 8;
  manualSeed((o.seed ?? 1) * 1000 + k);
  const t0 = Date.now();
  let finalLoss = NaN;
  let accuracy: number;
  if (task === "recall") {
    const model = new SequenceClassifier({ vocabSize: S + NOISE + 1, embeddingDim: 16, hiddenSize: H, numClasses: S, cell, bidirectional: false, pooling: "final" });
    setForgetBias(model.rnn, o.forgetBias);
    const opt = new Adam(model.parameters(), { lr: o.lr ?? 3e-3 });
    const lens = new Int32Array(B).fill(k + 1);
    for (let s = 0; s < steps; s++) {
      const { ids, y } = recallBatch(B, k, S);
      const loss = crossEntropy(model.forward(new Tensor(ids, [B, k + 1]), lens), new Tensor(y, [B]));
      opt.zeroGrad();
      loss.backward();
      clipGradNorm(model.parameters(), 1);
      opt.step();
      finalLoss = loss.item();
    }
    const n = o.evalSize ?? 512;
    const { ids, y } = recallBatch(n, k, S);
    const logits = noGrad(() => model.eval().forward(new Tensor(ids, [n, k + 1]), new Int32Array(n).fill(k + 1))).f32;
    let right = 0;
    for (let b = 0; b < n; b++) {
      let best = 0;
      for (let c = 1; c < S; c++) if (logits[b * S + c]! > logits[b * S + best]!) best = c;
      if (best === y[b]) right++;
    }
    accuracy = right / n;
  } else {
    const rnn = makeRecurrent(cell, { inputSize: 2, hiddenSize: H, numLayers: 1, dropout: 0, bidirectional: false, batchFirst: true });
    setForgetBias(rnn, o.forgetBias);
    const head = new Linear({ inFeatures: H, outFeatures: 1 });
    const params = [...rnn.parameters(), ...head.parameters()];
    const opt = new Adam(params, { lr: o.lr ?? 3e-3 });
    const predict = (x: Float32Array, n: number): Tensor => head.forward(rnn.forwardAll(new Tensor(x, [n, k, 2])).hN.reshape([n, H])).reshape([n]);
    for (let s = 0; s < steps; s++) {
      const { x, y } = addingBatch(B, k);
      const d = predict(x, B).sub(new Tensor(y, [B]));
      const loss = d.mul(d).mean(); // mean squared error
      opt.zeroGrad();
      loss.backward();
      clipGradNorm(params, 1);
      opt.step();
      finalLoss = loss.item();
    }
    const n = o.evalSize ?? 512;
    const { x, y } = addingBatch(n, k);
    const p = noGrad(() => predict(x, n)).f32;
    let right = 0;
    for (let b = 0; b < n; b++) if (Math.abs(p[b]! - y[b]!) < 0.04) right++;
    accuracy = right / n;
  }
  return { task, cell, distance: k, accuracy, finalLoss, seconds: (Date.now() - t0) / 1000 };
}

/** Accuracy against distance for every cell: the table and the chart. */
export function longRangeExperiment(o: LongRangeOptions = {}): { results: LongRangeResult[]; chart: string } {
  const task = o.task ?? "recall";
  const cells = o.cells ?? ["RNN_TANH", "GRU", "LSTM"];
  const distances = o.distances ?? [5, 10, 20, 50, 100];
  const results: LongRangeResult[] = [];
  for (const cell of cells)
    for (const k of distances) {
      const r = runLongRange(task, cell, k, o);
      results.push(r);
      o.onResult?.(r);
    }
  const chance = task === "recall" ? 1 / (o.symbols ?? 8) : NaN;
  const series = cells.map((cell) => ({ name: cell === "RNN_TANH" ? "RNN (tanh)" : cell === "RNN_RELU" ? "RNN (relu)" : cell, points: results.filter((r) => r.cell === cell).map((r) => ({ x: r.distance, y: r.accuracy })) }));
  if (Number.isFinite(chance)) series.push({ name: "chance", points: distances.map((k) => ({ x: k, y: chance })) });
  const chart = lineChart({
    title: task === "recall" ? "Recall a token seen k steps earlier" : "Adding problem over k steps",
    subtitle: `held-out accuracy after ${o.steps ?? 400} training steps, hidden size ${o.hiddenSize ?? 64}`,
    xLabel: "distance k (steps)",
    yLabel: "accuracy",
    xScale: "log",
    yDomain: [0, 1],
    series,
    markers: true,
  });
  return { results, chart };
}
