import type { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CorpusDatasetName, loadCorpus } from "../../data/corpus/load.js";
import { encodeCorpus } from "../../data/corpus/encode.js";
import { loadLm } from "../../io/checkpoint.js";
import { DEFAULT_LM_PATH } from "../../lm/session.js";
import { encodePrompt } from "../../lm/predict.js";
import { type CellType, parseCell } from "../../models/cell.js";
import { writeChart } from "../../viz/write.js";
import { textTable } from "../../viz/table.js";
import { toCsv } from "../../analysis/csv.js";
import { CELL_LABEL } from "../../analysis/style.js";
import { type FlowRow, gradientFlowExperiment, normAt, normRatio } from "../../analysis/flow-experiment.js";
import { explodingExperiment } from "../../analysis/exploding.js";
import { type LongRangeTask, type LongRangeResult, ADDING_BASELINE, DEFAULT_BATCH, DEFAULT_GATE_BIAS, DEFAULT_SEEDS, DEFAULT_STEPS, longRangeExperiment } from "../../analysis/long-range.js";
import { lstmGates } from "../../analysis/gates.js";
import { UNIT_VIEWS, type UnitView, gateCharts, gateSummary } from "../../analysis/gates-chart.js";
import { CliError, action, choiceArg, intArg, numArg } from "../common.js";
import { type OptionSpec, type OptionUse, withOptions } from "../options.js";
import { backend } from "../../kernels/registry.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);
const note = (s: string): void => void process.stderr.write(`${s}\n`);

/** Parse "rnn,lstm,gru" into cell types. */
function cellList(v: string): CellType[] {
  const cells = v.split(",").map((s) => s.trim()).filter((s) => s);
  if (cells.length === 0) throw new CliError(`--cells needs at least one of rnn, rnn_relu, gru, lstm, got "${v}"`);
  try {
    return [...new Set(cells.map(parseCell))];
  } catch (e) {
    throw new CliError(`--cells: ${(e as Error).message}`);
  }
}
function intList(name: string, v: string): number[] {
  const xs = v.split(",").map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new CliError(`${name} must be a comma-separated list of positive integers, got "${v}"`);
  return xs;
}

/** Word-level ids of the corpus: measured batch from the validation split, training from the train split. */
async function corpusIds(opts: { data?: string; dataset?: CorpusDatasetName; maxVocab: number }): Promise<{ name: string; valid: Int32Array; train: Int32Array; vocabSize: number }> {
  const corpus = await loadCorpus({ ...(opts.data ? { path: opts.data } : { dataset: opts.dataset ?? "moby-dick" }), level: "word" });
  const enc = encodeCorpus(corpus, { maxVocab: opts.maxVocab });
  const valid = enc.valid.length > 0 ? enc.valid : enc.test;
  return { name: corpus.name, valid, train: enc.train, vocabSize: enc.vocab.size };
}

function writeOut(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, body]) => {
    const p = join(dir, name);
    if (name.endsWith(".svg") || name.endsWith(".html")) writeChart(p, body);
    else writeFileSync(p, body, "utf8");
    return p;
  });
}

const fmtE = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/** The norm table: one row per cell and phase, columns = distances. */
function flowTable(rows: readonly FlowRow[], distances: readonly number[]): string {
  const keys = [...new Set(rows.map((r) => `${r.cell}|${r.phase}`))];
  const body = keys.map((k) => {
    const [cell, phase] = k.split("|") as [CellType, "init" | "trained"];
    return [CELL_LABEL[cell], phase, ...distances.map((d) => fmtE(normAt(rows, cell, d, phase)))];
  });
  return textTable(body, ["cell", "phase", ...distances.map((d) => `d=${d}`)]);
}

/** The options only the analysis commands take. */
const ANALYSIS_ONLY: Record<string, OptionSpec> = {
  scale: { flags: "--scale <s>", help: "multiply the initial W_hh by s", parse: numArg("--scale", 0) },
};

