/**
 * Shared set-up of the wasm parity tests: both builds (plain SIMD and relaxed SIMD) as Backend
 * objects that send every call to wasm (smallWork 0), and a seeded random source.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import type { Backend } from "../../src/kernels/backend.js";
import { createWasmBackend } from "../../src/kernels/wasm/backend.js";
import { asKernelExports } from "../../src/kernels/wasm/exports.js";
import { REPO_ROOT } from "./shared.js";

/** The builds this runtime can run: plain always; relaxed when V8 accepts it (Node 20: flag). */
export function wasmBackends(): Backend[] {
  const out: Backend[] = [];
  for (const [file, name] of [["rnnkit.wasm", "wasm-simd"], ["rnnkit-relaxed.wasm", "wasm-relaxed"]] as const) {
    const path = join(REPO_ROOT, "build", file);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`${path} is missing: build it with \`node scripts/build-wasm.mjs\` (npm install runs it)`);
    }
    // Node 20 ships relaxed SIMD behind a flag; the backend loader turns it on the same way.
    if (name === "wasm-relaxed" && !WebAssembly.validate(bytes)) setFlagsFromString("--experimental-wasm-relaxed-simd");
    if (name === "wasm-relaxed" && !WebAssembly.validate(bytes)) continue;
    const ex = asKernelExports(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports, file);
    out.push(createWasmBackend(ex, { name, smallWork: 0 }));
  }
  return out;
}

/** mulberry32: deterministic uniform floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [−scale, scale). */
export function randn(r: () => number, n: number, scale = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (2 * r() - 1) * scale;
  return x;
}
