import type { F32, I32 } from "../backend.js";

/**
 * Fused softmax + cross-entropy. Row n: p = softmax(z_n), loss_n = −log p[y_n] = logΣexp(z) − z[y].
 * Computed from the log-sum-exp so that a huge logit never overflows.
 */
export function softmaxCrossEntropy(logits: F32, targets: I32, N: number, C: number, ignoreIndex: number, probs: F32): { lossSum: number; count: number } {
  let lossSum = 0;
  let count = 0;
  for (let r = 0; r < N; r++) {
    const o = r * C;
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, logits[o + c]!);
    let s = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(logits[o + c]! - mx);
      probs[o + c] = e;
      s += e;
    }
    for (let c = 0; c < C; c++) probs[o + c]! /= s;
    const y = targets[r]!;
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= C) throw new RangeError(`crossEntropy: target at row ${r} is ${y}, expected a class index in [0, ${C})`);
    lossSum += mx + Math.log(s) - logits[o + y]!;
    count++;
  }
  return { lossSum, count };
}

export function softmaxCrossEntropyBackward(probs: F32, targets: I32, N: number, C: number, ignoreIndex: number, scale: number, dLogits: F32): void {
  for (let r = 0; r < N; r++) {
    const y = targets[r]!;
    if (y === ignoreIndex) continue;
    const o = r * C;
    for (let c = 0; c < C; c++) dLogits[o + c]! += scale * (probs[o + c]! - (c === y ? 1 : 0));
  }
}

export function embeddingForward(weight: F32, idx: I32, N: number, D: number, out: F32): void {
  for (let n = 0; n < N; n++) {
    const w = idx[n]! * D;
    for (let d = 0; d < D; d++) out[n * D + d] = weight[w + d]!;
  }
}

export function embeddingBackward(dOut: F32, idx: I32, N: number, D: number, paddingIdx: number, dWeight: F32): void {
  for (let n = 0; n < N; n++) {
    const row = idx[n]!;
    if (row === paddingIdx) continue;
    for (let d = 0; d < D; d++) dWeight[row * D + d]! += dOut[n * D + d]!;
  }
}
