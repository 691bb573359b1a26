#!/usr/bin/env node
/**
 * AWD-LSTM benchmark: training tokens/s of AWD-LSTM language models (the paper's PTB model, a
 * smaller one, a 50k-word vocabulary with the full and the adaptive softmax) and of ULMFiT-style
 * classifier fine-tuning, rnnkit beside PyTorch running the same model (nn.LSTM with the same
 * regularisation, torch.optim.ASGD, nn.AdaptiveLogSoftmaxWithLoss: bench/torch_awd.py), one run.
 *
 *   node dist/bench/awd.js [--configs small,paper,v50k-full,v50k-adaptive,classifier]
 *                          [--backends native,wasm] [--threads 1] [--no-torch] [--torch-ftz] [--quick]
 *
 * A step = forward + backward + clip + optimizer step (ASGD for the LMs, Adam for the classifier)
 * on one BPTT window of batch × bptt tokens; tokens/s = batch·bptt / median step time over
 * `samples` steps after `warmup` steps (2 and 5; --quick 1 and 3). Each measurement runs in its own
 * process with the same thread count (RNNKIT_NATIVE_THREADS / RNNKIT_WASM_THREADS and
 * torch.set_num_threads; PyTorch with the OpenMP OpenBLAS build for 2 threads, as bench/torch.ts).
 * Besides wall-clock time the process CPU time per step is reported (all its threads): on a
 * shared machine it is what the work costs, while wall time also counts waiting for a core.
 * Single thread by default; --torch-ftz runs PyTorch with torch.set_flush_denormal(True).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AR_ALPHA, AWD_CONFIGS, AWD_DROPOUT, CLIP, LM_LR, TAR_BETA, zipfIds } from "./awd-configs.js";
import { PYTHON, torchEnv } from "./torch.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");

interface Row {
  impl: string;
  config: string;
  stepMs?: number;
  /** Process CPU time per step (all threads), ms: robust to other processes sharing the cores. */
  cpuMs?: number;
  tokensPerS?: number;
  error?: string;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes("--quick");
const WARMUP = quick ? 1 : 2;
const SAMPLES = quick ? 3 : 5;
const N_IDS = 200_000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function child(config: string, backendName: string): Promise<Row> {
  const { tryBackend } = await import("../src/kernels/select.js");
  const { setBackend } = await import("../src/kernels/registry.js");
  const be = tryBackend(backendName as "native" | "wasm" | "ref");
  if (be instanceof Error) return { impl: backendName, config, error: be.message };
  setBackend(be);
  let impl = be.name;
  if (backendName === "wasm") {
    const { wasmPool } = await import("../src/kernels/wasm/index.js");
    const t = wasmPool ? wasmPool.waitReady() : 1;
    if (t > 1) impl = `wasm-${t}t`;
  } else if (backendName === "native") impl = `${be.name}-${process.env.RNNKIT_NATIVE_THREADS ?? "?"}t`;
  const c = AWD_CONFIGS[config]!;
  const { awdStep } = await import("./awd-model.js");
  const step = awdStep(c, zipfIds(N_IDS, c.vocab));
  for (let i = 0; i < WARMUP; i++) step();
  const ts: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    step();
    const u = process.cpuUsage(c0);
    ts.push(performance.now() - t0);
    cpu.push((u.user + u.system) / 1e3);
  }
  const med = median(ts);
  return { impl, config, stepMs: med, cpuMs: median(cpu), tokensPerS: (c.batch * c.bptt) / (med / 1e3) };
}

function runRnnkit(config: string, backendName: string, threads: string): Row {
  const args = [fileURLToPath(import.meta.url), "--child", `${config}:${backendName}`, ...(quick ? ["--quick"] : [])];
  const env = { ...process.env, RNNKIT_NATIVE_THREADS: threads, RNNKIT_WASM_THREADS: threads };
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env, maxBuffer: 1 << 24 });
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Row;
  } catch {
    return { impl: backendName, config, error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") };
  }
}

