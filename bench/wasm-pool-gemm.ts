#!/usr/bin/env node
/**
 * The wasm thread pool's GEMM on the benchmark LSTMs' big products, operands resident in the
 * shared memory (no copies): GFLOP/s on one thread, on the pool as it splits, and with the split
 * forced to rows and to columns — how two threads scale, and whether the split choice matters:
 *
 *   node dist/bench/wasm-pool-gemm.js [threads=2]
 *
 * Best of ten short rounds per column; the columns alternate inside each round (these machines are
 * noisy, and a vCPU here runs at times at half speed for seconds: short alternated samples let
 * each column catch the full-speed phases; compare columns of one run, not runs).
 */
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { asKernelExports } from "../src/kernels/wasm/exports.js";
import { loadWasmBackendSync, relaxedSimdSupported, wasmUrl } from "../src/kernels/wasm/index.js";
import { sharedMemory, threadedBackendOn } from "../src/kernels/wasm/threaded.js";

// [transA, transB, M, N, K], as in wasm-gemm-shapes.ts: the word LM's output layer (z = x·Wᵀ,
// dx = dz·W, dW = dzᵀ·x), the char LM's input projection, a square product
const SHAPES: readonly [number, number, number, number, number][] = [
  [0, 1, 700, 10000, 200],
  [0, 0, 700, 200, 10000],
  [1, 0, 10000, 200, 700],
  [0, 1, 2048, 1024, 256],
  [0, 0, 512, 512, 512],
];
const ROUNDS = 10;

setFlagsFromString("--no-liftoff"); // time TurboFan code, as a long run does (see wasm-gemm-shapes.ts)
loadWasmBackendSync({ threads: 1 }); // turns on relaxed SIMD in Node 20 when the CPU has it
if (!relaxedSimdSupported()) throw new Error("wasm-pool-gemm: the shared-memory build needs relaxed SIMD, which this runtime lacks");
const threads = Number(process.argv[2] ?? 2);
if (!Number.isInteger(threads) || threads < 2) throw new RangeError(`wasm-pool-gemm: threads must be an integer ≥ 2, got ${process.argv[2]}`);

const module = new WebAssembly.Module(readFileSync(wasmUrl("relaxed-mt")));
const memory = sharedMemory();
const workerUrl = new URL("../src/kernels/wasm/worker.js", import.meta.url);
const { pool } = threadedBackendOn(module, memory, threads, (init) => {
  const w = new Worker(workerUrl, { workerData: init });
  w.unref();
  return { terminate: () => void w.terminate() };
}, "bench", {});
pool.waitReady();
// this thread's own instance on the same memory, its edge-tile scratch where the backend's is (the backend stays idle)
const ex = asKernelExports(new WebAssembly.Instance(module, { env: { memory } }).exports, "wasm-pool-gemm");
ex.setTile(Math.ceil(ex.heapBase() / 64) * 64);

const align = (n: number): number => Math.ceil(n / 64) * 64;
const start = 256 << 20; // far above the idle backend's heap
console.log(`wasm pool GEMM, ${threads} threads, operands in shared memory; GFLOP/s (best of ${ROUNDS} rounds)`);
console.log(`${"shape".padEnd(22)}${["1 thread", "pool", "rows", "columns"].map((h) => h.padStart(10)).join("")}   pool / 1 thread`);
for (const [tA, tB, M, N, K] of SHAPES) {
  const A = start, B = A + align(M * K * 4), C = B + align(K * N * 4);
  const wsBytes = align(ex.gemmWorkFloats(M, N, K) * 4);
  const ws = Array.from({ length: threads }, (_, i) => C + align(M * N * 4) + i * wsBytes);
  const end = ws[threads - 1]! + wsBytes;
  if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const f = new Float32Array(memory.buffer);
  for (let i = A / 4; i < C / 4; i++) f[i] = Math.random() - 0.5;
  const ways: Array<() => void> = [
    () => ex.gemm(tA, tB, M, N, K, 1, A, B, 0, C, ws[0]!),
    () => pool.gemm(ex, tA, tB, M, N, K, 1, A, B, 0, C, ws),
    () => pool.gemm(ex, tA, tB, M, N, K, 1, A, B, 0, C, ws, "rows"),
    () => pool.gemm(ex, tA, tB, M, N, K, 1, A, B, 0, C, ws, "columns"),
  ];
  const flops = 2 * M * N * K;
  const reps = Math.max(2, Math.round(1e9 / flops));
  const best = ways.map(() => 0);
  for (let round = 0; round < ROUNDS; round++)
    ways.forEach((call, w) => {
      call();
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) call();
      best[w] = Math.max(best[w]!, (flops * reps) / ((performance.now() - t0) / 1e3) / 1e9);
    });
  const name = `${tA ? "T" : "N"}${tB ? "T" : "N"} ${M}×${N}×${K}`;
  console.log(`${name.padEnd(22)}${best.map((g) => g.toFixed(1).padStart(10)).join("")}   ${(best[1]! / best[0]!).toFixed(2)}×`);
}
pool.close();
