import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint } from "./checkpoint-bytes.js";
import { load, save } from "./safetensors.js";

// The format itself (and the byte-level encode/decode browsers use) lives in ./checkpoint-bytes.ts.
export { type CheckpointMeta, decodeCheckpoint, encodeCheckpoint } from "./checkpoint-bytes.js";

/** Write bytes to path atomically (temp file + rename): an interrupted save never leaves a torn file. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export function saveCheckpoint(path: string, model: Module, meta: Omit<CheckpointMeta, "format" | "version">): void {
  writeFileAtomic(path, encodeCheckpoint(model, meta));
}

export function readCheckpoint(path: string, expectKind?: string): { tensors: Record<string, Tensor>; meta: CheckpointMeta } {
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist (hint: train one first, e.g. \`rnnkit train-lm\`, or pass --model PATH)`);
  return decodeCheckpoint(readFileSync(path), path, expectKind);
}

/** Training state beside a checkpoint (optimizer buffers + JSON state), for --resume. */
export function saveTrainingState(path: string, tensors: Record<string, Tensor>, state: unknown): void {
  writeFileAtomic(path, save(tensors, { rnnkit_training: JSON.stringify(state) }));
}

export function readTrainingState<S>(path: string): { tensors: Record<string, Tensor>; state: S } {
  if (!existsSync(path)) throw new Error(`training state ${path} does not exist (hint: --resume needs the .train.safetensors file written beside the checkpoint)`);
  const { tensors, metadata } = load(readFileSync(path));
  if (!metadata.rnnkit_training) throw new Error(`${path}: not an rnnkit training-state file`);
  return { tensors, state: JSON.parse(metadata.rnnkit_training) as S };
}
