/**
 * Matrix–vector products as dot products on row-major weights (PyTorch's [out, in] layout, no
 * packing): Y[b, n] = (acc ? Y[b, n] : base[n] or 0) + Σ_k A[n, k] · X[b, k], 4 rows and 1–2
 * vectors per pass. For one or two rows of input a packed GEMM wastes most of its register tile;
 * this reads each weight once per pass and is limited by that read. Used by the inference stepper
 * and by the recurrent kernels when the whole batch has at most 2 rows.
 */
import { madd } from "./gemm";
import { ld } from "./lanes";

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline function put(Y: usize, base: usize, acc: i32, n: i32, s: f32): void {
  const p = Y + (<usize>n << 2);
  store<f32>(p, (acc != 0 ? load<f32>(p) : base != 0 ? load<f32>(base + (<usize>n << 2)) : <f32>0) + s);
}

/** Rows [n0, n1) of A [·, K] against one vector x: Y[n] = (acc ? Y[n] : base[n] or 0) + Σ_k A[n, k] x[k]. */
function rowsDot1(A: usize, K: i32, n0: i32, n1: i32, x: usize, base: usize, acc: i32, Y: usize): void {
  const Kb = <usize>K << 2;
  let n = n0;
  for (; n + 4 <= n1; n += 4) {
    const a0 = A + <usize>n * Kb, a1 = a0 + Kb, a2 = a1 + Kb, a3 = a2 + Kb;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const o = <usize>k << 2;
      const xv = v128.load(x + o);
      s0 = madd(v128.load(a0 + o), xv, s0);
      s1 = madd(v128.load(a1 + o), xv, s1);
      s2 = madd(v128.load(a2 + o), xv, s2);
      s3 = madd(v128.load(a3 + o), xv, s3);
    }
    if (k < K) {
      const o = <usize>k << 2, q = K - k;
      const xv = ld(x + o, q);
      s0 = madd(ld(a0 + o, q), xv, s0);
      s1 = madd(ld(a1 + o, q), xv, s1);
      s2 = madd(ld(a2 + o, q), xv, s2);
      s3 = madd(ld(a3 + o, q), xv, s3);
    }
    put(Y, base, acc, n, hsum(s0));
    put(Y, base, acc, n + 1, hsum(s1));
    put(Y, base, acc, n + 2, hsum(s2));
    put(Y, base, acc, n + 3, hsum(s3));
  }
  for (; n < n1; n++) {
    const a0 = A + <usize>n * Kb;
    let s0 = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const o = <usize>k << 2;
      s0 = madd(v128.load(a0 + o), v128.load(x + o), s0);
    }
    if (k < K) {
      const o = <usize>k << 2, q = K - k;
      s0 = madd(ld(a0 + o, q), ld(x + o, q), s0);
    }
    put(Y, base, acc, n, hsum(s0));
  }
}

/** As rowsDot1 for two vectors x, x2 (outputs Y and Y2): each row of A is read once for both. */
function rowsDot2(A: usize, K: i32, n0: i32, n1: i32, x: usize, x2: usize, base: usize, acc: i32, Y: usize, Y2: usize): void {
  const Kb = <usize>K << 2;
  let n = n0;
  for (; n + 4 <= n1; n += 4) {
    const a0 = A + <usize>n * Kb, a1 = a0 + Kb, a2 = a1 + Kb, a3 = a2 + Kb;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
    for (let k = 0; k < K; k += 4) {
      const o = <usize>k << 2, q = K - k;
      const xv = ld(x + o, q), yv = ld(x2 + o, q);
      let w = ld(a0 + o, q);
      s0 = madd(w, xv, s0);
      t0 = madd(w, yv, t0);
      w = ld(a1 + o, q);
      s1 = madd(w, xv, s1);
      t1 = madd(w, yv, t1);
      w = ld(a2 + o, q);
      s2 = madd(w, xv, s2);
      t2 = madd(w, yv, t2);
      w = ld(a3 + o, q);
      s3 = madd(w, xv, s3);
      t3 = madd(w, yv, t3);
    }
    put(Y, base, acc, n, hsum(s0));
    put(Y, base, acc, n + 1, hsum(s1));
    put(Y, base, acc, n + 2, hsum(s2));
    put(Y, base, acc, n + 3, hsum(s3));
    put(Y2, base, acc, n, hsum(t0));
    put(Y2, base, acc, n + 1, hsum(t1));
    put(Y2, base, acc, n + 2, hsum(t2));
    put(Y2, base, acc, n + 3, hsum(t3));
  }
  if (n < n1) {
    rowsDot1(A, K, n, n1, x, base, acc, Y);
    rowsDot1(A, K, n, n1, x2, base, acc, Y2);
  }
}

