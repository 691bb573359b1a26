/**
 * The same workloads in TensorFlow.js with its WebAssembly backend (@tensorflow/tfjs +
 * @tensorflow/tfjs-backend-wasm, SIMD, single thread in Node): a tf.LayersModel trained with
 * trainOnBatch (forward + backward + Adam), cross-entropy on logits.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { BenchConfig } from "./configs.js";
import { type AsyncWorkload, buildTfjsWorkload } from "./tfjs-layers.js";

export type { AsyncWorkload } from "./tfjs-layers.js";

export async function tfjsWorkload(c: BenchConfig): Promise<AsyncWorkload> {
  const tf = await import("@tensorflow/tfjs");
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
  await tf.setBackend("wasm");
  await tf.ready();
  return buildTfjsWorkload(tf, c);
}
