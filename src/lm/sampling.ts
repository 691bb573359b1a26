import { stepOutputRow } from "../kernels/ref/step.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";

export interface SamplingOptions {
  /** Divide logits by this before the softmax (< 1 sharper, > 1 flatter). 0 = greedy. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 = all). */
  topK?: number;
  /** Keep the smallest set of tokens whose probability sums to ≥ p (nucleus sampling; 1 = all). */
  topP?: number;
  /** Token ids never sampled (e.g. <unk>). */
  exclude?: readonly number[];
  /** The stream draws come from (default: the default generator). */
  generator?: Generator;
}

/** Softmax of logits / temperature, in float64. */
export function softmax64(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const n = logits.length;
  const p = new Float64Array(n);
  let mx = -Infinity;
  for (let i = 0; i < n; i++) mx = Math.max(mx, logits[i]! / temperature);
  let s = 0;
  for (let i = 0; i < n; i++) s += p[i] = Math.exp(logits[i]! / temperature - mx);
  for (let i = 0; i < n; i++) p[i]! /= s;
  return p;
}

/** The options checked, with their defaults (RangeError naming the bad one). */
export function samplingDefaults(o: SamplingOptions): { temperature: number; topK: number; topP: number } {
  const temperature = o.temperature ?? 1;
  if (!(temperature >= 0) || temperature === Infinity) throw new RangeError(`sample: temperature must be a finite number ≥ 0, got ${temperature}`);
  const topP = o.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`sample: topP must be in (0, 1], got ${topP}`);
  const topK = o.topK ?? 0;
  if (!(Number.isInteger(topK) && topK >= 0)) throw new RangeError(`sample: topK must be an integer ≥ 0 (0 = all tokens), got ${topK}`);
  return { temperature, topK, topP };
}

/**
 * Draws token ids from a probability vector with top-k and top-p filtering, without sorting the
 * vocabulary: top-k keeps a heap of the k best while scanning once; top-p finds the nucleus by a
 * quickselect that tracks the probability mass on the better side of each pivot (expected O(C)).
 * Ranking is by probability, ties by the lower id, so the kept set is well defined. The draw is
 * one uniform number u: the kept ids are walked in id order and the first whose cumulative
 * probability exceeds u · (their total) is returned. Buffers are allocated once per vocabulary size.
 */
export class TokenSampler {
  private idx: Int32Array;
  private excluded: Uint8Array;

  constructor(readonly C: number) {
    this.idx = new Int32Array(C);
    this.excluded = new Uint8Array(C);
  }

  /** Arg-max of z [C] over ids not excluded (ties: the lower id): greedy decoding. */
  greedy(z: ArrayLike<number>, exclude: readonly number[] = []): number {
    const ex = this.mark(exclude);
    let best = -1;
    let bv = -Infinity;
    for (let i = 0; i < this.C; i++) if (!ex[i] && (best < 0 || z[i]! > bv)) (best = i), (bv = z[i]!);
    this.unmark(exclude);
    return Math.max(best, 0);
  }

  /** The k best ids of p [C] that are not excluded, best first (probability, ties to the lower id). */
  best(p: ArrayLike<number>, k: number, exclude: readonly number[] = []): number[] {
    const ex = this.mark(exclude);
    try {
      const n = this.topK(p, ex, Math.max(0, Math.min(k, this.C)));
      return Array.from(this.idx.subarray(0, n).sort((a, b) => (TokenSampler.above(p, a, b) ? -1 : TokenSampler.above(p, b, a) ? 1 : 0)));
    } finally {
      this.unmark(exclude);
    }
  }

  /**
   * One draw from p [C] (probabilities, e.g. a stepper's softmax(z / temperature); they need not
   * sum to exactly 1) after excluding ids, keeping the top k (0 = all), then the smallest set of
   * those whose mass reaches topP of the mass of all non-excluded ids.
   */
  draw(p: ArrayLike<number>, o: { topK?: number; topP?: number; exclude?: readonly number[] }, rng: () => number = () => defaultGenerator.random()): number {
    const C = this.C;
    const exclude = o.exclude ?? [];
    const ex = this.mark(exclude);
    try {
      const cut = this.cut(p, ex, exclude, o.topK ?? 0, o.topP ?? 1);
      if (cut.all) return this.walkAll(p, ex, cut.total, rng());
      const { pT, iT } = cut;
      let kept = 0;
      for (let i = 0; i < C; i++) {
        const v = p[i]!;
        if (!ex[i] && (v > pT || (v === pT && i <= iT))) kept += v;
      }
      let r = rng() * kept;
      let last = -1;
      for (let i = 0; i < C; i++) {
        const v = p[i]!;
        if (ex[i] || !(v > pT || (v === pT && i <= iT))) continue;
        last = i;
        r -= v;
        if (r < 0) return i;
      }
      if (last < 0) throw new RangeError(`sample: every token id is excluded (${exclude.length} of ${C})`);
      return last; // rounding left a sliver of r: the last kept id
    } finally {
      this.unmark(exclude);
    }
  }

