import assert from "node:assert/strict";
import { test } from "node:test";
import { Tensor } from "../../src/tensor/tensor.js";
import { gradualUnfreezing } from "../../src/train/gradual-unfreezing.js";

const p = (): Tensor => new Tensor(new Float32Array(2), [2], true);
const at = (epoch: number, step: number, S: number) => ({ epoch, step, stepsPerEpoch: S, globalStep: (epoch - 1) * S + step - 1, totalSteps: 6 * S });

test("gradual unfreezing: head first, one LSTM layer more per epoch, everything in the last stage", () => {
  const groups = [[p()], [p()], [p(), p()], [p()], [p()]]; // embedding, LSTM 1–3, head
  const s = gradualUnfreezing({ groups, lr: 1e-3, stepsPerEpoch: 10, epochs: 6 });
  assert.equal(s.stages, 4);
  const learning = (): boolean[] => groups.map((g) => g.every((t) => t.requiresGrad));
  s.onEpochStart(1);
  assert.deepEqual(learning(), [false, false, false, false, true]);
  s.onEpochStart(2);
  assert.deepEqual(learning(), [false, false, false, true, true]);
  s.onEpochStart(3);
  assert.deepEqual(learning(), [false, false, true, true, true]);
  for (const e of [4, 5, 6]) {
    s.onEpochStart(e);
    assert.deepEqual(learning(), [true, true, true, true, true]);
  }
  // discriminative rates: head lr, each group below lr / 2.6 of the one above
  const lrs = s.paramGroups.map((g) => g.lr!);
  assert.equal(lrs[4], 1e-3);
  for (let g = 0; g < 4; g++) assert.ok(Math.abs(lrs[g]! * 2.6 - lrs[g + 1]!) < 1e-15);
  // stage peaks 20×, 10×, 5×, then 1×; each stage one STLR cycle (peak at 10 % of it, start at 1/32)
  assert.equal(s.lrFactor(at(1, 1, 10)), 20 / 32);
  assert.equal(s.lrFactor(at(1, 2, 10)), 20);
  assert.equal(s.lrFactor(at(2, 2, 10)), 10);
  assert.equal(s.lrFactor(at(3, 2, 10)), 5);
  // the last stage spans epochs 4–6 (30 steps): its peak is at step 3 of epoch 4, and it ends low
  assert.equal(s.lrFactor(at(4, 4, 10)), 1);
  assert.ok(Math.abs(s.lrFactor(at(6, 10, 10)) - (1 + (1 - 26 / 27) * 31) / 32) < 1e-12); // t = 29 of 30, cut 3
  assert.ok(s.lrFactor(at(5, 5, 10)) < 1 && s.lrFactor(at(5, 5, 10)) > s.lrFactor(at(6, 5, 10)));
  assert.match(s.describe(2), /stage 2\/4: the head and the top 1 LSTM layer, peak lr 1\.00e-2/);
  assert.match(s.describe(5), /stage 4\/4: all layers/);
});

test("no unfreezing: every group learns from the start, one cycle over the run; fewer epochs than stages", () => {
  const groups = [[p()], [p()], [p()]];
  const s = gradualUnfreezing({ groups, lr: 1e-2, stepsPerEpoch: 5, epochs: 2, unfreeze: "none" });
  s.onEpochStart(1);
  assert.ok(groups.every((g) => g[0]!.requiresGrad));
  assert.equal(s.lrFactor(at(1, 2, 5)), 1);
  const short = gradualUnfreezing({ groups, lr: 1e-2, stepsPerEpoch: 5, epochs: 1 });
  assert.equal(short.stages, 1);
  short.onEpochStart(1);
  assert.ok(groups.every((g) => g[0]!.requiresGrad)); // one epoch: its only stage trains everything
  assert.throws(() => gradualUnfreezing({ groups: [[p()], [p()]], lr: 1, stepsPerEpoch: 1, epochs: 1 }), /expected ≥ 3 groups/);
});
