/**
 * A language model exported to F16 (`rnnkit export --format safetensors-f16`) and loaded back:
 * on the native backend its stepper reads every weight matrix from a half-precision copy (the
 * values are exact halves), and generate / predictNext / scoreText give what the float path gives
 * on the same weights (RNNKIT_STEP_HALF=0): the same sampled text, probabilities to 1e-5.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { exportHalfFile } from "../../src/export/half/index.js";
import { loadLm, saveLm } from "../../src/io/checkpoint.js";
import { tryBackend } from "../../src/kernels/select.js";
import { generate, predictNext, scoreText } from "../../src/lm/predict.js";
import { LmStepper } from "../../src/lm/step.js";
import { resolveTokenizer } from "../../src/data/text/tokenize.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { manualSeed } from "../../src/tensor/random.js";
import { withBackend } from "../helpers/backends.js";
import { lmVocab } from "../helpers/lm-vocab.js";

/** fn with RNNKIT_STEP_HALF set to v (undefined: unset), restored after. */
function withHalfEnv<T>(v: string | undefined, fn: () => T): T {
  const old = process.env.RNNKIT_STEP_HALF;
  if (v === undefined) delete process.env.RNNKIT_STEP_HALF;
  else process.env.RNNKIT_STEP_HALF = v;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env.RNNKIT_STEP_HALF;
    else process.env.RNNKIT_STEP_HALF = old;
  }
}

test("an F16-exported language model steps from half copies on native, with the float path's results", (t) => {
  const native = tryBackend("native");
  if (native instanceof Error) return t.skip(`native backend unavailable: ${native.message}`);
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-half-lm-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  manualSeed(3);
  const words = ["<unk>", "<eos>", ...Array.from({ length: 498 }, (_, i) => `w${i}`)];
  const vocab = lmVocab(words, resolveTokenizer({ level: "word" }), "<unk>");
  const model = new LanguageModel({ vocabSize: words.length, embeddingDim: 40, hiddenSize: 72, numLayers: 2 }).initUniform(0.3).eval();
  saveLm(join(dir, "lm.safetensors"), model, vocab);
  exportHalfFile({ model: join(dir, "lm.safetensors"), out: join(dir, "lm-f16.safetensors") });
  const f32 = loadLm(join(dir, "lm.safetensors"));
  const f16 = loadLm(join(dir, "lm-f16.safetensors"));
  withBackend(native, () => {
    const st16 = LmStepper.create(f16.model)!;
    const st32 = LmStepper.create(f32.model)!;
    assert.equal(st16.halfWeights, 5, "2 layers × (weight_ih, weight_hh) + decoder read from half copies");
    assert.equal(st32.halfWeights, 0, "float32 weights that are not halves are read as they are");
    st16.dispose();
    st32.dispose();
    const run = (): { text: string; probs: number[]; logProb: number } => ({
      text: generate(f16.model, f16.vocab, "w1 w2 w3", { length: 300, seed: 7, temperature: 0.9, topP: 0.95 }).text,
      probs: predictNext(f16.model, f16.vocab, "w4 w5 w6", { k: 5 }).next.map((n) => n.prob),
      logProb: scoreText(f16.model, f16.vocab, "w7 w8 w9 w10 w11 w12").logProb,
    });
    const half = withHalfEnv(undefined, run);
    const float = withHalfEnv("0", run);
    assert.equal(half.text, float.text, "the same sampled text from half copies and from the floats");
    half.probs.forEach((p, i) => assert.ok(Math.abs(p - float.probs[i]!) <= 1e-5, `next-token prob ${i}: ${p} vs ${float.probs[i]}`));
    assert.ok(Math.abs(half.logProb - float.logProb) <= 1e-4, `log-probability ${half.logProb} vs ${float.logProb}`);
  });
});
