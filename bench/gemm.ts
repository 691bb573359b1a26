/** GEMM microbenchmark: C[M,N] = A[M,K]·B[K,N] through a Backend (wasm: including its copies in and out). */
import type { Backend } from "../src/kernels/backend.js";
import { type TimingOptions, timed } from "./timing.js";

/** (M, K, N) shapes: a recurrent step, word-LM projections, a big output layer, square. */
export const GEMM_SHAPES: readonly [number, number, number][] = [[32, 128, 512], [64, 768, 1024], [64, 1024, 4096], [512, 512, 512]];

export interface GemmResult {
  shape: string;
  gflops: number;
}

export function benchGemm(be: Backend, timing: TimingOptions): GemmResult[] {
  return GEMM_SHAPES.map(([M, K, N]) => {
    const A = Float32Array.from({ length: M * K }, () => Math.random() - 0.5);
    const B = Float32Array.from({ length: K * N }, () => Math.random() - 0.5);
    const C = new Float32Array(M * N);
    const t = timed(() => be.gemm(false, false, M, N, K, 1, A, B, 0, C), timing);
    return { shape: `${M}x${K}x${N}`, gflops: (2 * M * N * K) / (t.stepMs / 1e3) / 1e9 };
  });
}

/**
 * The wasm GEMM kernel alone (operands already in linear memory, no copies): what the SIMD code
 * itself reaches. Uses the build the backend loader would pick (relaxed SIMD when accepted).
 */
export async function benchGemmKernel(timing: TimingOptions): Promise<{ flavor: string; results: GemmResult[] }> {
  const { readFileSync } = await import("node:fs");
  const wasm = await import("../src/kernels/wasm/index.js");
  const { asKernelExports } = await import("../src/kernels/wasm/exports.js");
  wasm.loadWasmBackendSync({ threads: 1 }); // decides the flavor (and enables relaxed SIMD in Node 20)
  const flavor = wasm.loadedFlavor ?? "simd"; // the single-thread kernel: never the shared-memory build
  const ex = asKernelExports(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm.wasmUrl(flavor))), {}).exports, "bench");
  const results = GEMM_SHAPES.map(([M, K, N]) => {
    const al = (n: number): number => Math.ceil(n / 16) * 16;
    const base = al(ex.heapBase());
    const A = base, B = A + al(M * K * 4), C = B + al(K * N * 4), ws = C + al(M * N * 4);
    const end = ws + ex.gemmWorkFloats(M, N, K) * 4;
    const have = ex.memory.buffer.byteLength;
    if (end > have) ex.memory.grow(Math.ceil((end - have) / 65536));
    const f = new Float32Array(ex.memory.buffer);
    for (let i = A / 4; i < C / 4; i++) f[i] = Math.random() - 0.5;
    const t = timed(() => ex.gemm(0, 0, M, N, K, 1, A, B, 0, C, ws), timing);
    return { shape: `${M}x${K}x${N}`, gflops: (2 * M * N * K) / (t.stepMs / 1e3) / 1e9 };
  });
  return { flavor, results };
}
