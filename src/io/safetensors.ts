/**
 * The safetensors format (Hugging Face), read and written from plain bytes (Node and browsers):
 *
 *   [u64 little-endian N][N bytes UTF-8 JSON header][byte buffer]
 *
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets into the
 * byte buffer, row-major, little-endian), plus an optional "__metadata__" string → string map.
 * The tensors must tile the byte buffer exactly: no gaps, no overlaps, nothing after the last one.
 * load() validates all of that before decoding anything and throws one SafetensorsError naming
 * what is wrong; it never returns a partial result.
 */
import { RnnkitError } from "../errors.js";
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { DTYPE_SIZE, READABLE, type SafetensorsDtype, decode, encode, encodeF16, isDtype } from "./dtype.js";

/** How `save` writes: float tensors as F32 (default, exact) or F16 (half the bytes; for shipping a model). */
export interface SaveOptions {
  floatDtype?: "F32" | "F16";
}

export { type SafetensorsDtype } from "./dtype.js";

/** A malformed or unreadable safetensors file, or tensors that cannot be saved. */
export class SafetensorsError extends RnnkitError {
  override name = "SafetensorsError";
}

/** The reference implementation's limit on the JSON header. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";

export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) in the byte buffer after the header. */
  dataOffsets: [number, number];
}
export interface SafetensorsHeader {
  /** Entries in the header's own order. */
  entries: HeaderEntry[];
  metadata: Record<string, string>;
  /** Where the byte buffer starts in the file (8 + N). */
  dataStart: number;
}

function fail(msg: string): never {
  throw new SafetensorsError(`safetensors: ${msg}`);
}
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function checkMetadata(m: unknown, where: string): Record<string, string> {
  if (!isObject(m)) return fail(`${where} must be an object mapping strings to strings, got ${Array.isArray(m) ? "an array" : JSON.stringify(m)}`);
  for (const [k, v] of Object.entries(m)) if (typeof v !== "string") fail(`${where}["${k}"] must be a string, got ${JSON.stringify(v)}`);
  return { ...(m as Record<string, string>) };
}

function parseEntry(name: string, e: unknown): HeaderEntry {
  const at = `tensor "${name}"`;
  if (!isObject(e)) return fail(`${at}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(e)}`);
  const { dtype, shape, data_offsets: off } = e;
  if (typeof dtype !== "string") fail(`${at}: dtype must be a string, got ${JSON.stringify(dtype)}`);
  if (!isDtype(dtype)) return fail(`${at}: unknown dtype "${String(dtype)}" (known: ${Object.keys(DTYPE_SIZE).join(", ")})`);
  if (!READABLE.has(dtype)) fail(`${at}: dtype ${dtype} is not supported by rnnkit (readable: ${[...READABLE].join(", ")})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) return fail(`${at}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) return fail(`${at}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(off)}`);
  const [begin, end] = off as [number, number];
  if (end < begin) fail(`${at}: data_offsets [${begin}, ${end}] are out of order (end < begin)`);
  const n = shape.reduce((a: number, b: number) => a * b, 1);
  const bytes = n * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(bytes)) fail(`${at}: shape ${fmtShape(shape)} is too large`);
  if (end - begin !== bytes) fail(`${at}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape ${fmtShape(shape)} of ${dtype} needs ${n} × ${DTYPE_SIZE[dtype]} = ${bytes}`);
  return { name, dtype, shape: [...shape], dataOffsets: [begin, end] };
}

