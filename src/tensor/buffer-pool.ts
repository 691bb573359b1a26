/**
 * Reuse of large scratch buffers whose end of life the caller knows exactly (the recurrent
 * layers' input projections, saved activations and gate gradients).
 *
 * Why: a fresh large Float32Array is not free. The allocator maps new pages, the first write to
 * each page faults and the kernel zeroes it: ~2 ms for 8 MiB here, against 0.4 ms to clear a
 * reused one. A char-LM training step allocated ~60 MiB of such buffers (~15 ms of a 120 ms
 * step); the sentiment BiLSTM step ~200 MiB.
 *
 * Only exact sizes are reused (a training loop asks for the same sizes every step), small
 * buffers bypass the pool, and the pool holds at most MAX_POOLED_BYTES. A buffer given back must
 * not be referenced anywhere else: nothing here can check that, so only code that allocated a
 * buffer with takeF32 and never let it escape may giveF32 it.
 */
const MIN_FLOATS = 1 << 16; // 256 KiB: below this, allocation is cheap
const MAX_POOLED_BYTES = 512 * 2 ** 20;

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/** A Float32Array of n elements, zero-filled unless `zero` is false (then contents are arbitrary). */
export function takeF32(n: number, zero = true): Float32Array {
  if (n < MIN_FLOATS) return new Float32Array(n);
  const b = free.get(n)?.pop();
  if (!b) return new Float32Array(n);
  pooledBytes -= b.byteLength;
  if (zero) b.fill(0);
  return b;
}

/** Give back a buffer from takeF32 that nothing references any more. */
export function giveF32(b: Float32Array): void {
  if (b.length < MIN_FLOATS || b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return;
  if (pooledBytes + b.byteLength > MAX_POOLED_BYTES) return;
  const list = free.get(b.length);
  if (list) {
    if (list.includes(b)) throw new Error("giveF32: this buffer was already given back (a double release would hand it out twice)");
    list.push(b);
  } else free.set(b.length, [b]);
  pooledBytes += b.byteLength;
}

/** Drop every pooled buffer (tests; or to hand the memory back to the garbage collector). */
export function clearBufferPool(): void {
  free.clear();
  pooledBytes = 0;
}

/** Bytes currently held by the pool. */
export const bufferPoolBytes = (): number => pooledBytes;
