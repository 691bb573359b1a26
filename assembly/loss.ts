/** Fused softmax + cross-entropy forward / backward (kernels/ref/loss.ts). */
import { vexpNeg } from "./vmath";
import { f32ptr } from "./common";

/**
 * probs[N,C] = softmax(logits) row-wise; returns Σ over rows with target ≠ ignoreIndex of
 * logΣexp(z) − z[y] (float64). Targets must already be range-checked by the caller.
 */
export function softmaxCrossEntropy(logits: usize, targets: usize, N: i32, C: i32, ignoreIndex: i32, probs: usize): f64 {
  let lossSum: f64 = 0;
  for (let r = 0; r < N; r++) {
    const x = f32ptr(logits, r * C);
    const p = f32ptr(probs, r * C);
    let c = 0;
    let vm = f32x4.splat(-Infinity);
    for (; c + 4 <= C; c += 4) vm = f32x4.max(vm, v128.load(x + (<usize>c << 2)));
    let mx = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
    for (; c < C; c++) mx = max(mx, load<f32>(x + (<usize>c << 2)));
    const vmx = f32x4.splat(mx);
    let vs = f32x4.splat(0);
    c = 0;
    for (; c + 4 <= C; c += 4) {
      const e = vexpNeg(f32x4.sub(v128.load(x + (<usize>c << 2)), vmx));
      v128.store(p + (<usize>c << 2), e);
      vs = f32x4.add(vs, e);
    }
    let s: f64 = <f64>f32x4.extract_lane(vs, 0) + <f64>f32x4.extract_lane(vs, 1) + <f64>f32x4.extract_lane(vs, 2) + <f64>f32x4.extract_lane(vs, 3);
    for (; c < C; c++) {
      const e = f32x4.extract_lane(vexpNeg(f32x4.splat(load<f32>(x + (<usize>c << 2)) - mx)), 0);
      store<f32>(p + (<usize>c << 2), e);
      s += e;
    }
    const sf = <f32>s;
    const vsum = f32x4.splat(sf);
    c = 0;
    for (; c + 4 <= C; c += 4) v128.store(p + (<usize>c << 2), f32x4.div(v128.load(p + (<usize>c << 2)), vsum));
    for (; c < C; c++) store<f32>(p + (<usize>c << 2), load<f32>(p + (<usize>c << 2)) / sf);
    const y = load<i32>(targets + (<usize>r << 2));
    if (y == ignoreIndex) continue;
    lossSum += <f64>mx + Math.log(s) - <f64>load<f32>(x + (<usize>y << 2));
  }
  return lossSum;
}

/**
 * softmaxCrossEntropy over rows in chunks of R: sums[i] (float64) = the loss sum of rows
 * i·R … i·R+R−1. The caller adds the chunk sums in order, so the total does not depend on how
 * chunks were shared out between threads.
 */
export function softmaxCrossEntropyChunks(logits: usize, targets: usize, N: i32, C: i32, ignoreIndex: i32, probs: usize, R: i32, sums: usize): void {
  let i = 0;
  for (let r0 = 0; r0 < N; r0 += R) {
    const rows = min(R, N - r0);
    store<f64>(sums + (<usize>i << 3), softmaxCrossEntropy(f32ptr(logits, r0 * C), targets + (<usize>r0 << 2), rows, C, ignoreIndex, f32ptr(probs, r0 * C)));
    i++;
  }
}

/** dLogits[N,C] += scale · (probs − onehot(y)), ignored rows untouched. */
export function softmaxCrossEntropyBackward(probs: usize, targets: usize, N: i32, C: i32, ignoreIndex: i32, scale: f32, dLogits: usize): void {
  const vsc = f32x4.splat(scale);
  for (let r = 0; r < N; r++) {
    const y = load<i32>(targets + (<usize>r << 2));
    if (y == ignoreIndex) continue;
    const p = f32ptr(probs, r * C);
    const d = f32ptr(dLogits, r * C);
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(vsc, v128.load(p + o))));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(d + o, load<f32>(d + o) + scale * load<f32>(p + o));
    }
    const q = d + (<usize>y << 2);
    store<f32>(q, load<f32>(q) - scale);
  }
}
