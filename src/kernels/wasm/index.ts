/**
 * Loading the WebAssembly SIMD backend. Two builds ship in build/: rnnkit-relaxed.wasm (relaxed
 * SIMD fused multiply-add, ~20% faster GEMM) and rnnkit.wasm (plain SIMD128). The relaxed build
 * is used when the runtime accepts it (in Node 20 by turning on V8's relaxed-SIMD flag);
 * RNNKIT_WASM_RELAXED=0 forces the plain build.
 *
 *   Node:     loadWasmBackendSync()  — readFileSync + new WebAssembly.Module, at import time
 *   Browser:  await loadWasmBackend() — fetch + WebAssembly.compile (also works in Node)
 */
import type { Backend } from "../backend.js";
import type { WasmBackendOptions } from "./backend.js";
import { WASM_FILES as FILES, type WasmFlavor, instantiateWasm, noSimd } from "./load.js";
import { envVar, nodeHost } from "./node-host.js";

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

/** Which build loadWasmBackendSync / loadWasmBackend picked last ("relaxed" or "simd"). */
export let loadedFlavor: WasmFlavor | null = null;

/**
 * Synchronous load for Node: reads build/*.wasm next to the package. Throws an Error saying what
 * is missing (not Node, build/ absent — run `node scripts/build-wasm.mjs` —, no SIMD).
 */
export function loadWasmBackendSync(options: WasmBackendOptions = {}): Backend {
  if (!nodeHost) throw new Error("loadWasmBackendSync: synchronous loading needs Node.js (hint: in a browser, await loadWasmBackend())");
  const host = nodeHost;
  const read = (flavor: WasmFlavor): Uint8Array<ArrayBuffer> | null => {
    try {
      return host.readFile(wasmUrl(flavor));
    } catch {
      return null;
    }
  };
  const relaxed = wantRelaxed() ? read("relaxed") : null;
  if (relaxedUsable(relaxed) && relaxed) {
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
