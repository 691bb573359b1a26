import { backend } from "../../kernels/registry.js";
import { takeF32 } from "../buffer-pool.js";
import { type Generator, defaultGenerator } from "../random.js";
import { fmtShape } from "../shape.js";
import { Tensor, makeOutput } from "../tensor.js";

/**
 * Inverted dropout: each element is zeroed with probability p and survivors scaled by 1/(1−p),
 * so evaluation needs no rescaling. Identity when not training or p = 0. The mask is drawn from
 * `generator` (one draw per element, in order).
 */
export function dropout(x: Tensor, p: number, training: boolean, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = generator.random() < p ? 0 : keep;
  const xd = x.f32;
  const out = new Float32Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = xd[i]! * mask[i]!;
  return makeOutput(out, x.shape, [x], (g) => {
    const dx = new Float32Array(g.length);
    for (let i = 0; i < dx.length; i++) dx[i] = g[i]! * mask[i]!;
    return [dx];
  });
}

/**
 * Embedding lookup: out[..., :] = weight[idx[...], :], weight [V, D], idx int32 of any shape.
 * The gradient scatter-adds into the rows used, except paddingIdx's row, which stays zero.
 */
export function embedding(idx: Tensor, weight: Tensor, paddingIdx = -1): Tensor {
  const ids = idx.i32;
  const [V, D] = weight.shape as [number, number];
  for (let n = 0; n < ids.length; n++) {
    const v = ids[n]!;
    if (v < 0 || v >= V) throw new RangeError(`Embedding.forward: token id ${v} at position ${n} is out of range [0, ${V}) (hint: the vocabulary and the embedding table disagree)`);
  }
  const out = new Float32Array(ids.length * D);
  backend().embeddingForward(weight.f32, ids, ids.length, D, out);
  return makeOutput(out, [...idx.shape, D], [weight], (g) => {
    const dw = takeF32(V * D); // accumulated into: zeroed
    backend().embeddingBackward(g, ids, ids.length, D, paddingIdx, dw);
    return [dw];
  });
}

export interface CrossEntropyOptions {
  /** Target value whose rows contribute nothing (PyTorch default −100). */
  ignoreIndex?: number;
  reduction?: "mean" | "sum";
}

/**
 * Cross-entropy of logits [N, C] against integer targets [N], softmax fused in:
 *   loss = (1/|kept|) Σ_n −log softmax(z_n)[y_n],   dz_n = (softmax(z_n) − onehot(y_n)) / |kept|
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const reduction = opts.reduction ?? "mean";
  if (logits.ndim !== 2) throw new RangeError(`crossEntropy: logits must be [N, C], got ${fmtShape(logits.shape)} (hint: reshape to [-1, numClasses])`);
  const [N, C] = logits.shape as [number, number];
  const y = targets.i32;
  if (y.length !== N) throw new RangeError(`crossEntropy: targets must be [${N}] to match logits ${fmtShape(logits.shape)}, got ${fmtShape(targets.shape)}`);
  const probs = takeF32(N * C, false); // written whole by the kernel
  const { lossSum, count } = backend().softmaxCrossEntropy(logits.f32, y, N, C, ignoreIndex, probs);
  const denom = reduction === "mean" ? count : 1;
  const loss = new Float32Array([lossSum / denom]);
  // The gradient overwrites `probs` in place: for a [T·B, vocab] language-model batch that saves a
  // second logits-sized buffer (and its zeroing and garbage collection) per step. A second
  // backward through the same graph recomputes the probabilities from the logits.
  let consumed = false;
  return makeOutput(loss, [], [logits], (g) => {
    const scale = g[0]! / denom;
    const be = backend();
    let p = probs;
    if (consumed) {
      p = new Float32Array(N * C);
      be.softmaxCrossEntropy(logits.f32, y, N, C, ignoreIndex, p);
    }
    consumed = true;
    be.scale(p, scale, N * C); // scale · softmax(z) …
    for (let r = 0; r < N; r++) {
      const t = y[r]!;
      if (t === ignoreIndex) p.fill(0, r * C, (r + 1) * C); // ignored rows get no gradient
      else p[r * C + t]! -= scale; // … − scale · onehot(y)
    }
    return [p];
  });
}
