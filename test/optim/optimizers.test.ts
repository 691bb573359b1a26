/** Hand-computed optimizer cases the PyTorch fixture does not cover, validation and state dicts. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Adam, AdamW, type Optimizer, SGD, clipGradNorm } from "../../src/optim/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { assertClose } from "../helpers/close.js";

const param = (...v: number[]): Tensor => new Tensor(Float32Array.from(v), [v.length], true);
const grad = (p: Tensor, ...v: number[]): void => {
  p.grad = new Tensor(Float32Array.from(v), [v.length]);
};
/** Step `opt` with gradient g on its single parameter `times` times, returning the values after each step. */
function trajectory(opt: Optimizer, g: number[], times: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < times; k++) {
    grad(opt.params[0]!, ...g);
    opt.step();
    out.push(opt.params[0]!.f32[0]!);
  }
  return out;
}

test("SGD: nesterov, dampening and weight decay (hand-computed)", () => {
  // p = 1, g = 1, lr 0.1, μ 0.9 nesterov: b=1, d=1.9 → 0.81; b=1.9, d=2.71 → 0.539
  assertClose(trajectory(new SGD([param(1)], { lr: 0.1, momentum: 0.9, nesterov: true }), [1], 2), [0.81, 0.539], "nesterov");
  // dampening 0.5: first step b = g (no dampening) → 0.9; then b = 0.9 + 0.5 → 0.76
  assertClose(trajectory(new SGD([param(1)], { lr: 0.1, momentum: 0.9, dampening: 0.5 }), [1], 2), [0.9, 0.76], "dampening");
  // weight decay 0.1: d = 1 + 0.1·1 → 0.89; d = 1 + 0.089 → 0.7811
  assertClose(trajectory(new SGD([param(1)], { lr: 0.1, weightDecay: 0.1 }), [1], 2), [0.89, 0.7811], "weight decay");
});

test("Adam / AdamW: first step moves every coordinate by lr·sign(g); AdamW decays first", () => {
  // t = 1: m̂ = g, v̂ = g² → step = lr·g/(|g| + ε)
  assertClose(trajectory(new Adam([param(1)], { lr: 0.1 }), [3], 1), [0.9], "Adam");
  assertClose(trajectory(new Adam([param(1)], { lr: 0.1, weightDecay: 1 }), [-0.5], 1), [0.9], "Adam L2 (g + λθ = 0.5)");
  // AdamW: θ ← 1·(1 − 0.1·0.5) = 0.95, then − 0.1
  assertClose(trajectory(new AdamW([param(1)], { lr: 0.1, weightDecay: 0.5 }), [3], 1), [0.85], "AdamW");
});

test("parameters with a null gradient are skipped and keep their own step count", () => {
  const a = param(1);
  const b = param(1);
  const opt = new Adam([a, b], { lr: 0.1 });
  grad(a, 1);
  opt.step();
  assert.equal(b.f32[0], 1);
  assert.deepEqual(opt.stateDict().meta.steps, [1, 0]);
  assert.deepEqual(Object.keys(opt.stateDict().tensors).sort(), ["exp_avg.0", "exp_avg_sq.0"]);
  grad(b, 1);
  opt.step(); // b's first step: bias-corrected to exactly lr
  assertClose([b.f32[0]!], [0.9], "b after its first step");
  opt.zeroGrad();
  assert.equal(a.grad, null);
  assert.equal(b.grad, null);
});

test("lr is a mutable property used by the next step", () => {
  const opt = new SGD([param(1)], { lr: 0.1 });
  opt.lr = 0.5;
  assertClose(trajectory(opt, [1], 1), [0.5], "after lr = 0.5");
  assert.throws(() => (opt.lr = -1), /SGD: lr must be a finite number ≥ 0, got -1/);
});

test("constructor validation names the problem", () => {
  const p = [param(1)];
  assert.throws(() => new Adam(p, { lr: -1 }), /Adam: lr must be a finite number ≥ 0, got -1/);
  assert.throws(() => new Adam(p, { betas: [0.9, 1] }), /Adam: betas must be in \[0, 1\)/);
  assert.throws(() => new AdamW(p, { eps: Number.NaN }), /AdamW: eps must be/);
  assert.throws(() => new SGD(p, { lr: 0.1, nesterov: true }), /SGD: nesterov momentum needs momentum > 0 and dampening = 0/);
  assert.throws(() => new SGD(p, {} as { lr: number }), /SGD: lr is required/);
  assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
  assert.throws(() => new SGD([new Tensor(new Int32Array(2), [2])], { lr: 0.1 }), /params\[0\] is an int32 tensor/);
  assert.throws(() => new SGD([p[0]!, p[0]!], { lr: 0.1 }), /params\[1\] appears more than once/);
  assert.throws(() => new SGD([p[0]!.mul(2)], { lr: 0.1 }), /params\[0\] is not a leaf/);
});

