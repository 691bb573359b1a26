/**
 * Parity of the native backend (C++ addon) with the reference kernels, for each ISA it can run
 * here (RNNKIT_NATIVE_ISA's three levels, forced through loadNativeBackend({ isa })), on odd sizes
 * that exercise every SIMD tail and blocking edge. Skipped with a message when the addon is not
 * built, except under CI=true on a machine with a C++ compiler, where it must have been built.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test, type TestContext } from "node:test";
import type { Backend, GruSaved, LstmSaved, RnnSaved } from "../../../src/kernels/backend.js";
import { nativeAddonPath } from "../../../src/kernels/native/addon.js";
import { type NativeIsa, loadNativeBackend, nativeLoadError } from "../../../src/kernels/native/index.js";
import { refBackend as ref } from "../../../src/kernels/ref/index.js";
import { linearCrossEntropyComposite } from "../../../src/tensor/ops/linear-ce.js";
import { assertClose } from "../../helpers/close.js";

const ISAS: readonly NativeIsa[] = ["avx512", "avx2", "scalar"];

const hasCompiler = (): boolean => ["g++", "c++", "clang++"].some((c) => spawnSync(c, ["--version"]).status === 0);

function native(t: TestContext, isa: NativeIsa): Backend | null {
  const be = loadNativeBackend({ isa });
  if (be) return be;
  const why = nativeLoadError() ?? "unknown reason";
  if (process.env.CI === "true" && hasCompiler()) throw new Error(`native addon missing under CI=true although a C++ compiler exists: ${why}`);
  t.skip(`native addon not built, skipping: ${why}`);
  return null;
}

/** fn run on the AVX-512 backend with `threads` GEMM/kernel threads; the process-wide count goes back to 1 after. */
function withThreads<T>(threads: number, fn: (be: Backend) => T): T {
  try {
    return fn(loadNativeBackend({ isa: "avx512", threads })!);
  } finally {
    loadNativeBackend({ threads: 1 });
  }
}
const withTwoThreads = <T>(fn: (be: Backend) => T): T => withThreads(2, fn);

/** Deterministic uniform [-1, 1) values (LCG), so a failure reproduces. */
function rng(seed: number): (n: number, scale?: number) => Float32Array {
  let s = seed >>> 0;
  return (n, scale = 1) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      a[i] = ((s / 4294967296) * 2 - 1) * scale;
    }
    return a;
  };
}

/** Runs `f` once per ISA as a subtest. */
async function perIsa(t: TestContext, f: (be: Backend, isa: NativeIsa) => void): Promise<void> {
  for (const isa of ISAS) {
    await t.test(isa, (st) => {
      const be = native(st, isa);
      if (be) f(be, isa);
    });
  }
}

test("native: ISA selection, names and environment", (t) => {
  const be = native(t, "avx512");
  if (!be) return;
  assert.match(be.name, /^native-(avx512|avx2|scalar)$/);
  assert.equal(loadNativeBackend({ isa: "scalar" })!.name, "native-scalar");
  const avx2 = loadNativeBackend({ isa: "avx2" })!.name;
  assert.ok(avx2 === "native-avx2" || avx2 === "native-scalar", avx2);
  const saved = process.env.RNNKIT_NATIVE_ISA;
  try {
    process.env.RNNKIT_NATIVE_ISA = "scalar";
    assert.equal(loadNativeBackend()!.name, "native-scalar");
    process.env.RNNKIT_NATIVE_ISA = "sse9";
    assert.throws(() => loadNativeBackend(), /RNNKIT_NATIVE_ISA: expected avx512, avx2 or scalar, got "sse9"/);
  } finally {
    if (saved === undefined) delete process.env.RNNKIT_NATIVE_ISA;
    else process.env.RNNKIT_NATIVE_ISA = saved;
  }
});

