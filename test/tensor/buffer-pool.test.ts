/** The scratch-buffer pool: exact and near-size reuse, zeroing, refusal of double release, eviction, small buffers bypass. */
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
  const small = takeF32(10);
  giveF32(small);
  assert.equal(bufferPoolBytes(), 0, "small buffers are not pooled");
  giveF32(new Float32Array(2 * n).subarray(0, n));
  assert.equal(bufferPoolBytes(), 0, "foreign views are never pooled");
  clearBufferPool();
});

test("a request is served by a pooled buffer up to 25 % larger, as a view; giving the view back returns the whole buffer", () => {
  clearBufferPool();
  const n = 1 << 17;
  const big = takeF32(n + 1000);
  giveF32(big);
  assert.equal(takeF32(Math.ceil((n + 1000) / 1.3)).buffer === big.buffer, false, "more than 25 % larger: not used");
  const v = takeF32(n);
  assert.equal(v.length, n);
  assert.equal(v.buffer, big.buffer, "a view of the pooled buffer");
  assert.equal(bufferPoolBytes(), 0);
  giveF32(v);
  assert.equal(bufferPoolBytes(), 4 * (n + 1000), "the whole buffer went back");
  assert.equal(takeF32(n + 1000), big);
  clearBufferPool();
});

test("only sizes that were asked for are kept, at most 4 of a size", () => {
  clearBufferPool();
  const n = 1 << 17;
  giveF32(new Float32Array(n));
  assert.equal(bufferPoolBytes(), 0, "never requested: not kept");
  const xs = Array.from({ length: 6 }, () => takeF32(n));
  for (const x of xs) giveF32(x);
  assert.equal(bufferPoolBytes(), 4 * 4 * n, "four of a size");
  clearBufferPool();
});

test("the pool stays under its cap by evicting the sizes used longest ago", () => {
  clearBufferPool();
  const sizes = Array.from({ length: 10 }, (_, i) => (8 << 20) + i * (1 << 16)); // 10 × ~32 MiB > 256 MiB
  const given = sizes.map((s) => takeF32(s));
  for (const b of given) giveF32(b);
  assert.ok(bufferPoolBytes() <= 256 * 2 ** 20, `${bufferPoolBytes()} bytes pooled`);
  assert.equal(takeF32(sizes[9]!, false), given[9], "the newest size is still pooled");
  assert.notEqual(takeF32(sizes[0]!, false), given[0], "the oldest size was evicted: a fresh buffer");
  clearBufferPool();
});
