/**
 * Seeded randomness for data handling. Every draw goes through the project generator
 * (`random`/`shuffle`/`manualSeed` in tensor/random.ts), but inside `withSeed`, which saves the
 * generator state, seeds it, runs, and restores it: a split or a batch order depends only on its
 * own seed, and shuffling data never shifts the stream that model initialisation or dropout see.
 */
import { getRngState, manualSeed, setRngState, shuffle } from "../../tensor/random.js";

/** Run fn with the global generator seeded to `seed`; the previous generator state is restored afterwards. */
export function withSeed<T>(seed: number, fn: () => T): T {
  const saved = getRngState();
  manualSeed(seed);
  try {
    return fn();
  } finally {
    setRngState(saved);
  }
}

/** A seeded in-place Fisher–Yates shuffle (global generator state untouched). */
export function seededShuffle<T>(xs: T[], seed: number): T[] {
  return withSeed(seed, () => shuffle(xs));
}

/** A well-mixed 31-bit seed derived from (seed, k), e.g. one per epoch or per fold. */
export function deriveSeed(seed: number, k: number): number {
  let x = (Math.floor(seed) ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) & 0x7fffffff;
}