/**
 * The per-ISA files (kernels_avx2.cc, kernels_avx512.cc) are compiled with -mavx2 / -mavx512f, so any
 * code of theirs that runs when the addon is loaded runs on every CPU. A load-time table fill once
 * did, vectorised with AVX-512 stores, and `require` died with SIGILL on AVX2-only machines (rnnkit
 * silently fell back to wasm). Static initialisers show up as `_GLOBAL__sub_I_<file>` symbols.
 */
test("native: the AVX2 and AVX-512 files run no code at load time (no static initialisers)", (t) => {
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    if (process.env.CI === "true" && hasCompiler()) assert.fail(`native addon missing under CI=true although a C++ compiler exists: ${path}`);
    t.skip(`native addon not built (${path}), skipping`);
    return;
  }
  const nm = spawnSync("nm", [path], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (nm.status !== 0) {
    t.skip(`nm (binutils) not available, skipping: ${nm.error?.message ?? nm.stderr}`);
    return;
  }
  const inits = nm.stdout.split("\n").filter((l) => /_GLOBAL__sub_I_.*kernels_avx(2|512)/.test(l));
  assert.deepEqual(inits, [], `per-ISA code runs at load time (SIGILL on CPUs without that ISA): ${inits.join("; ")}`);
});

test("native: gemm matches ref on odd sizes, all transposes, beta 0/1, K and N blocking", async (t) => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [3, 17, 33], [17, 33, 129], [33, 129, 3], [129, 3, 17], [1, 129, 33], [129, 1, 3], [17, 17, 17],
    [13, 600, 5], [5, 37, 700], // N > one column block, K > one depth block
    [1031, 20, 300], // M > one row block (MC = 1020), ragged last block: Aᵀ is packed row by row of A
  ];
  await perIsa(t, (be, isa) => {
    const r = rng(7);
    for (const [M, N, K] of shapes)
      for (const tA of [false, true])
        for (const tB of [false, true])
          for (const beta of [0, 1]) {
            const A = r(M * K);
            const B = r(K * N);
            const C0 = r(M * N);
            if (beta === 0) C0.fill(NaN); // beta = 0 must overwrite, NaN never leaks
            const want = C0.slice();
            const got = C0.slice();
            ref.gemm(tA, tB, M, N, K, 0.75, A, B, beta, want);
            be.gemm(tA, tB, M, N, K, 0.75, A, B, beta, got);
            assertClose(got, want, `${isa} gemm M=${M} N=${N} K=${K} tA=${tA} tB=${tB} beta=${beta}`);
          }
    // alpha = 0 and K = 0 only scale C
    const C = Float32Array.of(1, 2, 3, 4);
    be.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 1, C);
    assert.deepEqual([...C], [1, 2, 3, 4]);
    be.gemm(false, false, 2, 2, 3, 0, r(6), r(6), 0, C);
    assert.deepEqual([...C], [0, 0, 0, 0]);
  });
});

test("native: gemm with 2 threads is bit-identical to 1 thread", (t) => {
  const one = native(t, "avx512");
  if (!one) return;
  const r = rng(3);
  // wide C (split by columns) and tall narrow C in every transpose (split by rows: 7 column panels,
  // as a decoder gradient with N = 200), with K blocking and ragged tiles; and tall C with enough
  // column panels but A past 2^21 floats (split by rows too: M·K = 2,116,643)
  const cases: Array<[boolean, boolean, number, number, number]> = [
    [false, true, 67, 301, 257],
    [false, false, 2053, 301, 1031],
    [true, false, 2053, 301, 1031],
    [false, false, 1003, 200, 517],
    [true, false, 1003, 200, 517],
    [true, true, 611, 37, 389],
  ];
  for (const [tA, tB, M, N, K] of cases) {
    const A = r(M * K);
    const B = r(N * K);
    const c1 = r(M * N);
    const c2 = Float32Array.from(c1);
    one.gemm(tA, tB, M, N, K, 1, A, B, 0.5, c1);
    withTwoThreads((two) => two.gemm(tA, tB, M, N, K, 1, A, B, 0.5, c2));
    assert.deepEqual(c2, c1, `tA=${tA} tB=${tB} M=${M} N=${N} K=${K}`);
  }
});

