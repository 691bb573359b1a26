/** Optimizer steps and reductions over flat parameter buffers (kernels/ref/optim.ts). */

/**
 * One Adam/AdamW step on n parameters in place; bias corrections computed by the caller.
 * The scalars arrive as f64 and every constant (1 − β1, 1 − β2, 1 − lr·λ) is formed in f64 and
 * rounded to f32 once, as PyTorch does with its Python-float hyperparameters: 1 − f32(0.999)
 * in f32 is 9.99987e-4, 1.3e-5 off 0.001, which biased v (and every update) against the
 * reference and let training on this backend drift away from it.
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64, decoupled: bool, stepSize: f64, sqrtBc2: f64): void {
  const b1 = <f32>beta1, c1 = <f32>(1 - beta1), b2 = <f32>beta2, c2 = <f32>(1 - beta2);
  const ss = <f32>stepSize, sb = <f32>sqrtBc2, ep = <f32>eps, wdf = <f32>weightDecay, dec = <f32>(1 - lr * weightDecay);
  const vb1 = f32x4.splat(b1);
  const vb1c = f32x4.splat(c1);
  const vb2 = f32x4.splat(b2);
  const vb2c = f32x4.splat(c2);
  const vss = f32x4.splat(ss);
  const vsb = f32x4.splat(sb);
  const veps = f32x4.splat(ep);
  const vwd = f32x4.splat(wdf);
  const vdec = f32x4.splat(dec);
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
      if (decoupled) pi *= dec;
      else gi += wdf * pi;
    }
    const mi = b1 * load<f32>(m + o) + c1 * gi;
    const vi = b2 * load<f32>(v + o) + c2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pi - (ss * mi) / (Mathf.sqrt(vi) / sb + ep));
  }
}

/**
 * One SGD step in place, as torch.optim.SGD (kernels/ref/optim.ts):
 *   d = g + λp;  with momentum μ: buf = d (first step) or μ·buf + (1 − dampening)·d,
 *   d = d + μ·buf (Nesterov) or buf;  p -= lr·d.   buf = 0: no momentum buffer.
 */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, lr64: f64, momentum64: f64, dampening: f64, weightDecay64: f64, nesterov: i32, firstStep: i32): void {
  // scalars as f64, 1 − dampening formed in f64 and rounded once (see adamStep)
  const lr = <f32>lr64, momentum = <f32>momentum64, damp = <f32>(1 - dampening), weightDecay = <f32>weightDecay64;
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(momentum), vdamp = f32x4.splat(damp), vwd = f32x4.splat(weightDecay);
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
      const b: f32 = firstStep ? d : momentum * load<f32>(buf + o) + damp * d;
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
