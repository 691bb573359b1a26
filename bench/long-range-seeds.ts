/**
 * The long-range experiment over seeds and backends: is a result a property of the cell, or of
 * one seed's (and one backend's rounding's) luck? Runs `runLongRange` for every backend × cell ×
 * distance × seed and prints each run's accuracy and the step where it solved the task (the first
 * block of steps whose mean loss fell below 10 % of the chance loss ln(symbols)), then mean ± sd
 * and min–max per backend, cell and distance.
 *
 *   node dist/bench/long-range-seeds.js --backends native,wasm --cells lstm,gru --distances 100 --seeds 1-8 --steps 600
 *
 * Training k steps with a longer --steps budget replays the shorter run exactly up to that step
 * (the batches are drawn step by step from one stream), so one long run also tells when each
 * seed would have been solved under any smaller budget ("solved at").
 */
import { DEFAULT_BATCH, DEFAULT_STEPS, type LongRangeResult, type LongRangeTask, runLongRange } from "../src/analysis/long-range.js";
import type { CellType } from "../src/models/cell.js";
import { backend, setBackend } from "../src/kernels/registry.js";
import { type BackendName, tryBackend } from "../src/kernels/select.js";

const CELLS: Record<string, CellType> = { rnn: "RNN_TANH", rnn_tanh: "RNN_TANH", rnn_relu: "RNN_RELU", gru: "GRU", lstm: "LSTM" };

function range(s: string): number[] {
  return s.split(",").flatMap((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) return [Number(part)];
    const out: number[] = [];
    for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(i);
    return out;
  });
}

/** Mean and sample standard deviation. */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/** First step at which a block of the loss curve fell below `below` (null: never). */
export function solvedAt(r: LongRangeResult, steps: number, below: number): number | null {
  const block = Math.max(1, Math.ceil(steps / 50));
  const i = r.curve.findIndex((l) => l < below);
  return i < 0 ? null : (i + 1) * block;
}

function main(): void {
  const a: Record<string, string> = { backends: "native,wasm,ref", cells: "lstm", distances: "100", seeds: "1-4", steps: "", task: "recall", lr: "0.003", batch: "", clip: "1", "gate-bias": "5", curriculum: "0" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!.replace(/^--/, "");
    if (!(k in a)) throw new Error(`long-range-seeds: unknown option --${k} (options: ${Object.keys(a).join(", ")})`);
    a[k] = argv[i + 1] ?? "";
  }
  const task = a.task as LongRangeTask;
  const steps = a.steps ? Number(a.steps) : undefined;
  const rows: { be: string; cell: CellType; k: number; seed: number; acc: number; solved: number | null }[] = [];
  for (const name of a.backends!.split(",") as BackendName[]) {
    const be = tryBackend(name);
    if (be instanceof Error) {
      console.log(`${name}: unavailable (${be.message})`);
      continue;
    }
    const prev = backend();
    setBackend(be);
    try {
      for (const cell of a.cells!.split(",").map((c) => CELLS[c.toLowerCase()]!))
        for (const k of range(a.distances!))
          for (const seed of range(a.seeds!)) {
            const gb = Number(a["gate-bias"]);
            const r = runLongRange(task, cell, k, { seed, steps, lr: Number(a.lr), batchSize: a.batch ? Number(a.batch) : DEFAULT_BATCH[task], clip: Number(a.clip), gateBias: gb === 0 ? null : gb, curriculum: a.curriculum === "1" });
            const solved = task === "recall" ? solvedAt(r, steps ?? DEFAULT_STEPS.recall, 0.1 * Math.log(8)) : null;
            rows.push({ be: be.name, cell, k, seed, acc: r.accuracy, solved });
            console.log(`${be.name} ${cell} k=${k} seed ${seed}: accuracy ${r.accuracy.toFixed(3)}, final loss ${r.finalLoss.toFixed(3)}, solved at ${solved ?? "—"} (${r.seconds.toFixed(0)} s)`);
          }
    } finally {
      setBackend(prev);
    }
  }
  console.log("\nbackend        cell      k   runs  accuracy mean ± sd   min–max      solved");
  const keys = [...new Set(rows.map((r) => `${r.be}|${r.cell}|${r.k}`))];
  for (const key of keys) {
    const g = rows.filter((r) => `${r.be}|${r.cell}|${r.k}` === key);
    const { mean, sd } = meanSd(g.map((r) => r.acc));
    const accs = g.map((r) => r.acc);
    const [be, cell, k] = key.split("|");
    console.log(`${be!.padEnd(14)} ${cell!.padEnd(8)} ${k!.padStart(4)} ${String(g.length).padStart(5)}  ${mean.toFixed(3)} ± ${sd.toFixed(3)}       ${Math.min(...accs).toFixed(2)}–${Math.max(...accs).toFixed(2)}    ${g.filter((r) => r.acc > 0.9).length}/${g.length}`);
  }
}

main();