test("stateDict / loadStateDict: exact resume and clear rejections", () => {
  const make = (): [Tensor, SGD] => {
    const p = param(1, 2);
    return [p, new SGD([p], { lr: 0.1, momentum: 0.9 })];
  };
  const [p1, o1] = make();
  grad(p1, 1, -1);
  o1.step();
  const s = JSON.parse(JSON.stringify(o1.stateDict().meta)) as ReturnType<SGD["stateDict"]>["meta"];
  const st = { tensors: o1.stateDict().tensors, meta: s };
  const [p2, o2] = make();
  p2.f32.set(p1.f32);
  o2.loadStateDict(st);
  st.tensors["momentum_buffer.0"]!.f32.fill(999); // the loaded buffers must be copies
  grad(p1, 0.5, 0.5);
  grad(p2, 0.5, 0.5);
  o1.step();
  o2.step();
  assert.deepEqual(Array.from(p2.f32), Array.from(p1.f32));

  const [, o3] = make();
  const adamState = new Adam([param(1, 2)]).stateDict();
  assert.throws(() => o3.loadStateDict(adamState), /SGD.loadStateDict: the state is for Adam, not SGD/);
  assert.throws(() => o3.loadStateDict({ ...st, meta: { ...s, shapes: [[3]] } }), /parameter 0 has shape \[2\] but the state has \[3\]/);
  assert.throws(() => o3.loadStateDict({ ...st, tensors: { "velocity.0": st.tensors["momentum_buffer.0"]! } }), /unexpected state tensor "velocity.0"/);
  assert.throws(() => o3.loadStateDict({ ...st, tensors: { "momentum_buffer.0": param(1, 2, 3) } }), /must be a float32 tensor of 2 elements/);
  assert.throws(() => o3.loadStateDict({ ...st, meta: { ...s, hyper: { ...s.hyper, momentum: -1 } } }), /bad hyperparameters in the state: SGD: momentum must be/);
  assert.equal(o3.momentum, 0.9, "a rejected load changes nothing");
  const adam = new Adam([param(1)]);
  grad(adam.params[0]!, 1);
  adam.step();
  const as = adam.stateDict();
  assert.throws(() => new Adam([param(1)]).loadStateDict({ ...as, tensors: { "exp_avg.0": as.tensors["exp_avg.0"]! } }), /exp_avg.0 and exp_avg_sq.0 must both be present/);
});

test("clipGradNorm: PyTorch formula, returns the norm before clipping, inf norm", () => {
  const a = param(0, 0);
  const b = param(0);
  grad(a, 3, 0);
  grad(b, 4);
  assert.equal(clipGradNorm([a, b], 1), 5);
  assertClose([...a.grad!.f32, ...b.grad!.f32], [3 / (5 + 1e-6), 0, 4 / (5 + 1e-6)], "clipped");
  grad(a, 0.375, 0);
  grad(b, 0.5);
  assert.equal(clipGradNorm([a, b], 1), 0.625);
  assert.deepEqual([...a.grad!.f32, ...b.grad!.f32], [0.375, 0, 0.5], "below maxNorm: untouched");
  grad(a, 3, -7);
  assert.equal(clipGradNorm(a, 3.5, Infinity), 7);
  assertClose(a.grad!.f32, [1.5, -3.5], "inf-norm clip", 1e-5, 1e-6);
  assert.equal(clipGradNorm(param(1), 1), 0, "no gradients → 0");
  assert.throws(() => clipGradNorm([a], 0), /maxNorm must be a positive number, got 0/);
});

test("parameter groups: each group steps with its own hyperparameters, exactly as separate optimizers would", () => {
  const a = [param(1, -2), param(0.5)];
  const b = [param(1, -2), param(0.5)];
  const grouped = new Adam([{ params: [a[0]!], lr: 0.1 }, { params: [a[1]!], lr: 0.01, weightDecay: 0.5 }], { lr: 0.05, betas: [0.8, 0.99] });
  const alone = [new Adam([b[0]!], { lr: 0.1, betas: [0.8, 0.99] }), new Adam([b[1]!], { lr: 0.01, weightDecay: 0.5, betas: [0.8, 0.99] })];
  for (let k = 0; k < 3; k++) {
    grad(a[0]!, 0.3, -1);
    grad(a[1]!, 2);
    grad(b[0]!, 0.3, -1);
    grad(b[1]!, 2);
    grouped.step();
    for (const o of alone) o.step();
  }
  assert.deepEqual(a.map((p) => Array.from(p.f32)), b.map((p) => Array.from(p.f32)));
  assert.deepEqual(grouped.paramGroups.map((g) => g.lr), [0.1, 0.01]);
  assert.equal(grouped.lr, 0.1, "lr reads the first group");
  grouped.paramGroups[1]!.lr = 0.002;
  assert.deepEqual(grouped.paramGroups.map((g) => g.lr), [0.1, 0.002]);
  assert.throws(() => (grouped.paramGroups[0]!.lr = -1), /Adam: lr must be a finite number ≥ 0, got -1/);
  grouped.lr = 0.3; // sets every group
  assert.deepEqual(grouped.paramGroups.map((g) => g.lr), [0.3, 0.3]);

  // the state keeps every group's hyperparameters and refuses another grouping
  grouped.paramGroups[1]!.lr = 0.004;
  const st = grouped.stateDict();
  assert.deepEqual(st.meta.groups!.map((g) => [g.hyper.lr, g.hyper.weightDecay, g.size]), [[0.3, 0, 1], [0.004, 0.5, 1]]);
  const c = [param(0, 0), param(0)];
  const back = new Adam([{ params: [c[0]!] }, { params: [c[1]!] }]);
  back.loadStateDict(st);
  assert.deepEqual(back.paramGroups.map((g) => g.hyper), grouped.paramGroups.map((g) => g.hyper));
  assert.throws(() => new Adam([...c]).loadStateDict(st), /the state has 2 parameter groups, this optimizer has 1/);
  assert.throws(() => new SGD([{ params: [param(1)], momentum: -1 }], { lr: 0.1 }), /SGD: momentum must be a finite number ≥ 0, got -1/);
  assert.throws(() => new SGD([{ params: [] }], { lr: 0.1 }), /parameter group 0 is empty/);
  const shared = param(1);
  assert.throws(() => new SGD([{ params: [shared] }, { params: [shared] }], { lr: 0.1 }), /group 1 params\[0\] appears more than once/);
});
