/**
 * Pooling over the valid time steps of right-padded, batch-first sequences (ULMFiT's concat
 * pooling uses max and mean over the whole text): for x [B, T, F] and lengths [B],
 *   maskedMax(x)[b, f] = max_{t < len_b} x[b, t, f]
 * Padded steps (t ≥ len_b) never win, whatever they hold; the gradient goes to the (first)
 * arg-max step of each (b, f).
 */
import { type Tensor, makeOutput } from "../tensor.js";

function checkLengths(where: string, x: Tensor, lengths: Int32Array): [number, number, number] {
  if (x.ndim !== 3) throw new RangeError(`${where}: x must be [B, T, F], got [${x.shape.join(", ")}]`);
  const [B, T, F] = x.shape as [number, number, number];
  if (lengths.length !== B) throw new RangeError(`${where}: lengths must have one entry per sequence (${B}), got ${lengths.length}`);
  lengths.forEach((l, b) => {
    if (!(l >= 1 && l <= T)) throw new RangeError(`${where}: lengths[${b}] = ${l} is outside [1, ${T}] (T = the padded length)`);
  });
  return [B, T, F];
}

/** Max over the first lengths[b] steps of each sequence: x [B, T, F] → [B, F]. */
export function maskedMax(x: Tensor, lengths: Int32Array | readonly number[]): Tensor {
  const lens = Int32Array.from(lengths);
  const [B, T, F] = checkLengths("maskedMax", x, lens);
  const xd = x.f32;
  const out = new Float32Array(B * F).fill(-Infinity);
  const arg = new Int32Array(B * F);
  for (let b = 0; b < B; b++) {
    const o = b * F;
    for (let t = 0; t < lens[b]!; t++) {
      const row = (b * T + t) * F;
      for (let f = 0; f < F; f++) {
        const v = xd[row + f]!;
        if (v > out[o + f]!) {
          out[o + f] = v;
          arg[o + f] = t;
        }
      }
    }
  }
  return makeOutput(out, [B, F], [x], (g) => {
    const dx = new Float32Array(xd.length);
    for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) dx[(b * T + arg[b * F + f]!) * F + f] = g[b * F + f]!;
    return [dx];
  });
}

/** Sum over the first lengths[b] steps of each sequence: x [B, T, F] → [B, F] (padded steps ignored). */
export function maskedSum(x: Tensor, lengths: Int32Array | readonly number[]): Tensor {
  const lens = Int32Array.from(lengths);
  const [B, T, F] = checkLengths("maskedSum", x, lens);
  const xd = x.f32;
  const out = new Float32Array(B * F);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < lens[b]!; t++) {
      const row = (b * T + t) * F;
      for (let f = 0; f < F; f++) out[b * F + f]! += xd[row + f]!;
    }
  return makeOutput(out, [B, F], [x], (g) => {
    const dx = new Float32Array(xd.length);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < lens[b]!; t++) dx.set(g.subarray(b * F, (b + 1) * F), (b * T + t) * F);
    return [dx];
  });
}