function runTorch(config: string, threads: number, idsPath: string): Row {
  const c = AWD_CONFIGS[config]!;
  const cfg = { ...c, dropout: AWD_DROPOUT, alpha: AR_ALPHA, beta: TAR_BETA, clip: CLIP, lr: LM_LR, n_ids: N_IDS };
  const r = spawnSync(PYTHON, [join(REPO, "bench", "torch_awd.py"), JSON.stringify(cfg), idsPath, String(threads), String(WARMUP), String(SAMPLES), ...(process.argv.includes("--torch-ftz") ? ["ftz"] : [])], { encoding: "utf8", env: torchEnv(threads === 1 ? 1 : 2), maxBuffer: 1 << 24 });
  try {
    const j = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { step_ms: number; cpu_ms: number; tokens_per_s: number; torch: string; threads: number };
    return { impl: `pytorch ${j.torch} ${j.threads}t${process.argv.includes("--torch-ftz") ? " ftz" : ""}`, config, stepMs: j.step_ms, cpuMs: j.cpu_ms, tokensPerS: j.tokens_per_s };
  } catch {
    return { impl: "pytorch", config, error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") };
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--child")) {
    const [config, be] = arg("--child")!.split(":") as [string, string];
    console.log(JSON.stringify(await child(config, be)));
    return;
  }
  if (process.argv.includes("--help")) {
    console.log("usage: node dist/bench/awd.js [--configs " + Object.keys(AWD_CONFIGS).join(",") + "] [--backends native,wasm] [--threads 1] [--no-torch] [--torch-ftz] [--quick]");
    return;
  }
  const configs = (arg("--configs") ?? "small,v50k-full,v50k-adaptive,paper,classifier").split(",").filter(Boolean);
  for (const c of configs) if (!AWD_CONFIGS[c]) throw new Error(`--configs: unknown config "${c}"; expected ${Object.keys(AWD_CONFIGS).join(", ")}`);
  const backends = (arg("--backends") ?? "native").split(",").filter(Boolean);
  const threads = arg("--threads") ?? "1";
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-awd-"));
  const rows: Row[] = [];
  for (const config of configs) {
    const c = AWD_CONFIGS[config]!;
    console.error(`${config}: V ${c.vocab}, E ${c.emb}, LSTM ${c.hidden.join("/")}, batch ${c.batch} × bptt ${c.bptt} — ${c.note}`);
    for (const be of backends) {
      const r = runRnnkit(config, be, threads);
      rows.push(r);
      console.error(`  ${r.impl}: ${r.error ?? `${r.stepMs!.toFixed(0)} ms/step (CPU ${r.cpuMs!.toFixed(0)} ms), ${r.tokensPerS!.toFixed(0)} tokens/s`}`);
    }
    if (!process.argv.includes("--no-torch")) {
      const idsPath = join(dir, `${config}.i32`);
      const ids = zipfIds(N_IDS, c.vocab);
      writeFileSync(idsPath, new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
      const r = runTorch(config, Number(threads), idsPath);
      rows.push(r);
      console.error(`  ${r.impl}: ${r.error ?? `${r.stepMs!.toFixed(0)} ms/step (CPU ${r.cpuMs!.toFixed(0)} ms), ${r.tokensPerS!.toFixed(0)} tokens/s`}`);
    }
  }
  // table: tokens/s per config and implementation, ratios to PyTorch (wall clock and CPU time)
  console.log(`\n| config | implementation | ms/step | CPU ms/step | tokens/s | tokens/CPU-s | × PyTorch (wall) | × PyTorch (CPU) |\n|---|---|---:|---:|---:|---:|---:|---:|`);
  for (const config of configs) {
    const c = AWD_CONFIGS[config]!;
    const tok = c.batch * c.bptt;
    const torch = rows.find((r) => r.config === config && r.impl.startsWith("pytorch") && r.tokensPerS);
    for (const r of rows.filter((x) => x.config === config)) {
      if (r.error) {
        console.log(`| ${config} | ${r.impl} | error: ${r.error} |`);
        continue;
      }
      const wall = torch ? (torch.stepMs! / r.stepMs!).toFixed(2) + "×" : "-";
      const cpuRatio = torch ? (torch.cpuMs! / r.cpuMs!).toFixed(2) + "×" : "-";
      console.log(`| ${config} | ${r.impl} | ${r.stepMs!.toFixed(0)} | ${r.cpuMs!.toFixed(0)} | ${r.tokensPerS!.toFixed(0)} | ${(tok / (r.cpuMs! / 1e3)).toFixed(0)} | ${wall} | ${cpuRatio} |`);
    }
  }
  const full = rows.find((r) => r.config === "v50k-full" && !r.impl.startsWith("pytorch"));
  const ad = rows.find((r) => r.config === "v50k-adaptive" && !r.impl.startsWith("pytorch"));
  if (full?.tokensPerS && ad?.tokensPerS) console.log(`\nadaptive vs full softmax, 50k words (rnnkit ${ad.impl}): ${(ad.tokensPerS / full.tokensPerS).toFixed(2)}× the tokens/s`);
}

await main();
