/**
 * Browser speed, in headless Chromium on this machine (one run, side by side, same page):
 *  1. training throughput of the three benchmark configurations of ../shared/bench/configs.json
 *     (bench/configs.ts): rnnkit's wasm kernels on 1 and 2 threads (Web Workers on shared memory,
 *     the page cross-origin isolated) and TensorFlow.js's wasm backend (one thread: in a worker its
 *     threaded build reports 1 thread, and asking for 2 crashed this Chromium), each in a fresh
 *     module Web Worker (./browser-worker.ts) — ratios rnnkit / tfjs;
 *  2. the playground's page-load time (navigation → the first view showing results; median of 5
 *     loads) and its bundle size (dist/playground, from npm run build).
 * usage: npm run build && node dist/bench/browser-bench.js [--configs char,word,sentiment] [--no-tfjs] [--quick] [--json]
 * Timing follows bench/timing.ts for rnnkit (warm-up, ≥ 1 s samples, median of 5; steps over 2 s:
 * median of 3 single steps); tfjs, whose steps take tens of seconds to minutes here, gets one
 * warm-up step and one timed step. Chromium flags and serving: test/helpers/chromium.ts.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BenchConfig, loadConfigs } from "./configs.js";
import type { BenchRequest, BenchResult } from "./browser-worker.js";
import { DEFAULT_TIMING, QUICK_TIMING, type TimingOptions } from "./timing.js";
import { REPO_ROOT } from "../test/helpers/shared.js";
import { PLAYGROUND_DIR, browserUnavailable, launchChromium, serve } from "../test/helpers/chromium.js";

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const why = await browserUnavailable();
if (why) {
  console.error(`browser bench: ${why}`);
  process.exit(1);
}
const all = loadConfigs(REPO_ROOT);
const names = (arg("--configs") ?? "char,word,sentiment").split(",");
const quick = args.includes("--quick");
const withTfjs = !args.includes("--no-tfjs");
/** tfjs takes tens of seconds to minutes per training step here: one warm-up step, then one timed step. */
const TFJS_TIMING: TimingOptions = { warmup: 1, samples: 1, minTime: 0 };

// 1. Build the benchmark page: the worker bundled with rnnkit (from source) and tfjs, the wasm files beside it.
const out = join(REPO_ROOT, "dist", "bench-browser");
mkdirSync(out, { recursive: true });
const require = createRequire(import.meta.url);
const esbuild = require("esbuild") as typeof import("esbuild");
await esbuild.build({ entryPoints: [join(REPO_ROOT, "dist", "bench", "browser-worker.js")], outfile: join(out, "worker.js"), bundle: true, format: "esm", platform: "browser", target: ["es2022"], minify: true, logLevel: "error", define: { "process.env.NODE_ENV": '"production"' },
  // as scripts/build-browser.mjs: csv-parse's Node build uses the Buffer global, its browser build does not
  alias: { "csv-parse/sync": "csv-parse/browser/esm/sync" } });
for (const f of ["rnnkit.wasm", "rnnkit-relaxed.wasm", "rnnkit-relaxed-mt.wasm", "rnnkit-pool-worker.js"]) copyFileSync(join(REPO_ROOT, "dist", "browser", f), join(out, f));
const tfjsDist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
for (const f of readdirSync(tfjsDist).filter((f) => f.endsWith(".wasm"))) copyFileSync(join(tfjsDist, f), join(out, f));
writeFileSync(join(out, "index.html"), "<!doctype html><meta charset=utf-8><title>rnnkit browser bench</title><p>rnnkit browser benchmark</p>\n");

const [browser, server] = await Promise.all([launchChromium(), serve({ dir: out })]);
const page = await browser.page();
await page.goto(server.url);
const ua = await page.evaluate(() => `${navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? navigator.userAgent}; isolated ${String(crossOriginIsolated)}; ${navigator.hardwareConcurrency} logical CPUs`);
console.log(`rnnkit browser bench — ${ua}; configs ${names.join(", ")}; ${quick ? "quick timing" : "timing: warm-up 3, samples of ≥ 1 s, median of 5"}`);

/** One measurement in a fresh worker (fresh threads, fresh heap). */
function measure(req: BenchRequest): Promise<BenchResult | { error: string }> {
  return page.evaluate(
    (r) =>
      new Promise<BenchResult | { error: string }>((resolve) => {
        const w = new Worker("worker.js", { type: "module" });
        w.onmessage = (e: MessageEvent<BenchResult | { error: string }>) => {
          w.terminate();
          resolve(e.data);
        };
        w.onerror = (e) => resolve({ error: e.message || "worker failed" });
        w.postMessage(r);
      }),
    req,
  );
}

