/**
 * The threaded wasm backend in browsers: Web Workers running ./web-worker.ts on one shared
 * WebAssembly.Memory. Browsers allow this only when
 *  - the page is cross-origin isolated (served with Cross-Origin-Opener-Policy: same-origin and
 *    Cross-Origin-Embedder-Policy: require-corp), else SharedArrayBuffer does not exist;
 *  - the backend runs inside a Web Worker: the pool waits for its workers with Atomics.wait,
 *    which the browser's main thread may not call;
 *  - the engine has relaxed SIMD (the shared-memory build is the relaxed one; Chrome ≥ 114).
 * threadsUnavailable() says which of these is missing, in words a page can show.
 */
import type { Backend } from "../backend.js";
import type { WasmBackendOptions } from "./backend.js";
import { relaxedSimdSupported } from "./load.js";
import type { WasmThreadPool } from "./pool.js";
import { READY } from "./pool-protocol.js";
import { sharedMemory, threadedBackendOn } from "./threaded.js";

interface WebWorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: "error", listener: (e: { message?: string }) => void): void;
}
type WorkerCtor = new (url: URL | string, options: { type: "module"; name?: string }) => WebWorkerLike;

const g = globalThis as unknown as { Worker?: WorkerCtor; WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };

/** Why worker threads cannot run here (null: they can). */
export function threadsUnavailable(): string | null {
  if (typeof g.SharedArrayBuffer !== "function" || g.crossOriginIsolated === false)
    return "the page is not cross-origin isolated, so SharedArrayBuffer is unavailable (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  if (g.WorkerGlobalScope === undefined) return "threads run only inside a Web Worker (the browser's main thread may not block in Atomics.wait)";
  if (typeof g.Worker !== "function") return "this browser cannot start Web Workers from a worker";
  if (!relaxedSimdSupported()) return "the threaded kernels need WebAssembly relaxed SIMD (Chrome ≥ 114)";
  return null;
}

/** Wait (yielding to the event loop: a Web Worker starts only then) until every worker is ready or failed. */
async function workersReady(pool: WasmThreadPool, controls: Int32Array[], timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (controls.some((c) => Atomics.load(c, READY) === 0) && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 5));
  return pool.threads;
}

/**
 * Start the threaded backend: `module` is the compiled rnnkit-relaxed-mt.wasm, `workerUrl` the
 * bundled ./web-worker.ts (rnnkit-pool-worker.js). Resolves once the workers have started (or
 * after 10 s with those that did); `threads` in the result is how many run.
 */
export async function loadWebThreadedBackend(module: WebAssembly.Module, threads: number, workerUrl: URL, options: WasmBackendOptions = {}): Promise<{ backend: Backend; pool: WasmThreadPool; threads: number }> {
  const why = threadsUnavailable();
  if (why) throw new Error(`wasm threads: ${why}`);
  const Ctor = g.Worker as WorkerCtor;
  let memory: WebAssembly.Memory;
  try {
    memory = sharedMemory();
  } catch {
    memory = sharedMemory(16384); // a 4 GiB reservation refused (32-bit or constrained browsers): 1 GiB
  }
  const controls: Int32Array[] = [];
  const { backend, pool } = threadedBackendOn(
    module,
    memory,
    threads,
    (init) => {
      const ctl = new Int32Array(init.control, 0, READY + 1);
      controls.push(ctl);
      const w = new Ctor(workerUrl, { type: "module", name: "rnnkit-pool" });
      w.addEventListener("error", (e) => {
        console.error(`rnnkit: a wasm worker failed (${e.message ?? workerUrl.href})`);
        Atomics.compareExchange(ctl, READY, 0, -1); // never started: stop waiting for it
      });
      w.postMessage(init);
      return { terminate: () => w.terminate() };
    },
    "rnnkit-relaxed-mt.wasm",
    options,
  );
  return { backend, pool, threads: await workersReady(pool, controls, 10000) };
}
