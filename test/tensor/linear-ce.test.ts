/**
 * linearCrossEntropy (decoder + loss fused): finite-difference gradients, equality with
 * crossEntropy(linear(x, W, b), y) on every backend, a second backward, no-grad mode, errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { linearCrossEntropy } from "../../src/tensor/ops/linear-ce.js";
import { linear } from "../../src/tensor/ops/matmul.js";
import { crossEntropy } from "../../src/tensor/ops/nn-ops.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { testBackends, withBackend } from "../helpers/backends.js";
import { assertClose } from "../helpers/close.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";

const ids = (a: number[]): Tensor => new Tensor(Int32Array.from(a), [a.length]);

test("linearCrossEntropy: finite-difference gradients of x, W and b (mean and sum, ignored rows, no bias)", () => {
  manualSeed(5);
  // distinct sizes N=5, K=4, C=7, so a transposed gradient cannot pass
  const x = leaf([5, 4]), w = leaf([7, 4]), b = leaf([7]);
  const y = ids([6, 0, -100, 3, 2]);
  gradcheck("fused mean", () => linearCrossEntropy(x, w, b, y), [x, w, b]);
  gradcheck("fused sum", () => linearCrossEntropy(x, w, b, y, { reduction: "sum" }), [x, w, b]);
  gradcheck("fused, no bias", () => linearCrossEntropy(x, w, null, y), [x, w]);
  gradcheck("fused, ignoreIndex 1", () => linearCrossEntropy(x, w, b, ids([1, 0, 1, 3, 2]), { ignoreIndex: 1 }), [x, w, b]);
});

for (const be of testBackends()) {
  test(`linearCrossEntropy equals crossEntropy(linear(...)) on odd sizes [${be.name}]`, () => withBackend(be, () => {
    for (const [N, K, C] of [[17, 33, 129], [1, 3, 17], [33, 17, 3], [129, 5, 33]] as const) {
      manualSeed(N * 1000 + C);
      const x = leaf([N, K]), w = leaf([C, K], -0.5, 0.5), b = leaf([C]);
      const y = ids(Array.from({ length: N }, (_, i) => (i % 5 === 2 && N > 1 ? -100 : (i * 7 + 3) % C)));
      for (const reduction of ["mean", "sum"] as const) {
        const run = (fused: boolean): Float32Array[] => {
          for (const t of [x, w, b]) t.grad = null;
          const loss = fused ? linearCrossEntropy(x, w, b, y, { reduction }) : crossEntropy(linear(x, w, b), y, { reduction });
          loss.backward();
          return [Float32Array.of(loss.item()), x.grad!.f32.slice(), w.grad!.f32.slice(), b.grad!.f32.slice()];
        };
        const want = run(false), got = run(true);
        ["loss", "dx", "dW", "db"].forEach((k, i) => assertClose(got[i]!, want[i]!, `N=${N} K=${K} C=${C} ${reduction} ${k}`, 1e-6, 1e-4));
        // the composite path (ref, native) runs the same kernels in the same order: identical bits
        if (!be.linearCrossEntropy) ["loss", "dx", "dW", "db"].forEach((k, i) => assert.deepEqual(got[i], want[i], `${be.name} N=${N} ${reduction} ${k}: bit-identical`));
      }
    }
  }));
}

test("linearCrossEntropy: a second backward recomputes the same gradients; an upstream factor scales them", () => {
  manualSeed(11);
  const x = leaf([6, 5]), w = leaf([9, 5]), b = leaf([9]);
  const y = ids([8, 0, -100, 4, 4, 1]);
  const loss = linearCrossEntropy(x, w, b, y);
  loss.backward();
  const first = [x, w, b].map((t) => t.grad!.f32.slice());
  for (const t of [x, w, b]) t.grad = null;
  loss.backward();
  [x, w, b].forEach((t, i) => assertClose(t.grad!.f32, first[i]!, `second backward, input ${i}`, 1e-7, 1e-6));
  for (const t of [x, w, b]) t.grad = null;
  linearCrossEntropy(x, w, b, y).mul(new Tensor(Float32Array.of(-2.5), [])).backward();
  [x, w, b].forEach((t, i) => assertClose(t.grad!.f32, first[i]!.map((v) => -2.5 * v), `upstream −2.5, input ${i}`, 1e-6, 1e-5));
});

test("linearCrossEntropy: no-grad mode gives the same loss and builds no graph; ignored rows only; errors", () => {
  manualSeed(13);
  const x = leaf([4, 3]), w = leaf([5, 3]), b = leaf([5]);
  const y = ids([4, 0, 2, 1]);
  const withGrad = linearCrossEntropy(x, w, b, y);
  const without = noGrad(() => linearCrossEntropy(x, w, b, y));
  assert.equal(without.item(), withGrad.item());
  assert.equal(without.requiresGrad, false);
  // every row ignored: mean is NaN as in crossEntropy (and PyTorch), gradients are zero
  const all = linearCrossEntropy(x, w, b, ids([-100, -100, -100, -100]));
  assert.ok(Number.isNaN(all.item()));
  assert.ok(Number.isNaN(crossEntropy(linear(x, w, b), ids([-100, -100, -100, -100])).item()));
  assert.throws(() => linearCrossEntropy(x, w, b, ids([4, 0, 5, 1])), /target at row 2 is 5, expected a class index in \[0, 5\)/);
  assert.throws(() => linearCrossEntropy(x, w, b, ids([4, 0, 2])), /targets must be \[4\] to match the input \[4, 3\], got \[3\]/);
  assert.throws(() => linearCrossEntropy(leaf([4, 2]), w, b, y), /input must be \[N, 3\], got \[4, 2\]/);
  assert.throws(() => linearCrossEntropy(x, w, leaf([4]), y), /bias must be \[5\], got \[4\]/);
});

test("LanguageModel.loss equals crossEntropy(forward().logits) with dropout (same random draws), and checks its targets", async () => {
  const { LanguageModel } = await import("../../src/models/language-model.js");
  manualSeed(21);
  const lm = new LanguageModel({ vocabSize: 37, embeddingDim: 8, hiddenSize: 12, numLayers: 2, dropout: 0.3 });
  const T = 5, B = 3;
  const tokens = new Tensor(Int32Array.from({ length: T * B }, (_, i) => (i * 7) % 37), [T, B]);
  const targets = new Tensor(Int32Array.from({ length: T * B }, (_, i) => (i * 11 + 2) % 37), [T, B]);
  const run = (fused: boolean): number[] => {
    manualSeed(5);
    for (const p of lm.parameters()) p.grad = null;
    const loss = fused ? lm.loss(tokens, targets).loss : crossEntropy(lm.forward(tokens).logits.reshape([T * B, 37]), targets.reshape([T * B]));
    loss.backward();
    return [loss.item(), ...lm.decoder.weight.grad!.f32.slice(0, 20), ...lm.embedding.weight.grad!.f32.slice(0, 20)];
  };
  assertClose(run(true), run(false), "fused vs unfused with dropout", 1e-6, 1e-4);
  assert.throws(() => lm.loss(tokens, new Tensor(Int32Array.from({ length: 4 }), [4])), /LanguageModel.loss: targets must be int32 \[5, 3\] like the tokens, got/);
  assert.throws(() => lm.loss(new Tensor(new Float32Array(15), [5, 3]), targets), /LanguageModel.loss: tokens must be int32 \[T, B\]/);
});
