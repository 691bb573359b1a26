/** Finite-difference checks of every differentiable tensor op (distinct sizes, random projections). */
import { test } from "node:test";
import { concat, stack } from "../../src/tensor/ops/shape-ops.js";
import { crossEntropy, dropout, embedding } from "../../src/tensor/ops/nn-ops.js";
import { linear } from "../../src/tensor/ops/matmul.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";

manualSeed(7);

test("broadcasting add/sub/mul/div", () => {
  const a = leaf([2, 3, 4]);
  const b = leaf([3, 1]);
  const c = leaf([4], 0.5, 1.5);
  gradcheck("add", () => a.add(b), [a, b]);
  gradcheck("sub", () => b.sub(a), [a, b]);
  gradcheck("mul", () => a.mul(c), [a, c]);
  gradcheck("div", () => a.div(c), [a, c]);
  gradcheck("scalar ops", () => a.mul(3).add(1).div(2).sub(0.5), [a]);
});

test("unary ops", () => {
  const x = leaf([3, 5]);
  const pos = leaf([4, 2], 0.5, 2);
  gradcheck("neg", () => x.neg(), [x]);
  gradcheck("exp", () => x.exp(), [x]);
  gradcheck("log", () => pos.log(), [pos]);
  gradcheck("sqrt", () => pos.sqrt(), [pos]);
  gradcheck("sigmoid", () => x.sigmoid(), [x]);
  gradcheck("tanh", () => x.tanh(), [x]);
  const away = new Tensor(Float32Array.from([-0.9, -0.5, 0.3, 0.7, 1.1, -0.2]), [2, 3], true); // no point near the kink
  gradcheck("relu", () => away.relu(), [away]);
  gradcheck("abs", () => away.abs(), [away]);
});

test("matmul and linear", () => {
  const a = leaf([2, 3, 4]);
  const b = leaf([4, 5]);
  gradcheck("matmul", () => a.matmul(b), [a, b]);
  const x = leaf([3, 4]);
  const w = leaf([5, 4]);
  const bias = leaf([5]);
  gradcheck("linear", () => linear(x, w, bias), [x, w, bias]);
  gradcheck("linear no bias", () => linear(x, w, null), [x, w]);
});

test("reductions", () => {
  const x = leaf([2, 3, 4]);
  gradcheck("sum all", () => x.sum(), [x]);
  gradcheck("sum dim 1", () => x.sum(1), [x]);
  gradcheck("sum dim -1 keepdim", () => x.sum(-1, true), [x]);
  gradcheck("mean dim 0", () => x.mean(0), [x]);
  gradcheck("mean all", () => x.mean(), [x]);
  // well-separated values, so a finite-difference step never changes the arg-max
  const sep = new Tensor(Float32Array.from([...Array(24).keys()].map((i) => ((i * 7) % 24) * 0.1 - 1)), [2, 3, 4], true);
  gradcheck("max dim 1", () => sep.max(1), [sep]);
});

test("softmax and logSoftmax along different dims", () => {
  const x = leaf([3, 4, 5]);
  gradcheck("softmax -1", () => x.softmax(-1), [x]);
  gradcheck("softmax 1", () => x.softmax(1), [x]);
  gradcheck("logSoftmax -1", () => x.logSoftmax(-1), [x]);
  gradcheck("logSoftmax 0", () => x.logSoftmax(0), [x]);
});

test("shape ops", () => {
  const x = leaf([2, 3, 4]);
  const y = leaf([2, 5, 4]);
  gradcheck("reshape", () => x.reshape([4, -1]), [x]);
  gradcheck("transpose", () => x.transpose(0, 2), [x]);
  gradcheck("permute", () => x.permute([1, 2, 0]), [x]);
  gradcheck("slice", () => x.slice(2, 1, 3), [x]);
  gradcheck("select", () => x.select(1, -1), [x]);
  gradcheck("indexSelect (repeats)", () => x.indexSelect(1, [2, 0, 2, 1]), [x]);
  gradcheck("concat", () => concat([x, y], 1), [x, y]);
  const z = leaf([2, 3, 4]);
  gradcheck("stack", () => stack([x, z], 1), [x, z]);
  gradcheck("unsqueeze/squeeze", () => x.unsqueeze(1).mul(2).squeeze(1), [x]);
});

test("dropout (same mask under a fixed seed)", () => {
  const x = leaf([4, 6]);
  gradcheck("dropout", () => dropout(x, 0.3, true), [x]);
});

test("embedding, with the padding row excluded", () => {
  const w = leaf([7, 3]);
  const ids = new Tensor(Int32Array.from([1, 3, 3, 6, 0, 2]), [2, 3]);
  gradcheck("embedding", () => embedding(ids, w), [w]);
  const wp = leaf([7, 3]);
  embedding(ids, wp, 3).mul(leaf([2, 3, 3])).sum().backward();
  const g = wp.grad!.data;
  for (let d = 0; d < 3; d++) if (g[3 * 3 + d] !== 0) throw new Error("padding row got a gradient");
});

test("crossEntropy with ignoreIndex, mean and sum", () => {
  const z = leaf([5, 4], -2, 2);
  const y = new Tensor(Int32Array.from([3, 0, -100, 1, 2]), [5]);
  gradcheck("crossEntropy mean", () => crossEntropy(z, y), [z]);
  gradcheck("crossEntropy sum", () => crossEntropy(z, y, { reduction: "sum" }), [z]);
});

test("crossEntropy: a second backward through the same graph gives the same gradient again", () => {
  // the first backward reuses the saved probabilities as the gradient buffer; the second must recompute them
  const z = leaf([3, 7], -2, 2);
  const y = new Tensor(Int32Array.from([6, -100, 2]), [3]);
  const loss = crossEntropy(z, y);
  loss.backward();
  const first = Float32Array.from(z.grad!.f32);
  z.grad = null;
  loss.backward();
  const second = z.grad!.f32;
  for (let i = 0; i < first.length; i++) if (Math.abs(first[i]! - second[i]!) > 1e-7) throw new Error(`element ${i}: ${first[i]} then ${second[i]}`);
  for (let c = 0; c < 7; c++) if (second[7 + c] !== 0) throw new Error("ignored row got a gradient");
});