  /** The ids a draw with these options can return, ascending (the kept set; for inspection and tests). */
  kept(p: ArrayLike<number>, o: { topK?: number; topP?: number; exclude?: readonly number[] }): number[] {
    const exclude = o.exclude ?? [];
    const ex = this.mark(exclude);
    try {
      const { all, pT, iT } = this.cut(p, ex, exclude, o.topK ?? 0, o.topP ?? 1);
      const ids: number[] = [];
      for (let i = 0; i < this.C; i++) if (!ex[i] && (all || p[i]! > pT || (p[i]! === pT && i <= iT))) ids.push(i);
      return ids;
    } finally {
      this.unmark(exclude);
    }
  }

  /**
   * The kept set as a rank: every non-excluded id ranked at or above probability pT (ties up to id
   * iT); `all` when nothing is filtered. `total` is the mass of the non-excluded ids.
   */
  private cut(p: ArrayLike<number>, ex: Uint8Array, exclude: readonly number[], topK: number, topP: number): { all: boolean; pT: number; iT: number; total: number } {
    const C = this.C;
    let total = 0;
    for (let i = 0; i < C; i++) total += p[i]!;
    let m = C;
    for (let j = 0; j < exclude.length; j++) {
      const e = exclude[j]!;
      if (e >= 0 && e < C && ex[e] === 1) {
        total -= p[e]!;
        m--;
        ex[e] = 2; // counted; a repeated id in `exclude` is not subtracted twice
      }
    }
    for (let j = 0; j < exclude.length; j++) if (exclude[j]! >= 0 && exclude[j]! < C) ex[exclude[j]!] = 1;
    if (pT0(topK, topP, m)) return { all: true, pT: -Infinity, iT: C, total };
    let pT = -Infinity;
    let iT = C;
    if (topK > 0 && topK < m) {
      const k = this.topK(p, ex, topK);
      if (topP < 1) [pT, iT] = this.cutSorted(p, k, topP * total);
      else (pT = p[this.idx[0]!]!), (iT = this.idx[0]!); // the heap's root: the worst of the k
    } else if (topP < 1 && m > 0) {
      let n = 0;
      for (let i = 0; i < C; i++) if (!ex[i]) this.idx[n++] = i;
      [pT, iT] = this.nucleus(p, n, topP * total);
    }
    return { all: pT === -Infinity, pT, iT, total };
  }

  /** The draw without top-k / top-p: every non-excluded id, walked in id order. */
  private walkAll(p: ArrayLike<number>, ex: Uint8Array, total: number, u: number): number {
    let r = u * total;
    let last = -1;
    const C = this.C;
    for (let i = 0; i < C; i++) {
      if (ex[i]) continue;
      const v = p[i]!;
      last = i;
      r -= v;
      if (r < 0) return i;
    }
    if (last < 0) throw new RangeError(`sample: every token id is excluded (${C} of ${C})`);
    return last;
  }

  private mark(exclude: readonly number[]): Uint8Array {
    for (const e of exclude) if (e >= 0 && e < this.C) this.excluded[e] = 1;
    return this.excluded;
  }
  private unmark(exclude: readonly number[]): void {
    for (const e of exclude) if (e >= 0 && e < this.C) this.excluded[e] = 0;
  }

  /** True when id a ranks above id b: higher probability, ties to the lower id. */
  private static above(p: ArrayLike<number>, a: number, b: number): boolean {
    const pa = p[a]!, pb = p[b]!;
    return pa > pb || (pa === pb && a < b);
  }