test("native: softmax + cross-entropy (forward, backward), Adam and scale with 2 threads are bit-identical to 1 thread and match ref", (t) => {
  const one = native(t, "avx512");
  if (!one) return;
  const r = rng(5);
  const N = 301, C = 1029; // > 2^18 elements: split over the pool; 301 rows = 9 chunks of 32 + 13
  const logits = r(N * C).map((x) => 6 * x);
  const y = Int32Array.from({ length: N }, (_, i) => (i % 11 === 4 ? -100 : (i * 37) % C));
  const n = 300_007; // Adam: not a multiple of any vector width
  const p0 = r(n), g = r(n), m0 = r(n), v0 = r(n).map(Math.abs);
  const d0 = r(N * C);
  const adamOpts = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 3 };
  const run = (be: Backend) => {
    const probs = new Float32Array(N * C);
    const loss = be.softmaxCrossEntropy(logits, y, N, C, -100, probs);
    const d = Float32Array.from(d0);
    be.softmaxCrossEntropyBackward(probs, y, N, C, -100, 0.25, d);
    const p = Float32Array.from(p0), m = Float32Array.from(m0), v = Float32Array.from(v0);
    be.adamStep(p, g, m, v, n, adamOpts);
    const sc = Float32Array.from(d0);
    be.scale(sc, 0.37, sc.length);
    return { loss, probs, d, p, m, v, sc };
  };
  const a = run(one);
  const b = withTwoThreads(run);
  assert.deepEqual(b.loss, a.loss);
  for (const k of ["probs", "d", "p", "m", "v", "sc"] as const) assert.deepEqual(b[k], a[k], k);
  const pr = new Float32Array(N * C);
  const lr = ref.softmaxCrossEntropy(logits, y, N, C, -100, pr);
  assert.equal(a.loss.count, lr.count);
  assert.ok(Math.abs(a.loss.lossSum - lr.lossSum) <= 1e-5 * Math.abs(lr.lossSum), `loss ${a.loss.lossSum} vs ref ${lr.lossSum}`);
  assertClose(a.probs, pr, "probs vs ref");
});

