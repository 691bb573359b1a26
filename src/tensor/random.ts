/**
 * The one seeded random generator behind every random draw in rnnkit (initialisation, dropout,
 * shuffling, sampling). xoshiro128** — fast, 128-bit state, good statistical quality — seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 */
let s0 = 0, s1 = 0, s2 = 0, s3 = 0;

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seed every random draw (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new TypeError(`manualSeed: seed must be a finite number, got ${seed}`);
  const sm = splitmix32(Math.floor(seed));
  s0 = sm(); s1 = sm(); s2 = sm(); s3 = sm();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
}
manualSeed(Date.now() % 2 ** 31);

/** Next 32 random bits. */
export function nextU32(): number {
  const r = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
  const t = (s1 << 9) >>> 0;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 = (s2 ^ t) >>> 0;
  s3 = rotl(s3, 11);
  s0 >>>= 0; s1 >>>= 0; s2 >>>= 0; s3 >>>= 0;
  return r;
}
const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Uniform in [0, 1) with 32 random bits. */
export const random = (): number => nextU32() / 4294967296;

/** Uniform in [lo, hi). */
export const uniform = (lo: number, hi: number): number => lo + (hi - lo) * random();

/** Standard normal (Box–Muller). */
export function randn(): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Integer in [0, n). */
export const randint = (n: number): number => Math.floor(random() * n);

/** In-place Fisher–Yates shuffle. */
export function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = randint(i + 1);
    const tmp = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = tmp;
  }
  return xs;
}

/** Save / restore the generator state (for checkpoints that resume exactly). */
export const getRngState = (): [number, number, number, number] => [s0, s1, s2, s3];
export function setRngState(s: readonly number[]): void {
  [s0, s1, s2, s3] = [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
}
