/**
 * ONNX export of AWD-LSTM language models (src/export/onnx/awd-lstm.ts) checked by ONNX Runtime:
 * per-layer states, tied decoder directly / through a linear projection / through the top LSTM's
 * projection (a Scan), untied, adaptive softmax (log-probabilities); and an AWD-LSTM checkpoint file
 * exported through `rnnkit export`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveTokenizer } from "../../src/data/text/tokenize.js";
import type { LmVocabulary } from "../../src/data/text/vocabulary.js";
import { AwdLstm, type AwdLstmConfig } from "../../src/models/awd-lstm.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { LM_KIND, encodeCheckpoint, loadAnyLm, saveLm } from "../../src/io/checkpoint.js";
import { checkpointToOnnx, decodeModel, lmToOnnx } from "../../src/export/onnx/index.js";
import { assertClose } from "../helpers/close.js";
import { runCli } from "../helpers/cli.js";
import { lmVocab } from "../helpers/lm-vocab.js";
import { f32, i64, loadOrt, session } from "./onnx-helpers.js";
import { pythonWith } from "../python/python.js";
import { tempDir } from "../helpers/tmp.js";

const ort = loadOrt();
const TOL = 1e-5;
let worst = 0;
const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
  assertClose(a, b, what, TOL, 0);
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
};

/** Deterministic pseudo-random floats in [−1, 1). */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
const V = 23;
const vocab = (): LmVocabulary => lmVocab(["<unk>", "<eos>", ...Array.from({ length: V - 2 }, (_, i) => `w${i}`)], resolveTokenizer({ level: "word" }), "<unk>");

/** An AwdLstm in eval mode with every weight non-trivial (AWD's init zeroes the decoder bias). */
function awd(cfg: Omit<AwdLstmConfig, "vocabSize">, seed: number): AwdLstm {
  const m = new AwdLstm({ vocabSize: V, weightDrop: 0.5, ...cfg }, { generator: new Generator(seed) });
  for (const [name, p] of Object.entries(m.stateDict())) if (name.endsWith("bias")) p.f32.set(noise(p.size, seed + name.length));
  m.eval();
  return m;
}

const cases: Array<{ name: string; cfg: Omit<AwdLstmConfig, "vocabSize">; scan?: boolean }> = [
  { name: "tied, top layer of the embedding size", cfg: { embeddingDim: 5, hiddenSizes: [7, 5] } },
  { name: "tied through a linear projection, 3 layers", cfg: { embeddingDim: 4, hiddenSizes: [7, 6, 6], projection: "linear" } },
  { name: "tied through the top LSTM's projection (a Scan)", cfg: { embeddingDim: 4, hiddenSizes: [7, 6], projection: "lstm" }, scan: true },
  { name: "untied", cfg: { embeddingDim: 4, hiddenSizes: [6, 5], tieWeights: false } },
  { name: "adaptive softmax (log-probabilities), head bias", cfg: { embeddingDim: 4, hiddenSizes: [6, 8], adaptiveSoftmax: { cutoffs: [6, 14], divValue: 2, headBias: true } } },
];

for (const [i, c] of cases.entries()) {
  test(`ONNX Runtime runs an AWD-LSTM language model, ${c.name}, like rnnkit: logits, per-layer states, carried state`, async () => {
    const model = awd(c.cfg, 30 + i);
    const bytes = lmToOnnx({ model, vocab: vocab() });
    const ops = decodeModel(bytes).graph.node.map((n) => n.op_type);
    assert.equal(ops.includes("Scan"), c.scan === true, `Scan only for the projected top LSTM: ${ops.join(", ")}`);
    const s = await session(ort, bytes);
    const L = model.numLayers;
    const sizes = model.rnns.items.map((r) => ({ P: r.outSize, H: r.hiddenSize }));
    assert.deepEqual([...s.inputNames], ["tokens", ...sizes.flatMap((_, k) => [`h0_l${k}`, `c0_l${k}`])]);
    assert.deepEqual([...s.outputNames], ["logits", ...sizes.flatMap((_, k) => [`h_n_l${k}`, `c_n_l${k}`])]);
    for (const [T, B, seed] of [[6, 3, 1], [1, 1, 2], [9, 2, 3]] as const) {
      const ids = Int32Array.from(noise(T * B, seed), (v) => Math.floor((v + 1) * 0.5 * V) % V);
      const h0 = sizes.map(({ P }, k) => noise(B * P, seed + 10 + k));
      const c0 = sizes.map(({ H }, k) => noise(B * H, seed + 20 + k));
      const feeds: Record<string, unknown> = { tokens: i64(ort, ids, [T, B]) };
      sizes.forEach(({ P, H }, k) => {
        feeds[`h0_l${k}`] = f32(ort, h0[k]!, [1, B, P]);
        feeds[`c0_l${k}`] = f32(ort, c0[k]!, [1, B, H]);
      });
      const out = await s.run(feeds);
      const state = { h: sizes.map(({ P }, k) => new Tensor(h0[k]!, [1, B, P])), c: sizes.map(({ H }, k) => new Tensor(c0[k]!, [1, B, H])) };
      const ref = noGrad(() => model.forward(new Tensor(ids, [T, B]), state));
      assert.deepEqual(out.logits!.dims, [T, B, V]);
      close(out.logits!.data as Float32Array, ref.logits.f32, `${c.name} T=${T} B=${B} logits`);
      for (let k = 0; k < L; k++) {
        close(out[`h_n_l${k}`]!.data as Float32Array, ref.state.h[k]!.f32, `${c.name} T=${T} B=${B} h_n_l${k}`);
        close(out[`c_n_l${k}`]!.data as Float32Array, ref.state.c[k]!.f32, `${c.name} T=${T} B=${B} c_n_l${k}`);
      }
      if (c.cfg.adaptiveSoftmax) {
        // log-probabilities: each row's probabilities sum to 1
        const lp = out.logits!.data as Float32Array;
        for (let r = 0; r < T * B; r++) assert.ok(Math.abs(lp.subarray(r * V, (r + 1) * V).reduce((a, v) => a + Math.exp(v), 0) - 1) < 1e-5);
      }
      // feeding the states back continues the sequence: two calls = one call over the concatenation
      if (T > 2) {
        const first = await s.run({ ...feeds, tokens: i64(ort, ids.subarray(0, 2 * B), [2, B]) });
        const next: Record<string, unknown> = { tokens: i64(ort, ids.subarray(2 * B), [T - 2, B]) };
        for (let k = 0; k < L; k++) {
          next[`h0_l${k}`] = first[`h_n_l${k}`];
          next[`c0_l${k}`] = first[`c_n_l${k}`];
        }
        const rest = await s.run(next);
        close(rest.logits!.data as Float32Array, ref.logits.f32.subarray(2 * B * V), `${c.name} continued logits`);
      }
    }
    await s.release();
    const meta = Object.fromEntries(decodeModel(bytes).metadata_props.map((p) => [p.key, p.value]));
    const arch = JSON.parse(meta.architecture!) as Record<string, unknown>;
    assert.equal(arch.architecture, "awd-lstm");
    assert.deepEqual(arch.stateSizes, sizes.map((x) => x.P));
    assert.equal(arch.output, c.cfg.adaptiveSoftmax ? "log-probabilities" : "logits");
    assert.equal((JSON.parse(meta.rnnkit!) as { config: { architecture: string } }).config.architecture, "awd-lstm");
  });
}