test("native: fused linear + cross-entropy with 2 and 3 threads is bit-identical to 1 thread and matches the ref composite", (t) => {
  const one = native(t, "avx512");
  if (!one) return;
  assert.ok(one.linearCrossEntropy, "the addon has the fused loss pass");
  const r = rng(9);
  // 301 rows × 1029 classes: past 2^18 elements (split over the pool), 9 chunks of 32 + 13 rows, a SIMD tail
  for (const [N, K, C, withBias] of [[301, 37, 1029, true], [301, 37, 1029, false], [7, 5, 19, true]] as const) {
    const x = r(N * K), w = r(C * K, 0.5), b = withBias ? r(C) : null;
    const y = Int32Array.from({ length: N }, (_, i) => (i % 11 === 4 ? -100 : (i * 37) % C));
    const kept = y.filter((v) => v !== -100).length;
    const run = (be: Backend, grad: boolean) => {
      const grads = grad ? { scale: 1 / kept, dx: new Float32Array(N * K), dw: new Float32Array(C * K), db: withBias ? new Float32Array(C) : null } : null;
      const res = be.linearCrossEntropy ? be.linearCrossEntropy({ N, K, C, x, w, b, targets: y, ignoreIndex: -100, grads }) : linearCrossEntropyComposite(be, { N, K, C, x, w, b, targets: y, ignoreIndex: -100, grads });
      return { loss: Float64Array.of(res.lossSum, res.count), dx: grads?.dx, dw: grads?.dw, db: grads?.db ?? undefined };
    };
    const a = run(one, true);
    const two = withTwoThreads((be) => run(be, true));
    // 3 threads: an odd split of every product and of the loss pass's row chunks
    const three = withThreads(3, (be) => run(be, true));
    for (const k of ["loss", "dx", "dw", "db"] as const) {
      assert.deepEqual(two[k], a[k], `${k} N=${N} C=${C} bias=${withBias}`);
      assert.deepEqual(three[k], a[k], `3 threads: ${k} N=${N} C=${C} bias=${withBias}`);
    }
    assert.deepEqual(run(one, false).loss, a.loss, "the loss without gradients is the same number");
    const want = run(ref, true);
    assert.equal(a.loss[1], kept);
    assert.ok(Math.abs(a.loss[0]! - want.loss[0]!) <= 1e-5 * Math.abs(want.loss[0]!), `loss ${a.loss[0]} vs ref ${want.loss[0]}`);
    assertClose(a.dx!, want.dx!, `dx vs ref N=${N}`, 1e-6, 1e-4);
    assertClose(a.dw!, want.dw!, `dW vs ref N=${N}`, 1e-6, 1e-4);
    if (withBias) assertClose(a.db!, want.db!, `db vs ref N=${N}`, 1e-6, 1e-4);
  }
  // a target out of range is reported with its row, whichever thread met it
  const bad = Int32Array.from({ length: 40 }, (_, i) => (i === 37 ? 3 : 0));
  assert.throws(() => one.linearCrossEntropy!({ N: 40, K: 1, C: 3, x: new Float32Array(40), w: new Float32Array(3), b: null, targets: bad, ignoreIndex: -100, grads: null }), /target at row 37 is 3, expected a class index in \[0, 3\)/);
});

test("native: LSTM forward + backward on blocks of batch rows (2 threads) is bit-identical to 1 thread: lengths, reverse", (t) => {
  const one = native(t, "avx512");
  if (!one) return;
  const r = rng(9);
  const T = 20, B = 9, H = 83, G = 4 * H; // T·B·4H·H ≈ 5M multiply-adds: large enough to split
  for (const [lengths, reverse] of [[null, false], [Int32Array.of(20, 3, 20, 1, 17, 20, 9, 20, 2), true]] as const) {
    const xg = r(T * B * G), whh = r(G * H, 0.3), h0 = r(B * H), c0 = r(B * H), dOut = r(T * B * H), dhN = r(B * H), dcN = r(B * H), dW0 = r(G * H);
    const run = (be: Backend) => {
      const f = { out: new Float32Array(T * B * H), hN: new Float32Array(B * H), cN: new Float32Array(B * H) };
      const sv = { gates: new Float32Array(T * B * G), c: new Float32Array(T * B * H), cPrev: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) };
      const dims = { T, B, H, P: H, lengths, reverse, whh, whr: null };
      be.lstmForward({ ...dims, xg, h0, c0, ...f, saved: sv });
      const g = { dXg: new Float32Array(T * B * G), dWhh: Float32Array.from(dW0), dWhr: null, dh0: new Float32Array(B * H), dc0: new Float32Array(B * H) };
      be.lstmBackward({ ...dims, saved: sv, dOut, dhN, dcN, ...g });
      return { ...f, ...sv, dXg: g.dXg, dWhh: g.dWhh, dh0: g.dh0, dc0: g.dc0 };
    };
    const a = run(one);
    const b = withTwoThreads(run);
    for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k], a[k], `${k}, lengths ${lengths ? "ragged" : "none"}, reverse ${reverse}`);
    const want = run(ref);
    for (const k of Object.keys(a) as (keyof typeof a)[]) assertClose(b[k], want[k], `${k} vs ref`, 1e-4, 1e-3);
  }
});

