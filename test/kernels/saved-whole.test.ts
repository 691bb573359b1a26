/**
 * The recurrent forward kernels write every element of their saved activations (padded steps of
 * ragged batches included), so the buffers they get need not be zeroed first: saved buffers
 * pre-filled with NaN must come out of forward identical to zero-filled ones, and backward from
 * them must give identical gradients. Every backend, both wasm builds, and the threaded wasm
 * backend with the saved buffers resident in its shared memory (Backend.allocState), which is
 * where the library puts them.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Backend, GruSaved, LstmSaved, RnnSaved } from "../../src/kernels/backend.js";
import { loadWasmBackendSync } from "../../src/kernels/wasm/index.js";
import * as wasmIndex from "../../src/kernels/wasm/index.js";
import { testBackends } from "../helpers/backends.js";
import { randn, rng, wasmBackends } from "../helpers/wasm.js";

const threaded = loadWasmBackendSync({ threads: 2, smallWork: 0 });
const pool = wasmIndex.wasmPool;
after(() => pool?.close());
const backends: Backend[] = [...testBackends(), ...wasmBackends(), Object.assign(Object.create(threaded) as Backend, { name: "wasm-2t-resident" })];

type Grads = Record<string, Float32Array>;

/** Saved buffers from the backend's own memory when it offers it, filled with `fill`. */
function alloc(be: Backend, n: number, fill: number, live: Float32Array[]): Float32Array {
  const a = be.allocState?.(n, true) ?? new Float32Array(n);
  live.push(a);
  return a.fill(fill);
}

function assertSame(a: Grads, b: Grads, what: string): void {
  for (const k of Object.keys(a)) {
    const x = a[k]!, y = b[k]!;
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]!) || Number.isNaN(y[i]!) || x[i] !== y[i]) assert.fail(`${what}: ${k}[${i}] = ${x[i]} with NaN-filled saved buffers, ${y[i]} with zeroed ones (an element forward never wrote)`);
    }
  }
}

for (const be of backends) {
  test(`${be.name}: recurrent forward writes its saved activations whole (NaN-filled = zero-filled)`, () => {
    const r = rng(71);
    // [T, B, H, I, P]: ragged lengths (1 … T), P < H for the LSTM projection case; the last two are
    // large enough (≥ 2^15 floats) for the threaded backend to place the saved buffers resident
    for (const [T, B, H, I, P, reverse] of [[5, 6, 7, 3, 4, false], [4, 9, 17, 5, 17, true], [3, 33, 9, 2, 5, false], [8, 64, 64, 3, 64, true], [8, 64, 64, 5, 48, false]] as const) {
      const TB = T * B;
      const lengths = Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(r() * T)));
      const x = randn(r, TB * I);
      for (const cell of ["lstm", "gru", "rnn_tanh", "rnn_relu"] as const) {
        const G = (cell === "lstm" ? 4 : cell === "gru" ? 3 : 1) * H;
        const Hout = cell === "lstm" ? P : H;
        const wIh = randn(r, G * I, 0.5), whh = randn(r, G * Hout, 0.5), bias = randn(r, G), bhh = randn(r, G);
        const whr = cell === "lstm" && P !== H ? randn(r, P * H, 0.5) : null;
        const h0 = randn(r, B * Hout), c0 = randn(r, B * H), dOut = randn(r, TB * Hout), dhN = randn(r, B * Hout), dcN = randn(r, B * H);
        const what = `${be.name} ${cell} T=${T} B=${B} H=${H} P=${Hout} reverse=${reverse}`;
        const dims = { T, B, H, lengths, reverse, whh };
        const proj = { I, x, wIh, bias };
        const run = (fill: number): Grads => {
          const live: Float32Array[] = [];
          const pg = { I, x, wIh, dx: new Float32Array(TB * I), dWih: new Float32Array(G * I), db: new Float32Array(G) };
          const g = { dXg: new Float32Array(TB * G), dWhh: new Float32Array(G * Hout), dh0: new Float32Array(B * Hout) };
          const out = new Float32Array(TB * Hout), hN = new Float32Array(B * Hout);
          let savedCopy: Grads = {};
          if (cell === "lstm") {
            const saved: LstmSaved = { gates: alloc(be, TB * G, fill, live), c: alloc(be, TB * H, fill, live), cPrev: alloc(be, TB * H, fill, live), hPrev: alloc(be, TB * P, fill, live) };
            const cN = new Float32Array(B * H), dc0 = new Float32Array(B * H), dWhr = whr ? new Float32Array(P * H) : null;
            be.lstmForward({ ...dims, P: Hout, xg: new Float32Array(TB * G), proj, whr, h0, c0, out, hN, cN, saved });
            savedCopy = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, Float32Array.from(v as Float32Array)]));
            be.lstmBackward({ ...dims, P: Hout, whr, saved, dOut, dhN, dcN, ...g, dWhr, dc0, projGrads: pg });
            savedCopy = { ...savedCopy, cN, dc0, ...(dWhr ? { dWhr } : {}) };
          } else if (cell === "gru") {
            const saved: GruSaved = { gates: alloc(be, TB * G, fill, live), hgn: alloc(be, TB * H, fill, live), hPrev: alloc(be, TB * H, fill, live) };
            be.gruForward({ ...dims, xg: new Float32Array(TB * G), proj, bhh, h0, out, hN, saved });
            savedCopy = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, Float32Array.from(v as Float32Array)]));
            const dHg = new Float32Array(TB * G);
            be.gruBackward({ ...dims, saved, dOut, dhN, ...g, dHg, projGrads: pg });
            savedCopy = { ...savedCopy, dHg };
          } else {
            const saved: RnnSaved = { h: alloc(be, TB * H, fill, live), hPrev: alloc(be, TB * H, fill, live) };
            be.rnnForward({ ...dims, relu: cell === "rnn_relu", xg: new Float32Array(TB * G), proj, h0, out, hN, saved });
            savedCopy = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, Float32Array.from(v as Float32Array)]));
            be.rnnBackward({ ...dims, relu: cell === "rnn_relu", saved, dOut, dhN, ...g, projGrads: pg });
          }
          for (const a of live) be.releaseState?.(a);
          return { out, hN, ...savedCopy, dWhh: g.dWhh, dh0: g.dh0, dx: pg.dx!, dWih: pg.dWih, db: pg.db };
        };
        assertSame(run(NaN), run(0), what);
      }
    }
  });
}

test("the threaded backend under test really holds the saved buffers in its shared memory", () => {
  const a = threaded.allocState?.(1 << 16, true);
  assert.ok(a, "allocState gives a resident buffer on the threaded wasm backend");
  assert.ok(threaded.releaseState?.(a));
});
