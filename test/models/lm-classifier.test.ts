import assert from "node:assert/strict";
import { test } from "node:test";
import { LmClassifier } from "../../src/models/lm-classifier.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { gradcheck } from "../helpers/gradcheck.js";

const V = 23;
function batch(lens: number[], seed = 5): { ids: Tensor; lens: number[] } {
  manualSeed(seed);
  const T = Math.max(...lens);
  const ids = new Int32Array(lens.length * T);
  lens.forEach((l, b) => {
    for (let t = 0; t < l; t++) ids[b * T + t] = 1 + ((b * 7 + t * 3 + seed) % (V - 1));
  });
  return { ids: new Tensor(ids, [lens.length, T]), lens };
}
const make = (o: Partial<ConstructorParameters<typeof LmClassifier>[0]> = {}): LmClassifier => {
  manualSeed(11);
  return new LmClassifier({ vocabSize: V, embeddingDim: 6, hiddenSizes: [7, 5], numClasses: 3, headHidden: 4, ...o });
};

test("LmClassifier: reading in chunks with carried state gives the same logits as one pass, in any row order", () => {
  const m = make().eval();
  const { ids, lens } = batch([9, 3, 7, 1, 9]);
  const whole = m.forward(ids, lens).toArray();
  assert.equal(whole.length, 5 * 3);
  for (const chunk of [1, 2, 4, 8, 9, 20]) {
    const mc = make({ bpttChunk: chunk }).eval();
    const got = mc.forward(ids, lens).toArray();
    got.forEach((v, i) => assert.ok(Math.abs(v - whole[i]!) < 1e-5, `chunk ${chunk}, logit ${i}: ${v} vs ${whole[i]}`));
  }
  // one text alone gives the same logits as inside the padded batch (padding never leaks)
  const T = ids.shape[1]!;
  lens.forEach((l, b) => {
    const alone = m.forward(new Tensor(ids.i32.slice(b * T, b * T + l), [1, l]), [l]).toArray();
    alone.forEach((v, i) => assert.ok(Math.abs(v - whole[b * 3 + i]!) < 1e-5, `text ${b} alone vs in the batch`));
  });
  assert.throws(() => m.forward(ids, [9, 3, 7, 0, 9]), /lengths\[3\] = 0 is outside \[1, 9\]/);
  assert.throws(() => m.forward(ids, [9, 3]), /one entry per text \(5\)/);
  assert.throws(() => make({ hiddenSizes: [] }), /hiddenSizes must be positive integers/);
});

test("LmClassifier: finite-difference gradients of every parameter (one pass and chunks ≥ the longest text)", () => {
  const { ids, lens } = batch([6, 2, 4]);
  for (const chunk of [0, 6]) {
    const m = make({ bpttChunk: chunk }).eval();
    const params = m.parameters();
    gradcheck(`LmClassifier chunk ${chunk}`, () => m.forward(ids, lens), params, { maxPoints: 12, atol: 3e-3 });
  }
});

test("LmClassifier: layer groups bottom to top cover every parameter once", () => {
  const m = make();
  const groups = m.layerGroups();
  assert.equal(groups.length, 4); // embedding, 2 LSTMs, head
  const all = groups.flat();
  assert.equal(new Set(all).size, m.parameters().length);
  assert.deepEqual(Object.keys(m.stateDict()).slice(0, 3), ["encoder.weight", "rnns.0.weight_ih_l0", "rnns.0.weight_hh_l0"]);
  assert.ok("head.3.bias" in m.stateDict() && "head.0.running_var" in m.stateDict());
});

test("LmClassifier.fromLanguageModel: the classifier reads a text exactly as the language model does", async () => {
  const { AwdLstm } = await import("../../src/models/awd-lstm.js");
  const { LanguageModel } = await import("../../src/models/language-model.js");
  manualSeed(2);
  const text = Int32Array.from([3, 9, 1, 14, 7, 22]);
  const T = text.length;
  const awd = new AwdLstm({ vocabSize: V, embeddingDim: 6, hiddenSizes: [8, 6] }).eval();
  const plain = new LanguageModel({ vocabSize: V, embeddingDim: 6, hiddenSize: 5, numLayers: 2 }).eval();
  for (const lm of [awd, plain]) {
    const clf = LmClassifier.fromLanguageModel(lm, { numClasses: 2 }).eval();
    const tokens = new Tensor(text, [T, 1]);
    const hTop = lm instanceof AwdLstm ? lm.encode(tokens).raw.at(-1)! : lm.forward(tokens).state.h.select(0, 1).unsqueeze(0);
    const lastLm = lm instanceof AwdLstm ? hTop.select(0, T - 1) : hTop.select(0, 0); // [1, P]
    const z = clf.features(new Tensor(text, [1, T]), [T]).toArray(); // [last ; max ; mean]
    const P = clf.outSize;
    lastLm.toArray().forEach((v, i) => assert.ok(Math.abs(v - z[i]!) < 1e-5, `${lm.constructor.name}: h_T[${i}] ${v} vs ${z[i]}`));
    assert.equal(z.length, 3 * P);
  }
  assert.throws(() => LmClassifier.fromLanguageModel(new LanguageModel({ vocabSize: V, embeddingDim: 4, hiddenSize: 4, cell: "GRU" }), { numClasses: 2 }), /cell is GRU/);
});
