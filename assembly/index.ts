/**
 * rnnkit's WebAssembly SIMD kernels (AssemblyScript). Built by scripts/build-wasm.mjs into
 * build/rnnkit.wasm (SIMD128) and build/rnnkit-relaxed.wasm (adds relaxed-SIMD fused multiply-add).
 * Every export takes byte offsets into this module's memory; the TypeScript side
 * (src/kernels/wasm) owns the memory layout.
 */
export { gemm, gemmLd, gemmWorkFloats, scaleInPlace, setTile } from "./gemm";
export { recurrentWorkFloats } from "./common";
export { unaryMath } from "./vmath";
export { lstmForward, lstmBackward } from "./lstm";
export { gruForward, gruBackward } from "./gru";
export { rnnForward, rnnBackward } from "./rnn";
export { softmaxCrossEntropy, softmaxCrossEntropyChunks, softmaxCrossEntropyBackward, linearCeChunks, embeddingGather, embeddingScatterAdd } from "./loss";
export { stepLayer, stepDecoder, stepFinish, stepTasks } from "./step";
export { adamStep, sgdStep, sumSquares, sumRowsF64, sumRowsF64Ld } from "./optim";

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