const rows: (BenchResult | { error: string; impl: string; name: string; threads: number })[] = [];
for (const name of names) {
  const config = all[name] as BenchConfig | undefined;
  if (!config) throw new Error(`unknown config ${name}; configs.json has ${Object.keys(all).join(", ")}`);
  const jobs: ["rnnkit" | "tfjs", number][] = [["rnnkit", 1], ["rnnkit", 2], ...(withTfjs ? ([["tfjs", 1]] as ["tfjs", number][]) : [])];
  for (const [impl, threads] of jobs) {
    const r = await measure({ impl, name, config, threads, timing: impl === "tfjs" ? TFJS_TIMING : quick ? QUICK_TIMING : DEFAULT_TIMING, tfjsWasm: server.url });
    const row = "error" in r ? { ...r, impl, name, threads } : r;
    rows.push(row);
    console.log("error" in row ? `  ${name} ${impl} ${threads}t: ERROR ${row.error}` : `  ${name} ${row.impl} ${row.threads}t: ${Math.round(row.tokensPerS).toLocaleString()} tokens/s (${row.stepMs.toFixed(1)} ms/step, ${row.timing.reps}×${row.timing.samples})`);
  }
}

// 2. The playground: bundle size and page-load time.
const size = (f: string): number => (existsSync(join(PLAYGROUND_DIR, f)) ? statSync(join(PLAYGROUND_DIR, f)).size : 0);
const code = ["app.js", "train-worker.js", "rnnkit.js"];
const codeBytes = code.reduce((s, f) => s + size(f), 0);
const gz = code.reduce((s, f) => s + gzipSync(readFileSync(join(PLAYGROUND_DIR, f))).length, 0);
const models = JSON.parse(readFileSync(join(PLAYGROUND_DIR, "models.json"), "utf8")) as Record<string, { file: string }>;
const firstView = ["rnnkit-relaxed.wasm", "index.html", "style.css", "app.js", "rnnkit.js", "models.json", models["languageModel"]!.file].reduce((s, f) => s + size(f), 0);
const pg = await serve();
const loads: { ready: number; init: number; dcl: number }[] = [];
for (let i = 0; i < 5; i++) {
  const p = await browser.page();
  await p.goto(`${pg.url}#next`);
  await p.waitForSelector("#view-next[data-ready]");
  await p.waitForFunction(() => (globalThis as { playgroundLoadMs?: number }).playgroundLoadMs !== undefined);
  loads.push(
    await p.evaluate(() => ({
      ready: (globalThis as unknown as { playgroundLoadMs: number }).playgroundLoadMs,
      init: (globalThis as unknown as { playgroundInitMs: number }).playgroundInitMs,
      dcl: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
    })),
  );
  await p.close();
}
await pg.close();
const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
console.log(`\nplayground (dist/playground): code ${kb(codeBytes)} (${kb(gz)} gzipped; app ${kb(size("app.js"))}, training worker ${kb(size("train-worker.js"))}, rnnkit ${kb(size("rnnkit.js"))}), wasm ${kb(size("rnnkit-relaxed.wasm"))}; first view downloads ${(firstView / 1e6).toFixed(2)} MB (2.6 MB of it the language model)`);
console.log(`page load, served from 127.0.0.1 (median of 5): DOMContentLoaded ${med(loads.map((l) => l.dcl)).toFixed(0)} ms, wasm kernels ready ${med(loads.map((l) => l.init)).toFixed(0)} ms after the script starts, first view with next-word results ${med(loads.map((l) => l.ready)).toFixed(0)} ms after navigation start`);

// Ratios
console.log("\n| config | rnnkit wasm 1 thread | rnnkit wasm 2 threads | tfjs wasm 1 thread | rnnkit/tfjs (1 thread each) | rnnkit 2 threads / tfjs | rnnkit 2 threads / 1 |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const name of names) {
  const get = (impl: string, t: number): number => {
    const r = rows.find((x) => x.name === name && x.impl.startsWith(impl) && x.threads === t);
    return r && "tokensPerS" in r ? r.tokensPerS : NaN;
  };
  const [r1, r2, t1] = [get("rnnkit", 1), get("rnnkit", 2), get("tfjs", 1)];
  const f = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString() : "—");
  const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v >= 10 ? 0 : 1)}×` : "—");
  console.log(`| ${name} | ${f(r1)} | ${f(r2)} | ${f(t1)} | ${x(r1 / t1)} | ${x(r2 / t1)} | ${x(r2 / r1)} |`);
}
if (args.includes("--json")) console.log(JSON.stringify({ ua, rows, loads, codeBytes, gz, firstView }));
await Promise.all([browser.close(), server.close()]);
