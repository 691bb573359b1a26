#!/usr/bin/env node
/**
 * rnnkit benchmark: the three shared configurations (char, word, sentiment; /work/shared/bench)
 * for every rnnkit backend, side by side with PyTorch (torch_lstm.py) and TensorFlow.js (wasm),
 * plus a GEMM microbenchmark. Each measurement runs in its own child process so that peak RSS
 * is that measurement's own.
 *
 *   node dist/bench/run.js [--configs char,word,sentiment] [--backends native,wasm,ref]
 *                          [--torch] [--torch-threads 1|2|1,2 (default 1,2)] [--torch-ftz] [--tfjs] [--no-gemm] [--quick]
 *                          [--threads N | --native-threads N --wasm-threads N] [--rounds N] [--help]
 *
 * Training tokens/s = batch·seq / median step time (forward + backward + Adam), timed as
 * torch_lstm.py times (3 warm-up steps, ≥ 1 s samples, median of 5); implementations whose first
 * step takes over 2 s (ref backend, tfjs) get 1 warm-up step and the median of 3 single steps. GFLOP/s counts the multiply-adds of
 * configs.ts (training = 3× forward). Single thread everywhere unless --torch-threads 2,
 * --native-threads N (RNNKIT_NATIVE_THREADS for the native backend; default 1 here),
 * --wasm-threads N (RNNKIT_WASM_THREADS: worker threads of the wasm backend; default 1 here) or
 * --threads N (both). Row labels carry the thread count (native-avx512-2t, wasm-2t).
 * --torch-ftz adds PyTorch runs with torch.set_flush_denormal(True) (see torch.ts).
 * --rounds N runs every row of a config N times, in turn, and keeps each row's best (noisy hosts:
 * each implementation gets N chances at the machine's fast phases; N × the time).
 * `--configs ,` (an empty list) runs only the machine peaks and the GEMM table.
 * Peaks: the AVX-512 FMA loop of the addon (per core), and with the wasm backend the f32x4 FMA
 * loop of wasm-peak.ts (per thread, what 128-bit SIMD can reach in this engine). GEMM "%" is of
 * the first for native and PyTorch rows, of the second for wasm rows. With --torch the GEMM
 * table also has torch.mm (bench/torch_gemm.py) in PyTorch's two configurations.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchConfig, benchDir, forwardFlopsPerToken, loadConfigs } from "./configs.js";
import { DEFAULT_TIMING, QUICK_TIMING, type TimingOptions, peakRssMiB, timed, timedAsync } from "./timing.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", ".."); // dist/bench → repo root

interface Measurement {
  impl: string;
  config: string;
  tokensPerS?: number;
  stepMs?: number;
  inferTokensPerS?: number;
  rssMiB?: number;
  gemm?: { shape: string; gflops: number }[];
  error?: string;
  note?: string;
}

// ---------------------------------------------------------------- child side
async function child(spec: string, quick: boolean): Promise<Measurement> {
  const [kind, name, config] = spec.split(":") as [string, string, string];
  const timingFor = (slow: boolean): TimingOptions => (slow || quick ? QUICK_TIMING : DEFAULT_TIMING);
  if (kind === "tfjs") {
    const c = loadConfigs(REPO)[config]!;
    const { tfjsWorkload } = await import("./tfjs-model.js");
    const w = await tfjsWorkload(c);
    const tok = c.batch * c.seq;
    const t = await timedAsync(() => w.trainStep(), timingFor(false));
    const m: Measurement = { impl: `tfjs-${w.backend}`, config, tokensPerS: tok / (t.stepMs / 1e3), stepMs: t.stepMs };
    if (config === "char") m.inferTokensPerS = tok / ((await timedAsync(() => w.infer(), timingFor(false))).stepMs / 1e3);
    m.rssMiB = peakRssMiB();
    return m;
  }
  if (kind === "peak" && name === "wasm") {
    // this engine's 128-bit SIMD FMA peak: the ceiling of the wasm GEMM kernel
    const wasm = await import("../src/kernels/wasm/index.js");
    wasm.loadWasmBackendSync({ threads: 1 }); // turns on relaxed SIMD in Node 20 when the engine has it
    const { wasmPeakGflops } = await import("./wasm-peak.js");
    const relaxed = wasm.relaxedSimdSupported();
    const p = wasmPeakGflops(relaxed);
    return { impl: `peak-wasm-${relaxed ? "relaxed" : "simd"} (${p.chains} chains)`, config: "peak", tokensPerS: p.gflops };
  }
  if (kind === "peak") {
    // the single-core AVX-512 (or best ISA) FMA peak, timed on a register-only loop in the addon
    const { loadAddon } = await import("../src/kernels/native/addon.js");
    const addon = loadAddon();
    if (!addon) return { impl: "peak", config: "peak", error: "native addon not built" };
    const isa = addon.bestIsa();
    const iters = 2e7;
    addon.fmaPeak(isa, iters / 10);
    let best = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = process.cpuUsage();
      const flops = addon.fmaPeak(isa, iters);
      const u = process.cpuUsage(t0);
      best = Math.max(best, flops / ((u.user + u.system) / 1e6) / 1e9);
    }
    return { impl: `peak-${["scalar", "avx2", "avx512"][isa] ?? "?"}`, config: "peak", tokensPerS: best };
  }
  if (kind === "gemm" && name === "wasm-kernel") {
    const { benchGemmKernel } = await import("./gemm.js");
    const r = await benchGemmKernel(quick ? QUICK_TIMING : { warmup: 2, samples: 5, minTime: 0.3 });
    return { impl: `wasm kernel (${r.flavor})`, config: "gemm", gemm: r.results };
  }
  const { tryBackend } = await import("../src/kernels/select.js");
  const { setBackend } = await import("../src/kernels/registry.js");
  const be = tryBackend(name as "native" | "wasm" | "ref");
  if (be instanceof Error) return { impl: name, config, error: be.message };
  setBackend(be);
  let impl = be.name;
  if (name === "wasm") {
    const { wasmPool } = await import("../src/kernels/wasm/index.js");
    const t = wasmPool ? wasmPool.waitReady() : 1; // time with every worker started
    if (t > 1) impl = `wasm-${t}t`;
  } else if (name === "native" && Number(process.env.RNNKIT_NATIVE_THREADS ?? "1") > 1) impl = `${be.name}-${process.env.RNNKIT_NATIVE_THREADS}t`;
  if (kind === "gemm") {
    const { benchGemm } = await import("./gemm.js");
    return { impl, config: "gemm", gemm: benchGemm(be, name === "ref" || quick ? QUICK_TIMING : { warmup: 2, samples: 5, minTime: 0.3 }) };
  }
  const c = loadConfigs(REPO)[config]!;
  const { rnnkitWorkload } = await import("./rnnkit-model.js");
  const w = rnnkitWorkload(c);
  const tok = c.batch * c.seq;
  const t = timed(() => w.trainStep(), timingFor(name === "ref"));
  const m: Measurement = { impl, config, tokensPerS: tok / (t.stepMs / 1e3), stepMs: t.stepMs };
  if (config === "char") m.inferTokensPerS = tok / (timed(() => w.infer(), timingFor(name === "ref")).stepMs / 1e3);
  m.rssMiB = peakRssMiB();
  return m;
}

function spawnChild(spec: string, quick: boolean, extraEnv: Record<string, string> = {}): Measurement {
  const args = [fileURLToPath(import.meta.url), "--child", spec, ...(quick ? ["--quick"] : [])];
  const env = { ...process.env, RNNKIT_NATIVE_THREADS: arg("--native-threads") ?? arg("--threads") ?? "1", RNNKIT_WASM_THREADS: arg("--wasm-threads") ?? arg("--threads") ?? "1", ...extraEnv };
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24, env });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Measurement;
  } catch {
    const [kind, name, config] = spec.split(":");
    return { impl: kind === "tfjs" ? "tfjs" : (name ?? "?"), config: config ?? name ?? "?", error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") };
  }
}

// ---------------------------------------------------------------- parent side
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (v: string | undefined, dflt: string): string[] => (v ?? dflt).split(",").map((s) => s.trim()).filter(Boolean);
const fmtK = (x: number | undefined): string => (x === undefined ? "-" : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x >= 1e3 ? `${(x / 1e3).toFixed(2)}k` : x.toFixed(0));
/** Cores an implementation used, from its label's "-2t" (at most the 2 of this machine). */
/**
 * Each implementation's best round (highest training tokens/s; inference and peak RSS: their own
 * maxima). Rounds run every implementation in turn, so each gets its chances at the host's fast
 * phases (see docs/speed.md: a vCPU here runs at about half speed for seconds at a time).
 */
