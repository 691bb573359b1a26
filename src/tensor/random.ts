/**
 * Seeded random numbers: xoshiro128** (fast, 128-bit state, good statistical quality), seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 *
 * Randomness is an explicit `Generator` handed to whatever draws: layer initialisation
 * (`new LanguageModel(cfg, { generator })`), dropout (`model.useGenerator(g)`), shuffling
 * (`g.shuffle(xs)`) and sampling (`generate(…, { generator })`). Training gives each of these its
 * own stream (`Generator.derive(seed, "dropout")`, …), so drawing a sample, logging, or the speed of
 * the machine never changes what is trained. Whatever is not handed a generator draws from
 * `defaultGenerator`, which `manualSeed` seeds (like torch.manual_seed).
 */
export type RngState = [number, number, number, number];

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
const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** One seeded stream of random numbers (xoshiro128**). */
export class Generator {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  constructor(seed: number = Date.now() % 2 ** 31) {
    this.seed(seed);
  }

  /**
   * A generator for the named purpose of a run seeded `seed` ("dropout", "sample", …): independent
   * of every other name's stream and of `new Generator(seed)`.
   */
  static derive(seed: number, name: string): Generator {
    let k = 0;
    for (let i = 0; i < name.length; i++) k = (Math.imul(k, 31) + name.charCodeAt(i)) >>> 0;
    return new Generator(deriveSeed(seed, k));
  }

  /** Restart the stream from `seed` (the same seed gives the same numbers). */
  seed(seed: number): this {
    if (!Number.isFinite(seed)) throw new TypeError(`Generator.seed: seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.floor(seed));
    this.#s0 = sm();
    this.#s1 = sm();
    this.#s2 = sm();
    this.#s3 = sm();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
    return this;
  }

  /** Next 32 random bits. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.#s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#s1 << 9) >>> 0;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 = (this.#s2 ^ t) >>> 0;
    this.#s3 = rotl(this.#s3, 11);
    this.#s0 >>>= 0;
    this.#s1 >>>= 0;
    this.#s2 >>>= 0;
    this.#s3 >>>= 0;
    return r;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  random(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Standard normal (Box–Muller). */
  randn(): number {
    let u = 0;
    while (u === 0) u = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  /** Integer in [0, n). */
  randint(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const tmp = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = tmp;
    }
    return xs;
  }

  /** The state, to resume the stream exactly (checkpoints). */
  getState(): RngState {
    return [this.#s0, this.#s1, this.#s2, this.#s3];
  }
  setState(s: readonly number[]): this {
    if (!Array.isArray(s) || s.length !== 4 || s.some((x) => !Number.isInteger(x))) throw new TypeError(`Generator.setState: expected 4 integers, got ${JSON.stringify(s)}`);
    [this.#s0, this.#s1, this.#s2, this.#s3] = [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) throw new RangeError("Generator.setState: the all-zero state is not a valid xoshiro state");
    return this;
  }
}

/** A well-mixed 31-bit seed derived from (seed, k), e.g. one per epoch, per fold or per purpose. */
export function deriveSeed(seed: number, k: number): number {
  let x = (Math.floor(seed) ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) & 0x7fffffff;
}

/** The stream used by whatever is not handed a generator (seeded by manualSeed). */
export const defaultGenerator = new Generator();

/** Seed the default generator (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new TypeError(`manualSeed: seed must be a finite number, got ${seed}`);
  defaultGenerator.seed(seed);
}

/** Next 32 random bits of the default generator. */
export const nextU32 = (): number => defaultGenerator.nextU32();
/** Uniform in [0, 1) from the default generator. */
export const random = (): number => defaultGenerator.random();
/** Uniform in [lo, hi) from the default generator. */
export const uniform = (lo: number, hi: number): number => defaultGenerator.uniform(lo, hi);
/** Standard normal from the default generator. */
export const randn = (): number => defaultGenerator.randn();
/** Integer in [0, n) from the default generator. */
export const randint = (n: number): number => defaultGenerator.randint(n);
/** In-place Fisher–Yates shuffle with the default generator. */
export const shuffle = <T>(xs: T[]): T[] => defaultGenerator.shuffle(xs);

/** Save / restore the default generator's state. */
export const getRngState = (): RngState => defaultGenerator.getState();
export function setRngState(s: readonly number[]): void {
  defaultGenerator.setState(s);
}

/** Run fn with the default generator seeded to `seed`; its previous state is restored afterwards. */
export function withSeed<T>(seed: number, fn: () => T): T {
  const saved = getRngState();
  manualSeed(seed);
  try {
    return fn();
  } finally {
    setRngState(saved);
  }
}

/** A seeded in-place Fisher–Yates shuffle (= new Generator(seed).shuffle(xs)). */
export function seededShuffle<T>(xs: T[], seed: number): T[] {
  return new Generator(seed).shuffle(xs);
}
