/**
 * The threaded wasm backend (shared memory + worker threads): a GEMM split over threads must be
 * bit-identical to the single-thread GEMM (every transpose, row and column splits, odd sizes),
 * and a whole LSTM language-model step must give identical gradients.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Backend } from "../../../src/kernels/backend.js";
import { refBackend } from "../../../src/kernels/ref/index.js";
import { loadWasmBackendSync } from "../../../src/kernels/wasm/index.js";
import * as wasmIndex from "../../../src/kernels/wasm/index.js";
import { splitRange, type WasmThreadPool } from "../../../src/kernels/wasm/pool.js";
import { assertClose } from "../../helpers/close.js";
import { randn, rng } from "../../helpers/wasm.js";

function load(threads: number): { be: Backend; pool: WasmThreadPool | null } {
  const be = loadWasmBackendSync({ threads, smallWork: 0 });
  return { be, pool: wasmIndex.wasmPool };
}

const one = load(1);
const three = load(3); // more threads than this machine may have cores: uneven splits, still identical
after(() => three.pool?.close());

/** Run fn with the 3-thread pool splitting even the smallest products (minWork 0), then restore it. */
function splitEverything(fn: () => void): void {
  const pool = three.pool!;
  pool.waitReady();
  const saved = pool.minWork;
  pool.minWork = 0;
  try {
    fn();
  } finally {
    pool.minWork = saved;
  }
}

test("splitRange: aligned contiguous blocks covering [0, n)", () => {
  assert.deepEqual(splitRange(10, 2, 4), [[0, 8], [8, 10]]); // 3 blocks of 4: 2 + 1
  assert.deepEqual(splitRange(3, 2, 4), [[0, 3]]);
  assert.deepEqual(splitRange(17, 3, 1), [[0, 6], [6, 11], [11, 17]]);
  for (const [n, parts, align] of [[1, 1, 4], [129, 3, 4], [1030, 2, 8], [33, 5, 8]] as const) {
    const r = splitRange(n, parts, align);
    assert.equal(r[0]![0], 0);
    assert.equal(r[r.length - 1]![1], n);
    for (let i = 1; i < r.length; i++) {
      assert.equal(r[i]![0], r[i - 1]![1]);
      assert.equal(r[i]![0] % align, 0);
    }
  }
});

test("threaded wasm backend loads the shared-memory build and starts its workers", () => {
  assert.equal(one.pool, null, "threads 1: no pool");
  assert.ok(three.pool, "threads 3: a pool");
  assert.equal(three.pool.maxThreads, 3);
  assert.equal(three.pool.waitReady(), 3, "both workers started");
});

test("threaded gemm is bit-identical to one thread (every transpose; row and column splits) and matches ref", () => {
  splitEverything(() => {
    const r = rng(7);
    // [M, N, K]: tall (row split), short-and-wide (column split), odd tails, K > KC, N > NC
    const sizes: [number, number, number][] = [[129, 17, 33], [33, 129, 17], [3, 1030, 5], [5, 33, 260], [130, 9, 7], [17, 3, 129], [1, 129, 3], [64, 200, 300]];
    for (const [M, N, K] of sizes) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [0.7, 0.5], [1, 1]] as const) {
            const A = randn(r, M * K), B = randn(r, K * N), C0 = randn(r, M * N);
            const c1 = Float32Array.from(C0), c3 = Float32Array.from(C0), want = Float32Array.from(C0);
            if (beta === 0) c3.fill(NaN);
            one.be.gemm(tA, tB, M, N, K, alpha, A, B, beta, c1);
            three.be.gemm(tA, tB, M, N, K, alpha, A, B, beta, c3);
            refBackend.gemm(tA, tB, M, N, K, alpha, A, B, beta, want);
            const what = `M=${M} N=${N} K=${K} tA=${tA} tB=${tB} alpha=${alpha} beta=${beta}`;
            assert.deepEqual(c3, c1, `3 threads vs 1, ${what}`);
            assertClose(c3, want, what);
          }
        }
      }
    }
  });
});