test("native: wrong buffer sizes throw instead of touching memory", (t) => {
  const be = native(t, "avx512");
  if (!be) return;
  assert.throws(() => be.gemm(false, false, 4, 4, 4, 1, new Float32Array(16), new Float32Array(16), 0, new Float32Array(15)), /C has 15 elements, expected at least 16/);
  assert.throws(() => be.embeddingForward(new Float32Array(6), Int32Array.of(0, 3), 2, 2, new Float32Array(4)), /index 3 at position 1 is out of \[0, 3\)/);
  const dims = { T: 2, B: 1, H: 2, lengths: null, reverse: false };
  assert.throws(
    () => be.rnnForward({ ...dims, relu: false, xg: new Float32Array(3), whh: new Float32Array(4), h0: new Float32Array(2), out: new Float32Array(4), hN: new Float32Array(2), saved: null }),
    /xg has 3 elements, expected at least 4/,
  );
});

test("native: unary, sumSquares, scale match ref", async (t) => {
  await perIsa(t, (be, isa) => {
    const r = rng(11);
    for (const n of [1, 3, 17, 33, 129]) {
      const x = r(n, 12);
      x[0] = n > 1 ? 0 : x[0]!;
      for (const op of ["neg", "exp", "sigmoid", "tanh", "relu", "abs"] as const) {
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        ref.unary(op, x, want, n);
        be.unary(op, x, got, n);
        assertClose(got, want, `${isa} unary ${op} n=${n}`, 1e-6, 2e-6);
      }
      const pos = x.map((v) => Math.abs(v) + 0.01);
      for (const op of ["log", "sqrt"] as const) {
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        ref.unary(op, pos, want, n);
        be.unary(op, pos, got, n);
        assertClose(got, want, `${isa} unary ${op} n=${n}`, 1e-6, 2e-6);
      }
      assert.ok(Math.abs(be.sumSquares(x, n) - ref.sumSquares(x, n)) <= 1e-9 * ref.sumSquares(x, n), `${isa} sumSquares n=${n}`);
      const a = x.slice();
      const b = x.slice();
      ref.scale(a, 0.37, n);
      be.scale(b, 0.37, n);
      assertClose(b, a, `${isa} scale n=${n}`, 0, 2e-7);
    }
    // sigmoid/tanh far out and at NaN
    const edge = Float32Array.of(-100, -20, -9, -0.62, 0.63, 9, 20, 100, NaN);
    for (const op of ["sigmoid", "tanh", "exp"] as const) {
      const want = new Float32Array(edge.length);
      const got = new Float32Array(edge.length);
      ref.unary(op, edge, want, edge.length);
      be.unary(op, edge, got, edge.length);
      assertClose(got.subarray(0, 7), want.subarray(0, 7), `${isa} ${op} edges`, 1e-6, 2e-6);
      assert.equal(got[7], want[7], `${isa} ${op}(100)`);
      assert.ok(Number.isNaN(got[8]), `${isa} ${op}(NaN) is NaN`);
    }
  });
});

