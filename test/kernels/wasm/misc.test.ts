/**
 * The other wasm kernels vs the reference: softmax + cross-entropy (forward, backward, ignored
 * rows, bad targets), vector exp/sigmoid/tanh accuracy against Math.*, Adam, sumSquares, scale,
 * sumAxis, embedding gather/scatter, the fused linear + cross-entropy.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LinearCrossEntropyArgs } from "../../../src/kernels/backend.js";
import { refBackend } from "../../../src/kernels/ref/index.js";
import { linearCrossEntropyComposite } from "../../../src/tensor/ops/linear-ce.js";
import { assertClose } from "../../helpers/close.js";
import { randn, rng, wasmBackends } from "../../helpers/wasm.js";

const backends = wasmBackends();

for (const be of backends) {
  test(`${be.name}: linearCrossEntropy (fused) matches the reference composition: odd sizes, ignored rows, no bias, gradient subsets`, () => {
    const r = rng(29);
    for (const [N, K, C] of [[1, 1, 1], [3, 17, 33], [17, 3, 129], [33, 129, 17], [129, 33, 3], [7, 5, 10007]] as const) {
      const x = randn(r, N * K), w = randn(r, C * K, 0.7), b = randn(r, C);
      const targets = Int32Array.from({ length: N }, (_, i) => (i % 4 === 1 ? -100 : Math.floor(r() * C)));
      for (const [bias, want] of [[b, "dx dw db"], [null, "dx dw"], [b, "dw"], [b, "dx db"], [b, ""]] as const) {
        const run = (impl: (a: LinearCrossEntropyArgs) => { lossSum: number; count: number }, grads: boolean) => {
          const g = { scale: 0.37, dx: want.includes("dx") ? new Float32Array(N * K).fill(NaN) : null, dw: want.includes("dw") ? new Float32Array(C * K).fill(NaN) : null, db: want.includes("db") && bias ? new Float32Array(C).fill(NaN) : null };
          const res = impl({ N, K, C, x, w, b: bias, targets, ignoreIndex: -100, grads: grads ? g : null });
          return { res, g };
        };
        const what = `N=${N} K=${K} C=${C} bias=${bias !== null} grads "${want}"`;
        for (const grads of want === "" ? [false] : [true]) {
          const ref = run((a) => linearCrossEntropyComposite(refBackend, a), grads);
          const got = run((a) => be.linearCrossEntropy!(a), grads);
          assert.equal(got.res.count, ref.res.count, `${what} count`);
          assertClose([got.res.lossSum], [ref.res.lossSum], `${what} lossSum`, 1e-4, 1e-5);
          for (const k of ["dx", "dw", "db"] as const) {
            const gk = got.g[k], rk = ref.g[k];
            if (rk) assertClose(gk!, rk, `${what} ${k}`, 1e-5, 1e-4);
          }
        }
      }
    }
    assert.throws(() => be.linearCrossEntropy!({ N: 2, K: 1, C: 3, x: new Float32Array(2), w: new Float32Array(3), b: null, targets: Int32Array.of(0, 3), ignoreIndex: -100, grads: null }), /target at row 1 is 3/);
  });

  test(`${be.name}: softmaxCrossEntropy forward/backward match ref`, () => {
    const r = rng(3);
    for (const [N, C] of [[1, 1], [3, 17], [17, 3], [33, 129], [5, 10007], [1100, 65]] as const) {
      const logits = randn(r, N * C, 8);
      const targets = new Int32Array(N);
      for (let i = 0; i < N; i++) targets[i] = i % 4 === 3 ? -100 : Math.floor(r() * C);
      const pw = new Float32Array(N * C), pg = new Float32Array(N * C);
      const want = refBackend.softmaxCrossEntropy(logits, targets, N, C, -100, pw);
      const got = be.softmaxCrossEntropy(logits, targets, N, C, -100, pg);
      const what = `softmaxCE N=${N} C=${C}`;
      assert.equal(got.count, want.count, `${what} count`);
      assertClose([got.lossSum], [want.lossSum], `${what} lossSum`, 1e-4, 1e-5);
      assertClose(pg, pw, `${what} probs`);
      const d0 = randn(r, N * C);
      const dw = Float32Array.from(d0), dg = Float32Array.from(d0);
      refBackend.softmaxCrossEntropyBackward(pw, targets, N, C, -100, 0.37, dw);
      be.softmaxCrossEntropyBackward(pw, targets, N, C, -100, 0.37, dg);
      assertClose(dg, dw, `${what} dLogits`);
    }
  });

  test(`${be.name}: softmaxCrossEntropy rejects an out-of-range target naming the row`, () => {
    assert.throws(() => be.softmaxCrossEntropy(new Float32Array(12), Int32Array.from([0, 1, 4]), 3, 4, -100, new Float32Array(12)), /row 2 is 4/);
  });

  test(`${be.name}: softmax survives huge and -Infinity logits`, () => {
    const logits = Float32Array.from([1e30, 0, -Infinity, 3, -1e30, 2, 1, 0]);
    const pw = new Float32Array(8), pg = new Float32Array(8);
    const t = Int32Array.from([0, 1]);
    const want = refBackend.softmaxCrossEntropy(logits, t, 2, 4, -100, pw);
    const got = be.softmaxCrossEntropy(logits, t, 2, 4, -100, pg);
    assertClose(pg, pw, "probs");
    assertClose([got.lossSum], [want.lossSum], "lossSum");
  });

  test(`${be.name}: exp/sigmoid/tanh within 1e-6 of Math.* (relative for exp)`, () => {
    const xs: number[] = [0, -0, 1e-8, -1e-8, 0.5, 0.624, 0.626, -0.625, 1, 5, 9, 10, 20, 30, 44, 50, 87, 88, 88.7, 89, 100, -87, -88, -90, -100, -103, -104, -200, Infinity, -Infinity];
    for (let i = 0; i <= 40000; i++) xs.push(-20 + i / 1000);
    const x = Float32Array.from(xs.flatMap((v) => [v, -v]));
    const n = x.length;
    for (const op of ["exp", "sigmoid", "tanh"] as const) {
      const want = new Float32Array(n), got = new Float32Array(n);
      refBackend.unary(op, x, want, n);
      be.unary(op, x, got, n);
      for (let i = 0; i < n; i++) {
        const w = want[i]!, g = got[i]!;
        const tol = op === "exp" ? 1e-6 * Math.abs(w) + 1e-44 : 1e-6;
        if (w === g) continue;
        assert.ok(Math.abs(w - g) <= tol, `${op}(${x[i]}) = ${g}, Math gives ${w}`);
      }
    }
    const nan = new Float32Array(4);
    be.unary("tanh", Float32Array.from([NaN, 1, 2, 3]), nan, 4);
    assert.ok(Number.isNaN(nan[0]), "tanh(NaN) is NaN");
  });

  test(`${be.name}: adamStep (Adam, AdamW, no decay), sgdStep (momentum, dampening, Nesterov), sumSquares, scale match ref`, () => {
    const r = rng(4);
    for (const n of [1, 3, 17, 33, 129, 40000]) {
      for (const [weightDecay, decoupled] of [[0, false], [0.01, false], [0.1, true]] as const) {
        const p = randn(r, n), g = randn(r, n), m = randn(r, n, 0.1), v = randn(r, n, 0.1).map(Math.abs);
        const o = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, step: 3 };
        const want = [Float32Array.from(p), Float32Array.from(m), Float32Array.from(v)] as const;
        const got = [Float32Array.from(p), Float32Array.from(m), Float32Array.from(v)] as const;
        refBackend.adamStep(want[0], g, want[1], want[2], n, o);
        be.adamStep(got[0], g, got[1], got[2], n, o);
        assertClose(got[0], want[0], `adam p n=${n} wd=${weightDecay} decoupled=${decoupled}`, 1e-6, 1e-5);
        assertClose(got[1], want[1], `adam m n=${n}`);
        assertClose(got[2], want[2], `adam v n=${n}`);
      }
      // SGD: plain, weight decay, momentum (first and later steps, dampening), Nesterov
      for (const [momentum, dampening, weightDecay, nesterov] of [[0, 0, 0, false], [0, 0, 0.01, false], [0.9, 0, 0, false], [0.9, 0.1, 1e-3, false], [0.9, 0, 1e-3, true]] as const) {
        for (const firstStep of [true, false]) {
          const p = randn(r, n), g = randn(r, n), buf = randn(r, n, 0.1);
          const o = { lr: 0.05, momentum, dampening, weightDecay, nesterov, firstStep };
          const want = [Float32Array.from(p), Float32Array.from(buf)] as const, got = [Float32Array.from(p), Float32Array.from(buf)] as const;
          refBackend.sgdStep(want[0], g, momentum ? want[1] : null, n, o);
          be.sgdStep(got[0], g, momentum ? got[1] : null, n, o);
          const what = `sgd n=${n} momentum=${momentum} dampening=${dampening} wd=${weightDecay} nesterov=${nesterov} first=${firstStep}`;
          assertClose(got[0], want[0], `${what} p`, 1e-6, 1e-5);
          assertClose(got[1], want[1], `${what} buf`, 1e-6, 1e-5);
        }
      }
      const x = randn(r, n);
      assertClose([be.sumSquares(x, n)], [refBackend.sumSquares(x, n)], `sumSquares n=${n}`, 1e-9, 1e-12);
      const a = Float32Array.from(x), b = Float32Array.from(x);
      refBackend.scale(a, -0.3, n);
      be.scale(b, -0.3, n);
      assertClose(b, a, `scale n=${n}`);
      const z = Float32Array.from(x).fill(NaN);
      be.scale(z, 0, n);
      assert.ok(z.every((q) => q === 0), "scale by 0 clears NaN (as documented for the wasm kernel)");
    }
  });

  test(`${be.name}: sumAxis and embedding gather/scatter match ref`, () => {
    const r = rng(5);
    for (const [outer, n, inner] of [[1, 1, 1], [3, 17, 33], [1, 129, 3], [2, 5, 1]] as const) {
      const x = randn(r, outer * n * inner);
      const want = new Float32Array(outer * inner), got = new Float32Array(outer * inner);
      refBackend.sumAxis(x, outer, n, inner, want);
      be.sumAxis(x, outer, n, inner, got);
      assertClose(got, want, `sumAxis ${outer}x${n}x${inner}`);
    }
    const V = 17, D = 33, N = 129;
    const w = randn(r, V * D);
    const idx = new Int32Array(N).map(() => Math.floor(r() * V));
    const ow = new Float32Array(N * D), og = new Float32Array(N * D);
    refBackend.embeddingForward(w, idx, N, D, ow);
    be.embeddingForward(w, idx, N, D, og);
    assert.deepEqual(og, ow, "embeddingForward");
    const dOut = randn(r, N * D);
    const gw = new Float32Array(V * D), gg = new Float32Array(V * D);
    refBackend.embeddingBackward(dOut, idx, N, D, 3, gw);
    be.embeddingBackward(dOut, idx, N, D, 3, gg);
    assertClose(gg, gw, "embeddingBackward");
  });
}
