/** ASGD and NT-ASGD against torch.optim.ASGD and the AWD-LSTM switch (test/fixtures/awd, PyTorch float64). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ASGD, NTASGD, NonMonotonicTrigger } from "../../src/optim/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { type FixtureTensor, ft, readAwd } from "../helpers/awd-fixtures.js";
import { assertClose } from "../helpers/close.js";

type PQ = Record<"p" | "q", FixtureTensor>;
interface AsgdFixture {
  initial: PQ;
  grads_each_step: PQ[];
  runs: Array<{ options: { lr: number; lambd?: number; alpha?: number; t0?: number; weight_decay?: number }; lr_change: Record<string, number>; after_each_step: PQ[]; ax_each_step: PQ[]; final_eta: number; final_mu: number }>;
}

const opts = (o: AsgdFixture["runs"][number]["options"]) => ({
  lr: o.lr,
  ...(o.lambd !== undefined ? { lambd: o.lambd } : {}),
  ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
  ...(o.t0 !== undefined ? { t0: o.t0 } : {}),
  ...(o.weight_decay !== undefined ? { weightDecay: o.weight_decay } : {}),
});

test("ASGD matches torch.optim.ASGD after every step: parameters and averages (defaults, t0 = 2, AWD's t0 = 0 / λ = 0, lr changed mid-run)", () => {
  const fx = readAwd<AsgdFixture>("asgd");
  assert.equal(fx.runs.length, 4);
  for (const run of fx.runs) {
    const params = [ft(fx.initial.p, true), ft(fx.initial.q, true)];
    const opt = new ASGD(params, opts(run.options));
    fx.grads_each_step.forEach((g, s) => {
      if (run.lr_change[String(s)] !== undefined) opt.lr = run.lr_change[String(s)]!;
      params[0]!.grad = ft(g.p);
      params[1]!.grad = ft(g.q);
      opt.step();
      const label = `${JSON.stringify(run.options)} step ${s + 1}`;
      assertClose(params[0]!.f32, run.after_each_step[s]!.p.data, `${label} p`);
      assertClose(params[1]!.f32, run.after_each_step[s]!.q.data, `${label} q`);
      assertClose(opt.averaged(0)!, run.ax_each_step[s]!.p.data, `${label} ax(p)`);
      assertClose(opt.averaged(1)!, run.ax_each_step[s]!.q.data, `${label} ax(q)`);
    });
    const meta = opt.stateDict().meta;
    assertClose([meta.extra!.eta![0]!, meta.extra!.mu![0]!], [run.final_eta, run.final_mu], "final eta, mu", 1e-9, 1e-7);
  }
});

test("ASGD: swapAveraged puts ax in and restores; stateDict round trip resumes the same trajectory", () => {
  const fx = readAwd<AsgdFixture>("asgd");
  const run = fx.runs[1]!;
  const mk = (): [Tensor[], ASGD] => {
    const params = [ft(fx.initial.p, true), ft(fx.initial.q, true)];
    return [params, new ASGD(params, opts(run.options))];
  };
  const stepWith = (params: Tensor[], opt: ASGD, s: number): void => {
    params[0]!.grad = ft(fx.grads_each_step[s]!.p);
    params[1]!.grad = ft(fx.grads_each_step[s]!.q);
    opt.step();
  };
  const [params, opt] = mk();
  for (let s = 0; s < 3; s++) stepWith(params, opt, s);
  const trained = params[0]!.f32.slice();
  const restore = opt.swapAveraged();
  assertClose(params[0]!.f32, run.ax_each_step[2]!.p.data, "swapped in");
  assert.throws(() => opt.step(), /averaged weights are swapped in/);
  restore();
  assert.deepEqual(params[0]!.f32, trained);
  assertClose(opt.withAveraged(() => params[1]!.f32.slice()), run.ax_each_step[2]!.q.data, "withAveraged");
  assert.deepEqual(params[0]!.f32, trained);
  // resume from the state after step 3 in a fresh optimizer (JSON round trip of the meta)
  const st = opt.stateDict();
  const [params2, opt2] = mk();
  params2[0]!.f32.set(params[0]!.f32);
  params2[1]!.f32.set(params[1]!.f32);
  opt2.loadStateDict({ tensors: st.tensors, meta: JSON.parse(JSON.stringify(st.meta)) });
  for (let s = 3; s < fx.grads_each_step.length; s++) stepWith(params2, opt2, s);
  const last = fx.grads_each_step.length - 1;
  assertClose(params2[0]!.f32, run.after_each_step[last]!.p.data, "resumed p");
  assertClose(opt2.averaged(1)!, run.ax_each_step[last]!.q.data, "resumed ax(q)");
  assert.throws(() => opt2.loadStateDict({ tensors: st.tensors, meta: { ...st.meta, extra: {} } }), /meta.extra must hold eta and mu/);
});

interface NtFixture {
  lr: number;
  weight_decay: number;
  nonmono: number;
  valid_losses: number[];
  switched_after_epoch: number;
  initial: FixtureTensor;
  grads_each_step: FixtureTensor[];
  after_each_step: FixtureTensor[];
  ax_each_step: Array<FixtureTensor | null>;
}

test("NT-ASGD: SGD, the non-monotonic switch after the same epoch as awd-lstm's main.py, then ASGD(t0 = 0, λ = 0), matching PyTorch step by step", () => {
  const fx = readAwd<NtFixture>("nt_asgd");
  const p = ft(fx.initial, true);
  const opt = new NTASGD([p], { lr: fx.lr, weightDecay: fx.weight_decay, nonmono: fx.nonmono });
  let step = 0;
  let switchedAt: number | null = null;
  fx.valid_losses.forEach((v, e) => {
    for (let k = 0; k < 2; k++, step++) {
      p.grad = ft(fx.grads_each_step[step]!);
      opt.step();
      assertClose(p.f32, fx.after_each_step[step]!.data, `step ${step + 1}`);
      const ax = fx.ax_each_step[step];
      if (ax) assertClose(opt.averaged(0)!, ax.data, `ax after step ${step + 1}`);
      else assert.equal(opt.averaged(0), null, `no average before the switch (step ${step + 1})`);
    }
    if (opt.validationLoss(v)) switchedAt = e + 1;
  });
  assert.equal(switchedAt, fx.switched_after_epoch);
  assert.ok(opt.averaging);
});

test("NonMonotonicTrigger: fires once, when the loss is worse than the best before the last n", () => {
  const t = new NonMonotonicTrigger(2);
  const fired = [3, 2, 1.5, 1.6, 1.4, 1.45, 1.55, 1.2, 9].map((v) => t.update(v));
  // at 1.55: history [3, 2, 1.5, 1.6, 1.4, 1.45], best before the last 2 = 1.4 < 1.55
  assert.deepEqual(fired, [false, false, false, false, false, false, true, false, false]);
  assert.equal(t.firedAt, 7);
  assert.equal(new NonMonotonicTrigger(0).update(1), false);
  assert.throws(() => new NonMonotonicTrigger(-1), /nonmono must be a non-negative integer/);
});

test("NTASGD: state round trip before and after the switch; swapAveraged is a no-op before it", () => {
  const p = new Tensor(Float32Array.from([1, 2, 3]), [3], true);
  const opt = new NTASGD([p], { lr: 0.1, nonmono: 1 });
  p.grad = new Tensor(Float32Array.from([1, 1, 1]), [3]);
  opt.step();
  const before = p.f32.slice();
  opt.withAveraged(() => assert.deepEqual(p.f32, before));
  assert.deepEqual([5, 4, 4.5, 4.6].map((v) => opt.validationLoss(v)), [false, false, false, true]);
  assert.ok(opt.averaging);
  opt.step();
  opt.step();
  const st = opt.stateDict();
  const q = new Tensor(p.f32.slice(), [3], true);
  const opt2 = new NTASGD([q], { lr: 0.1, nonmono: 1 });
  opt2.loadStateDict({ tensors: st.tensors, meta: JSON.parse(JSON.stringify(st.meta)) });
  assert.ok(opt2.averaging);
  assert.deepEqual(opt2.trigger.history, [5, 4, 4.5, 4.6]);
  p.grad = q.grad = new Tensor(Float32Array.from([0.5, -1, 2]), [3]);
  opt.step();
  opt2.step();
  assert.deepEqual(q.f32, p.f32);
  assert.deepEqual(opt2.averaged(0), opt.averaged(0));
  assert.throws(() => new NTASGD([p], {} as never), /lr has no default/);
});
