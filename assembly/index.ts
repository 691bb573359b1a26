export { gemm, gemmWorkFloats, packB, gemmPackedB, packedBFloats } from "./gemm";
export function heapBase(): usize {
  return __heap_base;
}
