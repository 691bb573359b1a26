/**
 * Where a `--model hf:<hub id or local folder>` model comes from, and whether the network may be
 * used. Offline by default:
 * - a local folder (absolute, or relative to the working directory) is loaded from disk only;
 * - a hub id ("Xenova/distilbert-base-uncased-finetuned-sst-2-english") is loaded from rnnkit's
 *   cache ($RNNKIT_CACHE/huggingface, see data/download/cache.ts) when it is there; otherwise it
 *   is downloaded only if downloads are allowed (not RNNKIT_OFFLINE=1 / HF_HUB_OFFLINE=1, not
 *   `allowDownload: false`) AND huggingface.co answers.
 *
 * The folder layout transformers.js reads for a text classifier:
 *   config.json (model_type, id2label), tokenizer.json, tokenizer_config.json,
 *   onnx/model.onnx (fp32) or onnx/model_quantized.onnx (q8) or onnx/model_fp16.onnx …
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { defaultCacheDir } from "../data/download/cache.js";

export interface HfModelSource {
  kind: "folder" | "hub";
  /** Absolute folder path, or the hub id. */
  id: string;
  /** What the user wrote after "hf:". */
  spec: string;
}

export interface ResolveHfOptions {
  /** Permit downloading a hub model that is not cached (default true, still subject to the checks above). */
  allowDownload?: boolean;
  /** Cache folder for hub models (default $RNNKIT_CACHE/huggingface). */
  cacheDir?: string;
  /** Force a dtype (file suffix): fp32 → model.onnx, q8 → model_quantized.onnx, fp16 → model_fp16.onnx … */
  dtype?: string;
  /** Network probe, injectable for tests (default: HEAD https://huggingface.co/api/models/<id>, 4 s timeout). */
  networkAvailable?: () => Promise<boolean>;
}

export interface ResolvedHfModel {
  source: HfModelSource;
  /** Whether transformers.js may fetch files (env.allowRemoteModels). */
  allowRemote: boolean;
  cacheDir: string;
  /** dtype to request, or undefined for the library's default. */
  dtype: string | undefined;
  /** The ONNX file that will be used (folder models), for messages. */
  onnxFile: string | null;
}

const HUB_ID = /^[\w\-.]+\/[\w\-.]{1,96}$/;
/** ONNX file name suffix → transformers.js dtype, in order of preference. */
const DTYPE_FILES: ReadonlyArray<readonly [string, string]> = [
  ["model.onnx", "fp32"],
  ["model_quantized.onnx", "q8"],
  ["model_fp16.onnx", "fp16"],
  ["model_int8.onnx", "int8"],
  ["model_uint8.onnx", "uint8"],
  ["model_q4.onnx", "q4"],
  ["model_q4f16.onnx", "q4f16"],
  ["model_bnb4.onnx", "bnb4"],
];

export const isHfSpec = (s: string): boolean => s.startsWith("hf:");

/** The part after "hf:" (throws when empty or when the prefix is missing). */
export function parseHfSpec(spec: string): string {
  if (!isHfSpec(spec)) throw new Error(`--model ${spec}: a pretrained transformer is given as hf:<hub id or local folder>, e.g. hf:Xenova/distilbert-base-uncased-finetuned-sst-2-english or hf:./models/my-bert`);
  const rest = spec.slice(3).trim();
  if (rest === "") throw new Error(`--model hf:: give a hub id or a folder after "hf:" (e.g. hf:./models/my-bert)`);
  return rest;
}

export const defaultHfCacheDir = (): string => join(defaultCacheDir(), "huggingface");

function offlineByEnv(): string | null {
  for (const k of ["RNNKIT_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"]) {
    const v = process.env[k];
    if (v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false") return k;
  }
  return null;
}

/** Whether the hub answers over HTTPS (a HEAD request for the model's API page, 4 s timeout). */
async function probeHub(id: string): Promise<boolean> {
  try {
    await fetch(`https://huggingface.co/api/models/${id}`, { method: "HEAD", signal: AbortSignal.timeout(4000) });
    return true;
  } catch {
    return false;
  }
}

/** Check a model folder and pick its ONNX file; returns [file, dtype]. */
function checkFolder(dir: string, dtype: string | undefined): [string, string | undefined] {
  for (const f of ["config.json", "tokenizer.json"]) {
    if (!existsSync(join(dir, f))) throw new Error(`--model hf:${dir}: ${f} is missing (a transformers.js model folder holds config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx)`);
  }
  const onnxDir = join(dir, "onnx");
  const files = existsSync(onnxDir) ? readdirSync(onnxDir).filter((f) => f.endsWith(".onnx")) : [];
  if (dtype !== undefined) {
    const f = DTYPE_FILES.find(([, d]) => d === dtype)?.[0];
    if (f === undefined || !files.includes(f)) throw new Error(`--model hf:${dir}: no ONNX file for dtype ${dtype} in ${onnxDir} (found: ${files.join(", ") || "nothing"})`);
    return [join(onnxDir, f), dtype];
  }
  for (const [f, d] of DTYPE_FILES) if (files.includes(f)) return [join(onnxDir, f), d];
  throw new Error(`--model hf:${dir}: no ONNX model in ${onnxDir} (expected onnx/model.onnx or onnx/model_quantized.onnx; found: ${files.join(", ") || "nothing"})`);
}

/** Decide where the model comes from and whether the network may be used (see the file comment). */
export async function resolveHfModel(spec: string, opts: ResolveHfOptions = {}): Promise<ResolvedHfModel> {
  const rest = parseHfSpec(spec);
  const cacheDir = opts.cacheDir ?? defaultHfCacheDir();
  const expanded = rest.startsWith("~/") ? join(homedir(), rest.slice(2)) : rest;
  const abs = resolve(expanded);
  const looksLikePath = isAbsolute(expanded) || /^\.\.?([/\\]|$)/.test(expanded) || rest.startsWith("~/");
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const [onnxFile, dtype] = checkFolder(abs, opts.dtype);
    return { source: { kind: "folder", id: abs, spec: rest }, allowRemote: false, cacheDir, dtype, onnxFile };
  }
  if (looksLikePath || !HUB_ID.test(rest)) {
    throw new Error(`--model hf:${rest}: no such folder (${abs}), and it is not a hub id of the form owner/name (hint: hf:./path/to/model-folder or hf:Xenova/distilbert-base-uncased-finetuned-sst-2-english)`);
  }
  const source: HfModelSource = { kind: "hub", id: rest, spec: rest };
  if (existsSync(join(cacheDir, rest, "config.json"))) return { source, allowRemote: false, cacheDir, dtype: opts.dtype, onnxFile: null };
  const why = opts.allowDownload === false ? "downloads are disabled" : offlineByEnv() ? `${offlineByEnv()} is set` : (await (opts.networkAvailable ?? (() => probeHub(rest)))()) ? null : "huggingface.co cannot be reached";
  if (why !== null) {
    throw new Error(`--model hf:${rest}: the model is not in the cache (${join(cacheDir, rest)}) and ${why} (hint: download the model folder elsewhere — config.json, tokenizer*.json, onnx/model*.onnx — and pass hf:/path/to/folder)`);
  }
  return { source, allowRemote: true, cacheDir, dtype: opts.dtype, onnxFile: null };
}
