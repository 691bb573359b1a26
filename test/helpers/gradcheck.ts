import assert from "node:assert/strict";
import { manualSeed, random } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";

/**
 * Finite-difference gradient check. The scalar checked is a random projection Σ f(x) ⊙ R (not a
 * plain sum, which would hide a transposed or permuted gradient). Central differences in float32
 * with step eps; `seed` is re-applied before every evaluation so random ops (dropout) repeat.
 */
export function gradcheck(name: string, f: () => Tensor, inputs: Tensor[], opts: { eps?: number; atol?: number; rtol?: number; maxPoints?: number; seed?: number } = {}): void {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 2e-2;
  const seed = opts.seed ?? 1234;
  manualSeed(seed);
  const out0 = f();
  manualSeed(99); // the projection's own draws
  const R = new Float32Array(out0.size).map(() => random() * 2 - 1);
  const loss = (): number => {
    manualSeed(seed);
    const y = f().data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * R[i]!;
    return s;
  };
  for (const x of inputs) x.grad = null;
  manualSeed(seed);
  f().mul(new Tensor(R, out0.shape)).sum().backward();
  for (const [k, x] of inputs.entries()) {
    assert.ok(x.grad, `${name}: input ${k} got no gradient`);
    const d = x.f32;
    const step = Math.max(1, Math.floor(d.length / (opts.maxPoints ?? 64)));
    for (let i = 0; i < d.length; i += step) {
      const orig = d[i]!;
      d[i] = orig + eps;
      const lp = loss();
      d[i] = orig - eps;
      const lm = loss();
      d[i] = orig;
      const num = (lp - lm) / (2 * eps);
      const ana = x.grad.data[i]!;
      assert.ok(Math.abs(num - ana) <= atol + rtol * Math.abs(num), `${name}: input ${k} [${x.shape.join(", ")}] index ${i}: analytic ${ana} vs numeric ${num}`);
    }
  }
}

/** A leaf with values uniform in [lo, hi) drawn from the seeded generator. */
export function leaf(shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Float32Array(n).map(() => lo + (hi - lo) * random()), shape, true);
}
