#!/usr/bin/env node
/**
 * GEMM microbenchmark of the native addon, per ISA, against the machine's FMA peak.
 *
 *   node native/bench/gemm-bench.mjs [--threads N] [--quick]
 *
 * Times with process CPU time (process.cpuUsage), so other processes sharing the cores do not
 * count against the kernel; with --threads > 1 the CPU time of both threads is summed, so the
 * wall-clock column is the one that shows the speed-up. Prints one table row per
 * (ISA, shape, transB): GFLOP/s and % of that ISA's measured single-core peak.
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const addon = createRequire(import.meta.url)(process.env.RNNKIT_NATIVE_ADDON ?? join(ROOT, "build", "native", "rnnkit_native.node"));
const argv = process.argv.slice(2);
const threads = argv.includes("--threads") ? Number(argv[argv.indexOf("--threads") + 1]) : 1;
const quick = argv.includes("--quick");
addon.setThreads(threads);

const ISA = ["scalar", "avx2", "avx512"];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const wall = () => Number(process.hrtime.bigint()) / 1e9;

function rand(n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** Best of `rounds` timings of `fn` repeated until ≥ minSec of CPU time. */
function time(fn, rounds = quick ? 2 : 5, minSec = quick ? 0.05 : 0.2) {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = cpu();
    for (let i = 0; i < reps; i++) fn();
    if (cpu() - t0 >= minSec / 4) break;
    reps *= 2;
  }
  let bestCpu = Infinity;
  let bestWall = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = cpu();
    const w0 = wall();
    let n = 0;
    do {
      for (let i = 0; i < reps; i++) fn();
      n += reps;
    } while (cpu() - c0 < minSec);
    bestCpu = Math.min(bestCpu, (cpu() - c0) / n);
    bestWall = Math.min(bestWall, (wall() - w0) / n);
  }
  return { cpu: bestCpu, wall: bestWall };
}

const best = addon.bestIsa();
console.log(`rnnkit native GEMM benchmark: best ISA ${ISA[best]}, ${threads} thread(s)`);
const shapes = [
  [64, 768, 1024],
  [64, 1024, 4096],
  [512, 512, 512],
  [32, 128, 512],
];
for (let isa = best; isa >= 0; isa--) {
  const iters = 2e6;
  const pk = time(() => addon.fmaPeak(isa, iters));
  const peak = addon.fmaPeak(isa, 1) * iters / pk.cpu / 1e9;
  const note = isa === 0 ? " — a scalar mul+add loop; the baseline build's GEMM is SSE2 (compiler-vectorised), so it can exceed 100%" : "";
  console.log(`\n${ISA[isa]}: FMA peak ${peak.toFixed(1)} GFLOP/s (one core)${note}`);
  console.log("  (M, K, N)          transB   GFLOP/s (cpu)  % peak   GFLOP/s (wall)");
  for (const [M, K, N] of shapes)
    for (const tB of [false, true]) {
      const A = rand(M * K);
      const B = rand(K * N);
      const C = new Float32Array(M * N);
      const t = time(() => addon.gemm(isa, false, tB, M, N, K, 1, A, B, 0, C));
      const fl = 2 * M * N * K;
      const g = fl / t.cpu / 1e9;
      console.log(
        `  ${`(${M}, ${K}, ${N})`.padEnd(18)} ${String(tB).padEnd(8)} ${g.toFixed(1).padStart(12)}  ${((100 * g) / peak).toFixed(0).padStart(5)}%  ${(fl / t.wall / 1e9).toFixed(1).padStart(14)}`,
      );
    }
}
