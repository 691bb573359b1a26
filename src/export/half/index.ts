/**
 * A half-precision copy of an rnnkit checkpoint: every float tensor stored as F16 (IEEE half,
 * round to nearest even), the metadata unchanged. Half the bytes — how a model ships in the
 * package or the browser; it loads wherever the F32 file loads (rnnkit widens F16 to float32
 * on load; PyTorch's safetensors reads F16 natively). Halving costs ~3 significant digits
 * (relative error ≤ 2⁻¹¹ per weight); measure the model on its test set after converting.
 */
import { existsSync, readFileSync } from "node:fs";
import { decodeCheckpoint } from "../../io/checkpoint-bytes.js";
import { checkpointFile, writeFileAtomic } from "../../io/checkpoint.js";
import { load, save } from "../../io/safetensors.js";

export interface HalfResult {
  kind: string;
  out: string;
  bytes: number;
  /** Bytes of the float32 input. */
  inputBytes: number;
}

/** The F16 bytes of checkpoint bytes (checked as an rnnkit checkpoint first); `where` names it in errors. */
export function checkpointToHalf(bytes: Uint8Array, where = "checkpoint"): { bytes: Uint8Array; kind: string } {
  const { meta } = decodeCheckpoint(bytes, where);
  const { tensors, metadata } = load(bytes);
  return { bytes: save(tensors, metadata, { floatDtype: "F16" }), kind: meta.kind };
}

export function exportHalfFile(opts: { model: string; out: string }): HalfResult {
  if (!existsSync(opts.model)) throw new Error(`export: checkpoint ${opts.model} does not exist (hint: --model PATH of a .safetensors file written by rnnkit)`);
  const file = checkpointFile(opts.model); // a folder holding model.safetensors is accepted
  const input = readFileSync(file);
  const { bytes, kind } = checkpointToHalf(input, file);
  writeFileAtomic(opts.out, bytes);
  return { kind, out: opts.out, bytes: bytes.length, inputBytes: input.length };
}
