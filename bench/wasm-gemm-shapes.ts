#!/usr/bin/env node
/**
 * The wasm GEMM kernel alone (one thread, operands already in linear memory, no copies) on the
 * products that dominate the benchmark LSTMs' training, as GFLOP/s and share of this engine's
 * 128-bit FMA ceiling — what the SIMD code reaches before threads, copies and the rest of a step:
 *
 *   node dist/bench/wasm-gemm-shapes.js                      # the build the backend would load
 *   node dist/bench/wasm-gemm-shapes.js old.wasm new.wasm    # single-thread builds side by side, alternated
 *
 * Best of three rounds of three samples (≥ 2 calls, ≥ 2 GFLOP each) per shape; with several builds the rounds alternate between
 * them (these machines are noisy). A shared-memory build (build/rnnkit-relaxed-mt.wasm) runs on one thread too,
 * on its shared memory: `… build/rnnkit-relaxed.wasm build/rnnkit-relaxed-mt.wasm` shows what sharing costs.
 */
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { asKernelExports } from "../src/kernels/wasm/exports.js";
import { loadWasmBackendSync, loadedFlavor, relaxedSimdSupported, wasmUrl } from "../src/kernels/wasm/index.js";
import { sharedMemory } from "../src/kernels/wasm/threaded.js";
import { wasmPeakGflops } from "./wasm-peak.js";

// [transA, transB, M, N, K]: the word LM's output layer (forward z = x·Wᵀ, dx = dz·W, dW = dzᵀ·x),
// the char LM's input projection, a square product
const SHAPES: readonly [boolean, boolean, number, number, number][] = [
  [false, true, 700, 10000, 200],
  [false, false, 700, 200, 10000],
  [true, false, 10000, 200, 700],
  [false, true, 2048, 1024, 256],
  [false, false, 512, 512, 512],
];

// V8 runs new wasm code in its baseline compiler (Liftoff) and moves it to TurboFan once hot; a
// long training run spends its time in TurboFan code, but a few calls of a big product would time
// the baseline code. Compile with TurboFan from the start (before any module is compiled).
setFlagsFromString("--no-liftoff");
loadWasmBackendSync({ threads: 1 }); // decides the flavor (and turns on relaxed SIMD in Node 20)
const files = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const builds = files.length ? files : [wasmUrl(loadedFlavor ?? "simd").pathname];
// A shared-memory (-mt) build imports its memory and needs its edge-tile scratch placed (./threaded.ts)
const kernels = builds.map((f) => {
  const mod = new WebAssembly.Module(readFileSync(f));
  const shared = WebAssembly.Module.imports(mod).some((i) => i.kind === "memory");
  const ex = asKernelExports(new WebAssembly.Instance(mod, shared ? { env: { memory: sharedMemory() } } : {}).exports, "bench");
  if (shared) ex.setTile(Math.ceil(ex.heapBase() / 64) * 64);
  return ex;
});
const al = (n: number): number => Math.ceil(n / 16) * 16;
const best = builds.map(() => SHAPES.map(() => 0));
for (let round = 0; round < 3; round++)
  SHAPES.forEach(([tA, tB, M, N, K], s) =>
    kernels.forEach((ex, v) => {
      const A = al(ex.heapBase() + 4096), B = A + al(M * K * 4), C = B + al(K * N * 4), ws = C + al(M * N * 4);
      const end = ws + ex.gemmWorkFloats(M, N, K) * 4;
      if (end > ex.memory.buffer.byteLength) ex.memory.grow(Math.ceil((end - ex.memory.buffer.byteLength) / 65536));
      const f = new Float32Array(ex.memory.buffer);
      for (let i = A / 4; i < C / 4; i++) f[i] = Math.random() - 0.5;
      const reps = Math.max(2, Math.round(2e9 / (2 * M * N * K)));
      ex.gemm(tA ? 1 : 0, tB ? 1 : 0, M, N, K, 1, A, B, 0, C, ws); // warm-up (and first touch of grown memory)
      for (let sample = 0; sample < 3; sample++) {
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) ex.gemm(tA ? 1 : 0, tB ? 1 : 0, M, N, K, 1, A, B, 0, C, ws);
        best[v]![s] = Math.max(best[v]![s]!, (2 * M * N * K * reps) / ((performance.now() - t0) / 1e3) / 1e9);
      }
    }),
  );
const peak = wasmPeakGflops(relaxedSimdSupported()).gflops;
console.log(`wasm 128-bit FMA ceiling: ${peak.toFixed(1)} GFLOP/s per thread; GFLOP/s (share of it), one thread`);
console.log("shape".padEnd(24) + builds.map((b) => (b.split("/").pop() ?? b).padStart(22)).join(""));
SHAPES.forEach(([tA, tB, M, N, K], s) => {
  const cells = builds.map((_, v) => `${best[v]![s]!.toFixed(1)} (${((100 * best[v]![s]!) / peak).toFixed(0)} %)`.padStart(22));
  console.log(`${tA ? "T" : "N"}${tB ? "T" : "N"} ${M}×${N}×${K}`.padEnd(24) + cells.join(""));
});
