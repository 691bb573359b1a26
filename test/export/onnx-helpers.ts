/** ONNX Runtime (onnxruntime-node, a devDependency) for the export tests and benches. */
import { createRequire } from "node:module";

type OrtTensor = { data: Float32Array | BigInt64Array; dims: readonly number[] };
export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}
export interface Ort {
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: readonly number[]) => unknown;
  InferenceSession: { create(bytes: Uint8Array, opts?: Record<string, unknown>): Promise<OrtSession> };
}

/** onnxruntime-node; throws a clear error when it is not installed. */
export function loadOrt(): Ort {
  try {
    return createRequire(import.meta.url)("onnxruntime-node") as Ort;
  } catch (e) {
    throw new Error(`onnxruntime-node is not installed (it is a devDependency: run npm install): ${(e as Error).message}`);
  }
}

export const i64 = (ort: Ort, values: ArrayLike<number>, dims: readonly number[]): unknown => new ort.Tensor("int64", BigInt64Array.from(Array.from(values), (v) => BigInt(v)), dims);
export const f32 = (ort: Ort, values: Float32Array, dims: readonly number[]): unknown => new ort.Tensor("float32", values, dims);

/** A session on one thread unless told otherwise (tests share two cores). */
export async function session(ort: Ort, bytes: Uint8Array, threads = 1): Promise<OrtSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });
}
