/**
 * The inference stepper's kernels (src/kernels/wasm/step.ts drives them; the reference is
 * src/kernels/ref/step.ts). A batch-1 step is a chain of matrix–vector products limited by
 * reading the weights, so they run as dot products on the row-major weights as PyTorch stores
 * them (a model's resident weights are used in place), 4 rows and 1–2 streams per pass. Threads
 * split a layer's units (a unit's gates and cell update stay together) and the decoder's chunks;
 * every output element is computed by the same operations for any split.
 */
import { madd } from "./gemm";
import { vexp, vsigmoid, vtanh } from "./vmath";
import { ld, st } from "./lstm";

/** Decoder outputs per softmax chunk (partial max and sum each, combined in order). */
export const STEP_CHUNK: i32 = 256;

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
 * Units [j0, j1) of one layer for B streams (cell 0 LSTM, 1 GRU, 2 RNN tanh, 3 RNN relu): its
 * gate rows of g = W_ih x + bias (+ W_hh h; the GRU's W_hh h + b_hh into hg), then the cell
 * update of those units into hn (and c, LSTM). x [B, ldx]; h, hn [B, H]; g, hg [B, G·H].
 */
export function stepLayer(cell: i32, B: i32, H: i32, I: i32, X: usize, ldx: i32, wIh: usize, wHh: usize, bias: usize, bHh: usize, h: usize, hn: usize, c: usize, g: usize, hg: usize, j0: i32, j1: i32): void {
  const G = cell == 0 ? 4 : cell == 1 ? 3 : 1;
  const GH = G * H;
  for (let q = 0; q < G; q++) {
    rowsDot(wIh, I, q * H + j0, q * H + j1, X, ldx, B, bias, 0, g, GH);
    if (cell == 1) rowsDot(wHh, H, q * H + j0, q * H + j1, h, H, B, bHh, 0, hg, GH);
    else rowsDot(wHh, H, q * H + j0, q * H + j1, h, H, B, 0, 1, g, GH);
  }
  const Hb = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const gb = g + <usize>(b * GH) * 4;
    const hb = h + <usize>(b * H) * 4;
    const hnb = hn + <usize>(b * H) * 4;
    for (let j = j0; j < j1; j += 4) {
      const n = j1 - j;
      const o = <usize>j << 2;
      if (cell == 0) {
        const cb = c + <usize>(b * H) * 4;
        const ig = vsigmoid(ld(gb + o, n));
        const fg = vsigmoid(ld(gb + Hb + o, n));
        const gg = vtanh(ld(gb + 2 * Hb + o, n));
        const og = vsigmoid(ld(gb + 3 * Hb + o, n));
        const cn = f32x4.add(f32x4.mul(fg, ld(cb + o, n)), f32x4.mul(ig, gg));
        st(cb + o, cn, n);
        st(hnb + o, f32x4.mul(og, vtanh(cn)), n);
      } else if (cell == 1) {
        const hgb = hg + <usize>(b * GH) * 4;
        const r = vsigmoid(f32x4.add(ld(gb + o, n), ld(hgb + o, n)));
        const z = vsigmoid(f32x4.add(ld(gb + Hb + o, n), ld(hgb + Hb + o, n)));
        const nn = vtanh(f32x4.add(ld(gb + 2 * Hb + o, n), f32x4.mul(r, ld(hgb + 2 * Hb + o, n))));
        st(hnb + o, f32x4.add(f32x4.mul(f32x4.sub(one, z), nn), f32x4.mul(z, ld(hb + o, n))), n);
      } else {
        const v = ld(gb + o, n);
        st(hnb + o, cell == 3 ? v128.and(v, f32x4.gt(v, f32x4.splat(0))) : vtanh(v), n);
      }
    }
  }
}

/**
 * Decoder chunks [ch0, ch1) (STEP_CHUNK outputs each) for B streams: z = h W_dᵀ + b_d into out
 * [B, C]; for output 2 (probs) or 3 (logprobs) also each chunk's max M and Σ exp((z − M)·invT)
 * (f64 at chunkSum), and for probs e = exp((z − M)·invT) written over z.
 */
export function stepDecoder(B: i32, C: i32, H: i32, h: usize, dec: usize, decb: usize, out: usize, output: i32, invT: f32, ch0: i32, ch1: i32, chunkMax: usize, chunkSum: usize, chunks: i32): void {
  const vinv = f32x4.splat(invT);
  for (let ch = ch0; ch < ch1; ch++) {
    const n0 = ch * STEP_CHUNK, n1 = min(C, n0 + STEP_CHUNK);
    rowsDot(dec, H, n0, n1, h, H, B, decb, 0, out, C);
    if (output == 1) continue;
    for (let b = 0; b < B; b++) {
      const z = out + <usize>(b * C) * 4;
      let mx = -Infinity as f32;
      for (let j = n0; j < n1; j++) mx = max(mx, load<f32>(z + (<usize>j << 2)));
      const vmx = f32x4.splat(mx);
      let s: f64 = 0;
      for (let j = n0; j < n1; j += 4) {
        const n = n1 - j;
        const p = z + (<usize>j << 2);
        const e = vexp(f32x4.mul(f32x4.sub(ld(p, n), vmx), vinv));
        if (output == 2) st(p, e, n);
        s += <f64>f32x4.extract_lane(e, 0);
        if (n > 1) s += <f64>f32x4.extract_lane(e, 1);
        if (n > 2) s += <f64>f32x4.extract_lane(e, 2);
        if (n > 3) s += <f64>f32x4.extract_lane(e, 3);
      }
      store<f32>(chunkMax + (<usize>(b * chunks + ch) << 2), mx);
      store<f64>(chunkSum + (<usize>(b * chunks + ch) << 3), s);
    }
  }
}

/**
 * Combine the chunks in order, M = max_c M_c and S = Σ_c S_c · e^{(M_c − M)·invT}, then probs:
 * scale each chunk by e^{(M_c − M)·invT} / S; logprobs: z − (M + log S).
 */
export function stepFinish(B: i32, C: i32, output: i32, invT: f64, out: usize, chunkMax: usize, chunkSum: usize, chunks: i32): void {
  for (let b = 0; b < B; b++) {
    const cm = chunkMax + (<usize>(b * chunks) << 2), cs = chunkSum + (<usize>(b * chunks) << 3);
    let mx: f32 = -Infinity;
    for (let ch = 0; ch < chunks; ch++) mx = max(mx, load<f32>(cm + (<usize>ch << 2)));
    let s: f64 = 0;
    for (let ch = 0; ch < chunks; ch++) s += load<f64>(cs + (<usize>ch << 3)) * Math.exp((<f64>load<f32>(cm + (<usize>ch << 2)) - <f64>mx) * invT);
    const z = out + <usize>(b * C) * 4;
    if (output == 2) {
      for (let ch = 0; ch < chunks; ch++) {
        const f = f32x4.splat(<f32>(Math.exp((<f64>load<f32>(cm + (<usize>ch << 2)) - <f64>mx) * invT) / s));
        const n0 = ch * STEP_CHUNK, n1 = min(C, n0 + STEP_CHUNK);
        for (let j = n0; j < n1; j += 4) {
          const p = z + (<usize>j << 2);
          st(p, f32x4.mul(ld(p, n1 - j), f), n1 - j);
        }
      }
    } else {
      const lse = f32x4.splat(<f32>(<f64>mx + Math.log(s)));
      for (let j = 0; j < C; j += 4) {
        const p = z + (<usize>j << 2);
        st(p, f32x4.sub(ld(p, C - j), lse), C - j);
      }
    }
  }
}
