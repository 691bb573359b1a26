/** Node side of the ONNX export: checkpoint file in, .onnx file out. */
import { existsSync, readFileSync } from "node:fs";
import { checkpointFile, writeFileAtomic } from "../../io/checkpoint.js";
import { checkpointToOnnx } from "./index.js";

export interface ExportOnnxResult {
  kind: string;
  out: string;
  bytes: number;
}

/** Read an rnnkit checkpoint (.safetensors) and write it as a self-describing .onnx file. */
export function exportOnnxFile(opts: { model: string; out: string }): ExportOnnxResult {
  if (!existsSync(opts.model)) throw new Error(`export: checkpoint ${opts.model} does not exist (hint: --model PATH of a .safetensors file written by rnnkit)`);
  const file = checkpointFile(opts.model); // a folder holding model.safetensors is accepted
  const { onnx, kind } = checkpointToOnnx(readFileSync(file), file);
  writeFileAtomic(opts.out, onnx);
  return { kind, out: opts.out, bytes: onnx.length };
}
