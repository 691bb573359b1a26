/**
 * Loading the WebAssembly SIMD backend. Two builds ship in build/: rnnkit-relaxed.wasm (relaxed
 * SIMD fused multiply-add, ~20% faster GEMM) and rnnkit.wasm (plain SIMD128). The relaxed build
 * is used when the runtime accepts it (in Node 20 by turning on V8's relaxed-SIMD flag);
 * RNNKIT_WASM_RELAXED=0 forces the plain build.
 *
 *   Node:     loadWasmBackendSync()  — readFileSync + new WebAssembly.Module, at import time
 *   Browser:  await loadWasmBackend() — fetch + WebAssembly.compile (also works in Node)
 *
 * Threads (Node): with RNNKIT_WASM_THREADS=n > 1 (default: the machine's cores, at most 4) the
 * shared-memory build rnnkit-relaxed-mt.wasm is loaded and n−1 worker threads run large GEMMs
 * on the same memory (./pool.ts); results are bit-identical for any n.
 */
import type { Backend } from "../backend.js";
import type { WasmBackendOptions } from "./backend.js";
import { WASM_FILES as FILES, type WasmFlavor, instantiateWasm, noSimd } from "./load.js";
import { envVar, nodeHost } from "./node-host.js";
import type { WasmThreadPool } from "./pool.js";
import { sharedMemory, threadedBackendOn } from "./threaded.js";

export { createWasmBackend, type WasmBackendOptions } from "./backend.js";
export type { KernelExports } from "./exports.js";
export { type WasmFlavor, WASM_FILES, simdSupported, relaxedSimdSupported } from "./load.js";

/** build/<file>, from dist/src/kernels/wasm/ (or src/kernels/wasm/ under a bundler). */
export const wasmUrl = (flavor: WasmFlavor): URL => new URL(`../../../../build/${FILES[flavor]}`, import.meta.url);

const wantRelaxed = (): boolean => envVar("RNNKIT_WASM_RELAXED") !== "0";

const instantiate = (module: WebAssembly.Module, flavor: WasmFlavor, options: WasmBackendOptions): Backend => instantiateWasm(module, FILES[flavor], options);

/** The relaxed build's bytes if this runtime can run them (turning on V8's flag in Node 20). */
function relaxedUsable(bytes: Uint8Array<ArrayBuffer> | null): boolean {
  if (!bytes) return false;
  if (WebAssembly.validate(bytes)) return true;
  if (!nodeHost) return false;
  try {
    nodeHost.enableRelaxedSimd();
  } catch {
    return false;
  }
  return WebAssembly.validate(bytes);
}

/** Which build loadWasmBackendSync / loadWasmBackend picked last ("relaxed", "relaxed-mt" or "simd"). */
export let loadedFlavor: WasmFlavor | null = null;

/** The worker pool of the last threaded backend loaded (null: single-threaded). */
export let wasmPool: WasmThreadPool | null = null;

/** Threads wanted: options.threads, else RNNKIT_WASM_THREADS, else the cores (at most 4). */
function wantedThreads(options: { threads?: number }, cpus: number): number {
  const raw = options.threads ?? envVar("RNNKIT_WASM_THREADS");
  if (raw === undefined || raw === "") return Math.max(1, Math.min(4, cpus));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`wasm backend: threads must be an integer 1…64, got ${JSON.stringify(raw)} (RNNKIT_WASM_THREADS or options.threads)`);
  return n;
}

/** The threaded backend on Node worker threads (./threaded.ts). */
function threadedBackend(module: WebAssembly.Module, threads: number, options: WasmBackendOptions): Backend {
  const host = nodeHost;
  if (!host) throw new Error("threaded wasm backend: needs Node.js worker threads");
  const workerUrl = new URL("./worker.js", import.meta.url);
  const { backend, pool } = threadedBackendOn(module, sharedMemory(), threads, (init) => host.spawnWorker(workerUrl, init), FILES["relaxed-mt"], options);
  wasmPool = pool;
  return backend;
}

/**
 * Synchronous load for Node: reads build/*.wasm next to the package. Throws an Error saying what
 * is missing (not Node, build/ absent — run `node scripts/build-wasm.mjs` —, no SIMD).
 */