test("an AWD-LSTM checkpoint file (saveLm) exports through rnnkit export and ONNX Runtime gives the loaded model's logits", async () => {
  const dir = tempDir("onnx-awd");
  const model = awd({ embeddingDim: 4, hiddenSizes: [6, 4], adaptiveSoftmax: { cutoffs: [6, 14], divValue: 2 } }, 5);
  const path = join(dir, "awd.safetensors");
  saveLm(path, model, vocab());
  const r = runCli(["export", "--format", "onnx", "--model", path, "--out", join(dir, "awd.onnx"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(join(dir, "awd.onnx"));
  const s = await session(ort, bytes);
  const loaded = loadAnyLm(path).model as AwdLstm;
  loaded.eval();
  const [T, B] = [5, 2];
  const ids = Int32Array.from(noise(T * B, 9), (v) => Math.floor((v + 1) * 0.5 * V) % V);
  const feeds: Record<string, unknown> = { tokens: i64(ort, ids, [T, B]) };
  loaded.rnns.items.forEach((rnn, k) => {
    feeds[`h0_l${k}`] = f32(ort, new Float32Array(B * rnn.outSize), [1, B, rnn.outSize]);
    feeds[`c0_l${k}`] = f32(ort, new Float32Array(B * rnn.hiddenSize), [1, B, rnn.hiddenSize]);
  });
  const out = await s.run(feeds);
  const ref = noGrad(() => loaded.forward(new Tensor(ids, [T, B]), loaded.initState(B)));
  close(out.logits!.data as Float32Array, ref.logits.f32, "AWD checkpoint file logits");
  await s.release();
  // an architecture ONNX export does not know is refused by name
  const other = encodeCheckpoint(model, { kind: LM_KIND, config: { architecture: "transformer-xl", ...model.config }, vocab: vocab().toJSON(), info: {} });
  assert.throws(() => checkpointToOnnx(other, "x.safetensors"), /x\.safetensors/);
  writeFileSync(join(dir, "x.safetensors"), other);
  const bad = runCli(["export", "--format", "onnx", "--model", join(dir, "x.safetensors"), "--out", join(dir, "x.onnx")]);
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stderr, /x\.safetensors/);
});

test("the official ONNX checker accepts the exported AWD-LSTM graphs", async (t) => {
  const py = pythonWith("onnx");
  if (!py) {
    t.skip("python3 with the onnx module not found (apt-get install python3-onnx to run this check; ONNX Runtime agreement is tested above)");
    return;
  }
  const dir = tempDir("onnx-awd-check");
  const files = cases.map((c, i) => {
    const f = join(dir, `awd-${i}.onnx`);
    writeFileSync(f, lmToOnnx({ model: awd(c.cfg, 50 + i), vocab: vocab() }));
    return f;
  });
  const script = "import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint('checked', len(sys.argv) - 1)";
  const r = spawnSync(py, ["-c", script, ...files], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`checked ${files.length}`));
});

test("largest difference between ONNX Runtime and rnnkit over the AWD-LSTM comparisons above", (t) => {
  assert.ok(worst > 0 && worst <= TOL, `${worst}`);
  t.diagnostic(`max |ONNX Runtime − rnnkit| = ${worst.toExponential(2)} (tolerance ${TOL})`);
});