test("an LSTM language-model training step gives bit-identical gradients with 3 threads and 1", async () => {
  const { withBackend } = await import("../../helpers/backends.js");
  const { LanguageModel } = await import("../../../src/models/index.js");
  const { manualSeed, Tensor } = await import("../../../src/tensor/index.js");
  const { crossEntropy } = await import("../../../src/tensor/ops/nn-ops.js");
  splitEverything(() => {
    const run = (be: Backend): Float32Array[] =>
      withBackend(be, () => {
        manualSeed(3);
        const T = 7, B = 5, V = 67;
        const lm = new LanguageModel({ vocabSize: V, embeddingDim: 24, hiddenSize: 40, numLayers: 2 });
        const ids = Int32Array.from({ length: T * B }, (_, i) => (i * 31 + 7) % V);
        const tgt = Int32Array.from({ length: T * B }, (_, i) => (i * 17 + 3) % V);
        const { logits } = lm.forward(new Tensor(ids, [T, B]));
        crossEntropy(logits.reshape([T * B, V]), new Tensor(tgt, [T * B])).backward();
        return lm.parameters().map((p) => Float32Array.from(p.grad!.f32));
      });
    const g1 = run(one.be);
    const g3 = run(three.be);
    assert.equal(g3.length, g1.length);
    for (let i = 0; i < g1.length; i++) assert.deepEqual(g3[i], g1[i], `gradient ${i}`);
  });
});

test("threaded softmax + cross-entropy (forward and backward) is bit-identical to one thread and matches ref", () => {
  splitEverything(() => {
    const r = rng(11);
    for (const [N, C] of [[37, 1029], [129, 65], [5, 33], [700, 3]] as const) {
      const logits = randn(r, N * C, 4);
      const y = Int32Array.from({ length: N }, (_, i) => (i % 7 === 3 ? -100 : (i * 13) % C));
      const p1 = new Float32Array(N * C), p3 = new Float32Array(N * C), pr = new Float32Array(N * C);
      const l1 = one.be.softmaxCrossEntropy(logits, y, N, C, -100, p1);
      const l3 = three.be.softmaxCrossEntropy(logits, y, N, C, -100, p3);
      const lr = refBackend.softmaxCrossEntropy(logits, y, N, C, -100, pr);
      assert.deepEqual(l3, l1, `loss N=${N} C=${C}`);
      assert.deepEqual(p3, p1, `probs N=${N} C=${C}`);
      assert.equal(l3.count, lr.count);
      assert.ok(Math.abs(l3.lossSum - lr.lossSum) <= 1e-4 * Math.abs(lr.lossSum) + 1e-4, `loss ${l3.lossSum} vs ref ${lr.lossSum}`);
      assertClose(p3, pr, `probs N=${N} C=${C}`);
      const d0 = randn(r, N * C);
      const d1 = Float32Array.from(d0), d3 = Float32Array.from(d0), dr = Float32Array.from(d0);
      one.be.softmaxCrossEntropyBackward(p1, y, N, C, -100, 0.3, d1);
      three.be.softmaxCrossEntropyBackward(p1, y, N, C, -100, 0.3, d3);
      refBackend.softmaxCrossEntropyBackward(p1, y, N, C, -100, 0.3, dr);
      assert.deepEqual(d3, d1, `dLogits N=${N} C=${C}`);
      assertClose(d3, dr, `dLogits N=${N} C=${C}`);
    }
  });
});

test("threaded LSTM forward + backward through time (blocks of batch rows) is bit-identical to one thread: lengths, reverse", () => {
  splitEverything(() => {
    const r = rng(21);
    const T = 9, B = 7, H = 13, G = 4 * H;
    for (const [lengths, reverse] of [[null, false], [Int32Array.of(9, 3, 9, 1, 5, 9, 2), true], [Int32Array.of(4, 9, 9, 9, 7, 6, 9), false]] as const) {
      const xg = randn(r, T * B * G), whh = randn(r, G * H, 0.5), h0 = randn(r, B * H), c0 = randn(r, B * H);
      const dOut = randn(r, T * B * H), dhN = randn(r, B * H), dcN = randn(r, B * H), dW0 = randn(r, G * H);
      const run = (be: Backend) => {
        const f = { out: new Float32Array(T * B * H), hN: new Float32Array(B * H), cN: new Float32Array(B * H) };
        const sv = { gates: new Float32Array(T * B * G), c: new Float32Array(T * B * H), cPrev: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) };
        const dims = { T, B, H, P: H, lengths, reverse, whh, whr: null };
        be.lstmForward({ ...dims, xg: Float32Array.from(xg), h0, c0, ...f, saved: sv });
        const g = { dXg: new Float32Array(T * B * G), dWhh: Float32Array.from(dW0), dWhr: null, dh0: new Float32Array(B * H), dc0: new Float32Array(B * H) };
        be.lstmBackward({ ...dims, saved: sv, dOut, dhN, dcN, ...g });
        return { ...f, ...sv, dXg: g.dXg, dWhh: g.dWhh, dh0: g.dh0, dc0: g.dc0 };
      };
      const a = run(one.be), b = run(three.be), want = run(refBackend);
      for (const k of Object.keys(a) as (keyof typeof a)[]) {
        assert.deepEqual(b[k], a[k], `${k}, lengths ${lengths ? "ragged" : "none"}, reverse ${reverse}`);
        assertClose(b[k], want[k], `${k} vs ref`, 1e-4, 1e-3);
      }
    }
  });
});

