/** Optimizer steps and reductions over flat parameter buffers (kernels/ref/optim.ts). */

/** One Adam/AdamW step on n parameters in place; bias corrections computed by the caller. */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, decoupled: bool, stepSize: f32, sqrtBc2: f32): void {
  const vb1 = f32x4.splat(beta1);
  const vb1c = f32x4.splat(1 - beta1);
  const vb2 = f32x4.splat(beta2);
  const vb2c = f32x4.splat(1 - beta2);
  const vss = f32x4.splat(stepSize);
  const vsb = f32x4.splat(sqrtBc2);
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(weightDecay);
  const vdec = f32x4.splat(1 - lr * weightDecay);
  const wd = weightDecay != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let pi = v128.load(p + o);
    let gi = v128.load(g + o);
    if (wd) {
      if (decoupled) pi = f32x4.mul(pi, vdec);
      else gi = f32x4.add(gi, f32x4.mul(vwd, pi));
    }
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vb2c, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(pi, f32x4.div(f32x4.mul(vss, mi), f32x4.add(f32x4.div(f32x4.sqrt(vi), vsb), veps))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (wd) {
      if (decoupled) pi *= 1 - lr * weightDecay;
      else gi += weightDecay * pi;
    }
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pi - (stepSize * mi) / (Mathf.sqrt(vi) / sqrtBc2 + eps));
  }
}

/**
 * One SGD step in place, as torch.optim.SGD (kernels/ref/optim.ts):
 *   d = g + λp;  with momentum μ: buf = d (first step) or μ·buf + (1 − dampening)·d,
 *   d = d + μ·buf (Nesterov) or buf;  p -= lr·d.   buf = 0: no momentum buffer.
 */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32, weightDecay: f32, nesterov: i32, firstStep: i32): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(momentum), vdamp = f32x4.splat(1 - dampening), vwd = f32x4.splat(weightDecay);
  const mom = momentum != 0 && buf != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pi = v128.load(p + o);
    let d = v128.load(g + o);
    if (weightDecay != 0) d = f32x4.add(d, f32x4.mul(vwd, pi));
    if (mom) {
      const b = firstStep ? d : f32x4.add(f32x4.mul(vmu, v128.load(buf + o)), f32x4.mul(vdamp, d));
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(vmu, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pi, f32x4.mul(vlr, d)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let d = load<f32>(g + o);
    if (weightDecay != 0) d += weightDecay * pi;
    if (mom) {
      const b: f32 = firstStep ? d : momentum * load<f32>(buf + o) + (1 - dampening) * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pi - lr * d);
  }
}

/** Σ x[i]² with float64 accumulation. */
export function sumSquares(x: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1) + f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/**
 * acc[j] += Σ_k x[k, j] for x [n, inner] (float64 accumulators, so the result matches a double
 * sum regardless of chunking); the caller streams row chunks through and converts acc at the end.
 */
export function sumRowsF64(x: usize, n: i32, inner: i32, acc: usize): void {
  sumRowsF64Ld(x, n, inner, inner, acc);
}

/**
 * sumRowsF64 on columns 0 … inner−1 of rows ld floats apart. Columns go in blocks of 256 so the
 * block's accumulators (2 KiB) stay in L1 while the rows stream past; each column is still summed
 * over k in order, so any split of the columns (threads) gives the same numbers.
 */
export function sumRowsF64Ld(x: usize, n: i32, inner: i32, ld: i32, acc: usize): void {
  for (let j0 = 0; j0 < inner; j0 += 256) {
    const j1 = min(inner, j0 + 256);
    for (let k = 0; k < n; k++) {
      const row = x + (<usize>k * <usize>ld << 2);
      let j = j0;
      for (; j + 4 <= j1; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        const a = acc + (<usize>j << 3);
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
      }
      for (; j < j1; j++) {
        const a = acc + (<usize>j << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
      }
    }
  }
}
