/** Finite-difference checks of the fused recurrent op and every layer/model (float32, distinct sizes). */
import { test } from "node:test";
import { GRU, LSTM, RNN } from "../../src/nn/recurrent.js";
import { Linear } from "../../src/nn/linear.js";
import { recurrentDirection, type CellType } from "../../src/tensor/ops/recurrent.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { concat } from "../../src/tensor/ops/shape-ops.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";

manualSeed(11);
const T = 4, B = 3, I = 5, H = 6;

for (const mode of ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"] as CellType[]) {
  for (const reverse of [false, true]) {
    test(`recurrentDirection ${mode}${reverse ? " reverse" : ""} with lengths`, () => {
      const G = mode === "LSTM" ? 4 : mode === "GRU" ? 3 : 1;
      const x = leaf([T, B, I]);
      const w = { wIh: leaf([G * H, I], -0.5, 0.5), wHh: leaf([G * H, H], -0.5, 0.5), bIh: leaf([G * H], -0.3, 0.3), bHh: leaf([G * H], -0.3, 0.3), wHr: null };
      const h0 = leaf([B, H]);
      const c0 = mode === "LSTM" ? leaf([B, H]) : null;
      const lengths = Int32Array.from([2, 4, 1]);
      const run = (): Tensor => {
        const r = recurrentDirection(mode, x, w, h0, c0, lengths, reverse);
        return concat([r.output.reshape([-1]), r.hN.reshape([-1]), ...(r.cN ? [r.cN.reshape([-1])] : [])], 0);
      };
      const inputs = [x, w.wIh, w.wHh, w.bIh, w.bHh, h0, ...(c0 ? [c0] : [])];
      // relu's kink makes finite differences unreliable near 0; a smaller step keeps clear of it
      gradcheck(`${mode}`, run, inputs, mode === "RNN_RELU" ? { eps: 1e-3, atol: 5e-3, rtol: 5e-2 } : {});
    });
  }
}


test("LSTM with projection, 2 layers, bidirectional, batch-first, lengths", () => {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, batchFirst: true, projSize: 3 });
  const x = leaf([B, T, I]);
  const h0 = leaf([4, B, 3]);
  const c0 = leaf([4, B, H]);
  const ps = lstm.parameters();
  gradcheck("LSTM proj", () => {
    const r = lstm.forward(x, { h0, c0, lengths: [4, 1, 3] });
    return concat([r.output.reshape([-1]), r.hN.reshape([-1]), r.cN.reshape([-1])], 0);
  }, [x, h0, c0, ...ps], { maxPoints: 24 });
});

test("GRU and RNN stacks, bidirectional, with dropout between layers", () => {
  const gru = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, dropout: 0.25 });
  const rnn = new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, nonlinearity: "tanh" });
  const x = leaf([T, B, I]);
  gradcheck("GRU", () => gru.forward(x, { lengths: [3, 4, 2] }).output, [x, ...gru.parameters()], { maxPoints: 24 });
  gradcheck("RNN", () => rnn.forward(x).hN, [x, ...rnn.parameters()], { maxPoints: 24 });
});

test("Linear", () => {
  const lin = new Linear({ inFeatures: 4, outFeatures: 7 });
  const x = leaf([3, 2, 4]);
  gradcheck("Linear", () => lin.forward(x), [x, ...lin.parameters()]);
});

test("LanguageModel (tied) and SequenceClassifier (mean, max pooling)", () => {
  const lm = new LanguageModel({ vocabSize: 9, embeddingDim: 5, hiddenSize: 5, numLayers: 2, tieWeights: true, cell: "GRU" });
  const toks = new Tensor(Int32Array.from([1, 4, 8, 2, 0, 3, 5, 5]), [4, 2]);
  gradcheck("LanguageModel", () => lm.forward(toks).logits, lm.parameters(), { maxPoints: 16 });
  for (const pooling of ["mean", "max"] as const) {
    const clf = new SequenceClassifier({ vocabSize: 9, embeddingDim: 4, hiddenSize: 3, numClasses: 3, pooling });
    const ids = new Tensor(Int32Array.from([3, 4, 5, 0, 7, 8, 0, 0]), [2, 4]);
    gradcheck(`SequenceClassifier ${pooling}`, () => clf.forward(ids, [3, 2]), clf.parameters(), { maxPoints: 16 });
  }
});

test("a second backward through the same recurrent layer is refused with a clear error (its saved activations were freed)", async () => {
  const { default: assert } = await import("node:assert/strict");
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
  const y = lstm.forward(new Tensor(new Float32Array(2 * 5 * 3).fill(0.1), [2, 5, 3])).output.sum();
  y.backward();
  assert.throws(() => y.backward(), /LSTM layer: backward through the same recurrent layer a second time .*hint: run the forward pass again/);
});
