/**
 * Backend selection at startup. Importing this module installs the fastest backend available:
 *   native (C++ addon, when loadNativeBackend() finds one) → wasm (WebAssembly SIMD) → ref.
 * RNNKIT_BACKEND=native|wasm|ref overrides the order (an unavailable choice falls back down the
 * same chain). Falling back is reported once on stderr. In Node everything here is synchronous;
 * in a browser the wasm module must be fetched, so `await ready()` before heavy work.
 */
import type { Backend } from "./backend.js";
import * as native from "./native/index.js";
import { refBackend } from "./ref/index.js";
import { backend, setBackend } from "./registry.js";
import { loadWasmBackend, loadWasmBackendSync } from "./wasm/index.js";
import { envVar, nodeHost } from "./wasm/node-host.js";

export type BackendName = "native" | "wasm" | "ref";
export const BACKEND_NAMES: readonly BackendName[] = ["native", "wasm", "ref"];

const cache = new Map<BackendName, Backend | Error>();

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Load (once) one backend by name; an Error says why it is unavailable. */
export function tryBackend(name: BackendName): Backend | Error {
  const hit = cache.get(name);
  if (hit) return hit;
  let r: Backend | Error;
  try {
    if (name === "ref") r = refBackend;
    else if (name === "wasm") r = loadWasmBackendSync();
    else r = native.loadNativeBackend() ?? new Error(nativeWhy());
  } catch (e) {
    r = asError(e);
  }
  cache.set(name, r);
  return r;
}

/** Every backend by name: the Backend, or the reason it cannot run here (for benchmarks, CLI info). */
export function availableBackends(): Record<BackendName, Backend | Error> {
  return { native: tryBackend("native"), wasm: tryBackend("wasm"), ref: tryBackend("ref") };
}

/** The native loader's own reason when it has one (nativeLoadError), else a generic one. */
function nativeWhy(): string {
  const why = (native as { nativeLoadError?: () => string | null }).nativeLoadError?.();
  return why ?? "no native addon for this platform";
}

let warned = false;
function warnOnce(msg: string): void {
  if (warned) return;
  warned = true;
  console.warn(`rnnkit: ${msg}`);
}

/** The backend RNNKIT_BACKEND asks for, or null for automatic choice. */
function requested(): BackendName | null {
  const v = envVar("RNNKIT_BACKEND")?.trim().toLowerCase();
  if (!v || v === "auto") return null;
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  warnOnce(`RNNKIT_BACKEND=${v} is not one of native, wasm, ref, auto; choosing automatically`);
  return null;
}

/**
 * Choose and install a backend: `prefer` (default: RNNKIT_BACKEND, else native) and down the
 * chain native → wasm → ref from there. Returns the installed backend.
 */
export function selectBackend(prefer: BackendName | null = requested()): Backend {
  const chain = BACKEND_NAMES.slice(BACKEND_NAMES.indexOf(prefer ?? "native"));
  const reasons: string[] = [];
  for (const name of chain) {
    const b = tryBackend(name);
    if (b instanceof Error) {
      reasons.push(`${name}: ${b.message}`);
      continue;
    }
    // Automatic choice in a browser: wasm arrives later through ready(), no need to warn.
    if (reasons.length > 0 && (prefer !== null || nodeHost)) warnOnce(`using the ${name} backend (${reasons.join("; ")})`);
    setBackend(b);
    return b;
  }
  setBackend(refBackend);
  return refBackend;
}

let readyPromise: Promise<Backend> | null = null;

/**
 * Resolves once the best backend is installed. In Node that already happened synchronously at
 * import; in a browser this fetches and compiles the wasm module (unless RNNKIT_BACKEND-style
 * choice or an earlier setBackend picked something else).
 */
export function ready(): Promise<Backend> {
  if (readyPromise) return readyPromise;
  if (nodeHost || backend().name !== "ref") {
    readyPromise = Promise.resolve(backend());
    return readyPromise;
  }
  readyPromise = loadWasmBackend()
    .then((b) => {
      cache.set("wasm", b);
      if (backend() === refBackend) setBackend(b);
      return backend();
    })
    .catch((e: unknown) => {
      warnOnce(`using the ref backend (wasm: ${asError(e).message})`);
      return backend();
    });
  return readyPromise;
}

selectBackend();
