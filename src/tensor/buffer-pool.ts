/**
 * Reuse of large scratch buffers whose end of life the caller knows exactly (the recurrent
 * layers' input projections, saved activations and gate gradients; used-up gradients in backward).
 *
 * Why: a fresh large Float32Array is not free. The allocator maps new pages, the first write to
 * each page faults and the kernel zeroes it: ~2 ms for 8 MiB here, against 0.4 ms to clear a
 * reused one. A char-LM training step allocated ~60 MiB of such buffers (~15 ms of a 120 ms
 * step); the sentiment BiLSTM step ~200 MiB.
 *
 * A request is served by a pooled buffer of the same size, or else of up to 25 % more (handed out
 * as a view of its first n floats: batches bucketed by length ask for many nearby sizes). Small
 * buffers bypass the pool. Only sizes that have been asked for are kept, at most MAX_PER_SIZE of
 * each and MAX_POOLED_BYTES in all, evicting the sizes used longest ago first, so stale sizes and
 * gradients nobody reuses do not pin memory. A buffer given back must not be referenced
 * anywhere else: nothing here can check that, so only code that allocated a buffer with takeF32
 * (or received it as a gradient nobody else holds) and never let it escape may giveF32 it.
 */
const MIN_FLOATS = 1 << 16; // 256 KiB: below this, allocation is cheap
const MAX_POOLED_BYTES = 256 * 2 ** 20;
const SLACK = 1.25; // a pooled buffer may be this much larger than the request
const MAX_PER_SIZE = 4; // buffers kept of one size (a training step holds ≤ 3 of a size at once)

const free = new Map<number, Float32Array[]>(); // length → whole buffers
const lastUse = new Map<number, number>(); // length → clock of its last take or give
const owner = new WeakMap<Float32Array, Float32Array>(); // a view handed out → its whole buffer
const requested = new Set<number>(); // sizes takeF32 has been asked for: only those are kept
let clock = 0;
let pooledBytes = 0;

function popSize(len: number): Float32Array | undefined {
  const b = free.get(len)?.pop();
  if (b) {
    pooledBytes -= b.byteLength;
    lastUse.set(len, ++clock);
  }
  return b;
}

/** A Float32Array of n elements, zero-filled unless `zero` is false (then contents are arbitrary). */
export function takeF32(n: number, zero = true): Float32Array {
  if (n < MIN_FLOATS) return new Float32Array(n);
  requested.add(n);
  let b = popSize(n);
  if (!b) {
    let best = Infinity;
    for (const [len, list] of free) if (list.length > 0 && len > n && len <= n * SLACK && len < best) best = len;
    const whole = best < Infinity ? popSize(best) : undefined;
    if (whole) {
      b = whole.subarray(0, n);
      owner.set(b, whole);
    }
  }
  if (!b) return new Float32Array(n);
  if (zero) b.fill(0);
  return b;
}

/** Whether a buffer of `len` floats could serve a size takeF32 has been asked for. */
function wanted(len: number): boolean {
  if (requested.has(len)) return true;
  for (const n of requested) if (n < len && len <= n * SLACK) return true;
  return false;
}

/** Give back a buffer from takeF32 (or a gradient) that nothing references any more. */
export function giveF32(b: Float32Array): void {
  const whole = owner.get(b) ?? b;
  owner.delete(b);
  if (whole.length < MIN_FLOATS || whole.byteOffset !== 0 || whole.byteLength !== whole.buffer.byteLength) return;
  if (whole.byteLength > MAX_POOLED_BYTES) return;
  const list = free.get(whole.length);
  if (list?.includes(whole)) throw new Error("giveF32: this buffer was already given back (a double release would hand it out twice)");
  // Keep only what can serve a request (gradients of sizes nobody allocates here would only pin memory).
  if (!wanted(whole.length) || (list?.length ?? 0) >= MAX_PER_SIZE) return;
  // make room: drop buffers of the sizes used longest ago
  while (pooledBytes + whole.byteLength > MAX_POOLED_BYTES) {
    let oldest = -1;
    let oldestUse = Infinity;
    for (const [len, l] of free) if (l.length > 0 && (lastUse.get(len) ?? 0) < oldestUse) [oldest, oldestUse] = [len, lastUse.get(len) ?? 0];
    if (oldest < 0) break;
    pooledBytes -= free.get(oldest)!.pop()!.byteLength;
  }
  if (list) list.push(whole);
  else free.set(whole.length, [whole]);
  lastUse.set(whole.length, ++clock);
  pooledBytes += whole.byteLength;
}

/** Drop every pooled buffer (tests; or to hand the memory back to the garbage collector). */
export function clearBufferPool(): void {
  free.clear();
  lastUse.clear();
  requested.clear();
  pooledBytes = 0;
}

/** Bytes currently held by the pool. */
export const bufferPoolBytes = (): number => pooledBytes;
