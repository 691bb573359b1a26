/**
 * The threaded wasm backend, host-neutral: one shared WebAssembly.Memory, the calling thread's
 * instance of the shared-memory kernel module (rnnkit-relaxed-mt.wasm) and `threads − 1` workers
 * on it, started by `spawn` (Node worker_threads in ./index.ts, Web Workers in ./web-threads.ts).
 * Each instance gets a private edge-tile scratch just above the static data (a worker's
 * instantiation re-applies the static data segments, so none of them may be written there).
 */
import type { Backend } from "../backend.js";
import { type WasmBackendOptions, createWasmBackend } from "./backend.js";
import { asKernelExports } from "./exports.js";
import { type SpawnWorker, WasmThreadPool } from "./pool.js";

const TILE_BYTES = 4 * 4 * 8; // MR × NR floats (assembly/gemm.ts)

/** Shared memory of 16 MiB growing up to `maxPages` 64 KiB pages (default 4 GiB, the wasm32 limit). */
export function sharedMemory(maxPages = 65536): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 256, maximum: maxPages, shared: true });
}

export function threadedBackendOn(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, spawn: SpawnWorker, label: string, options: WasmBackendOptions): { backend: Backend; pool: WasmThreadPool } {
  const ex = asKernelExports(new WebAssembly.Instance(module, { env: { memory } }).exports, `wasm backend (${label})`);
  const base = Math.ceil(ex.heapBase() / 64) * 64;
  ex.setTile(base);
  const tiles = Array.from({ length: threads - 1 }, (_, i) => base + TILE_BYTES * (i + 1));
  const heapBase = base + TILE_BYTES * threads;
  const pool = new WasmThreadPool(module, memory, tiles, spawn);
  return { backend: createWasmBackend(ex, { name: "wasm", ...options, pool, heapBase }), pool };
}
