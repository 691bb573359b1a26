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
  /** The stream to draw from (default: the default generator). */
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

/** Draw one token id from logits with temperature, top-k and top-p filtering (one draw from `o.generator`). */
export function sampleToken(logits: ArrayLike<number>, o: SamplingOptions = {}): number {
  const temperature = o.temperature ?? 1;
  if (!(temperature >= 0)) throw new RangeError(`sample: temperature must be ≥ 0, got ${temperature}`);
  const topP = o.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`sample: topP must be in (0, 1], got ${topP}`);
  const masked = Float64Array.from(logits as ArrayLike<number>);
  for (const e of o.exclude ?? []) masked[e] = -Infinity;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < masked.length; i++) if (masked[i]! > masked[best]!) best = i;
    return best;
  }
  const p = softmax64(masked, temperature);
  let order = [...p.keys()].sort((a, b) => p[b]! - p[a]!);
  if (o.topK && o.topK > 0) order = order.slice(0, o.topK);
  if (topP < 1) {
    let acc = 0;
    let cut = order.length;
    for (let i = 0; i < order.length; i++) {
      acc += p[order[i]!]!;
      if (acc >= topP) {
        cut = i + 1;
        break;
      }
    }
    order = order.slice(0, cut);
  }
  const total = order.reduce((a, i) => a + p[i]!, 0);
  let r = (o.generator ?? defaultGenerator).random() * total;
  for (const i of order) {
    r -= p[i]!;
    if (r <= 0) return i;
  }
  return order[order.length - 1]!;
}