test("native: softmax cross-entropy and embedding match ref", async (t) => {
  await perIsa(t, (be, isa) => {
    const r = rng(5);
    for (const C of [1, 3, 17, 33, 129]) {
      const N = 5;
      const logits = r(N * C, 8);
      const targets = Int32Array.from({ length: N }, (_, i) => (i === 2 ? -100 : (i * 7) % C));
      const pw = new Float32Array(N * C);
      const pg = new Float32Array(N * C);
      const lw = ref.softmaxCrossEntropy(logits, targets, N, C, -100, pw);
      const lg = be.softmaxCrossEntropy(logits, targets, N, C, -100, pg);
      assertClose(pg, pw, `${isa} softmax C=${C}`, 1e-6, 1e-5);
      assert.equal(lg.count, lw.count);
      assert.ok(Math.abs(lg.lossSum - lw.lossSum) <= 1e-5 * (1 + Math.abs(lw.lossSum)), `${isa} lossSum C=${C}: ${lg.lossSum} vs ${lw.lossSum}`);
      const dw = r(N * C);
      const dg = dw.slice();
      ref.softmaxCrossEntropyBackward(pw, targets, N, C, -100, 0.3, dw);
      be.softmaxCrossEntropyBackward(pw, targets, N, C, -100, 0.3, dg);
      assertClose(dg, dw, `${isa} softmax backward C=${C}`, 1e-6, 1e-5);
    }
    assert.throws(() => be.softmaxCrossEntropy(r(6), Int32Array.of(1, 3), 2, 3, -100, new Float32Array(6)), (e: unknown) => e instanceof RangeError && /row 1 is 3/.test(e.message));
    for (const D of [1, 3, 17, 33]) {
      const V = 7;
      const w = r(V * D);
      const idx = Int32Array.of(3, 0, 6, 3, 2);
      const want = new Float32Array(idx.length * D);
      const got = new Float32Array(idx.length * D);
      ref.embeddingForward(w, idx, idx.length, D, want);
      be.embeddingForward(w, idx, idx.length, D, got);
      assert.deepEqual(got, want);
      const dOut = r(idx.length * D);
      const gw = r(V * D);
      const gg = gw.slice();
      ref.embeddingBackward(dOut, idx, idx.length, D, 6, gw);
      be.embeddingBackward(dOut, idx, idx.length, D, 6, gg);
      assertClose(gg, gw, `${isa} embedding backward D=${D}`, 0, 1e-6);
    }
  });
});

test("native: adamStep and sgdStep match ref", async (t) => {
  await perIsa(t, (be, isa) => {
    const r = rng(9);
    const n = 129;
    for (const [weightDecay, decoupled] of [[0, false], [0.1, false], [0.1, true]] as const) {
      const p = r(n);
      const g = r(n);
      const m = r(n, 0.1);
      const v = r(n).map(Math.abs);
      const a = [p.slice(), m.slice(), v.slice()] as const;
      const b = [p.slice(), m.slice(), v.slice()] as const;
      const o = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, decoupled, step: 3 };
      ref.adamStep(a[0], g, a[1], a[2], n, o);
      be.adamStep(b[0], g, b[1], b[2], n, o);
      for (let k = 0; k < 3; k++) assertClose(b[k]!, a[k]!, `${isa} adam wd=${weightDecay} decoupled=${decoupled} [${k}]`, 1e-7, 1e-6);
    }
    for (const [momentum, nesterov, firstStep] of [[0, false, false], [0.9, false, true], [0.9, true, false]] as const) {
      const p = r(n);
      const g = r(n);
      const buf = momentum ? r(n) : null;
      const pa = p.slice();
      const pb = p.slice();
      const ba = buf ? buf.slice() : null;
      const bb = buf ? buf.slice() : null;
      const o = { lr: 0.1, momentum, dampening: 0.1, weightDecay: 0.01, nesterov, firstStep };
      ref.sgdStep(pa, g, ba, n, o);
      be.sgdStep(pb, g, bb, n, o);
      assertClose(pb, pa, `${isa} sgd p momentum=${momentum} nesterov=${nesterov}`, 1e-7, 1e-6);
      if (ba && bb) assertClose(bb, ba, `${isa} sgd buf`, 1e-7, 1e-6);
    }
  });
});

// ---------------------------------------------------------------- recurrent kernels

interface SeqCase {
  T: number;
  B: number;
  H: number;
  lengths: Int32Array | null;
  reverse: boolean;
}
const seqCases = (): SeqCase[] => [
  { T: 1, B: 1, H: 1, lengths: null, reverse: false },
  { T: 4, B: 3, H: 17, lengths: Int32Array.of(4, 2, 1), reverse: false },
  { T: 4, B: 3, H: 17, lengths: Int32Array.of(3, 4, 0), reverse: true },
  { T: 3, B: 2, H: 33, lengths: null, reverse: true },
  { T: 2, B: 17, H: 3, lengths: Int32Array.from({ length: 17 }, (_, i) => i % 3), reverse: false },
];
const tag = (c: SeqCase): string => `T=${c.T} B=${c.B} H=${c.H} lengths=${c.lengths ? [...c.lengths].join(",") : "all"} reverse=${c.reverse}`;