function bestOfRounds(rounds: readonly Measurement[][]): Measurement[] {
  const first = rounds[0] ?? [];
  return first.map((_, i) => {
    const all = rounds.map((r) => r[i]!).filter((m) => m !== undefined);
    const ok = all.filter((m) => m.tokensPerS);
    if (!ok.length) return all[0]!;
    const best = ok.reduce((a, b) => (b.tokensPerS! > a.tokensPerS! ? b : a));
    const infer = ok.map((m) => m.inferTokensPerS).filter((x): x is number => x !== undefined);
    const rss = ok.map((m) => m.rssMiB).filter((x): x is number => x !== undefined);
    return { ...best, ...(infer.length ? { inferTokensPerS: Math.max(...infer) } : {}), ...(rss.length ? { rssMiB: Math.max(...rss) } : {}) };
  });
}

const coresOf = (impl: string): number => Math.min(2, Number(/-(\d+)t\b/.exec(impl)?.[1] ?? "1"));
const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    const doc = /\/\*\*([\s\S]*?)\*\//.exec((await import("node:fs")).readFileSync(fileURLToPath(import.meta.url), "utf8"))?.[1] ?? "";
    console.log(doc.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n").trim());
    return;
  }
  const childSpec = arg("--child");
  if (childSpec) {
    process.stdout.write(JSON.stringify(await child(childSpec, quick)) + "\n");
    return;
  }
  const rounds = Number(arg("--rounds") ?? "1");
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`bench: --rounds must be a positive integer, got ${arg("--rounds")}`);
  const configs = list(arg("--configs"), "char,word,sentiment");
  const backends = list(arg("--backends"), "native,wasm,ref");
  const all = loadConfigs(REPO);
  for (const c of configs) if (!all[c]) throw new Error(`bench: unknown config "${c}" (have ${Object.keys(all).join(", ")})`);
  const wantTorch = process.argv.includes("--torch");
  const torchThreads = list(arg("--torch-threads"), "1,2").map(Number) as (1 | 2)[];
  const wantTfjs = process.argv.includes("--tfjs");
  const torchModes = process.argv.includes("--torch-ftz") ? [false, true] : [false];
  const dir = benchDir(REPO);
  const { torchUnavailable, runTorch, runTorchGemm } = await import("./torch.js");
  const torchWhy = wantTorch ? torchUnavailable(dir) : "not requested (--torch)";
  console.log(`rnnkit bench — node ${process.version}, ${process.arch}; configs ${configs.join(", ")}; backends ${backends.join(", ")}; native threads ${arg("--native-threads") ?? arg("--threads") ?? "1"}; wasm threads ${arg("--wasm-threads") ?? arg("--threads") ?? "1"}; PyTorch: ${torchWhy ?? `threads ${torchThreads.join(",")}`}; tfjs: ${wantTfjs ? "yes" : "no"}${rounds > 1 ? `; best of ${rounds} rounds per row` : ""}`);

  const peak = spawnChild("peak:native:peak", quick);
  const peakGflops = peak.tokensPerS;
  const nativeThreads = Number(arg("--native-threads") ?? arg("--threads") ?? "1");
  console.log(peakGflops ? `machine peak: ${peakGflops.toFixed(1)} GFLOP/s per core (${peak.impl}, FMA loop); "% peak" = GFLOP/s over the peak of the cores the implementation used` : `machine peak: unknown (${peak.error ?? "?"})`);
  const wasmPeak = backends.includes("wasm") ? spawnChild("peak:wasm:peak", quick) : undefined;
  if (wasmPeak) console.log(wasmPeak.tokensPerS ? `wasm SIMD peak: ${wasmPeak.tokensPerS.toFixed(1)} GFLOP/s per thread (${wasmPeak.impl}, f32x4 FMA loop): the ceiling of 128-bit SIMD in this engine; wasm GEMM rows give their share of it` : `wasm SIMD peak: unknown (${wasmPeak.error ?? "?"})`);

  for (const name of configs) {
    const c: BenchConfig = all[name]!;
    const oneRound = (): Measurement[] => {
      const rows: Measurement[] = [];
      for (const b of backends) rows.push(spawnChild(`rnnkit:${b}:${name}`, quick));
      if (!torchWhy) {
        for (const ftz of torchModes) {
          for (const th of torchThreads) {
            const label = `pytorch-${th}t${ftz ? "-ftz" : ""}`;
            const r = runTorch(dir, name, th, ftz);
            const m: Measurement = r instanceof Error ? { impl: label, config: name, error: r.message } : { impl: `${label} (${r.torch})`, config: name, tokensPerS: r.tokensPerS, stepMs: r.stepMs, rssMiB: r.rssMiB };
            if (name === "char" && !(r instanceof Error)) {
              const inf = runTorch(dir, "char-infer", th, ftz);
              if (!(inf instanceof Error)) m.inferTokensPerS = inf.tokensPerS;
            }
            rows.push(m);
          }
        }
      }
      if (wantTfjs) rows.push(spawnChild(`tfjs:wasm:${name}`, quick));
      return rows;
    };
    const results: Measurement[][] = [];
    for (let i = 0; i < rounds; i++) {
      if (rounds > 1) console.error(`${name}: round ${i + 1}/${rounds}`);
      results.push(oneRound());
    }
    const rows = bestOfRounds(results);
    // the reference is the fastest plain PyTorch run (1 or 2 threads, whichever wins here)
    const torchRuns = rows.filter((r) => r.impl.startsWith("pytorch") && !r.impl.includes("-ftz") && r.tokensPerS).map((r) => r.tokensPerS!);
    const torch1 = torchRuns.length ? Math.max(...torchRuns) : undefined;
    const flops = 3 * forwardFlopsPerToken(c);
    console.log(`\n## ${name}: ${c.desc}`);
    const head = ["impl", "train tok/s", "vs best PyTorch", "GFLOP/s", "% peak", "step ms", ...(name === "char" ? ["infer tok/s"] : []), "peak RSS MiB"];
    const widths = [30, 12, 15, 8, 6, 9, ...(name === "char" ? [12] : []), 12];
    console.log(`| ${head.map((h, i) => pad(h, widths[i]!)).join(" | ")} |`);
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const r of rows) {
      if (r.error) {
        console.log(`| ${pad(r.impl, widths[0]!)} | unavailable: ${r.error.slice(0, 160)}`);
        continue;
      }
      const cells = [
        r.impl,
        fmtK(r.tokensPerS),
        torch1 && r.tokensPerS ? `${(r.tokensPerS / torch1).toFixed(2)}x` : "-",
        r.tokensPerS ? ((r.tokensPerS * flops) / 1e9).toFixed(1) : "-",
        r.tokensPerS && peakGflops ? `${((100 * r.tokensPerS * flops) / 1e9 / (peakGflops * coresOf(r.impl))).toFixed(0)}%` : "-",
        r.stepMs?.toFixed(1) ?? "-",
        ...(name === "char" ? [fmtK(r.inferTokensPerS)] : []),
        r.rssMiB?.toFixed(0) ?? "-",
      ];
      console.log(`| ${cells.map((s, i) => pad(s, widths[i]!)).join(" | ")} |`);
    }
    // PyTorch with flush-to-zero is what a PyTorch user can get on this CPU: the ratios against it too
    const ftzRuns = rows.filter((r) => r.impl.startsWith("pytorch") && r.impl.includes("-ftz") && r.tokensPerS).map((r) => r.tokensPerS!);
    if (ftzRuns.length) {
      const best = Math.max(...ftzRuns);
      const ours = rows.filter((r) => !r.impl.startsWith("pytorch") && !r.impl.startsWith("tfjs") && r.tokensPerS);
      console.log(`vs best PyTorch with flush-to-zero (${fmtK(best)} tok/s): ${ours.map((r) => `${r.impl} ${(r.tokensPerS! / best).toFixed(2)}x`).join(", ")}`);
    }
    // What 1.0× would ask of the wasm backend: the best PyTorch's GFLOP/s as a share of the
    // 128-bit FMA ceiling of the threads the wasm row used (a share near or above what the wasm
    // GEMM reaches alone, 80 % or so, cannot be met by a whole training step).
    const bestTorch = Math.max(0, ...rows.filter((r) => r.impl.startsWith("pytorch") && r.tokensPerS).map((r) => r.tokensPerS!));
    const perThread = wasmPeak?.tokensPerS;
    if (bestTorch && perThread) for (const r of rows.filter((x) => x.impl.startsWith("wasm") && x.tokensPerS)) {
      const ceiling = perThread * coresOf(r.impl);
      const share = (tps: number): string => `${((100 * tps * flops) / 1e9 / ceiling).toFixed(0)} %`;
      console.log(`${r.impl}: matching the best PyTorch (${((bestTorch * flops) / 1e9).toFixed(1)} GFLOP/s) takes ${share(bestTorch)} of its 128-bit ceiling (${ceiling.toFixed(1)} GFLOP/s); it ran at ${share(r.tokensPerS!)}`);
    }
  }

  if (!process.argv.includes("--no-gemm")) {
    console.log(`\n## GEMM C[M,N] = A[M,K]·B[K,N], GFLOP/s, single call through the Backend (wasm includes copying in/out); PyTorch = torch.mm with --torch`);
    const { GEMM_SHAPES } = await import("./gemm.js");
    const shapes = GEMM_SHAPES.map(([M, K, N]) => `${M}x${K}x${N}`);
    console.log(`| ${pad("backend", 22)} | ${shapes.map((s) => pad(s, 14)).join(" | ")} |`);
    console.log(`|${"-".repeat(24)}|${shapes.map(() => "-".repeat(16)).join("|")}|`);
    // With threads, also one thread of each fast backend: "% peak" per core used is then comparable.
    const gemmRuns: Array<[string, Record<string, string>]> = [];
    for (const b of backends) {
      gemmRuns.push([b, {}]);
      if (b === "native" && nativeThreads > 1) gemmRuns.push([b, { RNNKIT_NATIVE_THREADS: "1" }]);
      if (b === "wasm" && Number(arg("--wasm-threads") ?? arg("--threads") ?? "1") > 1) gemmRuns.push([b, { RNNKIT_WASM_THREADS: "1" }]);
    }
    if (backends.includes("wasm")) gemmRuns.push(["wasm-kernel", {}]);
    const gemmRows: Measurement[] = gemmRuns.map(([b, extra]) => spawnChild(`gemm:${b}`, quick, extra));
    if (!torchWhy) {
      for (const th of torchThreads) {
        const r = runTorchGemm(GEMM_SHAPES, th);
        gemmRows.push(r instanceof Error ? { impl: `pytorch-${th}t`, config: "gemm", error: r.message } : { impl: `pytorch-${th}t (torch.mm)`, config: "gemm", gemm: r.gemm });
      }
    }
    // "%": of the AVX-512 FMA peak for native and PyTorch, of the engine's 128-bit SIMD peak for wasm
    for (const r of gemmRows) {
      if (r.error || !r.gemm) {
        console.log(`| ${pad(r.impl, 22)} | unavailable: ${r.error ?? "?"}`);
        continue;
      }
      const perThread = r.impl.startsWith("wasm") ? wasmPeak?.tokensPerS : peakGflops;
      const share = (g: number): string => (perThread ? ` (${((100 * g) / (perThread * coresOf(r.impl))).toFixed(0)}%)` : "");
      console.log(`| ${pad(r.impl, 22)} | ${r.gemm.map((g) => pad(`${g.gflops.toFixed(1)}${share(g.gflops)}`, 14)).join(" | ")} |`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
