/** AdaptiveLogSoftmaxWithLoss against torch.nn.AdaptiveLogSoftmaxWithLoss (test/fixtures/awd, PyTorch float64). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AdaptiveLogSoftmaxWithLoss } from "../../src/nn/adaptive-softmax.js";
import { gatherRows, scatterRows } from "../../src/tensor/ops/gather.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { type FixtureTensor, ft, readAwd } from "../helpers/awd-fixtures.js";
import { testBackends, withBackend } from "../helpers/backends.js";
import { assertClose } from "../helpers/close.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";

interface AdaptiveFixture {
  options: { in_features: number; n_classes: number; cutoffs: number[]; div_value: number; head_bias: boolean };
  params: Record<string, FixtureTensor>;
  input: FixtureTensor;
  target: number[];
  output: FixtureTensor;
  loss: number;
  r: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  log_prob: FixtureTensor;
  R: FixtureTensor;
  grads_log_prob: Record<string, FixtureTensor>;
  predict: number[];
}

function build(fx: AdaptiveFixture): AdaptiveLogSoftmaxWithLoss {
  const o = fx.options;
  const m = new AdaptiveLogSoftmaxWithLoss({ inFeatures: o.in_features, nClasses: o.n_classes, cutoffs: o.cutoffs, divValue: o.div_value, headBias: o.head_bias });
  assert.deepEqual(Object.keys(m.stateDict()), Object.keys(fx.params), "PyTorch's parameter names, in order");
  m.loadStateDict(Object.fromEntries(Object.entries(fx.params).map(([k, v]) => [k, ft(v)])));
  return m;
}

const paramGrads = (m: AdaptiveLogSoftmaxWithLoss, want: Record<string, FixtureTensor>, what: string): void => {
  for (const [n, p] of m.namedParameters()) assertClose(p.grad!.f32, want[n]!.data, `${what} d${n}`);
};

for (const name of ["adaptive_two_clusters", "adaptive_one_cluster"]) {
  test(`${name}: forward (output, loss), loss(), logProb, predict and every gradient match PyTorch, on every backend`, () => {
    const fx = readAwd<AdaptiveFixture>(name);
    for (const be of testBackends())
      withBackend(be, () => {
        const m = build(fx);
        const y = new Tensor(Int32Array.from(fx.target), [fx.target.length]);
        const x = ft(fx.input, true);
        const { output, loss } = m.forward(x, y);
        assertClose(output.f32, fx.output.data, "output");
        assertClose([loss.item()], [fx.loss], "loss");
        loss.add(output.mul(ft(fx.r)).sum()).backward();
        assertClose(x.grad!.f32, fx.grads.input!.data, "forward: dinput");
        paramGrads(m, fx.grads, "forward:");

        // the fused training path: same loss, same gradients of the loss alone
        m.zeroGrad();
        const x2 = ft(fx.input, true);
        const fused = m.loss(x2, y);
        assertClose([fused.item()], [fx.loss], "loss()");
        fused.backward();
        const ref = build(fx);
        const x3 = ft(fx.input, true);
        ref.forward(x3, y).loss.backward();
        assertClose(x2.grad!.f32, x3.grad!.f32, "loss(): dinput = forward().loss's");
        for (const [n, p] of m.namedParameters()) assertClose(p.grad!.f32, ref.stateDict()[n]!.grad!.f32, `loss(): d${n}`);

        m.zeroGrad();
        const x4 = ft(fx.input, true);
        const lp = m.logProb(x4);
        assertClose(lp.f32, fx.log_prob.data, "log_prob");
        lp.mul(ft(fx.R)).sum().backward();
        assertClose(x4.grad!.f32, fx.grads_log_prob.input!.data, "log_prob: dinput");
        paramGrads(m, fx.grads_log_prob, "log_prob:");
        assert.deepEqual(Array.from(m.predict(ft(fx.input))), fx.predict);
      });
  });
}

test("AdaptiveLogSoftmaxWithLoss: finite differences of forward, loss and logProb (distinct sizes); rows of exp(logProb) sum to 1", () => {
  manualSeed(5);
  const m = new AdaptiveLogSoftmaxWithLoss({ inFeatures: 6, nClasses: 17, cutoffs: [4, 9, 13], divValue: 1.5, headBias: true });
  const x = leaf([7, 6]);
  const y = new Tensor(Int32Array.from([0, 5, 16, 3, 9, 12, 13]), [7]);
  const ps = [x, ...m.parameters()];
  gradcheck("forward.output", () => m.forward(x, y).output, ps, { maxPoints: 16 });
  gradcheck("loss", () => m.loss(x, y).reshape([1]), ps, { maxPoints: 16 });
  gradcheck("logProb", () => m.logProb(x), ps, { maxPoints: 16 });
  const p = m.logProb(x).exp().sum(1).f32;
  assertClose(p, new Array(7).fill(1), "Σ p = 1", 1e-5, 0);
  // unbatched input and scalar target
  const one = m.forward(x.select(0, 2), new Tensor(Int32Array.from([16]), []));
  assert.deepEqual(one.output.shape, []);
  assertClose([one.output.item()], [m.logProb(x).f32[2 * 17 + 16]!], "unbatched output");
});

test("AdaptiveLogSoftmaxWithLoss: errors name what was expected", () => {
  assert.throws(() => new AdaptiveLogSoftmaxWithLoss({ inFeatures: 8, nClasses: 10, cutoffs: [5, 3] }), /cutoffs must be unique positive integers in increasing order, each between 1 and nClasses − 1 = 9, got \[5, 3\]/);
  assert.throws(() => new AdaptiveLogSoftmaxWithLoss({ inFeatures: 8, nClasses: 10, cutoffs: [10] }), /got \[10\]/);
  assert.throws(() => new AdaptiveLogSoftmaxWithLoss({ inFeatures: 3, nClasses: 10, cutoffs: [5], divValue: 4 }), /cluster 0's projection would have 3 \/ 4\^1 < 1 units/);
  const m = new AdaptiveLogSoftmaxWithLoss({ inFeatures: 8, nClasses: 10, cutoffs: [5] });
  assert.throws(() => m.loss(leaf([2, 7]), new Tensor(Int32Array.from([1, 2]), [2])), /input must be \[N, 8\] \(or \[8\]\), got \[2, 7\]/);
  assert.throws(() => m.loss(leaf([2, 8]), new Tensor(Int32Array.from([1, 10]), [2])), /target 10 at position 1 is outside \[0, 9\]/);
  assert.throws(() => m.forward(leaf([2, 8]), new Tensor(Int32Array.from([1]), [1])), /target must be int32 \[2\]/);
});

test("gatherRows / scatterRows: values and finite differences", () => {
  const x = leaf([4, 5]);
  const idx = Int32Array.from([4, 0, 2, 2]);
  assert.deepEqual(Array.from(gatherRows(x, idx).f32), [x.f32[4]!, x.f32[5]!, x.f32[12]!, x.f32[17]!]);
  gradcheck("gatherRows", () => gatherRows(x, idx), [x]);
  const v = leaf([3]);
  const rows = Int32Array.from([5, 0, 2]);
  assert.deepEqual(Array.from(scatterRows(v, rows, 6).f32), [v.f32[1]!, 0, v.f32[2]!, 0, 0, v.f32[0]!]);
  gradcheck("scatterRows", () => scatterRows(v, rows, 6), [v]);
  assert.throws(() => gatherRows(x, Int32Array.from([0, 1, 5, 0])), /index 5 at row 2 is out of range \[0, 5\)/);
});
