/**
 * PyTorch side of the benchmark: runs /work/shared/bench/torch_lstm.py with Debian's
 * /usr/bin/python3 (when it has torch) in the README's configurations: 1 thread with the
 * OpenBLAS pthreads build, or 2 threads with the OpenMP build. One process per config, so the
 * reported peak RSS is that config's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";

export interface TorchResult {
  tokensPerS: number;
  stepMs: number;
  rssMiB: number;
  torch: string;
  threads: number;
}

/** Why PyTorch cannot run here, or null when it can. */
export function torchUnavailable(dir: string): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (!existsSync(join(dir, "torch_lstm.py"))) return `${join(dir, "torch_lstm.py")} not found`;
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (r.status !== 0) return `${PYTHON} has no torch (apt-get install -y python3-torch libopenblas0-pthread libopenblas0-openmp)`;
  // without OpenBLAS, Debian's PyTorch runs on the reference BLAS (libblas3): several times slower,
  // which would make every ratio against it look better than it is
  const missing = (["pthread", "openmp"] as const).filter((f) => !blasDir(f)).map((f) => `libopenblas0-${f}`);
  if (missing.length) return `${missing.join(" and ")} not installed: PyTorch would run on the reference BLAS (apt-get install -y ${missing.join(" ")})`;
  return null;
}

/** Directory of libopenblas0-<flavor>'s libblas.so.3, as the README's blas() helper. */
function blasDir(flavor: "pthread" | "openmp"): string | null {
  try {
    const files = execFileSync("dpkg", ["-L", `libopenblas0-${flavor}`], { encoding: "utf8" }).split("\n");
    const lib = files.find((f) => f.endsWith("libblas.so.3"));
    return lib ? dirname(lib) : null;
  } catch {
    return null;
  }
}

/**
 * The environment of the README's two PyTorch configurations: OpenBLAS's AVX-512 kernels
 * (OPENBLAS_CORETYPE unset), the pthreads build on 1 thread, the OpenMP build on 2.
 */
export function torchEnv(threads: 1 | 2): NodeJS.ProcessEnv {
  const lib = blasDir(threads === 1 ? "pthread" : "openmp");
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (lib) env.LD_LIBRARY_PATH = lib;
  if (threads === 1) env.OPENBLAS_NUM_THREADS = "1";
  return env;
}

/**
 * Run one config ("char", "word", "sentiment" or "char-infer") with 1 or 2 threads. `ftz` first
 * calls torch.set_flush_denormal(True): on Intel cores subnormal gradients (long sequences) make
 * default PyTorch up to ~10× slower; rnnkit's wasm kernels flush tiny gradients themselves.
 */
export function runTorch(dir: string, config: string, threads: 1 | 2, ftz = false): TorchResult | Error {
  // run the script as __main__, then report this process's peak RSS
  const code = [
    "import json, resource, runpy, sys",
    ...(ftz ? ["import torch", "torch.set_flush_denormal(True)"] : []),
    `sys.argv = [${JSON.stringify(join(dir, "torch_lstm.py"))}, ${JSON.stringify(String(threads))}, ${JSON.stringify(config)}]`,
    `runpy.run_path(sys.argv[0], run_name="__main__")`,
    `print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))`,
  ].join("\n");
  const r = spawnSync(PYTHON, ["-c", code], { env: torchEnv(threads), encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) return new Error(`torch_lstm.py ${config} failed: ${r.stderr.slice(-500)}`);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const res = lines.find((l) => l.impl === "pytorch");
  const rss = lines.find((l) => "maxrss_kib" in l);
  if (!res) return new Error(`torch_lstm.py ${config}: no result line in ${r.stdout.slice(0, 300)}`);
  const timing = (res.train ?? res.batched) as { tokens_per_s: number; step_ms: number };
  return { tokensPerS: timing.tokens_per_s, stepMs: timing.step_ms, rssMiB: Number(rss?.maxrss_kib ?? 0) / 1024, torch: String(res.torch), threads: Number(res.threads) };
}

/** torch.mm GFLOP/s at `shapes` ([M, K, N]) in the same configurations (bench/torch_gemm.py). */
export function runTorchGemm(shapes: readonly (readonly [number, number, number])[], threads: 1 | 2): { torch: string; gemm: { shape: string; gflops: number }[] } | Error {
  const script = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "torch_gemm.py"); // dist/bench → bench/
  const r = spawnSync(PYTHON, [script, String(threads), JSON.stringify(shapes)], { env: torchEnv(threads), encoding: "utf8" });
  if (r.status !== 0) return new Error(`torch_gemm.py failed: ${r.stderr.slice(-500)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { torch: string; gemm: { shape: string; gflops: number }[] };
}