export function registerAnalysisCommands(program: Command): void {
  /** The measured batch of real text that gradient-flow and exploding share. */
  const measured: OptionUse[] = [
    ["data", { help: "corpus folder or text file (e.g. ../shared/data/ptb); default: the embedded Moby Dick text" }],
    "dataset",
    ["maxVocab", { default: 10000 }],
    ["steps", { help: "length T of the measured sequences", default: 60 }],
    ["batch", { help: "sequences in the measured batch", default: 16 }],
    ["hidden", { help: "hidden size (all cells)", default: 128 }],
    ["emb", { default: 64 }],
    ["seed", { help: "first random seed", default: 1 }],
  ];
  const local = { steps: { flags: "--steps <T>", help: "training steps", parse: intArg("--steps", 2) }, ...ANALYSIS_ONLY };

  withOptions(
    program
      .command("gradient-flow")
      .description("‖∂J(T)/∂h(t)‖ against distance T−t for RNN (tanh, relu), GRU and LSTM on real text, at init and after training"),
    [
      ...measured,
      ["cells", { default: "rnn,rnn_relu,gru,lstm" }],
      ["trainSteps", { help: "Adam steps between the two measurements (0 = init only)", default: 200 }],
      ["out", { help: "output folder", default: join("runs", "gradient-flow") }],
      ["json", { help: "print the result as JSON" }],
    ],
    local,
  )
    .action(
      action(async (opts: { data?: string; dataset?: CorpusDatasetName; maxVocab: number; steps: number; batch: number; hidden: number; emb: number; seed: number; cells: string; trainSteps: number; out: string; json?: boolean }) => {
        const cells = cellList(opts.cells);
        const c = await corpusIds(opts);
        const t0 = Date.now();
        const { rows, chart } = gradientFlowExperiment({
          ids: c.valid, trainIds: c.train, vocabSize: c.vocabSize, cells, steps: opts.steps, batchSize: opts.batch, hiddenSize: opts.hidden, embeddingDim: opts.emb, trainSteps: opts.trainSteps, seed: opts.seed,
          onProgress: opts.json ? undefined : note,
        });
        const T = opts.steps;
        const d50 = Math.min(50, T - 1);
        const ratios = (["init", "trained"] as const).map((phase) => ({ phase, distance: d50, rnnOverLstm: normRatio(rows, "RNN_TANH", "LSTM", d50, phase) })).filter((r) => Number.isFinite(r.rnnOverLstm));
        const config = { corpus: c.name, vocabSize: c.vocabSize, cells, T, batch: opts.batch, hidden: opts.hidden, emb: opts.emb, trainSteps: opts.trainSteps, seed: opts.seed };
        const files = writeOut(opts.out, {
          "rows.csv": toCsv(rows.map((r) => ({ ...r }))),
          "rows.json": JSON.stringify({ config, ratios, rows }, null, 1) + "\n",
          "chart.svg": chart,
        });
        if (opts.json) return say(JSON.stringify({ config, ratios, files, rows }));
        say(`${c.name}: ‖∂J(T)/∂h(t)‖ at distance d = T−1−t (T = ${T}, batch ${opts.batch}, hidden ${opts.hidden}; ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        say(flowTable(rows, [0, 5, 10, 20, 50].filter((d) => d < T)));
        for (const r of ratios)
          say(`RNN (tanh) / LSTM gradient norm at distance ${r.distance}, ${r.phase === "init" ? "at initialisation" : `after ${opts.trainSteps} steps`}: ${fmtE(r.rnnOverLstm)}${r.rnnOverLstm < 1 ? " (far below 1: the RNN's signal from 50 steps back has vanished relative to the LSTM's)" : ""}`);
        say(`wrote ${files.join(", ")}`);
      }),
    );

  withOptions(
    program
      .command("exploding")
      .description("exploding gradients: gradient flow with W_hh scaled up, and training with vs without gradient clipping"),
    [
      ...measured,
      ["cells", { help: "cells for the gradient-flow chart", default: "rnn,rnn_relu" }],
      ["cell", { help: "the cell trained with and without clipping (rnn_relu: NaN/∞ at once without clipping)", default: "rnn" }],
      ["scale", { default: 3 }],
      ["trainSteps", { help: "SGD steps of each training run", default: 150 }],
      ["lr", { help: "SGD learning rate", default: 1 }],
      ["clip", { help: "global-norm clip of the clipped run", default: 1 }],
      ["out", { help: "output folder", default: join("runs", "exploding") }],
      ["json", { help: "print the result as JSON" }],
    ],
    local,
  )
    .action(
      action(async (opts: { data?: string; dataset?: CorpusDatasetName; maxVocab: number; steps: number; batch: number; hidden: number; emb: number; seed: number; cells: string; cell: string; scale: number; trainSteps: number; lr: number; clip: number; out: string; json?: boolean }) => {
        if (!(opts.clip > 0)) throw new CliError(`--clip must be > 0, got ${opts.clip}`);
        const cells = cellList(opts.cells);
        const trainCell = cellList(opts.cell)[0]!;
        const c = await corpusIds(opts);
        const t0 = Date.now();
        const r = explodingExperiment({
          ids: c.valid, trainIds: c.train, vocabSize: c.vocabSize, cells, trainCell, recurrentScale: opts.scale, steps: opts.steps, batchSize: opts.batch, hiddenSize: opts.hidden, embeddingDim: opts.emb,
          trainSteps: opts.trainSteps, lr: opts.lr, clip: opts.clip, seed: opts.seed, onProgress: opts.json ? undefined : note,
        });
        const curveRows = r.curves.flatMap((cv) => cv.losses.map((loss, step) => ({ run: cv.clip === null ? "no-clip" : `clip-${cv.clip}`, step, loss, gradNorm: cv.gradNorms[step]! })));
        const summary = r.curves.map((cv) => ({ clip: cv.clip, steps: cv.losses.length, divergedAt: cv.divergedAt, firstLoss: cv.losses[0] ?? NaN, lastLoss: cv.losses[cv.losses.length - 1] ?? NaN, maxGradNorm: Math.max(...cv.gradNorms) }));
        const config = { corpus: c.name, vocabSize: c.vocabSize, cells, trainCell, scale: opts.scale, T: opts.steps, batch: opts.batch, hidden: opts.hidden, emb: opts.emb, trainSteps: opts.trainSteps, lr: opts.lr, clip: opts.clip, seed: opts.seed };
        const files = writeOut(opts.out, {
          "flow.csv": toCsv(r.rows.map((x) => ({ ...x }))),
          "curves.csv": toCsv(curveRows),
          "result.json": JSON.stringify({ config, summary, rows: r.rows, curves: r.curves }, null, 1) + "\n",
          "flow.svg": r.flowChart,
          "loss.svg": r.lossChart,
          "grad-norm.svg": r.gradNormChart,
        });
        if (opts.json) return say(JSON.stringify({ config, summary, files }));
        say(`${c.name}: ‖∂J(T)/∂h(t)‖ with W_hh × ${opts.scale} at initialisation (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        say(flowTable(r.rows, [0, 5, 10, 20, 50].filter((d) => d < opts.steps)));
        say(textTable(summary.map((s) => [s.clip === null ? "none" : s.clip, s.steps, s.divergedAt ?? "—", s.firstLoss.toFixed(3), Number.isFinite(s.lastLoss) ? s.lastLoss.toFixed(3) : String(s.lastLoss), fmtE(s.maxGradNorm)]), ["clip", "steps", "NaN/∞ at", "first loss", "last loss", "max ‖∇‖"]));
        say(`wrote ${files.join(", ")}`);
      }),
    );

  withOptions(
    program
      .command("long-range")
      .description("recall a token seen k steps earlier (or the adding problem): accuracy against k for each cell")
      .option("--task <task>", "recall or adding", choiceArg("--task", ["recall", "adding"] as const), "recall"),
    [
      ["cells", { default: "rnn,gru,lstm" }],
      ["steps", { help: "training steps per cell and k, the same budget for every cell (default 600 recall, 2000 adding)" }],
      ["batch", { help: `batch size (default ${DEFAULT_BATCH.recall} recall, ${DEFAULT_BATCH.adding} adding)` }],
      ["hidden", { default: 64 }],
      ["lr", { help: "Adam learning rate", default: 3e-3 }],
      ["seed", { help: "first random seed", default: 1 }],
      ["out", { help: "output folder", default: join("runs", "long-range") }],
      ["json", { help: "JSON lines instead of a table" }],
    ],
    { steps: { flags: "--steps <n>", help: "training steps", parse: intArg("--steps") } },
  )
    .option("--distances <list>", "comma-separated k", "5,10,20,50,100")
    .option("--gate-bias <b>", "initial LSTM forget-gate / GRU update-gate bias (0 = leave PyTorch's default init)", numArg("--gate-bias"), DEFAULT_GATE_BIAS)
    .option("--symbols <n>", "recall: symbols to remember (chance = 1/n)", intArg("--symbols", 2), 8)
    .option("--filler <kind>", "recall: the steps between symbol and query are random noise tokens or one blank token", choiceArg("--filler", ["noise", "blank"] as const), "noise")
    .option("--curriculum", "train on distances growing from 5 to k over the first half of the steps")
    .option("--seeds <n>", "independent runs per cell and k (seeds seed … seed+n−1): one run is one draw, the table gives mean ± sd and the worst", intArg("--seeds", 1), DEFAULT_SEEDS)
    .action(
      action((opts: { task: LongRangeTask; cells: string; distances: string; steps?: number; batch?: number; hidden: number; lr: number; gateBias: number; symbols: number; filler: "noise" | "blank"; curriculum?: boolean; seed: number; seeds: number; out: string; json?: boolean }) => {
        const cells = cellList(opts.cells);
        const distances = intList("--distances", opts.distances);
        const steps = opts.steps ?? DEFAULT_STEPS[opts.task];
        const batch = opts.batch ?? DEFAULT_BATCH[opts.task];
        const t0 = Date.now();
        const onResult = (r: LongRangeResult): void =>
          opts.json ? say(JSON.stringify({ event: "result", ...r, curve: undefined })) : note(`${CELL_LABEL[r.cell]}, k = ${r.distance}, seed ${r.seed}: accuracy ${r.accuracy.toFixed(3)} (loss ${r.finalLoss.toFixed(3)}, ${r.seconds.toFixed(1)} s)`);
        const { results, summary, chart } = longRangeExperiment({
          task: opts.task, cells, distances, steps, batchSize: batch, hiddenSize: opts.hidden, lr: opts.lr, gateBias: opts.gateBias === 0 ? null : opts.gateBias, symbols: opts.symbols, filler: opts.filler, curriculum: Boolean(opts.curriculum), seed: opts.seed, seeds: opts.seeds, onResult,
        });
        const config = { task: opts.task, cells, distances, steps, batch, hidden: opts.hidden, lr: opts.lr, gateBias: opts.gateBias, symbols: opts.symbols, filler: opts.filler, curriculum: Boolean(opts.curriculum), seed: opts.seed, seeds: opts.seeds, backend: backend().name };
        const files = writeOut(opts.out, {
          "results.csv": toCsv(results.map(({ curve: _c, ...r }) => r)),
          "summary.csv": toCsv(summary.map((m) => ({ ...m }))),
          "results.json": JSON.stringify({ config, summary, results }, null, 1) + "\n",
          "chart.svg": chart,
        });
        if (opts.json) return say(JSON.stringify({ event: "done", config, summary, files, seconds: (Date.now() - t0) / 1000 }));
        const chance = opts.task === "recall" ? ` (chance ${(1 / opts.symbols).toFixed(3)})` : ` (|error| < 0.04; always answering 1 scores ${ADDING_BASELINE.toFixed(3)})`;
        const runs = opts.seeds > 1 ? `, mean ± sd over seeds ${opts.seed}–${opts.seed + opts.seeds - 1} [worst]` : "";
        say(`${opts.task}: held-out accuracy${chance} after ${steps} steps${runs}; ${backend().name} backend; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        const cellText = (cell: string, k: number): string => {
          const m = summary.find((x) => x.cell === cell && x.distance === k)!;
          return m.runs > 1 ? `${m.mean.toFixed(2)} ± ${m.sd.toFixed(2)} [${m.min.toFixed(2)}]` : m.mean.toFixed(3);
        };
        say(textTable(cells.map((cell) => [CELL_LABEL[cell], ...distances.map((k) => cellText(cell, k))]), ["cell", ...distances.map((k) => `k=${k}`)]));
        say(`wrote ${files.join(", ")}`);
      }),
    );

  withOptions(
    program
      .command("gates")
      .description("forget, input and output gate activations and the cell state of a trained LSTM language model, per token")
      .requiredOption("--text <text>", "the text to read"),
    [
      ["model", { help: "checkpoint (rnnkit train-lm)", default: DEFAULT_LM_PATH }],
      ["out", { help: "output folder", default: join("runs", "gates") }],
      ["json", { help: "print the JSON instead of a table" }],
    ],
  )
    .option("--layer <n>", "layer to chart (default: the last)", intArg("--layer", 0))
    .option("--gate <name>", `per-unit chart of: ${UNIT_VIEWS.join(", ")}`, choiceArg("--gate", UNIT_VIEWS), "forget")
    .action(
      action((opts: { text: string; model: string; layer?: number; gate: UnitView; out: string; json?: boolean }) => {
        const { model, vocab } = loadLm(opts.model);
        if (model.config.cell !== "LSTM") throw new CliError(`${opts.model} is a ${model.config.cell} model; gates need an LSTM (hint: train one with rnnkit train-lm --cell lstm)`);
        const L = model.config.numLayers;
        const layer = opts.layer ?? L - 1;
        if (layer >= L) throw new CliError(`--layer ${layer}: the model has ${L} layer${L === 1 ? "" : "s"} (0 … ${L - 1})`);
        const enc = encodePrompt(vocab, opts.text);
        if (enc.ids.length === 0) throw new CliError(`--text "${opts.text}" has no tokens in the model's vocabulary`);
        const ids = vocab.eosId >= 0 ? [vocab.eosId, ...enc.ids] : enc.ids;
        const tokens = ids.map((id) => vocab.token(id));
        const layers = lstmGates(model, ids);
        const g = layers[layer]!;
        const charts = gateCharts(tokens, g, opts.gate, L);
        const json = {
          model: opts.model,
          text: opts.text,
          tokens,
          unknown: enc.unknown,
          layers: layers.map((x) => ({
            layer: x.layer,
            hiddenSize: x.hiddenSize,
            summary: gateSummary(tokens, x),
            units: Object.fromEntries((["input", "forget", "candidate", "output", "cell", "hidden"] as const).map((k) => [k, tokens.map((_, t) => Array.from(x[k].subarray(t * (x[k].length / tokens.length), (t + 1) * (x[k].length / tokens.length))))])),
          })),
        };
        const files = writeOut(opts.out, {
          "gates.json": JSON.stringify(json) + "\n",
          "gates-mean.svg": charts.means,
          [`units-${opts.gate}.svg`]: charts.units,
          "cell.svg": charts.cell,
        });
        writeChart(join(opts.out, "gates.html"), [charts.means, charts.units, ...(opts.gate === "cell" ? [] : [charts.cell])], { title: `LSTM gates: ${opts.text}` });
        files.push(join(opts.out, "gates.html"));
        if (opts.json) return say(JSON.stringify(json));
        if (enc.unknown.length) say(`(not in the vocabulary, read as <unk>: ${enc.unknown.join(", ")})`);
        say(`layer ${layer} of ${L}, ${g.hiddenSize} units: mean gate activations and cell state per token`);
        say(textTable(gateSummary(tokens, g).map((r) => [r.token, r.input.toFixed(3), r.forget.toFixed(3), r.output.toFixed(3), r.cell.toFixed(3), r.cellAbs.toFixed(3)]), ["token", "input", "forget", "output", "mean c", "mean |c|"]));
        say(`wrote ${files.join(", ")}`);
      }),
    );
}
