/**
 * Checkpoints as bytes: the format half of ./checkpoint.ts without the file system, so that
 * browsers (which get a checkpoint from fetch or a file picker) share exactly the code and checks
 * that Node uses when it reads a file.
 */
import { CheckpointError } from "../errors.js";
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

/** The bytes of a checkpoint file for `model` (what saveCheckpoint writes). */
export function encodeCheckpoint(model: Module, meta: Omit<CheckpointMeta, "format" | "version">): Uint8Array {
  const full: CheckpointMeta = { format: "rnnkit.checkpoint", version: 1, ...meta };
  return save(model.stateDict(), { format: "pt", rnnkit: JSON.stringify(full) });
}

/**
 * Parse checkpoint bytes. `where` names the source in errors (a path, a URL, "checkpoint bytes");
 * `expectKind` rejects a checkpoint of another model kind.
 */
export function decodeCheckpoint(bytes: Uint8Array, where: string, expectKind?: string): { tensors: Record<string, Tensor>; meta: CheckpointMeta } {
  const { tensors, metadata } = load(bytes);
  const raw = metadata.rnnkit;
  if (!raw) throw new CheckpointError(`${where}: a safetensors file without rnnkit metadata (hint: it holds weights only; load them with model.loadStateDict(safetensors.load(bytes).tensors))`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(raw) as CheckpointMeta;
  } catch {
    throw new CheckpointError(`${where}: the rnnkit metadata is not valid JSON (the file is damaged)`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new CheckpointError(`${where}: the rnnkit metadata must be a JSON object, got ${JSON.stringify(meta)} (the file is damaged)`);
  if (meta.format !== "rnnkit.checkpoint") throw new CheckpointError(`${where}: unknown metadata format ${JSON.stringify(meta.format) ?? "(none)"}`);
  if (typeof meta.kind !== "string") throw new CheckpointError(`${where}: the metadata names no model kind (kind: ${JSON.stringify(meta.kind) ?? "absent"})`);
  if (expectKind && meta.kind !== expectKind) throw new CheckpointError(`${where}: holds a ${meta.kind}, expected a ${expectKind}`);
  if (meta.info !== undefined && (typeof meta.info !== "object" || meta.info === null || Array.isArray(meta.info))) throw new CheckpointError(`${where}: metadata info must be an object, got ${JSON.stringify(meta.info)}`);
  return { tensors, meta };
}

/** Rebuild the vocabulary stored in a checkpoint's metadata; its own errors become a CheckpointError naming the file. */
export function vocabFrom<V>(where: string, fromJSON: () => V): V {
  try {
    return fromJSON();
  } catch (e) {
    throw new CheckpointError(`${where}: the vocabulary in the metadata is unusable: ${(e as Error).message}`);
  }
}
