/**
 * Half-precision export: float32 → F16 bits rounds to nearest even (every half value round-trips
 * exactly, ties go to the even neighbour, overflow to ±Inf, tiny values to subnormals/±0), and a
 * shipped classifier converted to F16 is half the size, loads, and predicts as the original.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkpointToHalf } from "../../src/export/half/index.js";
import { decode, toF16Bits } from "../../src/io/dtype.js";
import { CLASSIFIER_KIND, loadClassifierFromBytes } from "../../src/io/checkpoint-bytes.js";
import { readHeader } from "../../src/io/safetensors.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

const halfOf = (bits: number): number => decode("F16", new Uint8Array(new Uint16Array([bits]).buffer), 1)[0]!;

test("toF16Bits: every half value round-trips exactly", () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const values = decode("F16", new Uint8Array(all.buffer), 65536) as Float32Array;
  const back = toF16Bits(values);
  for (let h = 0; h < 65536; h++) {
    const e = (h >> 10) & 0x1f;
    if (e === 31 && (h & 0x3ff) !== 0) assert.equal((back[h]! & 0x7c00) === 0x7c00 && (back[h]! & 0x3ff) !== 0, true, `NaN ${h}`);
    else assert.equal(back[h], h, `half 0x${h.toString(16)} → ${values[h]} → 0x${back[h]!.toString(16)}`);
  }
});

test("toF16Bits: rounding to nearest even, overflow, underflow, signs", () => {
  const cases: Array<[number, number]> = [
    [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00], [-Infinity, 0xfc00],
    [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10 → even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 1+2^-10 and 1+2^-9 → even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [2 ** -25 + 2 ** -30, 0x0001], [1e-9, 0], [-1e-9, 0x8000],
    [2 ** -14, 0x0400], [2 ** -14 - 2 ** -25, 0x0400], // rounds up out of the subnormals
  ];
  const bits = toF16Bits(new Float32Array(cases.map((c) => c[0])));
  cases.forEach(([x, want], i) => assert.equal(bits[i], want, `${x}: got 0x${bits[i]!.toString(16)}, want 0x${want.toString(16)}`));
});

test("toF16Bits: random floats go to the nearest half", () => {
  let s = 12345;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const xs = new Float32Array(20000).map(() => (rnd() - 0.5) * 2 ** (Math.floor(rnd() * 40) - 24));
  const bits = toF16Bits(xs);
  xs.forEach((x, i) => {
    const h = bits[i]!;
    const err = Math.abs(x - halfOf(h));
    for (const n of [h + 1, h - 1]) if (n >= 0 && n < 65536 && (n & 0x7c00) !== 0x7c00 && (n & 0x8000) === (h & 0x8000)) assert.ok(err <= Math.abs(x - halfOf(n)), `${x}: 0x${h.toString(16)} is not the nearest`);
  });
});

test("export safetensors-f16: a float32 IMDB classifier at half the size predicts as the original", () => {
  // The playground's unidirectional IMDB LSTM is float32 (the shipped BiLSTM is itself already F16, see below).
  const bytes = readFileSync(join(REPO_ROOT, "examples", "playground", "models", "imdb-lstm.safetensors"));
  assert.ok(readHeader(bytes).entries.some((t) => t.dtype === "F32"));
  const half = checkpointToHalf(bytes, "imdb-lstm");
  assert.equal(half.kind, CLASSIFIER_KIND);
  assert.ok(half.bytes.length < 0.55 * bytes.length, `${half.bytes.length} vs ${bytes.length}`);
  assert.ok(readHeader(half.bytes).entries.every((t) => t.dtype === "F16" || t.dtype === "I32"));
  const texts = ["The movie was terribly exciting!", "What a waste of two hours.", "A quiet, patient film that earns its ending."];
  const a = classifyTexts(loadClassifierFromBytes(bytes), texts);
  const b = classifyTexts(loadClassifierFromBytes(half.bytes), texts);
  a.forEach((p, i) => {
    assert.equal(b[i]!.label, p.label);
    assert.ok(Math.abs(b[i]!.prob - p.prob) < 5e-3, `${texts[i]}: ${p.prob} vs ${b[i]!.prob}`);
  });
});

test("export (f16 and ONNX) takes --model as the shipped folder, as classify does (was EISDIR)", async () => {
  const { exportHalfFile } = await import("../../src/export/half/index.js");
  const { exportOnnxFile } = await import("../../src/export/onnx/file.js");
  const dir = tempDir("export-folder");
  const folder = join(REPO_ROOT, "models", "imdb-bilstm");
  const half = exportHalfFile({ model: folder, out: join(dir, "m.f16.safetensors") });
  assert.equal(half.kind, CLASSIFIER_KIND);
  assert.equal(half.inputBytes, readFileSync(join(folder, "model.safetensors")).length);
  assert.equal(exportOnnxFile({ model: folder, out: join(dir, "m.onnx") }).kind, CLASSIFIER_KIND);
});

test("the shipped classifier is the F16 export and converting it again changes nothing it predicts", () => {
  const bytes = readFileSync(join(REPO_ROOT, "models", "imdb-bilstm", "model.safetensors"));
  assert.ok(readHeader(bytes).entries.every((t) => t.dtype === "F16" || t.dtype === "I32"), "models/imdb-bilstm ships as F16");
  assert.ok(bytes.length <= 30 * 2 ** 20, `${bytes.length} bytes`);
  const again = checkpointToHalf(bytes, "models/imdb-bilstm");
  const texts = ["The movie was terribly exciting!", "What a waste of two hours."];
  assert.deepEqual(classifyTexts(loadClassifierFromBytes(again.bytes), texts), classifyTexts(loadClassifierFromBytes(bytes), texts));
});
