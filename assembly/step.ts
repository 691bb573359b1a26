/**
 * The inference stepper's kernels (src/kernels/wasm/step.ts drives them; the reference is
 * src/kernels/ref/step.ts). A batch-1 step is a chain of matrix–vector products limited by
 * reading the weights, so they run as dot products on the row-major weights as PyTorch stores
 * them (a model's resident weights are used in place), 4 rows and 1–2 streams per pass. Threads
 * split a layer's units (a unit's gates and cell update stay together) and the decoder's chunks;
 * every output element is computed by the same operations for any split.
 */
import { vexp, vsigmoid, vtanh } from "./vmath";
import { ld, st } from "./lanes";
import { rowsDot, rowsDotPair } from "./dot";

/** Decoder outputs per softmax chunk (partial max and sum each, combined in order). */
export const STEP_CHUNK: i32 = 256;

/**
 * Units [j0, j1) of one layer for B streams (cell 0 LSTM, 1 GRU, 2 RNN tanh, 3 RNN relu): its
 * gate rows of g = W_ih x + bias (+ W_hh h; the GRU's W_hh h + b_hh into hg), then the cell
 * update of those units into hn (and c, LSTM). x [B, ldx]; h, hn [B, H]; g, hg [B, G·H].
 */
export function stepLayer(cell: i32, B: i32, H: i32, I: i32, X: usize, ldx: i32, wIh: usize, wHh: usize, bias: usize, bHh: usize, h: usize, hn: usize, c: usize, g: usize, hg: usize, j0: i32, j1: i32): void {
  const G = cell == 0 ? 4 : cell == 1 ? 3 : 1;
  const GH = G * H;
  for (let q = 0; q < G; q++) {
    if (cell != 1 && B == 1) {
      // one stream: a gate row's W_ih x + W_hh h in one accumulator (one horizontal sum)
      rowsDotPair(wIh, I, X, wHh, H, h, q * H + j0, q * H + j1, bias, g);
      continue;
    }
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

/**
 * Layout of a task descriptor (i32 words from `desc`, written by src/kernels/wasm/step.ts):
 *   [0] (gen << 16) | next task   [1] tasks finished   [2] tasks   [3] kind: 0 layer, 1 decoder
 *   [4 …] the phase's arguments (stepLayer's first 15, or stepDecoder's without ch0, ch1)
 *   from byte 128: task i's range (a0, a1) at 128 + 8i: units of a layer, chunks of the decoder
 */
const TASKS_AT: usize = 128;

/**
 * Run tasks of one stepper phase, claimed one at a time, until none is left: every thread that
 * calls this (the main thread, and the workers it posted the call to) takes the next unclaimed
 * task, so a worker the OS has not scheduled holds up no more than the one task it took — and
 * none if it wakes after the others took them all (it then returns at once). `gen` is the phase's
 * number: a call for an earlier phase finds another number in word 0 and does nothing.
 */
export function stepTasks(desc: usize, gen: i32): void {
  const n = load<i32>(desc, 8);
  const kind = load<i32>(desc, 12);
  for (;;) {
    let i: i32;
    if (ASC_FEATURE_THREADS) {
      const w = atomic.load<i32>(desc);
      if ((w >>> 16) != (gen & 0xffff)) return;
      i = w & 0xffff;
      if (i >= n) return;
      if (atomic.cmpxchg<i32>(desc, w, w + 1) != w) continue;
    } else {
      const w = load<i32>(desc);
      i = w & 0xffff;
      if ((w >>> 16) != (gen & 0xffff) || i >= n) return;
      store<i32>(desc, w + 1);
    }
    const r = desc + TASKS_AT + (<usize>i << 3);
    const a0 = load<i32>(r), a1 = load<i32>(r, 4);
    if (kind == 0) {
      stepLayer(load<i32>(desc, 16), load<i32>(desc, 20), load<i32>(desc, 24), load<i32>(desc, 28), load<u32>(desc, 32), load<i32>(desc, 36), load<u32>(desc, 40), load<u32>(desc, 44), load<u32>(desc, 48), load<u32>(desc, 52), load<u32>(desc, 56), load<u32>(desc, 60), load<u32>(desc, 64), load<u32>(desc, 68), load<u32>(desc, 72), a0, a1);
    } else {
      stepDecoder(load<i32>(desc, 16), load<i32>(desc, 20), load<i32>(desc, 24), load<u32>(desc, 28), load<u32>(desc, 32), load<u32>(desc, 36), load<u32>(desc, 40), load<i32>(desc, 44), load<f32>(desc, 48), a0, a1, load<u32>(desc, 52), load<u32>(desc, 56), load<i32>(desc, 60));
    }
    if (ASC_FEATURE_THREADS) {
      atomic.add<i32>(desc + 4, 1);
      atomic.notify(desc + 4, 1);
    } else store<i32>(desc + 4, load<i32>(desc + 4) + 1);
  }
}
