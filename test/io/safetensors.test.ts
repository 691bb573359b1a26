/** safetensors: round trips, the reference writer's exact bytes, dtype decoding, PyTorch fixtures. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { SafetensorsError, load, readHeader, save } from "../../src/io/safetensors.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { assertClose } from "../helpers/close.js";
import { type FixtureTensor, readJson, sharedPath } from "../helpers/shared.js";

const enc = new TextEncoder();
const f32 = (shape: number[], ...v: number[]): Tensor => new Tensor(Float32Array.from(v), shape);

/** A file from a header (object or raw string) and a byte buffer. */
function file(header: unknown, data: ArrayLike<number> = []): Uint8Array {
  const h = enc.encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}
const headerText = (bytes: Uint8Array): string => new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true)));

test("save → load round trip: float32, int32, scalars, empty tensors, odd names, metadata", () => {
  const tensors = {
    "rnn.weight_ih_l0": f32([2, 3], 1, -2, 3.5, 1e-30, -0, 65504.5),
    "10": new Tensor(Int32Array.from([-2147483648, 0, 2147483647]), [3]),
    "2": f32([], 7),
    "empty": f32([0, 4]),
    "π/ü": f32([1], 3.14159),
  };
  const meta = { format: "pt", note: "ünïcødé" };
  const back = load(save(tensors, meta));
  assert.deepEqual(back.metadata, meta);
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
  for (const [k, t] of Object.entries(tensors)) {
    const u = back.tensors[k]!;
    assert.equal(u.dtype, t.dtype, k);
    assert.deepEqual(u.shape, t.shape, k);
    assert.deepEqual(Array.from(u.data), Array.from(t.data), k);
  }
  assert.deepEqual(load(save({})).tensors, {});
  assert.deepEqual(load(save({ a: f32([1], 1) })).metadata, {}, "no __metadata__ → {}");
});