test("threaded GRU and RNN forward + backward (blocks of batch rows) are bit-identical to one thread", () => {
  splitEverything(() => {
    const r = rng(23);
    const T = 8, B = 7, H = 11;
    const lengths = Int32Array.of(8, 2, 8, 5, 1, 8, 3);
    for (const reverse of [false, true]) {
      // GRU
      {
        const G = 3 * H;
        const xg = randn(r, T * B * G), whh = randn(r, G * H, 0.5), bhh = randn(r, G), h0 = randn(r, B * H), dOut = randn(r, T * B * H), dhN = randn(r, B * H), dW0 = randn(r, G * H);
        const run = (be: Backend) => {
          const f = { out: new Float32Array(T * B * H), hN: new Float32Array(B * H) };
          const sv = { gates: new Float32Array(T * B * G), hgn: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) };
          be.gruForward({ T, B, H, lengths, reverse, xg: Float32Array.from(xg), whh, bhh, h0, ...f, saved: sv });
          const g = { dXg: new Float32Array(T * B * G), dHg: new Float32Array(T * B * G), dWhh: Float32Array.from(dW0), dh0: new Float32Array(B * H) };
          be.gruBackward({ T, B, H, lengths, reverse, whh, saved: sv, dOut, dhN, ...g });
          return { ...f, ...sv, ...g };
        };
        const a = run(one.be), b = run(three.be);
        for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k], a[k], `GRU ${k}, reverse ${reverse}`);
      }
      // RNN (tanh and relu)
      for (const relu of [false, true]) {
        const xg = randn(r, T * B * H), whh = randn(r, H * H, 0.5), h0 = randn(r, B * H), dOut = randn(r, T * B * H), dhN = randn(r, B * H), dW0 = randn(r, H * H);
        const run = (be: Backend) => {
          const f = { out: new Float32Array(T * B * H), hN: new Float32Array(B * H) };
          const sv = { h: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) };
          be.rnnForward({ T, B, H, lengths, reverse, relu, xg: Float32Array.from(xg), whh, h0, ...f, saved: sv });
          const g = { dXg: new Float32Array(T * B * H), dWhh: Float32Array.from(dW0), dh0: new Float32Array(B * H) };
          be.rnnBackward({ T, B, H, lengths, reverse, relu, whh, saved: sv, dOut, dhN, ...g });
          return { ...f, ...sv, ...g };
        };
        const a = run(one.be), b = run(three.be);
        for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k], a[k], `RNN ${relu ? "relu" : "tanh"} ${k}, reverse ${reverse}`);
      }
    }
  });
});

test("threaded fused linear + cross-entropy (loss chunks, column-split bias gradient, split GEMMs) is bit-identical to one thread", () => {
  splitEverything(() => {
    const r = rng(31);
    for (const [N, K, C] of [[37, 17, 1029], [129, 33, 65], [5, 3, 33], [700, 9, 3]] as const) {
      const x = randn(r, N * K), w = randn(r, C * K, 0.5), b = randn(r, C);
      const targets = Int32Array.from({ length: N }, (_, i) => (i % 7 === 3 ? -100 : (i * 13) % C));
      const run = (be: Backend) => {
        const grads = { scale: 1 / N, dx: new Float32Array(N * K), dw: new Float32Array(C * K), db: new Float32Array(C) };
        const res = be.linearCrossEntropy!({ N, K, C, x, w, b, targets, ignoreIndex: -100, grads });
        return { lossSum: Float64Array.of(res.lossSum), ...grads, scale: undefined };
      };
      const a = run(one.be), c = run(three.be);
      for (const k of ["lossSum", "dx", "dw", "db"] as const) assert.deepEqual(c[k], a[k], `${k}, N=${N} K=${K} C=${C}`);
    }
  });
});

