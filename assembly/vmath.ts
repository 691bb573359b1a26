/**
 * 4-lane float32 transcendental functions (Cephes single-precision algorithms), accurate to a few
 * ulp: |exp error| ≤ 2 ulp relative, sigmoid/tanh within ~1e-7 absolute of Math.* rounded to f32.
 */
import { madd } from "./gemm";

// @ts-ignore: decorator
@inline function k(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * e^x: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-5 polynomial, 2^n built in the exponent
 * bits. Inputs are clamped to [−87.3, 88.3] so 2^n stays a normal number (e^−87.3 ≈ 1.2e−38).
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, k(-87.3)), k(88.3));
  const fx = f32x4.nearest(f32x4.mul(x, k(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fx, k(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, k(-2.12194440e-4)));
  let y = madd(k(1.9875691500e-4), r, k(1.3981999507e-3));
  y = madd(y, r, k(8.3334519073e-3));
  y = madd(y, r, k(4.1665795894e-2));
  y = madd(y, r, k(1.6666665459e-1));
  y = madd(y, r, k(5.0000001201e-1));
  y = f32x4.add(madd(y, f32x4.mul(r, r), r), k(1));
  // 2^n in the exponent bits: fx is a whole number in [−126, 127], so fx + (1.5·2^23 + 127) holds
  // n + 127 in its low mantissa bits and the shift by 23 moves exactly them into the exponent
  // (the same bits as shl(trunc(fx) + 127, 23); V8 lowers trunc_sat to ~8 x64 instructions).
  return f32x4.mul(y, i32x4.shl(f32x4.add(fx, k(12582912.0 + 127.0)), 23));
}

/**
 * e^x over the whole float32 range: beyond the clamp of vexp the argument is shifted by ±64 ln2
 * and the result rescaled by 2^±64, so large results reach +∞ and tiny ones come out subnormal
 * (zero below −104), as Math.exp rounded to float32.
 */
// @ts-ignore: decorator
@inline export function vexpFull(x: v128): v128 {
  const low = f32x4.lt(x, k(-87.0));
  const high = f32x4.gt(x, k(88.0));
  let xs = v128.bitselect(f32x4.add(x, k(44.3614195558365)), x, low);
  xs = v128.bitselect(f32x4.sub(x, k(44.3614195558365)), xs, high);
  let y = vexp(xs);
  y = v128.bitselect(f32x4.mul(y, k(5.421010862427522e-20)), y, low);
  y = v128.bitselect(f32x4.mul(y, k(1.8446744073709552e19)), y, high);
  return v128.andnot(y, f32x4.lt(x, k(-104.0)));
}

/** e^x for x ≤ 0 where results below 1.2e−38 may be 0 (softmax): no subnormals come out. */
// @ts-ignore: decorator
@inline export function vexpNeg(x: v128): v128 {
  return v128.andnot(vexp(x), f32x4.lt(x, k(-87.3)));
}

/** σ(x) = 1 / (1 + e^−x). */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(k(1), f32x4.add(k(1), vexp(f32x4.neg(x))));
}

/** tanh: odd polynomial for |x| < 0.625, else sign(x)·(1 − 2 / (e^{2|x|} + 1)). */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = vexp(f32x4.add(ax, ax));
  const big = v128.or(f32x4.sub(k(1), f32x4.div(k(2), f32x4.add(e, k(1)))), v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = madd(k(-5.70498872745e-3), z, k(2.06390887954e-2));
  p = madd(p, z, k(-5.37397155531e-2));
  p = madd(p, z, k(1.33314422036e-1));
  p = madd(p, z, k(-3.33332819422e-1));
  const small = madd(f32x4.mul(x, z), p, x);
  return v128.bitselect(small, big, f32x4.lt(ax, k(0.625)));
}

/**
 * Flush |x| < 1e−30 to zero (NaN passes). Gradients that decay through time (long sequences,
 * small forget gates) otherwise end up subnormal, and x86 cores run subnormal arithmetic ~100×
 * slower; wasm has no flush-to-zero mode, so the backward kernels call this on what they store.
 * A gradient below 1e−30 is far below float32 resolution of any sum it joins.
 */
// @ts-ignore: decorator
@inline export function ftz(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), k(1e-30)));
}

// Scalar versions (lane 0 of the vector code) for loop tails, so every element sees one formula.
// @ts-ignore: decorator
@inline export function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexpFull(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function ssigmoid(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function stanh(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}

/** out[i] = op(x[i]) for op 0 exp, 1 sigmoid, 2 tanh. */
export function unaryMath(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i << 2;
    const v = v128.load(x + p);
    v128.store(out + p, op == 0 ? vexpFull(v) : op == 1 ? vsigmoid(v) : vtanh(v));
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const v = load<f32>(x + p);
    store<f32>(out + p, op == 0 ? sexp(v) : op == 1 ? ssigmoid(v) : stanh(v));
  }
}
