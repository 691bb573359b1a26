import assert from "node:assert/strict";
import { test } from "node:test";
import { maskedMax, maskedSum } from "../../src/tensor/ops/pool.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";

test("maskedMax / maskedSum: padded steps never count, whatever they hold", () => {
  // B = 2, T = 3, F = 2; sequence 1 has length 1 and large values in its padding
  const x = new Tensor(Float32Array.from([1, -5, 3, -2, 2, -1, /* b=1 */ -4, -6, 100, 100, 100, 100]), [2, 3, 2]);
  assert.deepEqual(maskedMax(x, [3, 1]).toArray(), [3, -1, -4, -6]);
  assert.deepEqual(maskedSum(x, [3, 1]).toArray(), [6, -8, -4, -6]);
  assert.throws(() => maskedMax(x, [3, 0]), /lengths\[1\] = 0 is outside \[1, 3\]/);
  assert.throws(() => maskedSum(x, [3]), /one entry per sequence \(2\)/);
  assert.throws(() => maskedMax(new Tensor(new Float32Array(6), [2, 3]), [1, 1]), /must be \[B, T, F\]/);
});

test("maskedMax / maskedSum: finite-difference gradients (B 3, T 5, F 4, ragged lengths)", () => {
  manualSeed(3);
  const x = leaf([3, 5, 4]);
  gradcheck("maskedMax", () => maskedMax(x, [5, 2, 4]), [x]);
  gradcheck("maskedSum", () => maskedSum(x, [5, 2, 4]), [x]);
  // the gradient never reaches padding
  x.grad = null;
  maskedMax(x, [5, 2, 4]).sum().backward();
  const g = x.grad!.f32;
  for (let t = 2; t < 5; t++) for (let f = 0; f < 4; f++) assert.equal(g[(1 * 5 + t) * 4 + f], 0);
});