test("resident optimizer state and parameters (allocState): Adam and SGD in place give the same numbers as copying", () => {
  const pool = three.pool!;
  pool.waitReady();
  const n = (1 << 15) + 13; // large enough to be resident, with a SIMD tail
  assert.equal(one.be.allocState?.(n, true) ?? null, null, "no shared memory with one thread: ordinary arrays");
  assert.equal(three.be.allocState!(100, true), null, "small buffers stay ordinary arrays");
  const m = three.be.allocState!(n, true)!, v = three.be.allocState!(n, true)!, p = three.be.allocState!(n, false)!;
  assert.ok(m && v && p, "resident buffers");
  assert.ok(m.buffer instanceof SharedArrayBuffer && m.every((e) => e === 0) && p.every((e) => e === 0), "zeroed, in the shared memory");
  const r = rng(41);
  const p0 = randn(r, n), m0 = randn(r, n, 0.1), v0 = randn(r, n, 0.1).map(Math.abs);
  p.set(p0);
  m.set(m0);
  v.set(v0);
  const pc = Float32Array.from(p0), mc = Float32Array.from(m0), vc = Float32Array.from(v0);
  for (let step = 1; step <= 3; step++) {
    const g = randn(r, n);
    for (const decoupled of [false, true]) {
      const o = { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: decoupled ? 0.1 : 0.01, decoupled, step };
      three.be.adamStep(p, g, m, v, n, o); // resident p, m, v: only g is copied, the range split over threads
      one.be.adamStep(pc, g, mc, vc, n, o); // the chunked copy-in/copy-out path
    }
  }
  assert.deepEqual(Float32Array.from(p), pc, "parameters");
  assert.deepEqual(Float32Array.from(m), mc, "exp_avg");
  assert.deepEqual(Float32Array.from(v), vc, "exp_avg_sq");
  // SGD with a resident momentum buffer (Nesterov, weight decay): the same numbers as copying
  const buf = three.be.allocState!(n, true)!, bufc = new Float32Array(n);
  for (const firstStep of [true, false, false]) {
    const g = randn(r, n);
    const o = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 1e-3, nesterov: true, firstStep };
    three.be.sgdStep(p, g, buf, n, o);
    one.be.sgdStep(pc, g, bufc, n, o);
  }
  assert.deepEqual(Float32Array.from(p), pc, "parameters after SGD");
  assert.deepEqual(Float32Array.from(buf), bufc, "momentum_buffer");
  // embedding gather / scatter-add in wasm on a resident table and gradient (rows 0 … 3276, D = 11 + a tail)
  const D = 11, V = Math.floor(n / D), N = 37;
  const table = three.be.allocState!(V * D, false)!, dW = three.be.allocState!(V * D, true)!;
  table.set(randn(r, V * D));
  const ids = Int32Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 7 : (i * 811) % V));
  const outW = new Float32Array(N * D), outR = new Float32Array(N * D);
  three.be.embeddingForward(table, ids, N, D, outW);
  refBackend.embeddingForward(Float32Array.from(table), ids, N, D, outR);
  assert.deepEqual(outW, outR, "gather from a resident table");
  const dOut = randn(r, N * D), dR = new Float32Array(V * D);
  three.be.embeddingBackward(dOut, ids, N, D, 7, dW);
  refBackend.embeddingBackward(dOut, ids, N, D, 7, dR);
  assert.deepEqual(Float32Array.from(dW), dR, "scatter-add into a resident gradient (padding row 7 skipped)");
  // a resident array handed to other kernels as an input is read in place
  const A = three.be.allocState!(n, false)!;
  A.set(randn(r, n));
  const B = randn(r, 5 * 7);
  const c1 = new Float32Array(Math.floor(n / 5) * 7), c3 = new Float32Array(c1.length);
  const M = Math.floor(n / 5);
  one.be.gemm(false, false, M, 7, 5, 1, Float32Array.from(A), B, 0, c1);
  three.be.gemm(false, false, M, 7, 5, 1, A, B, 0, c3);
  assert.deepEqual(c3, c1, "gemm with a resident A");
});

