import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { load, save } from "./safetensors.js";

/**
 * rnnkit checkpoints are plain safetensors files: the tensors are the model's stateDict() under
 * PyTorch's names (so `safetensors.torch.load_file` + `model.load_state_dict` works in Python),
 * and `__metadata__` carries `format: "pt"` plus one JSON string, `rnnkit`, with what is needed
 * to rebuild the model: its kind, config, vocabulary, labels and training info.
 */
export interface CheckpointMeta {
  format: "rnnkit.checkpoint";
  version: 1;
  kind: string;
  config: unknown;
  vocab?: unknown;
  labels?: string[];
  info?: Record<string, unknown>;
}

/** Write bytes to path atomically (temp file + rename): an interrupted save never leaves a torn file. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export function saveCheckpoint(path: string, model: Module, meta: Omit<CheckpointMeta, "format" | "version">): void {
  const full: CheckpointMeta = { format: "rnnkit.checkpoint", version: 1, ...meta };
  writeFileAtomic(path, save(model.stateDict(), { format: "pt", rnnkit: JSON.stringify(full) }));
}

export function readCheckpoint(path: string, expectKind?: string): { tensors: Record<string, Tensor>; meta: CheckpointMeta } {
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist (hint: train one first, e.g. \`rnnkit train-lm\`, or pass --model PATH)`);
  const { tensors, metadata } = load(readFileSync(path));
  const raw = metadata.rnnkit;
  if (!raw) throw new Error(`${path}: a safetensors file without rnnkit metadata (hint: it holds weights only; load them with model.loadStateDict(safetensors.load(bytes).tensors))`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(raw) as CheckpointMeta;
  } catch {
    throw new Error(`${path}: the rnnkit metadata is not valid JSON (the file is damaged)`);
  }
  if (meta.format !== "rnnkit.checkpoint") throw new Error(`${path}: unknown metadata format ${String(meta.format)}`);
  if (expectKind && meta.kind !== expectKind) throw new Error(`${path}: holds a ${meta.kind}, expected a ${expectKind}`);
  return { tensors, meta };
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
