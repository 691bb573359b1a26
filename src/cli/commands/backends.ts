import type { Command } from "commander";
import type { Backend } from "../../kernels/backend.js";
import { loadAddon } from "../../kernels/native/addon.js";
import { backend } from "../../kernels/registry.js";
import { type BackendName, BACKEND_NAMES, tryBackend } from "../../kernels/select.js";
import { loadedFlavor, wasmPool } from "../../kernels/wasm/index.js";
import { textTable } from "../../viz/table.js";
import { action } from "../common.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

interface BackendRow {
  name: BackendName;
  available: boolean;
  selected: boolean;
  detail: string;
  gflops: number | null;
}

/** GFLOP/s of a 256×256×256 product through the backend, best of ~0.3 s of calls. */
function gemmSpeed(be: Backend): number {
  const n = 256;
  const A = Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
  const C = new Float32Array(n * n);
  be.gemm(false, false, n, n, n, 1, A, A, 0, C);
  let best = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300) {
    const t = performance.now();
    be.gemm(false, false, n, n, n, 1, A, A, 0, C);
    best = Math.max(best, (2 * n ** 3) / ((performance.now() - t) / 1e3) / 1e9);
  }
  return best;
}

function describe(name: BackendName, be: Backend): string {
  if (name === "native") return `${be.name.replace("native-", "")} kernels chosen for this CPU; ${loadAddon()?.getThreads() ?? 1} thread(s) (RNNKIT_NATIVE_THREADS)`;
  if (name === "wasm") {
    const threads = wasmPool ? wasmPool.waitReady() : 1;
    return `${loadedFlavor ?? "simd"} build; ${threads} thread(s)${wasmPool ? " on shared memory" : ""} (RNNKIT_WASM_THREADS)`;
  }
  return "plain TypeScript: the definition of correct";
}

/** `rnnkit backends`: which kernel backends load here, which one runs, threads, a GEMM speed. */
export function registerBackendsCommand(program: Command): void {
  program
    .command("backends")
    .description("the kernel backends available on this machine (native C++, WebAssembly SIMD, TypeScript reference), the one in use, threads, and a quick GEMM speed")
    .option("--no-speed", "skip the GEMM timing")
    .option("--json", "print JSON")
    .action(
      action((opts: { speed: boolean; json?: boolean }) => {
        const active = backend();
        const rows: BackendRow[] = BACKEND_NAMES.map((name) => {
          const be = tryBackend(name);
          if (be instanceof Error) return { name, available: false, selected: false, detail: be.message, gflops: null };
          return { name, available: true, selected: be === active, detail: describe(name, be), gflops: opts.speed && name !== "ref" ? gemmSpeed(be) : null };
        });
        if (opts.json) return say(JSON.stringify({ selected: active.name, backends: rows }));
        say(textTable(rows.map((r) => [r.selected ? "*" : "", r.name, r.available ? "yes" : "no", r.gflops === null ? "" : r.gflops.toFixed(1), r.detail]), ["", "backend", "available", "GEMM GFLOP/s", "details"]));
        say(`in use: ${active.name} (RNNKIT_BACKEND=native|wasm|ref overrides; results agree up to float rounding)`);
      }),
    );
}