test("save writes the reference implementation's bytes", () => {
  // an empty file: "{}" padded with spaces to 8 bytes
  assert.deepEqual(Array.from(save({})), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const withMeta = save({}, { framework: "pt" });
  assert.equal(headerText(withMeta), '{"__metadata__":{"framework":"pt"}}     ');
  assert.equal(withMeta.length, 8 + 40);
  // one F32 tensor: a 64-byte header needs no padding, data follows as little-endian floats
  const one = save({ "attn.0": f32([1, 2, 3], 0, 1, 2, 3, 4, 5) });
  assert.equal(headerText(one), '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
  assert.deepEqual(Array.from(one.subarray(72, 80)), [0, 0, 0, 0, 0, 0, 128, 63]);
  // order: F32 before I32, each by name; every header is a multiple of 8 bytes
  const mixed = save({ b: f32([1], 1), a: new Tensor(Int32Array.of(1, 2), [2]), c: f32([2], 1, 2) }, { m: "x" });
  const h = readHeader(mixed);
  assert.deepEqual(h.entries.map((e) => [e.name, e.dtype, e.dataOffsets]), [["b", "F32", [0, 4]], ["c", "F32", [4, 12]], ["a", "I32", [12, 20]]]);
  assert.match(headerText(mixed), /^\{"__metadata__":\{"m":"x"\},"b":/);
  assert.equal(h.dataStart % 8, 0);
});

test("load reads from a Uint8Array view at any byte offset", () => {
  const bytes = save({ w: f32([2], 1.5, -2.5) });
  const big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 3);
  assert.deepEqual(Array.from(load(big.subarray(3)).tensors.w!.f32), [1.5, -2.5]);
  // a Node Buffer (whose slice() is a view, not a copy) inside a larger allocation
  const buf = Buffer.concat([Buffer.alloc(5), Buffer.from(bytes)]).subarray(5);
  assert.deepEqual(Array.from(load(buf).tensors.w!.f32), [1.5, -2.5]);
});

test("load decodes every readable dtype exactly", () => {
  const cases: Array<[string, number[], number[], number[]]> = [
    // dtype, shape, raw little-endian bytes, expected values
    ["F16", [8], [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xff, 0x7b, 0x00, 0x7c, 0x00, 0xfc, 0x00, 0x80, 0x55, 0x35], [1, -2, 2 ** -24, 65504, Infinity, -Infinity, -0, 0.333251953125]],
    ["BF16", [3], [0x80, 0x3f, 0x49, 0xc0, 0x80, 0x7f], [1, -3.140625, Infinity]],
    ["I64", [2], [0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0], [-5, 2147483647]],
    ["U64", [1], [7, 0, 0, 0, 0, 0, 0, 0], [7]],
    ["I32", [1], [0xfe, 0xff, 0xff, 0xff], [-2]],
    ["U32", [1], [0xff, 0xff, 0xff, 0x7f], [2147483647]],
    ["I16", [2], [0xff, 0xff, 0x34, 0x12], [-1, 0x1234]],
    ["U16", [1], [0xff, 0xff], [65535]],
    ["I8", [2], [0xff, 0x05], [-1, 5]],
    ["U8", [2], [0xff, 0x05], [255, 5]],
    ["BOOL", [2], [0, 1], [0, 1]],
  ];
  for (const [dtype, shape, raw, want] of cases) {
    const t = load(file({ x: { dtype, shape, data_offsets: [0, raw.length] } }, raw)).tensors.x!;
    assert.equal(t.dtype, dtype.startsWith("F") || dtype === "BF16" ? "float32" : "int32", dtype);
    assert.deepEqual(Array.from(t.data), want, dtype);
  }
  const nan = load(file({ x: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }, [0x00, 0x7e])).tensors.x!;
  assert.ok(Number.isNaN(nan.f32[0]));
  const f64 = new Uint8Array(new Float64Array([1 / 3, -1e-300]).buffer);
  assert.deepEqual(Array.from(load(file({ x: { dtype: "F64", shape: [2], data_offsets: [0, 16] } }, f64)).tensors.x!.f32), [Math.fround(1 / 3), -0]);
});

test("load rejects values that do not fit the target type, naming the tensor", () => {
  const big = [0, 0, 0, 0x80, 0, 0, 0, 0]; // 2^31
  const cases: Array<[string, number[], RegExp]> = [
    ["I64", big, /tensor "x" \(I64\): element 0 \(2147483648\) does not fit in int32/],
    ["U64", [0, 0, 0, 0, 1, 0, 0, 0], /element 0 \(4294967296\) does not fit in int32/],
    ["U32", big.slice(0, 4), /element 0 \(2147483648\) does not fit in int32/],
    ["F64", Array.from(new Uint8Array(new Float64Array([1e300]).buffer)), /element 0 \(1e\+300\) overflows float32/],
  ];
  for (const [dtype, raw, re] of cases) {
    const bytes = file({ x: { dtype, shape: [raw.length / (dtype === "U32" ? 4 : 8)], data_offsets: [0, raw.length] } }, raw);
    assert.throws(() => load(bytes), (e: unknown) => e instanceof SafetensorsError && re.test(e.message), dtype);
  }
});

interface LmFixture {
  params: Record<string, FixtureTensor>;
}

test("lm_lstm.{F32,F16,BF16}.safetensors match lm_lstm.json params to the dtype's precision", (t) => {
  const json = sharedPath(t, "fixtures", "recurrent", "lm_lstm.json");
  if (!json) return;
  const params = readJson<LmFixture>(json).params;
  // round-to-nearest error ≤ half an ulp: 2^-p relative for p significand bits (incl. the implicit
  // one), plus half the smallest subnormal step in absolute terms (F16: 2^-25); the 2^-24 slack
  // covers PyTorch having gone float64 → float32 → the storage dtype.
  const bounds = { F32: { rel: 2 ** -24, abs: 1e-6 }, F16: { rel: 2 ** -11 + 2 ** -24, abs: 2 ** -25 }, BF16: { rel: 2 ** -8 + 2 ** -24, abs: 2 ** -134 } };
  for (const [dtype, { rel, abs }] of Object.entries(bounds)) {
    const path = sharedPath(t, "fixtures", "recurrent", `lm_lstm.${dtype}.safetensors`);
    if (!path) return;
    const { tensors, metadata } = load(readFileSync(path));
    assert.deepEqual(Object.keys(tensors), Object.keys(params), `${dtype}: names in order`);
    assert.equal(metadata.format, "pt");
    for (const [name, want] of Object.entries(params)) {
      const got = tensors[name]!;
      assert.equal(got.dtype, "float32");
      assert.deepEqual(got.shape, want.shape, `${dtype} ${name}: shape`);
      assertClose(got.f32, want.data, `${dtype} ${name}`, abs, rel);
    }
  }
});