export function loadWasmBackendSync(options: WasmBackendOptions & { threads?: number } = {}): Backend {
  if (!nodeHost) throw new Error("loadWasmBackendSync: synchronous loading needs Node.js (hint: in a browser, await loadWasmBackend())");
  const host = nodeHost;
  const { threads: threadsOpt, ...rest } = options;
  options = rest;
  const read = (flavor: WasmFlavor): Uint8Array<ArrayBuffer> | null => {
    try {
      return host.readFile(wasmUrl(flavor));
    } catch {
      return null;
    }
  };
  const threads = wantedThreads(threadsOpt === undefined ? {} : { threads: threadsOpt }, host.cpus());
  const relaxed = wantRelaxed() ? read("relaxed") : null;
  wasmPool = null;
  if (relaxedUsable(relaxed) && relaxed) {
    const mt = threads > 1 && typeof SharedArrayBuffer === "function" ? read("relaxed-mt") : null;
    if (mt && WebAssembly.validate(mt)) {
      try {
        const be = threadedBackend(new WebAssembly.Module(mt), threads, options);
        loadedFlavor = "relaxed-mt";
        return be;
      } catch (e) {
        // e.g. no room for a 4 GiB shared memory reservation (ulimit -v): one thread still works
        console.warn(`rnnkit: wasm worker threads unavailable (${e instanceof Error ? e.message : String(e)}); using one thread`);
      }
    }
    loadedFlavor = "relaxed";
    return instantiate(new WebAssembly.Module(relaxed), "relaxed", options);
  }
  const plain = read("simd");
  if (!plain) throw new Error(`wasm backend: ${wasmUrl("simd").pathname} not found (hint: run \`node scripts/build-wasm.mjs\` in the package, or \`npm install\` which runs it)`);
  if (!WebAssembly.validate(plain)) throw noSimd("wasm backend");
  loadedFlavor = "simd";
  return instantiate(new WebAssembly.Module(plain), "simd", options);
}

/**
 * Asynchronous load for browsers (fetch) and Node. `source` overrides where the bytes come from:
 * a URL, or the bytes of rnnkit.wasm / rnnkit-relaxed.wasm themselves.
 */
export async function loadWasmBackend(options: WasmBackendOptions & { source?: URL | string | Uint8Array<ArrayBuffer> } = {}): Promise<Backend> {
  const { source, ...rest } = options;
  if (source instanceof Uint8Array) {
    if (!WebAssembly.validate(source)) throw noSimd("loadWasmBackend");
    loadedFlavor = null;
    return instantiate(await WebAssembly.compile(source), "simd", rest);
  }
  if (source !== undefined || !nodeHost) {
    const fetchBytes = async (u: URL | string): Promise<Uint8Array<ArrayBuffer> | null> => {
      try {
        const r = await fetch(u);
        return r.ok ? new Uint8Array(await r.arrayBuffer()) : null;
      } catch {
        return null;
      }
    };
    if (source !== undefined) {
      const bytes = await fetchBytes(source);
      if (!bytes) throw new Error(`loadWasmBackend: could not fetch ${String(source)}`);
      if (!WebAssembly.validate(bytes)) throw noSimd("loadWasmBackend");
      return instantiate(await WebAssembly.compile(bytes), "simd", rest);
    }
    const relaxed = wantRelaxed() ? await fetchBytes(wasmUrl("relaxed")) : null;
    if (relaxed && WebAssembly.validate(relaxed)) {
      loadedFlavor = "relaxed";
      return instantiate(await WebAssembly.compile(relaxed), "relaxed", rest);
    }
    const plain = await fetchBytes(wasmUrl("simd"));
    if (!plain) throw new Error(`loadWasmBackend: could not fetch ${wasmUrl("simd").href} (hint: serve the package's build/ folder, or pass { source })`);
    if (!WebAssembly.validate(plain)) throw noSimd("loadWasmBackend");
    loadedFlavor = "simd";
    return instantiate(await WebAssembly.compile(plain), "simd", rest);
  }
  return loadWasmBackendSync(rest);
}