test("an LSTM language model trained two steps with Adam (fused loss, resident parameters and state) matches one thread bit for bit", async () => {
  const { withBackend } = await import("../../helpers/backends.js");
  const { LanguageModel } = await import("../../../src/models/index.js");
  const { Adam } = await import("../../../src/optim/index.js");
  const { manualSeed, Tensor } = await import("../../../src/tensor/index.js");
  splitEverything(() => {
    const run = (be: Backend): { params: Float32Array[]; resident: boolean } =>
      withBackend(be, () => {
        manualSeed(5);
        const T = 6, B = 4, V = 4099; // the decoder [V, 48] and the embedding are large enough to be resident
        const lm = new LanguageModel({ vocabSize: V, embeddingDim: 48, hiddenSize: 48, numLayers: 2, dropout: 0.2 });
        const opt = new Adam(lm.parameters(), { lr: 1e-2 });
        const ids = Int32Array.from({ length: T * B }, (_, i) => (i * 31 + 7) % V);
        const tgt = Int32Array.from({ length: T * B }, (_, i) => (i * 17 + 3) % V);
        for (let s = 0; s < 2; s++) {
          opt.zeroGrad();
          lm.loss(new Tensor(ids, [T, B]), new Tensor(tgt, [T, B])).loss.backward();
          opt.step();
        }
        return { params: lm.parameters().map((p) => Float32Array.from(p.f32)), resident: lm.decoder.weight.f32.buffer instanceof SharedArrayBuffer };
      });
    const a = run(one.be), b = run(three.be);
    assert.equal(a.resident, false);
    assert.equal(b.resident, true, "3 threads: the decoder weight lives in the shared memory");
    for (let i = 0; i < a.params.length; i++) assert.deepEqual(b.params[i], a.params[i], `parameter ${i} after two Adam steps`);
  });
});

test("threaded LSTM with the input projection fused in (split products, column sums) is bit-identical to one thread", () => {
  splitEverything(() => {
    const r = rng(61);
    const T = 6, B = 9, H = 13, I = 11, G = 4 * H, TB = T * B;
    const x = randn(r, TB * I), wIh = randn(r, G * I, 0.5), whh = randn(r, G * H, 0.5), bias = randn(r, G);
    const h0 = randn(r, B * H), c0 = randn(r, B * H), dOut = randn(r, TB * H), dW0 = randn(r, G * H);
    const lengths = Int32Array.of(6, 2, 6, 5, 1, 6, 3, 4, 6);
    const run = (be: Backend) => {
      const f = { out: new Float32Array(TB * H), hN: new Float32Array(B * H), cN: new Float32Array(B * H) };
      const sv = { gates: new Float32Array(TB * G), c: new Float32Array(TB * H), cPrev: new Float32Array(TB * H), hPrev: new Float32Array(TB * H) };
      const dims = { T, B, H, P: H, lengths, reverse: true, whh, whr: null };
      be.lstmForward({ ...dims, xg: new Float32Array(TB * G), proj: { I, x, wIh, bias }, h0, c0, ...f, saved: sv });
      const g = { dXg: new Float32Array(TB * G), dWhh: Float32Array.from(dW0), dWhr: null, dh0: new Float32Array(B * H), dc0: new Float32Array(B * H) };
      const pg = { I, x, wIh, dx: new Float32Array(TB * I), dWih: new Float32Array(G * I), db: new Float32Array(G) };
      be.lstmBackward({ ...dims, saved: sv, dOut, dhN: null, dcN: null, ...g, projGrads: pg });
      return { ...f, ...sv, dWhh: g.dWhh, dh0: g.dh0, dc0: g.dc0, dx: pg.dx, dWih: pg.dWih, db: pg.db };
    };
    const a = run(one.be), b = run(three.be);
    for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k], a[k], k);
  });
});