test("native: LSTM forward/backward (with and without projection) match ref", async (t) => {
  await perIsa(t, (be, isa) => {
    const r = rng(21);
    for (const c of seqCases())
      for (const proj of [false, true]) {
        const { T, B, H } = c;
        const P = proj ? Math.max(1, H - 2) : H;
        const G = 4 * H;
        const dims = { T, B, H, lengths: c.lengths, reverse: c.reverse, P };
        const xg = r(T * B * G);
        const whh = r(G * P, 0.5);
        const whr = proj ? r(P * H, 0.5) : null;
        const h0 = r(B * P);
        const c0 = r(B * H);
        const run = (k: Backend) => {
          const saved: LstmSaved = { gates: new Float32Array(T * B * G), c: new Float32Array(T * B * H), cPrev: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * P) };
          const out = new Float32Array(T * B * P);
          const hN = new Float32Array(B * P);
          const cN = new Float32Array(B * H);
          k.lstmForward({ ...dims, xg, whh, whr, h0, c0, out, hN, cN, saved });
          return { saved, out, hN, cN };
        };
        const w = run(ref);
        const g = run(be);
        const what = `${isa} lstm ${tag(c)} proj=${proj}`;
        for (const k of ["out", "hN", "cN"] as const) assertClose(g[k], w[k], `${what} ${k}`);
        for (const k of ["gates", "c", "cPrev", "hPrev"] as const) assertClose(g.saved[k], w.saved[k], `${what} saved.${k}`);
        // inference (saved = null) gives the same outputs
        const out = new Float32Array(T * B * P);
        be.lstmForward({ ...dims, xg, whh, whr, h0, c0, out, hN: new Float32Array(B * P), cN: new Float32Array(B * H), saved: null });
        assertClose(out, w.out, `${what} inference out`);

        const dOut = r(T * B * P);
        const dhN = r(B * P);
        const dcN = r(B * H);
        const dW0 = r(G * P);
        const back = (k: Backend) => {
          const res = { dXg: new Float32Array(T * B * G), dWhh: dW0.slice(), dWhr: proj ? new Float32Array(P * H) : null, dh0: new Float32Array(B * P), dc0: new Float32Array(B * H) };
          k.lstmBackward({ ...dims, whh, whr, saved: w.saved, dOut, dhN, dcN, ...res });
          return res;
        };
        const bw = back(ref);
        const bg = back(be);
        for (const k of ["dXg", "dh0", "dc0"] as const) assertClose(bg[k], bw[k], `${what} ${k}`);
        assertClose(bg.dWhh, bw.dWhh, `${what} dWhh`, 1e-4, 1e-4);
        if (bg.dWhr && bw.dWhr) assertClose(bg.dWhr, bw.dWhr, `${what} dWhr`, 1e-4, 1e-4);
        // null dOut / dhN / dcN
        const n1 = { dXg: new Float32Array(T * B * G), dWhh: new Float32Array(G * P), dWhr: proj ? new Float32Array(P * H) : null, dh0: new Float32Array(B * P), dc0: new Float32Array(B * H) };
        const n2 = { dXg: new Float32Array(T * B * G), dWhh: new Float32Array(G * P), dWhr: proj ? new Float32Array(P * H) : null, dh0: new Float32Array(B * P), dc0: new Float32Array(B * H) };
        ref.lstmBackward({ ...dims, whh, whr, saved: w.saved, dOut, dhN: null, dcN: null, ...n1 });
        be.lstmBackward({ ...dims, whh, whr, saved: w.saved, dOut, dhN: null, dcN: null, ...n2 });
        assertClose(n2.dXg, n1.dXg, `${what} dXg (no dhN/dcN)`);
      }
  });
});

