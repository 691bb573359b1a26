import { type Generator, defaultGenerator } from "../random.js";

/**
 * A dropout multiplier vector of length n: each entry is 0 with probability p, else 1/(1−p)
 * (inverted dropout, so evaluation needs no rescaling). With `keep` given (1 = keep, 0 = drop,
 * e.g. a mask drawn by PyTorch for a golden test) no random numbers are drawn; otherwise one draw
 * per entry from `generator`.
 */
export function dropoutMultipliers(where: string, n: number, p: number, keep?: ArrayLike<number> | null, generator: Generator = defaultGenerator): Float32Array {
  if (!(p >= 0 && p < 1)) throw new RangeError(`${where}: p must be in [0, 1), got ${p}`);
  const scale = 1 / (1 - p);
  const m = new Float32Array(n);
  if (keep) {
    if (keep.length !== n) throw new RangeError(`${where}: mask must have ${n} entries, got ${keep.length}`);
    for (let i = 0; i < n; i++) {
      const k = keep[i]!;
      if (k !== 0 && k !== 1) throw new RangeError(`${where}: mask entries must be 0 (drop) or 1 (keep), got ${k} at ${i}`);
      m[i] = k * scale;
    }
  } else {
    // random() < p  ⇔  nextU32() < p·2³² (random() is nextU32() / 2³²): the same draws, no division
    const cut = p * 4294967296;
    for (let i = 0; i < n; i++) m[i] = generator.nextU32() < cut ? 0 : scale;
  }
  return m;
}
