#!/usr/bin/env node
/**
 * Where a training step's time goes, backend call by backend call: the benchmark workload of
 * bench/run.ts (rnnkit-model.ts) on one backend, every Backend method wrapped in a timer, so the
 * step splits into its kernels (linearCrossEntropy, lstmForward, lstmBackward, adamStep, …) and
 * the rest (JavaScript outside the backend: autograd, shape ops, optimizer bookkeeping).
 *
 *   node dist/bench/step-calls.js <native|wasm|ref> <char|word|sentiment> [steps = 10]
 *   RNNKIT_WASM_THREADS=2 node dist/bench/step-calls.js wasm word
 *
 * Threads come from RNNKIT_NATIVE_THREADS / RNNKIT_WASM_THREADS as in the bench children. The
 * times are wall times on the calling thread (a threaded kernel's call includes its workers).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend } from "../src/kernels/backend.js";
import { setBackend } from "../src/kernels/registry.js";
import { tryBackend } from "../src/kernels/select.js";
import { loadConfigs } from "./configs.js";
import { rnnkitWorkload } from "./rnnkit-model.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."); // dist/bench → repo root
const [name, config, stepsArg] = process.argv.slice(2);
const usage = "usage: node dist/bench/step-calls.js <native|wasm|ref> <char|word|sentiment> [steps = 10]";
function fail(message: string): never {
  console.error(`step-calls: ${message}\n${usage}`);
  process.exit(2);
}
if (name !== "native" && name !== "wasm" && name !== "ref") fail(`backend must be native, wasm or ref, got ${JSON.stringify(name)}`);
const configs = loadConfigs(REPO);
const c = config ? configs[config] : undefined;
if (!c) fail(`config must be one of ${Object.keys(configs).join(", ")}, got ${JSON.stringify(config)}`);
const steps = stepsArg === undefined ? 10 : Number(stepsArg);
if (!Number.isInteger(steps) || steps < 1) fail(`steps must be a positive integer, got ${JSON.stringify(stepsArg)}`);
const be = tryBackend(name);
if (be instanceof Error) fail(`the ${name} backend is not available here: ${be.message}`);

/** ms and calls per method, reset after the warm-up steps. */
const spent = new Map<string, { ms: number; calls: number }>();
const timed = Object.create(be) as Backend; // methods not wrapped below fall through to be
const record = timed as unknown as Record<string, unknown>;
for (const key of Object.keys(be) as (keyof Backend)[]) {
  const f = be[key];
  if (typeof f !== "function") continue;
  record[key] = (...args: unknown[]): unknown => {
    const t0 = performance.now();
    try {
      return (f as (...a: unknown[]) => unknown).apply(be, args);
    } finally {
      const e = spent.get(key) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      spent.set(key, e);
    }
  };
}
setBackend(timed);

const w = rnnkitWorkload(c);
for (let i = 0; i < 3; i++) w.trainStep(); // warm-up: JIT, buffer pools, packed weights
spent.clear();
const t0 = performance.now();
for (let i = 0; i < steps; i++) w.trainStep();
const stepMs = (performance.now() - t0) / steps;
const rows = [...spent].sort((a, b) => b[1].ms - a[1].ms);
const inBackend = rows.reduce((s, [, e]) => s + e.ms, 0) / steps;
console.log(`${be.name}, ${config}: ${stepMs.toFixed(1)} ms a step (${((c.batch * c.seq * 1e3) / stepMs).toFixed(0)} tokens/s), mean of ${steps} after 3 warm-up steps`);
console.log(`| backend call | ms a step | share | calls a step |\n|---|---|---|---|`);
for (const [k, e] of rows) if (e.ms / steps >= 0.05) console.log(`| ${k} | ${(e.ms / steps).toFixed(1)} | ${((100 * e.ms) / steps / stepMs).toFixed(0)} % | ${(e.calls / steps).toFixed(0)} |`);
console.log(`| (outside the backend) | ${(stepMs - inBackend).toFixed(1)} | ${((100 * (stepMs - inBackend)) / stepMs).toFixed(0)} % | |`);
process.exit(0); // the wasm backend's worker threads would keep the process alive
