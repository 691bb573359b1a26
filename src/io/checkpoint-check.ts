/**
 * The classifier-specific parts of a checkpoint's metadata (text pipeline, label names), checked
 * like the model config (models/checkpoint-config.ts) before anything is built from them.
 */
import type { TruncateMode } from "../data/text/sequence.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import { CheckpointError } from "../errors.js";

export interface CheckedPipeline {
  tokenize: TokenizeOptions;
  maxLen: number;
  truncate: TruncateMode;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const show = (v: unknown): string => JSON.stringify(v) ?? "nothing";

/** config.pipeline: tokenize options (booleans / "keep" | "split"), maxLen ≥ 1, truncate mode. */
export function checkPipeline(p: unknown, where: string): CheckedPipeline {
  const bad = (what: string, want: string, got: unknown): never => {
    throw new CheckpointError(`${where}: config.pipeline${what} must be ${want}, got ${show(got)} (the file is damaged)`);
  };
  if (!isObject(p)) return bad("", "an object {tokenize, maxLen, truncate}", p);
  const { tokenize, maxLen, truncate } = p;
  if (!isObject(tokenize)) return bad(".tokenize", "an object", tokenize);
  for (const k of ["lowercase", "stripHtml", "splitHyphens"] as const) if (tokenize[k] !== undefined && typeof tokenize[k] !== "boolean") bad(`.tokenize.${k}`, "true or false", tokenize[k]);
  if (tokenize.contractions !== undefined && tokenize.contractions !== "keep" && tokenize.contractions !== "split") bad(".tokenize.contractions", `"keep" or "split"`, tokenize.contractions);
  if (typeof maxLen !== "number" || !Number.isSafeInteger(maxLen) || maxLen < 1) return bad(".maxLen", "a positive integer", maxLen);
  if (truncate !== "head" && truncate !== "tail" && truncate !== "head+tail") return bad(".truncate", `"head", "tail" or "head+tail"`, truncate);
  return { tokenize: tokenize as TokenizeOptions, maxLen, truncate };
}

/** labels: distinct non-empty strings, one per class. */
export function checkLabels(labels: unknown, numClasses: number, where: string): string[] {
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === "string")) throw new CheckpointError(`${where}: labels must be an array of strings, got ${show(labels).slice(0, 80)} (the file is damaged)`);
  if (labels.length !== numClasses) throw new CheckpointError(`${where}: ${labels.length} label names for ${numClasses} classes (the checkpoint is inconsistent)`);
  if (labels.some((l) => l.trim() === "")) throw new CheckpointError(`${where}: a label name is empty (labels: ${show(labels)})`);
  if (new Set(labels).size !== labels.length) throw new CheckpointError(`${where}: label names repeat (labels: ${show(labels)})`);
  return labels as string[];
}
