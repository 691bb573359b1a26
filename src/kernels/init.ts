/**
 * Asynchronous backend start-up for browsers (and any host without Node's file system): fetch or
 * take the bytes of a wasm kernel module, check the engine can run it, install it. Browsers
 * cannot use kernels/select.ts, which loads the native addon and reads build/ synchronously, so
 * the browser entry (src/browser.ts) calls this instead. Nothing here imports Node.
 */
import type { Backend } from "./backend.js";
import { refBackend } from "./ref/index.js";
import { setBackend } from "./registry.js";
import { WASM_FILES, type WasmFlavor, instantiateWasm, noSimd, relaxedSimdSupported, simdSupported } from "./wasm/load.js";
import { loadWebThreadedBackend, threadsUnavailable } from "./wasm/web-threads.js";

/** The bundled ./wasm/web-worker.ts, next to the browser bundle (scripts/build-browser.mjs). */
export const POOL_WORKER_FILE = "rnnkit-pool-worker.js";

/** Where a wasm kernel module comes from: a URL to fetch, or the module's bytes. */
export type WasmSource = URL | string | ArrayBuffer | Uint8Array;

export interface InitOptions {
  /**
   * The kernel module (rnnkit.wasm or rnnkit-relaxed.wasm) as a URL or bytes. Default: the two
   * files next to `base` — the relaxed-SIMD build when the engine supports it, else the plain one.
   */
  wasm?: WasmSource;
  /** Folder the default files are fetched from (the browser entry passes its own location). */
  base?: URL | string;
  /**
   * "auto" (default): wasm, or the reference backend with a console warning when wasm cannot run.
   * "wasm": wasm or reject (for pages that would rather fail than be several times slower).
   * "ref": the reference TypeScript kernels, no download.
   */
  backend?: "auto" | "wasm" | "ref";
  /** Use rnnkit-relaxed.wasm when supported and `wasm` is not given (default true; false gives bit-for-bit the plain SIMD build's results). */
  relaxed?: boolean;
  /**
   * Threads for the wasm kernels (default 1). More than 1 loads rnnkit-relaxed-mt.wasm and starts
   * threads − 1 Web Workers (rnnkit-pool-worker.js) next to `base`; browsers allow it only inside a
   * Web Worker of a cross-origin-isolated page with relaxed SIMD. Otherwise init runs on one
   * thread and says why in `threadsWarning` (see wasm/web-threads.ts).
   */
  threads?: number;
}

export interface InitResult {
  /** The installed backend's name: "wasm", or "ref" when requested or after a fallback. */
  backend: "wasm" | "ref";
  /** Which default build was loaded; null for a caller-supplied module or the ref backend. */
  flavor: WasmFlavor | null;
  /** Why wasm is not running, when it fell back to ref. */
  warning?: string;
  /** Threads the kernels run on (1 unless `threads` asked for more and they started). */
  threads: number;
  /** Why fewer threads run than asked for. */
  threadsWarning?: string;
}

const describe = (s: WasmSource): string => (s instanceof URL ? s.href : typeof s === "string" ? s : `${s.byteLength} bytes`);

async function bytesOf(source: WasmSource): Promise<Uint8Array<ArrayBuffer>> {
  // Copy caller-owned bytes: WebAssembly.compile wants a plain (non-shared) ArrayBuffer view.
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return new Uint8Array(source);
  const r = await fetch(source);
  if (!r.ok) throw new Error(`could not fetch ${describe(source)}: HTTP ${r.status} ${r.statusText} (hint: copy rnnkit.wasm next to rnnkit.js, or pass init({ wasm }))`);
  return new Uint8Array(await r.arrayBuffer());
}

async function loadWasm(o: InitOptions): Promise<{ backend: Backend; flavor: WasmFlavor | null }> {
  if (o.wasm !== undefined) {
    const bytes = await bytesOf(o.wasm);
    if (!WebAssembly.validate(bytes)) throw noSimd(`wasm module ${describe(o.wasm)}`);
    return { backend: instantiateWasm(await WebAssembly.compile(bytes), describe(o.wasm), {}), flavor: null };
  }
  if (o.base === undefined) throw new Error("init: cannot tell where rnnkit.wasm is (this copy of rnnkit was bundled without import.meta.url); pass init({ wasm }) with the URL of rnnkit.wasm or its bytes, or init({ base }) with the folder that holds it");
  const flavor: WasmFlavor = o.relaxed !== false && relaxedSimdSupported() ? "relaxed" : "simd";
  const url = new URL(WASM_FILES[flavor], o.base);
  const bytes = await bytesOf(url);
  if (!WebAssembly.validate(bytes)) throw noSimd(`wasm module ${url.href}`);
  return { backend: instantiateWasm(await WebAssembly.compile(bytes), WASM_FILES[flavor], {}), flavor };
}

/**
 * Install the fastest backend this engine can run and say which. Until it resolves, rnnkit runs
 * on the reference backend (correct, only slower), so calling it is an optimisation, not a
 * precondition. Checks for WebAssembly SIMD first, so an engine without it downloads nothing.
 */
export async function initBackend(options: InitOptions = {}): Promise<InitResult> {
  const mode = options.backend ?? "auto";
  if (mode === "ref") {
    setBackend(refBackend);
    return { backend: "ref", flavor: null, threads: 1 };
  }
  const wanted = options.threads ?? 1;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 64) throw new RangeError(`init: threads must be an integer 1…64, got ${String(options.threads)}`);
  let threadsWarning: string | undefined;
  if (wanted > 1 && options.wasm === undefined && options.base !== undefined && options.relaxed !== false && simdSupported()) {
    const why = threadsUnavailable();
    if (why) threadsWarning = `rnnkit: running the wasm kernels on one thread: ${why}`;
    else {
      try {
        const bytes = await bytesOf(new URL(WASM_FILES["relaxed-mt"], options.base));
        const r = await loadWebThreadedBackend(await WebAssembly.compile(bytes), wanted, new URL(POOL_WORKER_FILE, options.base));
        setBackend(r.backend);
        const res: InitResult = { backend: "wasm", flavor: "relaxed-mt", threads: r.threads };
        if (r.threads < wanted) res.threadsWarning = `rnnkit: ${r.threads} of ${wanted} wasm threads started (the others failed; see the console)`;
        return res;
      } catch (e) {
        threadsWarning = `rnnkit: running the wasm kernels on one thread: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  } else if (wanted > 1) threadsWarning = "rnnkit: running the wasm kernels on one thread: threads need the default module files (pass base, not wasm), relaxed not false, and WebAssembly SIMD";
  if (threadsWarning) console.warn(threadsWarning);
  const one = (r: InitResult): InitResult => (threadsWarning ? { ...r, threadsWarning } : r);
  try {
    if (!simdSupported()) throw new Error("WebAssembly SIMD128 is not available in this JavaScript engine (rnnkit's wasm kernels need Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4 or Node ≥ 16.4)");
    const { backend, flavor } = await loadWasm(options);
    setBackend(backend);
    return one({ backend: "wasm", flavor, threads: 1 });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (mode === "wasm") throw e instanceof Error ? e : new Error(why);
    setBackend(refBackend);
    const warning = `rnnkit: using the reference backend (correct, but several times slower): ${why}`;
    console.warn(warning);
    return one({ backend: "ref", flavor: null, warning, threads: 1 });
  }
}
