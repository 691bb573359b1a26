/**
 * One browser benchmark measurement, in a module Web Worker of a cross-origin-isolated page
 * (bundled with esbuild by ./browser-bench.ts, rnnkit from source like the shipped bundle):
 *   rnnkit: init({ threads }) — the wasm kernels on 1 or n threads (Web Workers on shared memory) —
 *           then the workload of ./rnnkit-model.ts (what `bench/run.ts` times in Node);
 *   tfjs:   @tensorflow/tfjs with its wasm backend (setThreadsCount(threads); the result says how many
 *           it used), ./tfjs-layers.ts.
 * Timing as in Node (./timing.ts): warm-up, calibrated repetitions, median of samples.
 */
import { init } from "../src/browser.js";
import type { BenchConfig } from "./configs.js";
import { rnnkitWorkload } from "./rnnkit-model.js";
import { buildTfjsWorkload } from "./tfjs-layers.js";
import { type Timing, type TimingOptions, timed } from "./timing.js";

export interface BenchRequest {
  impl: "rnnkit" | "tfjs";
  name: string;
  config: BenchConfig;
  threads: number;
  timing: TimingOptions;
  /** Folder of the tfjs wasm binaries (page URL). */
  tfjsWasm: string;
}
export interface BenchResult {
  impl: string;
  name: string;
  threads: number;
  tokensPerS: number;
  stepMs: number;
  timing: Timing;
  note?: string;
}

interface Scope {
  onmessage: ((e: MessageEvent<BenchRequest>) => void) | null;
  postMessage(m: BenchResult | { error: string }): void;
}
const scope = globalThis as unknown as Scope;

async function run(r: BenchRequest): Promise<BenchResult> {
  const tokens = r.config.seq * r.config.batch;
  if (r.impl === "rnnkit") {
    const started = await init({ threads: r.threads, backend: "wasm" });
    if (started.threads !== r.threads) throw new Error(`rnnkit: ${started.threads} thread(s) started, ${r.threads} asked for: ${started.threadsWarning ?? ""}`);
    const w = rnnkitWorkload(r.config);
    const t = timed(() => void w.trainStep(), r.timing);
    return { impl: `rnnkit-wasm (${started.flavor ?? "?"})`, name: r.name, threads: started.threads, tokensPerS: tokens / (t.stepMs / 1e3), stepMs: t.stepMs, timing: t };
  }
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(r.tfjsWasm);
  wasm.setThreadsCount(r.threads);
  await tf.setBackend("wasm");
  await tf.ready();
  const w = buildTfjsWorkload(tf, r.config);
  // tfjs steps take tens of seconds to minutes here: r.timing.warmup steps, then r.timing.samples single timed steps
  const times: number[] = [];
  for (let i = 0; i < r.timing.warmup; i++) await w.trainStep();
  for (let i = 0; i < Math.max(1, r.timing.samples); i++) {
    const t0 = performance.now();
    await w.trainStep();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const t: Timing = { stepMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, maxMs: times[times.length - 1]!, reps: 1, samples: times.length };
  const used = (wasm as unknown as { getThreadsCount?: () => number }).getThreadsCount?.() ?? r.threads;
  return { impl: "tfjs-wasm", name: r.name, threads: used, tokensPerS: tokens / (t.stepMs / 1e3), stepMs: t.stepMs, timing: t };
}

scope.onmessage = (e) => {
  run(e.data).then(
    (res) => scope.postMessage(res),
    (err: unknown) => scope.postMessage({ error: err instanceof Error ? `${err.message}` : String(err) }),
  );
};
