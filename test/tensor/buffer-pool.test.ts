/** The scratch-buffer pool: exact-size reuse, zeroing, refusal of double release, small buffers bypass. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bufferPoolBytes, clearBufferPool, giveF32, takeF32 } from "../../src/tensor/buffer-pool.js";

test("takeF32 reuses a given-back buffer of the same size, zeroed unless asked not to", () => {
  clearBufferPool();
  const n = 1 << 17;
  const a = takeF32(n);
  a.fill(3);
  giveF32(a);
  assert.equal(bufferPoolBytes(), 4 * n);
  assert.throws(() => giveF32(a), /already given back/);
  const b = takeF32(n);
  assert.equal(b, a, "same buffer handed out again");
  assert.ok(b.every((x) => x === 0), "zeroed");
  b.fill(5);
  giveF32(b);
  const c = takeF32(n, false);
  assert.equal(c[7], 5, "zero = false keeps the old contents");
  assert.notEqual(takeF32(n), c, "a second take of the same size is a new buffer");
  assert.equal(takeF32(n + 1).length, n + 1, "other sizes are fresh");
  const small = takeF32(10);
  giveF32(small);
  assert.equal(bufferPoolBytes(), 0, "small buffers are not pooled");
  giveF32(new Float32Array(2 * n).subarray(0, n));
  assert.equal(bufferPoolBytes(), 0, "views are never pooled");
  clearBufferPool();
});
