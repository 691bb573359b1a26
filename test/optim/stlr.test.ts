import assert from "node:assert/strict";
import { test } from "node:test";
import { discriminativeRates, slantedTriangular } from "../../src/optim/stlr.js";

test("slanted triangular LR: warm-up to the peak at cut, linear decay to 1/ratio (Howard & Ruder eq. 3)", () => {
  const f = slantedTriangular({ steps: 1000, cutFrac: 0.1, ratio: 32 });
  assert.equal(f(0), 1 / 32);
  assert.equal(f(100), 1); // t = cut
  assert.ok(Math.abs(f(50) - (1 + 0.5 * 31) / 32) < 1e-12);
  // after the cut: p = 1 − (t − cut) / (cut (1/cut_frac − 1)) = 1 − (t − 100)/900
  assert.ok(Math.abs(f(550) - (1 + 0.5 * 31) / 32) < 1e-12);
  assert.ok(Math.abs(f(999) - (1 + (1 - 899 / 900) * 31) / 32) < 1e-12);
  for (let t = 1; t <= 100; t++) assert.ok(f(t) > f(t - 1));
  for (let t = 101; t < 1000; t++) assert.ok(f(t) < f(t - 1));
  assert.equal(f(5000), f(999)); // past the end: stays at the last value
  assert.throws(() => slantedTriangular({ steps: 0 }), /steps must be an integer ≥ 1, got 0/);
  assert.throws(() => slantedTriangular({ steps: 10, cutFrac: 1 }), /cutFrac must be in \(0, 1\)/);
});

test("discriminative rates: the top group gets lr, each lower group lr / 2.6 of the one above", () => {
  const r = discriminativeRates(0.01, 4);
  assert.equal(r.length, 4);
  assert.equal(r[3], 0.01);
  for (let g = 0; g < 3; g++) assert.ok(Math.abs(r[g]! * 2.6 - r[g + 1]!) < 1e-15);
  assert.throws(() => discriminativeRates(0.01, 0), /groups must be an integer ≥ 1/);
});
