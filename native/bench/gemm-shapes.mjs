#!/usr/bin/env node
/**
 * Wall time of single native GEMM calls on the shapes that dominate the benchmark LSTMs' training,
 * for comparing two addon builds side by side (how the row-split rule in gemm_impl.inc was chosen):
 *
 *   RNNKIT_NATIVE_ADDON=/path/old.node node native/bench/gemm-shapes.mjs --threads 2
 *   RNNKIT_NATIVE_ADDON=/path/new.node node native/bench/gemm-shapes.mjs --threads 2
 *
 * Alternate the two a few times: the machines are noisy. Prints best of 7 rounds of 5 calls per shape.
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const addon = createRequire(import.meta.url)(process.env.RNNKIT_NATIVE_ADDON ?? join(ROOT, "build", "native", "rnnkit_native.node"));
const argv = process.argv.slice(2);
addon.setThreads(argv.includes("--threads") ? Number(argv[argv.indexOf("--threads") + 1]) : 2);

// [transA, transB, M, N, K]: the word LM's output layer (dX, forward, dW), the sentiment BiLSTM's
// input gradient, the char LM's input gradient
const SHAPES = [
  [false, false, 700, 200, 10000],
  [false, false, 700, 10000, 200],
  [true, false, 10000, 200, 700],
  [false, false, 12800, 100, 512],
  [false, false, 2048, 256, 1024],
];
const rand = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const isa = addon.bestIsa();
for (const [tA, tB, M, N, K] of SHAPES) {
  const A = rand(M * K);
  const B = rand(K * N);
  const C = new Float32Array(M * N);
  addon.gemm(isa, tA, tB, M, N, K, 1, A, B, 0, C);
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) addon.gemm(isa, tA, tB, M, N, K, 1, A, B, 0, C);
    best = Math.min(best, (performance.now() - t0) / 5);
  }
  const name = `${M}×${N}×${K}${tA ? " (Aᵀ)" : ""}`;
  console.log(`${name.padEnd(22)} ${best.toFixed(2).padStart(7)} ms  ${((2 * M * N * K) / best / 1e6).toFixed(1).padStart(6)} GFLOP/s`);
}
