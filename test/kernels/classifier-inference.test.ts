/**
 * The classifier's inference path (models/classifier-step.ts: time-major embedding gather, fused
 * recurrent kernels without saved activations, pooling, output layer) against
 * SequenceClassifier.forward(...).softmax(-1), on every backend: every cell, one and two
 * directions, one and two layers, every pooling, ragged lengths, to 1e-5.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellType } from "../../src/models/cell.js";
import { classifierProba } from "../../src/models/classifier-step.js";
import { SequenceClassifier, type Pooling } from "../../src/models/sequence-classifier.js";
import { manualSeed, randint } from "../../src/tensor/random.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { assertClose } from "../helpers/close.js";
import { testBackends, withBackend } from "../helpers/backends.js";

for (const be of testBackends()) {
  test(`classifierProba = forward + softmax: cells, directions, layers, pooling, ragged lengths (${be.name})`, () => {
    withBackend(be, () => {
      let seed = 1;
      for (const cell of ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"] as CellType[])
        for (const bidirectional of [true, false])
          for (const pooling of ["final", "mean", "max"] as Pooling[]) {
            const numLayers = seed % 2 === 0 ? 2 : 1;
            manualSeed(seed++);
            const V = 50, B = 5, T = 9;
            const m = new SequenceClassifier({ vocabSize: V, embeddingDim: 7, hiddenSize: 13, numClasses: 3, cell, bidirectional, pooling, numLayers }).eval();
            const lengths = Int32Array.from([9, 1, 4, 9, 6]);
            const ids = new Int32Array(B * T);
            for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = 1 + randint(V - 1);
            const want = noGrad(() => m.forward(new Tensor(ids, [B, T]), lengths).softmax(-1).f32);
            const got = classifierProba(m, ids, B, T, lengths);
            assert.ok(got, "a plain classifier takes the inference path");
            assertClose(got, want, `${cell} ${bidirectional ? "bi" : "uni"} ${pooling} L${numLayers}`, 1e-5, 0);
          }
    });
  });
}

test("classifierProba refuses bad ids and lengths, and leaves models it does not know to forward()", () => {
  manualSeed(3);
  const m = new SequenceClassifier({ vocabSize: 10, embeddingDim: 4, hiddenSize: 5, numClasses: 2 }).eval();
  assert.throws(() => classifierProba(m, Int32Array.from([1, 2, 11]), 1, 3, Int32Array.from([3])), /token id 11 at \[0, 2\] is outside \[0, 10\)/);
  assert.throws(() => classifierProba(m, Int32Array.from([1, 2, 3]), 1, 3, Int32Array.from([4])), /lengths\[0\] = 4 is outside \[1, 3\]/);
  class WithExtra extends SequenceClassifier {
    constructor() {
      super({ vocabSize: 10, embeddingDim: 4, hiddenSize: 5, numClasses: 2 });
      this.registerParameter("temperature", new Tensor(new Float32Array(1), [1], true));
    }
  }
  assert.equal(classifierProba(new WithExtra(), Int32Array.from([1]), 1, 1, Int32Array.from([1])), null);
});
