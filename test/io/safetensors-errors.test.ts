/** safetensors: every malformed file is ONE SafetensorsError naming the problem (never a RangeError). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SafetensorsError, load, save } from "../../src/io/safetensors.js";
import { Tensor } from "../../src/tensor/tensor.js";

/** A file from a header (object or raw string/bytes) and a byte buffer; `n` overrides the length field. */
function file(header: unknown, data: ArrayLike<number> = [], n?: number): Uint8Array {
  const h = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (n ?? h.length) % 2 ** 32, true);
  dv.setUint32(4, Math.floor((n ?? h.length) / 2 ** 32), true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}
const f32 = (shape: number[], begin: number, end: number): unknown => ({ dtype: "F32", shape, data_offsets: [begin, end] });
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

function rejects(bytes: Uint8Array, re: RegExp): void {
  assert.throws(
    () => load(bytes),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `expected a SafetensorsError, got ${String(e)}`);
      assert.match(e.message, re);
      return true;
    },
  );
}

test("a valid baseline file loads (so the rejections below are about their one defect)", () => {
  assert.equal(load(file({ a: f32([2], 0, 8), b: f32([1], 8, 12) }, zeros(12))).tensors.b!.size, 1);
});

test("file shorter than 8 bytes", () => {
  rejects(new Uint8Array(5), /file is 5 bytes, shorter than the 8-byte header length/);
});

test("header length past the end of the file", () => {
  rejects(file("{}", [], 500), /header length 500 runs past the end of the file \(10 bytes/);
  rejects(file("{}", [], 2 ** 40 + 1), /exceeds the 100000000-byte limit/);
});

test("header over 100 MB", () => {
  rejects(file("{}", [], 100_000_001), /header length 100000001 exceeds the 100000000-byte limit/);
});

test("header not valid UTF-8", () => {
  rejects(file(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), /header is not valid UTF-8/);
});

test("header not valid JSON", () => {
  rejects(file('{"a": {'), /header is not valid JSON/);
  rejects(file(""), /header is not valid JSON/);
});

test("header not an object", () => {
  rejects(file("[1, 2]"), /header must be a JSON object, got an array/);
  rejects(file("42"), /header must be a JSON object, got number/);
  rejects(file("null"), /header must be a JSON object/);
});

test("entry that is not an object", () => {
  rejects(file({ a: [0, 4] }, zeros(4)), /tensor "a": expected \{dtype, shape, data_offsets\}/);
});

test("entry with a missing or ill-typed dtype", () => {
  rejects(file({ a: { shape: [1], data_offsets: [0, 4] } }, zeros(4)), /tensor "a": dtype must be a string, got undefined/);
  rejects(file({ a: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, zeros(4)), /tensor "a": dtype must be a string, got 4/);
});

test("entry with a missing or ill-typed shape", () => {
  rejects(file({ a: { dtype: "F32", data_offsets: [0, 4] } }, zeros(4)), /tensor "a": shape must be an array of non-negative integers, got undefined/);
  rejects(file({ a: f32([-1], 0, 4) }, zeros(4)), /tensor "a": shape must be an array of non-negative integers, got \[-1\]/);
  rejects(file({ a: f32([1.5], 0, 4) }, zeros(4)), /shape must be an array of non-negative integers/);
  rejects(file({ a: { dtype: "F32", shape: "1", data_offsets: [0, 4] } }, zeros(4)), /shape must be an array/);
});

test("entry with missing or ill-typed data_offsets", () => {
  rejects(file({ a: { dtype: "F32", shape: [1] } }, zeros(4)), /tensor "a": data_offsets must be \[begin, end\] non-negative integers, got undefined/);
  rejects(file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4, 8] } }, zeros(4)), /data_offsets must be \[begin, end\]/);
  rejects(file({ a: { dtype: "F32", shape: [1], data_offsets: ["0", "4"] } }, zeros(4)), /data_offsets must be \[begin, end\]/);
});

test("unknown dtype", () => {
  rejects(file({ a: { dtype: "F12", shape: [1], data_offsets: [0, 4] } }, zeros(4)), /tensor "a": unknown dtype "F12" \(known: BOOL, U8/);
  rejects(file({ a: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, zeros(1)), /tensor "a": dtype F8_E4M3 is not supported by rnnkit/);
});

test("offsets out of order (end before begin)", () => {
  rejects(file({ a: f32([0], 4, 0) }, zeros(4)), /tensor "a": data_offsets \[4, 0\] are out of order/);
});

test("overlapping tensors", () => {
  rejects(file({ a: f32([2], 0, 8), b: f32([1], 4, 8) }, zeros(8)), /tensor "b": data_offsets \[4, 8\] overlap tensor "a" \(which ends at 8\)/);
});

test("a hole between tensors", () => {
  rejects(file({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, zeros(12)), /bytes \[4, 8\) of the byte buffer belong to no tensor \(a hole before tensor "b"\)/);
});

test("bytes after the last tensor", () => {
  rejects(file({ a: f32([1], 0, 4) }, zeros(6)), /bytes \[4, 6\) at the end of the byte buffer belong to no tensor/);
});

test("offsets past the end of the file", () => {
  rejects(file({ a: f32([1], 0, 4), b: f32([2], 4, 12) }, zeros(8)), /tensor "b": data_offsets \[4, 12\] run past the end of the byte buffer \(8 bytes/);
});

test("byte size ≠ numel(shape) × dtype size", () => {
  rejects(file({ a: f32([3], 0, 8) }, zeros(8)), /tensor "a": data_offsets \[0, 8\] hold 8 bytes, but shape \[3\] of F32 needs 3 × 4 = 12/);
  rejects(file({ a: f32([2 ** 40, 2 ** 40], 0, 8) }, zeros(8)), /tensor "a": shape \[1099511627776, 1099511627776\] is too large/);
});

test("__metadata__ not a string → string map", () => {
  rejects(file({ __metadata__: ["pt"] }), /__metadata__ must be an object mapping strings to strings, got an array/);
  rejects(file({ __metadata__: { epochs: 3 } }), /__metadata__\["epochs"\] must be a string, got 3/);
});

test("save rejects what it cannot write", () => {
  const t = new Tensor(new Float32Array(1), [1]);
  assert.throws(() => save({ __metadata__: t }), (e: unknown) => e instanceof SafetensorsError && /"__metadata__" is reserved/.test(e.message));
  assert.throws(() => save({ a: [1, 2] as unknown as Tensor }), (e: unknown) => e instanceof SafetensorsError && /"a" is not a Tensor/.test(e.message));
  assert.throws(() => save({ a: t }, { n: 1 as unknown as string }), (e: unknown) => e instanceof SafetensorsError && /metadata\["n"\] must be a string/.test(e.message));
});