/** Parse and validate the header (and that the tensors tile the byte buffer); decodes no data. */
export function readHeader(bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length (not a safetensors file?)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32; // u64 (exact below 2^53; larger fails below anyway)
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail("header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) return fail(`header must be a JSON object, got ${Array.isArray(json) ? "an array" : typeof json}`);
  const metadata = Object.hasOwn(json, METADATA_KEY) ? checkMetadata(json[METADATA_KEY], METADATA_KEY) : {};
  const entries = Object.entries(json)
    .filter(([k]) => k !== METADATA_KEY)
    .map(([k, v]) => parseEntry(k, v));
  const dataLen = bytes.length - 8 - n;
  // The tensors, sorted by offset, must tile [0, dataLen) exactly.
  const sorted = [...entries].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  let prev = "";
  for (const e of sorted) {
    const [begin, end] = e.dataOffsets;
    if (end > dataLen) fail(`tensor "${e.name}": data_offsets [${begin}, ${end}] run past the end of the byte buffer (${dataLen} bytes; the file is truncated?)`);
    if (begin < pos) fail(`tensor "${e.name}": data_offsets [${begin}, ${end}] overlap tensor "${prev}" (which ends at ${pos})`);
    if (begin > pos) fail(`bytes [${pos}, ${begin}) of the byte buffer belong to no tensor (a hole before tensor "${e.name}")`);
    pos = end;
    prev = e.name;
  }
  if (pos !== dataLen) fail(`bytes [${pos}, ${dataLen}) at the end of the byte buffer belong to no tensor`);
  return { entries, metadata, dataStart: 8 + n };
}

/**
 * Read a safetensors file. Float dtypes (F32, F16, BF16, F64) load as float32 tensors; integer
 * dtypes (I32, I64, U8, …) as int32 tensors, with a range check for 64-bit and U32 values.
 */
export function load(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const h = readHeader(bytes);
  const tensors = h.entries.map((e): [string, Tensor] => {
    const raw = bytes.subarray(h.dataStart + e.dataOffsets[0], h.dataStart + e.dataOffsets[1]);
    let data: Float32Array | Int32Array;
    try {
      data = decode(e.dtype, raw, raw.length / DTYPE_SIZE[e.dtype]);
    } catch (err) {
      return fail(`tensor "${e.name}" (${e.dtype}): ${(err as Error).message}`);
    }
    return [e.name, new Tensor(data, e.shape)];
  });
  return { tensors: Object.fromEntries(tensors), metadata: h.metadata };
}

/** Compare names by their UTF-8 bytes (the reference implementation's order). */
function byUtf8(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Write tensors as safetensors: float32 tensors as F32 (or F16 with `floatDtype`), int32 tensors as I32. Like the reference
 * implementation, F32 tensors come first, then I32, each group sorted by name, packed back to
 * back; "__metadata__" (when given) opens the header, which is padded with spaces to a multiple
 * of 8 bytes so every tensor starts 8-byte aligned in the file.
 */
export function save(tensors: Record<string, Tensor>, metadata?: Record<string, string>, options: SaveOptions = {}): Uint8Array {
  if (!isObject(tensors)) fail("save: tensors must be an object mapping names to tensors");
  const floatDtype = options.floatDtype ?? "F32";
  if (floatDtype !== "F32" && floatDtype !== "F16") fail(`save: floatDtype must be "F32" or "F16", got ${JSON.stringify(floatDtype)}`);
  const items = Object.entries(tensors).map(([name, t]): [string, Tensor, SafetensorsDtype, Uint8Array] => {
    if (name === METADATA_KEY) fail(`save: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) fail(`save: "${name}" is not a Tensor`);
    if (t.data instanceof Float32Array) return [name, t, floatDtype, floatDtype === "F16" ? encodeF16(t.data) : encode(t.data)];
    return [name, t, "I32", encode(t.data)];
  });
  items.sort((a, b) => (a[2] === b[2] ? byUtf8(a[0], b[0]) : a[2] !== "I32" ? -1 : 1));
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(checkMetadata(metadata, "save: metadata"))}`);
  let offset = 0;
  for (const [name, t, dtype, bytes] of items) {
    const end = offset + bytes.byteLength;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  let header = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(header.length / 8) * 8;
  if (padded !== header.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces
    p.set(header);
    header = p;
  }
  const out = new Uint8Array(8 + header.length + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, header.length % 2 ** 32, true);
  dv.setUint32(4, Math.floor(header.length / 2 ** 32), true);
  out.set(header, 8);
  let pos = 8 + header.length;
  for (const [, , , bytes] of items) {
    out.set(bytes, pos);
    pos += bytes.byteLength;
  }
  return out;
}