test("releaseState gives a reusable buffer back at once; saved activations of a recurrent layer live in the shared memory", async () => {
  const { withBackend } = await import("../../helpers/backends.js");
  const { LSTM, GRU, RNN } = await import("../../../src/nn/index.js");
  const { manualSeed, Tensor } = await import("../../../src/tensor/index.js");
  // A backend of its own: on a shared one, ranges freed when earlier tests' optimizers are
  // garbage-collected may be free too, and whichever fits best is handed out.
  const fresh = load(2);
  try {
    const be = fresh.be;
    const n = 1 << 16;
    const a = be.allocState!(n, true)!;
    a.fill(7);
    const off = a.byteOffset;
    assert.equal(be.releaseState!(a), true);
    assert.equal(be.releaseState!(a), false, "a second release is refused");
    const b = be.allocState!(n - 100, true)!;
    assert.equal(b.byteOffset, off, "the released range is reused");
    assert.ok(b.every((v) => v === 0), "and handed out zeroed");
    const c = be.allocState!(n - 100, true, false)!;
    assert.notEqual(c.byteOffset, off, "a range in use is not handed out twice");
    c.fill(5);
    be.releaseState!(c);
    const d = be.allocState!(n - 200, true, false)!;
    assert.equal(d.byteOffset, c.byteOffset, "released again, reused again");
    assert.equal(d[0], 5, "zero = false leaves the old contents (the caller writes every element)");
    assert.equal(be.releaseState!(new Float32Array(n)), false, "an ordinary array is not the backend's");
    const p = be.allocState!(n, false)!;
    assert.equal(be.releaseState!(p), false, "a parameter's buffer is not reusable");
    be.releaseState!(b);
    be.releaseState!(d);
  } finally {
    fresh.pool?.close();
  }

  // saved activations large enough to be resident (T·B·4H = 16·8·256 floats), the input projection
  // fused into the kernels: the same gradients as one thread
  const run = (bk: Backend, Layer: typeof LSTM | typeof GRU | typeof RNN): Float32Array[] =>
    withBackend(bk, () => {
      manualSeed(9);
      const layer = new Layer({ inputSize: 24, hiddenSize: 64, numLayers: 2, bidirectional: true });
      const x = new Tensor(Float32Array.from({ length: 16 * 8 * 24 }, (_, i) => Math.sin(i)), [16, 8, 24], true);
      const { output } = layer.forward(x, { lengths: [16, 9, 16, 3, 16, 12, 1, 16] });
      const proj = new Tensor(Float32Array.from({ length: output.size }, (_, i) => Math.cos(i)), output.shape);
      const loss = output.mul(proj).sum();
      loss.backward();
      assert.throws(() => loss.backward(), /a second time/, "the saved activations were released");
      return [x.grad!.f32.slice(), ...layer.parameters().map((q) => q.grad!.f32.slice())];
    });
  for (const Layer of [LSTM, GRU, RNN]) {
    const g1 = run(one.be, Layer), g3 = run(three.be, Layer);
    g1.forEach((g, i) => assert.deepEqual(g3[i], g, `${Layer.name} gradient ${i}`));
  }
});

test("a model built on the threaded wasm backend (resident parameters and state) keeps training on the other backends", async () => {
  const { withBackend, testBackends } = await import("../../helpers/backends.js");
  const { LanguageModel } = await import("../../../src/models/index.js");
  const { Adam } = await import("../../../src/optim/index.js");
  const { manualSeed, Tensor } = await import("../../../src/tensor/index.js");
  const T = 6, B = 4, V = 5003;
  const tokens = new Tensor(Int32Array.from({ length: T * B }, (_, i) => (i * 37) % V), [T, B]);
  const targets = new Tensor(Int32Array.from({ length: T * B }, (_, i) => (i * 11 + 5) % V), [T, B]);
  const build = (be: Backend) =>
    withBackend(be, () => {
      manualSeed(8);
      const lm = new LanguageModel({ vocabSize: V, embeddingDim: 16, hiddenSize: 24 });
      return { lm, opt: new Adam(lm.parameters(), { lr: 1e-2 }) };
    });
  const step = (be: Backend, m: ReturnType<typeof build>): void =>
    withBackend(be, () => {
      m.opt.zeroGrad();
      m.lm.loss(tokens, targets).loss.backward();
      m.opt.step();
    });
  const others = testBackends().filter((b) => !b.name.startsWith("wasm"));
  const moved = build(three.be);
  assert.ok(moved.lm.decoder.weight.f32.buffer instanceof SharedArrayBuffer, "built with resident parameters");
  const stay = build(refBackend);
  step(three.be, moved);
  step(refBackend, stay);
  for (const be of others) {
    step(be, moved); // SharedArrayBuffer-backed parameters and state, on native and ref
    step(refBackend, stay);
  }
  moved.lm.parameters().forEach((p, i) => assertClose(p.f32, stay.lm.parameters()[i]!.f32, `parameter ${i} after ${1 + others.length} steps`, 1e-5, 1e-3));
});
