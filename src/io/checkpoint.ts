import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import type { LmVocabulary } from "../data/text/vocabulary.js";
import type { AwdLstm } from "../models/awd-lstm.js";
import type { LanguageModel } from "../models/language-model.js";
import {
  CLASSIFIER_KIND,
  type CheckpointMeta,
  type ClassifierBundle,
  LM_KIND,
  type LoadedAnyLm,
  type LoadedLm,
  anyLmFromCheckpoint,
  classifierFromCheckpoint,
  classifierToBytes,
  decodeCheckpoint,
  encodeCheckpoint,
  lmFromCheckpoint,
  lmToBytes,
} from "./checkpoint-bytes.js";
import { load, save } from "./safetensors.js";

// The format itself (and the byte-level encode/decode browsers use) lives in ./checkpoint-bytes.ts.
export * from "./checkpoint-bytes.js";

/**
 * Write bytes to path atomically and durably: temp file, fsync, rename, fsync of the directory.
 * An interrupted save (kill -9, power loss) leaves the old file or the new one, never a torn or
 * empty one; a failed save removes its temp file.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, "w");
    try {
      const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created, or is already gone
    }
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
  fsyncDir(dirname(path));
}

/** fsync a directory, so a rename in it survives a crash (a no-op where directories cannot be opened, e.g. Windows). */
function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory (EINVAL); the rename itself is still atomic
  } finally {
    closeSync(fd);
  }
}

export function saveCheckpoint(path: string, model: Module, meta: Omit<CheckpointMeta, "format" | "version">): void {
  writeFileAtomic(path, encodeCheckpoint(model, meta));
}

export function readCheckpoint(path: string, expectKind?: string): { tensors: Record<string, Tensor>; meta: CheckpointMeta } {
  const file = checkpointFile(path);
  return decodeCheckpoint(readFileSync(file), file, expectKind);
}

/**
 * The file behind a --model argument. A folder is accepted when it holds `model.safetensors` (the layout of
 * models/imdb-bilstm/ and of exported model folders); otherwise the error lists the checkpoints it does hold.
 */
export function checkpointFile(path: string): string {
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist (hint: train one first, e.g. \`rnnkit train-lm\`, or pass --model PATH)`);
  if (!statSync(path).isDirectory()) return path;
  const inside = join(path, "model.safetensors");
  if (existsSync(inside)) return inside;
  const found = readdirSync(path).filter((f) => f.endsWith(".safetensors") && !f.endsWith(".train.safetensors"));
  throw new Error(`checkpoint ${path} is a folder without model.safetensors` + (found.length > 0 ? ` (hint: pass one of its files, e.g. --model ${join(path, found[0]!)}; it holds ${found.join(", ")})` : " and holds no .safetensors file (hint: pass the checkpoint file itself)"));
}

/** Training state beside a checkpoint (optimizer buffers + JSON state), for --resume. */
export function saveTrainingState(path: string, tensors: Record<string, Tensor>, state: unknown): void {
  writeFileAtomic(path, save(tensors, { rnnkit_training: JSON.stringify(state) }));
}

export function readTrainingState<S>(path: string): { tensors: Record<string, Tensor>; state: S } {
  if (!existsSync(path)) throw new Error(`training state ${path} does not exist (hint: --resume needs the .train.safetensors file written beside the checkpoint)`);
  const { tensors, metadata } = load(readFileSync(path));
  if (!metadata.rnnkit_training) throw new Error(`${path}: not an rnnkit training-state file`);
  try {
    return { tensors, state: JSON.parse(metadata.rnnkit_training) as S };
  } catch {
    throw new Error(`${path}: the training state is not valid JSON (the file is damaged)`);
  }
}

/** Save a language model with its vocabulary (one safetensors file, PyTorch names). */
export function saveLm(path: string, model: LanguageModel | AwdLstm, vocab: LmVocabulary, info: Record<string, unknown> = {}): void {
  writeFileAtomic(path, lmToBytes(model, vocab, info));
}

/** Load a language model and its vocabulary; checks that they agree. */
export function loadLm(path: string): LoadedLm {
  return lmFromCheckpoint(readCheckpoint(path, LM_KIND), path);
}

/** Load a language model of either architecture (LanguageModel or AwdLstm) and its vocabulary. */
export function loadAnyLm(path: string): LoadedAnyLm {
  return anyLmFromCheckpoint(readCheckpoint(path, LM_KIND), path);
}

/** Save a classifier with its vocabulary, labels and text pipeline. */
export function saveClassifier(path: string, b: Omit<ClassifierBundle, "info"> & { info?: Record<string, unknown> }): void {
  writeFileAtomic(path, classifierToBytes(b));
}

/** Load a classifier; checks that vocabulary, embedding and labels agree. */
export function loadClassifier(path: string): ClassifierBundle {
  return classifierFromCheckpoint(readCheckpoint(path, CLASSIFIER_KIND), path);
}