test("native: GRU forward/backward (with and without b_hh) match ref", async (t) => {
  await perIsa(t, (be, isa) => {
    const r = rng(31);
    for (const c of seqCases())
      for (const bias of [true, false]) {
        const { T, B, H } = c;
        const G = 3 * H;
        const dims = { T, B, H, lengths: c.lengths, reverse: c.reverse };
        const xg = r(T * B * G);
        const whh = r(G * H, 0.5);
        const bhh = bias ? r(G) : null;
        const h0 = r(B * H);
        const run = (k: Backend) => {
          const saved: GruSaved = { gates: new Float32Array(T * B * G), hgn: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) };
          const out = new Float32Array(T * B * H);
          const hN = new Float32Array(B * H);
          k.gruForward({ ...dims, xg, whh, bhh, h0, out, hN, saved });
          return { saved, out, hN };
        };
        const w = run(ref);
        const g = run(be);
        const what = `${isa} gru ${tag(c)} bias=${bias}`;
        for (const k of ["out", "hN"] as const) assertClose(g[k], w[k], `${what} ${k}`);
        for (const k of ["gates", "hgn", "hPrev"] as const) assertClose(g.saved[k], w.saved[k], `${what} saved.${k}`);
        const dOut = r(T * B * H);
        const dhN = r(B * H);
        const dW0 = r(G * H);
        const back = (k: Backend) => {
          const res = { dXg: new Float32Array(T * B * G), dHg: new Float32Array(T * B * G), dWhh: dW0.slice(), dh0: new Float32Array(B * H) };
          k.gruBackward({ ...dims, whh, saved: w.saved, dOut, dhN, ...res });
          return res;
        };
        const bw = back(ref);
        const bg = back(be);
        for (const k of ["dXg", "dHg", "dh0"] as const) assertClose(bg[k], bw[k], `${what} ${k}`);
        assertClose(bg.dWhh, bw.dWhh, `${what} dWhh`, 1e-4, 1e-4);
      }
  });
});

test("native: RNN (tanh and relu) forward/backward match ref", async (t) => {
  await perIsa(t, (be, isa) => {
    const r = rng(41);
    for (const c of seqCases())
      for (const relu of [false, true]) {
        const { T, B, H } = c;
        const dims = { T, B, H, lengths: c.lengths, reverse: c.reverse, relu };
        const xg = r(T * B * H);
        const whh = r(H * H, 0.5);
        const h0 = r(B * H);
        const run = (k: Backend) => {
          const saved: RnnSaved = { h: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) };
          const out = new Float32Array(T * B * H);
          const hN = new Float32Array(B * H);
          k.rnnForward({ ...dims, xg, whh, h0, out, hN, saved });
          return { saved, out, hN };
        };
        const w = run(ref);
        const g = run(be);
        const what = `${isa} rnn ${tag(c)} relu=${relu}`;
        for (const k of ["out", "hN"] as const) assertClose(g[k], w[k], `${what} ${k}`);
        for (const k of ["h", "hPrev"] as const) assertClose(g.saved[k], w.saved[k], `${what} saved.${k}`);
        const dOut = r(T * B * H);
        const back = (k: Backend) => {
          const res = { dXg: new Float32Array(T * B * H), dWhh: new Float32Array(H * H), dh0: new Float32Array(B * H) };
          k.rnnBackward({ ...dims, whh, saved: w.saved, dOut, dhN: null, ...res });
          return res;
        };
        const bw = back(ref);
        const bg = back(be);
        for (const k of ["dXg", "dh0"] as const) assertClose(bg[k], bw[k], `${what} ${k}`);
        assertClose(bg.dWhh, bw.dWhh, `${what} dWhh`, 1e-4, 1e-4);
      }
  });
});
