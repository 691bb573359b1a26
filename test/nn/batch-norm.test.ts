import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BatchNorm1d } from "../../src/nn/batch-norm.js";
import { batchNorm1d } from "../../src/tensor/ops/batch-norm.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";
import { REPO_ROOT } from "../helpers/shared.js";

interface T {
  shape: number[];
  data: number[];
}
const fx = JSON.parse(readFileSync(join(REPO_ROOT, "test", "fixtures", "ulmfit", "batchnorm1d.json"), "utf8")) as {
  init: Record<string, T>;
  x: T;
  upstream: T;
  train: Record<string, T>;
  eval: Record<string, T>;
};
const close = (got: ArrayLike<number>, want: T, what: string, tol = 2e-5): void => {
  assert.equal(got.length, want.data.length, what);
  want.data.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= tol * (1 + Math.abs(w)), `${what}[${i}]: ${got[i]} vs PyTorch ${w}`));
};

test("BatchNorm1d matches PyTorch: training (batch statistics, running-statistics update, gradients) and eval", () => {
  const bn = new BatchNorm1d({ numFeatures: 5 });
  bn.loadStateDict({ ...Object.fromEntries(Object.entries(fx.init).map(([k, v]) => [k, new Tensor(Float32Array.from(v.data), v.shape)])), num_batches_tracked: new Tensor(new Float32Array(1), []) });
  const x = new Tensor(Float32Array.from(fx.x.data), fx.x.shape, true);
  const g = new Tensor(Float32Array.from(fx.upstream.data), fx.upstream.shape);
  bn.train();
  const y = bn.forward(x);
  y.mul(g).sum().backward();
  close(y.f32, fx.train.y!, "train y");
  close(x.grad!.f32, fx.train.dx!, "train dx");
  close(bn.weight.grad!.f32, fx.train.dweight!, "train dweight");
  close(bn.bias.grad!.f32, fx.train.dbias!, "train dbias");
  close(bn.runningMean.f32, fx.train.running_mean!, "running_mean");
  close(bn.runningVar.f32, fx.train.running_var!, "running_var");
  assert.equal(bn.numBatchesTracked.f32[0], 1);
  assert.deepEqual(Object.keys(bn.stateDict()), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
  assert.equal(bn.parameters().length, 2, "buffers are not parameters");
  bn.eval();
  const x2 = new Tensor(Float32Array.from(fx.x.data), fx.x.shape, true);
  bn.weight.grad = null;
  const y2 = bn.forward(x2);
  y2.mul(g).sum().backward();
  close(y2.f32, fx.eval.y!, "eval y");
  close(x2.grad!.f32, fx.eval.dx!, "eval dx");
  close(bn.weight.grad!.f32, fx.eval.dweight!, "eval dweight");
});

test("batchNorm1d: finite-difference gradients (N 6, F 4), training and eval; errors", () => {
  manualSeed(8);
  const x = leaf([6, 4], -2, 3);
  const w = leaf([4], 0.5, 1.5);
  const b = leaf([4]);
  const rm = new Float32Array(4).fill(0.2);
  const rv = new Float32Array(4).fill(1.3);
  gradcheck("batchNorm1d train", () => batchNorm1d(x, w, b, { training: true, runningMean: null, runningVar: null }), [x, w, b], { atol: 3e-3 });
  gradcheck("batchNorm1d eval", () => batchNorm1d(x, w, b, { training: false, runningMean: rm, runningVar: rv }), [x, w, b]);
  assert.throws(() => batchNorm1d(new Tensor(new Float32Array(4), [1, 4]), null, null, { training: true, runningMean: null, runningVar: null }), /at least 2 rows/);
  // one row while training: the running statistics normalise it (no update)
  const one = batchNorm1d(new Tensor(Float32Array.of(1.2, 0.2, 0.2, 0.2), [1, 4]), null, null, { training: true, runningMean: rm, runningVar: rv });
  assert.ok(Math.abs(one.f32[0]! - 1 / Math.sqrt(1.3 + 1e-5)) < 1e-6);
  assert.throws(() => new BatchNorm1d({ numFeatures: 3 }).forward(new Tensor(new Float32Array(8), [2, 4])), /input must be \[N, 3\], got \[2, 4\]/);
});
