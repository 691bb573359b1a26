/** Fused softmax + cross-entropy forward / backward (kernels/ref/loss.ts). */
import { vexpNeg } from "./vmath";
import { f32ptr } from "./common";

/** max_c x[c] over a row of C floats. */
@inline function rowMax(x: usize, C: i32): f32 {
  let c = 0;
  let vm = f32x4.splat(-Infinity);
  for (; c + 4 <= C; c += 4) vm = f32x4.max(vm, v128.load(x + (<usize>c << 2)));
  let mx = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  for (; c < C; c++) mx = max(mx, load<f32>(x + (<usize>c << 2)));
  return mx;
}

/** Σ_c exp(x[c] − mx) (lanes summed in float64), writing each exp(x[c] − mx) to out[c] unless out is 0. */
@inline function rowExpSum(x: usize, C: i32, mx: f32, out: usize): f64 {
  const vmx = f32x4.splat(mx);
  let vs = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const e = vexpNeg(f32x4.sub(v128.load(x + (<usize>c << 2)), vmx));
    if (out) v128.store(out + (<usize>c << 2), e);
    vs = f32x4.add(vs, e);
  }
  let s: f64 = <f64>f32x4.extract_lane(vs, 0) + <f64>f32x4.extract_lane(vs, 1) + <f64>f32x4.extract_lane(vs, 2) + <f64>f32x4.extract_lane(vs, 3);
  for (; c < C; c++) {
    const e = f32x4.extract_lane(vexpNeg(f32x4.splat(load<f32>(x + (<usize>c << 2)) - mx)), 0);
    if (out) store<f32>(out + (<usize>c << 2), e);
    s += e;
  }
  return s;
}

/**
 * probs[N,C] = softmax(logits) row-wise; returns Σ over rows with target ≠ ignoreIndex of
 * logΣexp(z) − z[y] (float64). Targets must already be range-checked by the caller.
 */
export function softmaxCrossEntropy(logits: usize, targets: usize, N: i32, C: i32, ignoreIndex: i32, probs: usize): f64 {
  let lossSum: f64 = 0;
  for (let r = 0; r < N; r++) {
    const x = f32ptr(logits, r * C);
    const p = f32ptr(probs, r * C);
    const mx = rowMax(x, C);
    const s = rowExpSum(x, C, mx, p);
    let c = 0;
    const sf = <f32>s;
    const vsum = f32x4.splat(sf);
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

/**
 * The loss half of the fused linear + cross-entropy (kernels/backend.ts LinearCrossEntropyArgs),
 * in place on z [N, C] = x Wᵀ (without bias), in chunks of R rows like softmaxCrossEntropyChunks:
 *   z_n += b (bias 0: none);  sums[i] = Σ over chunk i's kept rows of logΣexp(z_n) − z_n[y_n]
 * and, when grad ≠ 0, z_n is overwritten by dz_n = scale · (softmax(z_n) − onehot(y_n)), zero on
 * ignored rows. The arithmetic is softmaxCrossEntropy's, then probs · scale, then − scale at y_n.
 */
export function linearCeChunks(z: usize, bias: usize, targets: usize, N: i32, C: i32, ignoreIndex: i32, scale: f32, grad: i32, R: i32, sums: usize): void {
  const vsc = f32x4.splat(scale);
  let i = 0;
  let lossSum: f64 = 0;
  for (let r = 0; r < N; r++) {
    const x = f32ptr(z, r * C);
    let c = 0;
    if (bias) {
      for (; c + 4 <= C; c += 4) v128.store(x + (<usize>c << 2), f32x4.add(v128.load(x + (<usize>c << 2)), v128.load(bias + (<usize>c << 2))));
      for (; c < C; c++) store<f32>(x + (<usize>c << 2), load<f32>(x + (<usize>c << 2)) + load<f32>(bias + (<usize>c << 2)));
    }
    const y = load<i32>(targets + (<usize>r << 2));
    const mx = rowMax(x, C);
    // the target's logit is read before the row is overwritten by exponentials
    const zy: f32 = y != ignoreIndex ? load<f32>(x + (<usize>y << 2)) : 0;
    if (grad == 0) {
      // loss only: sum the exponentials without storing them
      const s = rowExpSum(x, C, mx, 0);
      if (y != ignoreIndex) lossSum += <f64>mx + Math.log(s) - <f64>zy;
    } else {
      const s = rowExpSum(x, C, mx, x);
      if (y == ignoreIndex) {
        memory.fill(x, 0, <usize>C << 2);
      } else {
        lossSum += <f64>mx + Math.log(s) - <f64>zy;
        const sf = <f32>s;
        const vsum = f32x4.splat(sf);
        c = 0;
        for (; c + 4 <= C; c += 4) v128.store(x + (<usize>c << 2), f32x4.mul(f32x4.div(v128.load(x + (<usize>c << 2)), vsum), vsc));
        for (; c < C; c++) store<f32>(x + (<usize>c << 2), (load<f32>(x + (<usize>c << 2)) / sf) * scale);
        const q = x + (<usize>y << 2);
        store<f32>(q, load<f32>(q) - scale);
      }
    }
    // close a chunk every R rows (and at the end)
    if ((r + 1) % R == 0 || r + 1 == N) {
      store<f64>(sums + (<usize>i << 3), lossSum);
      lossSum = 0;
      i++;
    }
  }
}

/** out[n, :] = weight[idx[n], :] for weight [V, D], idx [N] (range-checked by the caller). */
export function embeddingGather(weight: usize, idx: usize, N: i32, D: i32, out: usize): void {
  const row = <usize>D << 2;
  for (let n = 0; n < N; n++) memory.copy(out + <usize>n * row, weight + <usize>load<i32>(idx + (<usize>n << 2)) * row, row);
}

/** dW[idx[n], :] += dOut[n, :] for every n with idx[n] ≠ paddingIdx (−1: none). */
export function embeddingScatterAdd(dOut: usize, idx: usize, N: i32, D: i32, paddingIdx: i32, dW: usize): void {
  const row = <usize>D << 2;
  for (let n = 0; n < N; n++) {
    const v = load<i32>(idx + (<usize>n << 2));
    if (v == paddingIdx) continue;
    const s = dOut + <usize>n * row, d = dW + <usize>v * row;
    let j = 0;
    for (; j + 4 <= D; j += 4) v128.store(d + (<usize>j << 2), f32x4.add(v128.load(d + (<usize>j << 2)), v128.load(s + (<usize>j << 2))));
    for (; j < D; j++) store<f32>(d + (<usize>j << 2), load<f32>(d + (<usize>j << 2)) + load<f32>(s + (<usize>j << 2)));
  }
}
