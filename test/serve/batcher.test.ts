import { test } from "node:test";
import assert from "node:assert/strict";
import { Batcher, QueueFullError } from "../../src/serve/batcher.js";

test("Batcher: requests that arrive together run as one batch, up to maxBatch items (by size)", async () => {
  const seen: number[][] = [];
  const b = new Batcher<number[], number>({ maxBatch: 5, maxWaitMs: 0, maxQueue: 100, size: (x) => x.length, run: (items) => (seen.push(items.map((x) => x.length)), items.map((x) => x.reduce((a, c) => a + c, 0))) });
  const out = await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5]), b.submit([6, 7, 8, 9, 10, 11]), b.submit([12])]);
  assert.deepEqual(out, [3, 3, 9, 51, 12]);
  assert.deepEqual(seen, [[2, 1, 2], [6], [1]], "a batch never exceeds maxBatch items, except one request larger than a batch, which runs alone");
  assert.equal(b.stats.batches, 3);
  assert.equal(b.stats.items, 5);
});

test("Batcher: a full queue rejects at once with QueueFullError and a Retry-After; nothing else is lost", async () => {
  const b = new Batcher<number, number>({ maxBatch: 1, maxWaitMs: 0, maxQueue: 3, run: (items) => items.map((x) => 2 * x) });
  const accepted = [1, 2, 3].map((x) => b.submit(x));
  assert.throws(() => b.submit(4), (e: unknown) => e instanceof QueueFullError && e.retryAfterS >= 1 && /3 requests are waiting/.test(e.message));
  assert.equal(b.stats.rejected, 1);
  assert.deepEqual(await Promise.all(accepted), [2, 4, 6]);
  assert.equal(b.queued, 0);
  assert.equal(await b.submit(5), 10, "space again once drained");
});

test("Batcher: maxWaitMs lets a batch fill; a failing item fails alone; drained() waits for the queue", async () => {
  const seen: number[] = [];
  const b = new Batcher<number, number>({
    maxBatch: 10,
    maxWaitMs: 30,
    maxQueue: 10,
    run: (items) => (seen.push(items.length), items.map((x) => (x < 0 ? new Error(`negative ${x}`) : x + 1))),
  });
  const p1 = b.submit(1);
  await new Promise((r) => setTimeout(r, 5));
  const p2 = b.submit(-1);
  const p3 = b.submit(2);
  const drained = b.drained();
  assert.equal(await p1, 2);
  await assert.rejects(p2, /negative -1/);
  assert.equal(await p3, 3);
  await drained;
  assert.deepEqual(seen, [3], "the three requests within 30 ms ran together");
  assert.throws(() => new Batcher({ maxBatch: 0, maxWaitMs: 0, maxQueue: 1, run: () => [] }), /maxBatch must be an integer ≥ 1/);
});
