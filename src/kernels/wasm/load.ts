/**
 * The environment-free half of the wasm loader: compile checks, instantiation and feature probes.
 * It imports nothing from Node, so browser bundles (src/browser.ts) can use it without pulling in
 * ./node-host.ts; ./index.ts builds the Node-aware loaders on top of it.
 */
import type { Backend } from "../backend.js";
import { createWasmBackend, type WasmBackendOptions } from "./backend.js";
import { asKernelExports } from "./exports.js";

export type WasmFlavor = "relaxed" | "simd" | "relaxed-mt";

/** File names in build/ (and next to the browser bundle in dist/browser/, except the -mt build). */
export const WASM_FILES: Readonly<Record<WasmFlavor, string>> = { relaxed: "rnnkit-relaxed.wasm", simd: "rnnkit.wasm", "relaxed-mt": "rnnkit-relaxed-mt.wasm" };

/** Instantiate a compiled kernel module as a Backend; `label` names it in export-check errors. */
export function instantiateWasm(module: WebAssembly.Module, label: string, options: WasmBackendOptions): Backend {
  const instance = new WebAssembly.Instance(module, {});
  const ex = asKernelExports(instance.exports, `wasm backend (${label})`);
  return createWasmBackend(ex, { name: "wasm", ...options });
}

/** The error for bytes that do not validate: almost always an engine without SIMD128. */
export const noSimd = (where: string): Error =>
  new Error(`${where}: the module does not validate in this JavaScript engine (rnnkit's kernels need WebAssembly SIMD128: Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4; or the bytes are not rnnkit.wasm)`);

// Smallest modules using one feature each, so that support is known before downloading ~100 KB.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_V128 = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b]; // one type: () -> v128
const FUNC = [0x03, 0x02, 0x01, 0x00]; // one function of type 0
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
/** (func (result v128) (v128.const 0)) */
const SIMD_PROBE = new Uint8Array([...HEADER, ...TYPE_V128, ...FUNC, 0x0a, 0x16, 0x01, 0x14, 0x00, ...V128_ZERO, 0x0b]);
/** (func (result v128) (i8x16.relaxed_swizzle (v128.const 0) (v128.const 0))) */
const RELAXED_PROBE = new Uint8Array([...HEADER, ...TYPE_V128, ...FUNC, 0x0a, 0x2b, 0x01, 0x29, 0x00, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x80, 0x02, 0x0b]);

const validates = (bytes: Uint8Array<ArrayBuffer>): boolean => {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
};

/** Whether this engine runs WebAssembly SIMD128, which every rnnkit kernel module needs. */
export const simdSupported = (): boolean => validates(SIMD_PROBE);

/** Whether this engine accepts relaxed SIMD (rnnkit-relaxed.wasm): Chrome ≥ 114, Node ≥ 22 (20 behind a flag). */
export const relaxedSimdSupported = (): boolean => validates(RELAXED_PROBE);
