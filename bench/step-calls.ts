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
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Backend } from "../src/kernels/backend.js";
import { backend, setBackend } from "../src/kernels/registry.js";
import { tryBackend } from "../src/kernels/select.js";
import { type BenchConfig, loadConfigs } from "./configs.js";
import { rnnkitWorkload } from "./rnnkit-model.js";

export interface StepCalls {
  stepMs: number; // mean wall time of a step
  /** Per Backend method: mean ms and calls per step, slowest first. */
  calls: { name: string; ms: number; calls: number }[];
  outsideMs: number; // stepMs minus the time inside backend calls
  losses: number[]; // the timed steps' losses (the wrapping must not change them)
}

/**
 * Build the workload of config `c` on backend `be` (active only for this call), run `warmup`
 * steps, then time `steps` steps with every Backend method wrapped.
 */
export function stepCalls(be: Backend, c: BenchConfig, steps: number, warmup = 3): StepCalls {
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
  const before = backend();
  setBackend(timed);
  try {
    const w = rnnkitWorkload(c);
    for (let i = 0; i < warmup; i++) w.trainStep(); // JIT, buffer pools, packed weights
    spent.clear();
    const losses: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) losses.push(w.trainStep());
    const stepMs = (performance.now() - t0) / steps;
    const calls = [...spent].map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps })).sort((a, b) => b.ms - a.ms);
    return { stepMs, calls, outsideMs: stepMs - calls.reduce((s, x) => s + x.ms, 0), losses };
  } finally {
    setBackend(before);
  }
}

function main(): void {
  const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."); // dist/bench → repo root
  const [name, config, stepsArg] = process.argv.slice(2);
  const usage = "usage: node dist/bench/step-calls.js <native|wasm|ref> <char|word|sentiment> [steps = 10]";
  const fail = (message: string): never => {
    console.error(`step-calls: ${message}\n${usage}`);
    process.exit(2);
  };
  if (name !== "native" && name !== "wasm" && name !== "ref") return fail(`backend must be native, wasm or ref, got ${JSON.stringify(name)}`);
  const configs = loadConfigs(REPO);
  const c = config ? configs[config] : undefined;
  if (!c) return fail(`config must be one of ${Object.keys(configs).join(", ")}, got ${JSON.stringify(config)}`);
  const steps = stepsArg === undefined ? 10 : Number(stepsArg);
  if (!Number.isInteger(steps) || steps < 1) return fail(`steps must be a positive integer, got ${JSON.stringify(stepsArg)}`);
  const be = tryBackend(name);
  if (be instanceof Error) return fail(`the ${name} backend is not available here: ${be.message}`);
  const r = stepCalls(be, c, steps);
  console.log(`${be.name}, ${config}: ${r.stepMs.toFixed(1)} ms a step (${((c.batch * c.seq * 1e3) / r.stepMs).toFixed(0)} tokens/s), mean of ${steps} after 3 warm-up steps`);
  console.log(`| backend call | ms a step | share | calls a step |\n|---|---|---|---|`);
  for (const x of r.calls) if (x.ms >= 0.05) console.log(`| ${x.name} | ${x.ms.toFixed(1)} | ${((100 * x.ms) / r.stepMs).toFixed(0)} % | ${x.calls.toFixed(0)} |`);
  console.log(`| (outside the backend) | ${r.outsideMs.toFixed(1)} | ${((100 * r.outsideMs) / r.stepMs).toFixed(0)} % | |`);
  process.exit(0); // the wasm backend's worker threads would keep the process alive
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