/** Rows [n0, n1) of A against B vectors X [B, ldx] into Y [B, ldy], streams two at a time. */
export function rowsDot(A: usize, K: i32, n0: i32, n1: i32, X: usize, ldx: i32, B: i32, base: usize, acc: i32, Y: usize, ldy: i32): void {
  const xb = <usize>ldx << 2, yb = <usize>ldy << 2;
  let b = 0;
  for (; b + 2 <= B; b += 2) rowsDot2(A, K, n0, n1, X + <usize>b * xb, X + <usize>(b + 1) * xb, base, acc, Y + <usize>b * yb, Y + <usize>(b + 1) * yb);
  if (b < B) rowsDot1(A, K, n0, n1, X + <usize>b * xb, base, acc, Y + <usize>b * yb);
}


/**
 * Rows [n0, n1) of two operands summed in one accumulator per row, one vector each:
 * Y[n] = base[n] (or 0) + Σ_k A1[n, k] x1[k] + Σ_k A2[n, k] x2[k] — an LSTM gate row's
 * W_ih x + W_hh h with one horizontal sum and one store.
 */
export function rowsDotPair(A1: usize, K1: i32, x1: usize, A2: usize, K2: i32, x2: usize, n0: i32, n1: i32, base: usize, Y: usize): void {
  const Kb1 = <usize>K1 << 2, Kb2 = <usize>K2 << 2;
  let n = n0;
  for (; n + 4 <= n1; n += 4) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let a0 = A1 + <usize>n * Kb1, a1 = a0 + Kb1, a2 = a1 + Kb1, a3 = a2 + Kb1;
    let k = 0;
    for (; k + 4 <= K1; k += 4) {
      const o = <usize>k << 2;
      const xv = v128.load(x1 + o);
      s0 = madd(v128.load(a0 + o), xv, s0);
      s1 = madd(v128.load(a1 + o), xv, s1);
      s2 = madd(v128.load(a2 + o), xv, s2);
      s3 = madd(v128.load(a3 + o), xv, s3);
    }
    if (k < K1) {
      const o = <usize>k << 2, q = K1 - k;
      const xv = ld(x1 + o, q);
      s0 = madd(ld(a0 + o, q), xv, s0);
      s1 = madd(ld(a1 + o, q), xv, s1);
      s2 = madd(ld(a2 + o, q), xv, s2);
      s3 = madd(ld(a3 + o, q), xv, s3);
    }
    a0 = A2 + <usize>n * Kb2;
    a1 = a0 + Kb2;
    a2 = a1 + Kb2;
    a3 = a2 + Kb2;
    k = 0;
    for (; k + 4 <= K2; k += 4) {
      const o = <usize>k << 2;
      const xv = v128.load(x2 + o);
      s0 = madd(v128.load(a0 + o), xv, s0);
      s1 = madd(v128.load(a1 + o), xv, s1);
      s2 = madd(v128.load(a2 + o), xv, s2);
      s3 = madd(v128.load(a3 + o), xv, s3);
    }
    if (k < K2) {
      const o = <usize>k << 2, q = K2 - k;
      const xv = ld(x2 + o, q);
      s0 = madd(ld(a0 + o, q), xv, s0);
      s1 = madd(ld(a1 + o, q), xv, s1);
      s2 = madd(ld(a2 + o, q), xv, s2);
      s3 = madd(ld(a3 + o, q), xv, s3);
    }
    put(Y, base, 0, n, hsum(s0));
    put(Y, base, 0, n + 1, hsum(s1));
    put(Y, base, 0, n + 2, hsum(s2));
    put(Y, base, 0, n + 3, hsum(s3));
  }
  for (; n < n1; n++) {
    let s0 = f32x4.splat(0);
    const a0 = A1 + <usize>n * Kb1, b0 = A2 + <usize>n * Kb2;
    for (let k = 0; k < K1; k += 4) s0 = madd(ld(a0 + (<usize>k << 2), K1 - k), ld(x1 + (<usize>k << 2), K1 - k), s0);
    for (let k = 0; k < K2; k += 4) s0 = madd(ld(b0 + (<usize>k << 2), K2 - k), ld(x2 + (<usize>k << 2), K2 - k), s0);
    put(Y, base, 0, n, hsum(s0));
  }
}