  /**
   * The k best non-excluded ids into idx[0..k) as a heap with the worst at the root (one scan,
   * ids ascending: an equal probability arriving later ranks lower, so only a strictly larger one
   * displaces the root). Returns k.
   */
  private topK(p: ArrayLike<number>, ex: Uint8Array, k: number): number {
    const h = this.idx;
    let n = 0;
    const worse = (a: number, b: number): boolean => TokenSampler.above(p, b, a);
    const down = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let w = i;
        if (l < n && worse(h[l]!, h[w]!)) w = l;
        if (r < n && worse(h[r]!, h[w]!)) w = r;
        if (w === i) return;
        const t = h[i]!;
        h[i] = h[w]!;
        h[w] = t;
        i = w;
      }
    };
    for (let i = 0; i < this.C; i++) {
      if (ex[i]) continue;
      if (n < k) {
        h[n] = i;
        let j = n++;
        while (j > 0) {
          const up = (j - 1) >> 1;
          if (!worse(h[j]!, h[up]!)) break;
          const t = h[j]!;
          h[j] = h[up]!;
          h[up] = t;
          j = up;
        }
      } else if (p[i]! > p[h[0]!]!) {
        h[0] = i;
        down(0);
      }
    }
    return n;
  }

  /** Sort idx[0..n) best first, then the rank (pT, iT) of the first id whose running mass reaches `need` (else the last). */
  private cutSorted(p: ArrayLike<number>, n: number, need: number): [number, number] {
    const s = this.idx.subarray(0, n).sort((a, b) => (TokenSampler.above(p, a, b) ? -1 : TokenSampler.above(p, b, a) ? 1 : 0));
    let acc = 0;
    for (let j = 0; j < n; j++) {
      acc += p[s[j]!]!;
      if (acc >= need) return [p[s[j]!]!, s[j]!];
    }
    return [p[s[n - 1]!]!, s[n - 1]!];
  }

  /**
   * The nucleus among idx[0..n): the rank (pT, iT) of its worst member, i.e. of the first id in
   * ranked order whose running mass reaches `need`. Quickselect on mass: partition around a pivot;
   * if the better side alone reaches `need` the answer is there, else the pivot, else beyond it
   * (with the better side's mass subtracted). Small ranges are sorted and walked.
   */
  private nucleus(p: ArrayLike<number>, n: number, need: number): [number, number] {
    const a = this.idx;
    const above = (x: number, y: number): boolean => TokenSampler.above(p, x, y);
    let lo = 0;
    let hi = n;
    let lastTaken = -1; // the worst id known to be in the nucleus so far
    while (hi - lo > 24) {
      // median of three as the pivot, moved to hi − 1
      const mid = (lo + hi) >> 1;
      const x = a[lo]!, y = a[mid]!, z = a[hi - 1]!;
      const med = above(x, y) ? (above(y, z) ? mid : above(x, z) ? hi - 1 : lo) : above(x, z) ? lo : above(y, z) ? hi - 1 : mid;
      const pv = a[med]!;
      a[med] = a[hi - 1]!;
      a[hi - 1] = pv;
      let i = lo;
      let mass = 0;
      for (let j = lo; j < hi - 1; j++) {
        const v = a[j]!;
        if (above(v, pv)) {
          a[j] = a[i]!;
          a[i++] = v;
          mass += p[v]!;
        }
      }
      a[hi - 1] = a[i]!;
      a[i] = pv;
      if (mass >= need) hi = i;
      else if (mass + p[pv]! >= need) return [p[pv]!, pv];
      else {
        need -= mass + p[pv]!;
        lastTaken = pv;
        lo = i + 1;
      }
    }
    if (lo >= hi) return lastTaken >= 0 ? [p[lastTaken]!, lastTaken] : [Infinity, -1];
    const s = a.subarray(lo, hi);
    s.sort((u, v) => (above(u, v) ? -1 : above(v, u) ? 1 : 0));
    let acc = 0;
    for (let j = 0; j < s.length; j++) {
      acc += p[s[j]!]!;
      if (acc >= need) return [p[s[j]!]!, s[j]!];
    }
    const w = s[s.length - 1]!;
    return [p[w]!, w];
  }
}

/** No filtering to do: top-k keeps everything (0 or ≥ the ids left) and top-p is 1. */
const pT0 = (topK: number, topP: number, m: number): boolean => (topK <= 0 || topK >= m) && topP >= 1;

const samplers = new Map<number, TokenSampler>();
/** A TokenSampler for vocabularies of C ids (one per size, reused). */
export function samplerFor(C: number): TokenSampler {
  let s = samplers.get(C);
  if (!s) {
    if (samplers.size > 8) samplers.clear();
    s = new TokenSampler(C);
    samplers.set(C, s);
  }
  return s;
}

/**
 * Draw one token id from logits with temperature, top-k and top-p filtering (one draw from
 * `rng`, default o.generator or the default generator):
 * p = softmax(z / temperature) as the reference stepper computes it, then TokenSampler.draw;
 * temperature 0 is the arg-max.
 */
export function sampleToken(logits: ArrayLike<number>, o: SamplingOptions = {}, rng: () => number = () => (o.generator ?? defaultGenerator).random()): number {
  const { temperature, topK, topP } = samplingDefaults(o);
  const C = logits.length;
  const s = samplerFor(C);
  if (temperature === 0) return s.greedy(logits, o.exclude);
  const z = logits instanceof Float32Array ? logits : Float32Array.from(logits as ArrayLike<number>);
  const p = new Float32Array(C);
  stepOutputRow(z, C, "probs", temperature, p);
  return s.draw(p, { topK, topP, ...(o.exclude ? { exclude: o.exclude } : {}) }, rng);
}
