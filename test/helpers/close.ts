import assert from "node:assert/strict";

/**
 * Assert |a − b| ≤ atol + rtol·|b| elementwise (the fixtures' tolerance: 1e-5 absolute + 1e-4
 * relative); on failure names the first bad index and the largest error.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length}, expected ${expected.length}`);
  let worst = 0;
  let worstAt = -1;
  let firstBad = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const err = Math.abs(a - b);
    if (!(err <= atol + rtol * Math.abs(b))) {
      if (firstBad < 0) firstBad = i;
      if (!(err <= worst)) {
        worst = err;
        worstAt = i;
      }
    }
  }
  if (firstBad >= 0) {
    assert.fail(`${what}: mismatch at index ${firstBad} (got ${actual[firstBad]}, expected ${expected[firstBad]}); worst error ${worst} at index ${worstAt} (got ${actual[worstAt]}, expected ${expected[worstAt]})`);
  }
}
