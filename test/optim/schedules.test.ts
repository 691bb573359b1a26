/** LR schedules: hand-computed lr sequences (PyTorch semantics) and state-dict round trips. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LambdaLR, ReduceLROnPlateau, type SchedulerStateDict, StepLR, decayAfter } from "../../src/optim/index.js";

/** A stand-in optimizer: schedules only need a mutable lr. */
const opt = (lr = 1): { lr: number } => ({ lr });
const close = (got: number[], want: number[]): void => {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= 1e-12 * Math.abs(want[i]!) + 1e-15, `lr[${i}] = ${g}, expected ${want[i]} (all: ${got.join(", ")})`));
};
const roundTrip = (s: SchedulerStateDict): SchedulerStateDict => JSON.parse(JSON.stringify(s)) as SchedulerStateDict;

test("StepLR: lr × gamma every stepSize epochs", () => {
  const o = opt(1);
  const s = new StepLR(o, { stepSize: 2, gamma: 0.1 });
  assert.equal(o.lr, 1, "construction leaves lr alone");
  close([1, 2, 3, 4, 5].map(() => s.step()), [1, 0.1, 0.1, 0.01, 0.01]);
  assert.throws(() => new StepLR(o, { stepSize: 0 }), /StepLR: stepSize must be a positive integer, got 0/);
});

test("LambdaLR + decayAfter: halve every epoch after epoch k", () => {
  const o = opt(2);
  const s = new LambdaLR(o, decayAfter(2));
  assert.equal(o.lr, 2, "fn(0) = 1 applied at construction");
  close([1, 2, 3, 4].map(() => s.step()), [2, 1, 0.5, 0.25]);
  assert.throws(() => new LambdaLR(opt(), () => -1), /LambdaLR: fn\(0\) must be a finite number ≥ 0, got -1/);
});

test("ReduceLROnPlateau (min, rel threshold): reduces after more than `patience` bad epochs", () => {
  const o = opt(1);
  const s = new ReduceLROnPlateau(o, { factor: 0.5, patience: 2 });
  // 8.9999 is not an improvement on 9: it must be below 9·(1 − 1e-4) = 8.9991
  const metrics = [10, 9, 9, 9, 9, 8.9999, 9, 9, 8];
  close(metrics.map((m) => s.step(m)), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  assert.equal(s.best, 8);
});

test("ReduceLROnPlateau: cooldown, minLr, abs threshold and max mode", () => {
  const a = opt(1);
  const s = new ReduceLROnPlateau(a, { factor: 0.5, patience: 0, cooldown: 2 });
  close([5, 5, 5, 5, 5].map((m) => s.step(m)), [1, 0.5, 0.5, 0.5, 0.25]);

  const b = opt(1);
  const t = new ReduceLROnPlateau(b, { factor: 0.1, patience: 0, minLr: 0.05 });
  close([5, 5, 5, 5].map((m) => t.step(m)), [1, 0.1, 0.05, 0.05]);

  const c = opt(1);
  const u = new ReduceLROnPlateau(c, { mode: "max", factor: 0.5, patience: 0, threshold: 0.5, thresholdMode: "abs" });
  close([1, 2, 2.4, 3, Number.NaN].map((m) => u.step(m)), [1, 1, 0.5, 0.5, 0.25]);

  assert.throws(() => new ReduceLROnPlateau(opt(), { factor: 1 }), /factor must be < 1/);
  assert.throws(() => new ReduceLROnPlateau(opt(), { mode: "up" as "min" }), /mode must be "min" or "max", got up/);
  assert.throws(() => new ReduceLROnPlateau(opt(), { patience: 1.5 }), /patience must be a non-negative integer, got 1.5/);
});

test("schedules: stateDict survives JSON and resumes the same lr sequence", () => {
  const metrics = [3, 2, 2, 2, 2, 2, 1, 1, 1, 1];
  const mk = [
    (o: { lr: number }) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
    (o: { lr: number }) => new LambdaLR(o, decayAfter(1, 0.9)),
    (o: { lr: number }) => new ReduceLROnPlateau(o, { factor: 0.5, patience: 1, cooldown: 1 }),
  ];
  for (const make of mk) {
    const o1 = opt(1);
    const s1 = make(o1);
    const step = (s: ReturnType<typeof make>, i: number): number => (s instanceof ReduceLROnPlateau ? s.step(metrics[i]!) : s.step());
    const full = metrics.map((_, i) => step(s1, i));
    const o2 = opt(1);
    const s2 = make(o2);
    const head = metrics.slice(0, 4).map((_, i) => step(s2, i));
    const saved = roundTrip(s2.stateDict());
    const o3 = opt(o2.lr); // the optimizer's own stateDict restores its lr
    const s4 = make(o3);
    s4.loadStateDict(saved);
    const tail = metrics.slice(4).map((_, i) => step(s4, i + 4));
    close([...head, ...tail], full);
  }
  const r = new ReduceLROnPlateau(opt());
  assert.equal(roundTrip(r.stateDict()).state.best, "Infinity", "±Infinity survives JSON");
  assert.throws(() => new StepLR(opt(), { stepSize: 1 }).loadStateDict(r.stateDict()), /StepLR.loadStateDict: the state is for ReduceLROnPlateau, not StepLR/);
  const bad = roundTrip(r.stateDict());
  bad.state.numBadEpochs = -1;
  assert.throws(() => r.loadStateDict(bad), /numBadEpochs must be a non-negative integer/);
});
