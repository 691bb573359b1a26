/**
 * The recurrent kernels with the input projection fused in (Backend InputProjection): on every backend
 * (and both wasm builds), forward with `proj` equals forward on xg = x W_ihᵀ + bias computed by
 * the reference, and backward with `projGrads` gives dx = dXg W_ih, dW_ih = dXgᵀ x, db = Σ dXg
 * of the backend's own dXg, leaving every other output as without it. LSTM, GRU and RNN (tanh,
 * relu); odd sizes, ragged lengths, reverse, no bias, gradients left out.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend, GruSaved, LstmSaved, RnnSaved } from "../../src/kernels/backend.js";
import { projectGrads, projectInput } from "../../src/kernels/projection.js";
import { refBackend } from "../../src/kernels/ref/index.js";
import { testBackends } from "../helpers/backends.js";
import { assertClose } from "../helpers/close.js";
import { randn, rng, wasmBackends } from "../helpers/wasm.js";

const backends: Backend[] = [...testBackends(), ...wasmBackends()];

for (const be of backends) {
  test(`${be.name}: LSTM with the input projection fused in matches the unfused kernels`, () => {
    const r = rng(53);
    // [T, B, H, I]: odd sizes, I ≠ H ≠ G so a transposed product cannot pass
    for (const [T, B, H, I, variable, reverse, withBias, wantDx] of [[3, 5, 7, 17, true, true, true, true], [4, 3, 17, 5, false, false, false, true], [2, 33, 9, 3, true, false, true, false], [1, 1, 1, 1, false, true, true, true]] as const) {
      const G = 4 * H, TB = T * B;
      const x = randn(r, TB * I), wIh = randn(r, G * I, 0.5), whh = randn(r, G * H, 0.5), bias = withBias ? randn(r, G) : null;
      const h0 = randn(r, B * H), c0 = randn(r, B * H), dOut = randn(r, TB * H), dhN = randn(r, B * H), dcN = randn(r, B * H), dW0 = randn(r, G * H);
      const lengths = variable ? Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(r() * T))) : null;
      const what = `T=${T} B=${B} H=${H} I=${I} lengths=${variable} reverse=${reverse} bias=${withBias}`;
      const dims = { T, B, H, P: H, lengths, reverse, whh, whr: null };
      const run = (fused: boolean) => {
        const f = { out: new Float32Array(TB * H), hN: new Float32Array(B * H), cN: new Float32Array(B * H) };
        const saved: LstmSaved = { gates: new Float32Array(TB * G), c: new Float32Array(TB * H), cPrev: new Float32Array(TB * H), hPrev: new Float32Array(TB * H) };
        const xg = new Float32Array(TB * G);
        if (!fused) projectInput(refBackend.gemm, { I, x, wIh, bias }, TB, G, xg);
        be.lstmForward({ ...dims, xg, proj: fused ? { I, x, wIh, bias } : null, h0, c0, ...f, saved });
        const g = { dXg: new Float32Array(TB * G), dWhh: Float32Array.from(dW0), dWhr: null, dh0: new Float32Array(B * H), dc0: new Float32Array(B * H) };
        const pg = { I, x, wIh, dx: wantDx ? new Float32Array(TB * I).fill(NaN) : null, dWih: new Float32Array(G * I).fill(NaN), db: new Float32Array(G).fill(NaN) };
        be.lstmBackward({ ...dims, saved, dOut, dhN, dcN, ...g, projGrads: fused ? pg : null });
        if (!fused) projectGrads(refBackend, pg, TB, G, g.dXg); // from the backend's own dXg
        return { ...f, ...saved, dWhh: g.dWhh, dh0: g.dh0, dc0: g.dc0, dx: pg.dx, dWih: pg.dWih, db: pg.db };
      };
      const plain = run(false), fused = run(true);
      for (const k of ["out", "hN", "cN", "gates", "c", "cPrev", "hPrev", "dWhh", "dh0", "dc0"] as const) assertClose(fused[k], plain[k], `${be.name} ${k}, ${what}`, 1e-6, 1e-5);
      for (const k of ["dx", "dWih", "db"] as const) {
        if (!plain[k]) assert.equal(fused[k], null);
        else assertClose(fused[k]!, plain[k]!, `${be.name} ${k}, ${what}`, 1e-5, 1e-4);
      }
    }
  });
}

for (const be of backends) {
  test(`${be.name}: GRU and RNN with the input projection fused in match the unfused kernels`, () => {
    const r = rng(59);
    for (const [T, B, H, I, variable, reverse, withBias] of [[3, 5, 7, 17, true, true, true], [4, 3, 17, 5, false, false, false], [2, 33, 9, 3, true, false, true]] as const) {
      const TB = T * B;
      const lengths = variable ? Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(r() * T))) : null;
      const x = randn(r, TB * I), h0 = randn(r, B * H), dOut = randn(r, TB * H), dhN = randn(r, B * H);
      for (const cell of ["gru", "rnn_tanh", "rnn_relu"] as const) {
        const G = (cell === "gru" ? 3 : 1) * H;
        const wIh = randn(r, G * I, 0.5), whh = randn(r, G * H, 0.5), bias = withBias ? randn(r, G) : null, bhh = randn(r, G), dW0 = randn(r, G * H);
        const what = `${be.name} ${cell} T=${T} B=${B} H=${H} I=${I} lengths=${variable} reverse=${reverse} bias=${withBias}`;
        const dims = { T, B, H, lengths, reverse, whh };
        const run = (fused: boolean): Record<string, Float32Array | null> => {
          const xg = new Float32Array(TB * G);
          if (!fused) projectInput(refBackend.gemm, { I, x, wIh, bias }, TB, G, xg);
          const proj = fused ? { I, x, wIh, bias } : null;
          const f = { out: new Float32Array(TB * H), hN: new Float32Array(B * H) };
          const pg = { I, x, wIh, dx: new Float32Array(TB * I).fill(NaN), dWih: new Float32Array(G * I).fill(NaN), db: new Float32Array(G).fill(NaN) };
          const g = { dXg: new Float32Array(TB * G), dWhh: Float32Array.from(dW0), dh0: new Float32Array(B * H) };
          let rest: Record<string, Float32Array> = {};
          if (cell === "gru") {
            const saved: GruSaved = { gates: new Float32Array(TB * G), hgn: new Float32Array(TB * H), hPrev: new Float32Array(TB * H) };
            be.gruForward({ ...dims, xg, proj, bhh, h0, ...f, saved });
            const dHg = new Float32Array(TB * G);
            be.gruBackward({ ...dims, saved, dOut, dhN, ...g, dHg, projGrads: fused ? pg : null });
            rest = { ...saved, dHg };
          } else {
            const relu = cell === "rnn_relu";
            const saved: RnnSaved = { h: new Float32Array(TB * H), hPrev: new Float32Array(TB * H) };
            be.rnnForward({ ...dims, relu, xg, proj, h0, ...f, saved });
            be.rnnBackward({ ...dims, relu, saved, dOut, dhN, ...g, projGrads: fused ? pg : null });
            rest = { ...saved };
          }
          if (!fused) projectGrads(refBackend, pg, TB, G, g.dXg);
          return { ...f, ...rest, dWhh: g.dWhh, dh0: g.dh0, dx: pg.dx, dWih: pg.dWih, db: pg.db };
        };
        const plain = run(false), fused = run(true);
        for (const k of Object.keys(plain)) assertClose(fused[k]!, plain[k]!, `${what} ${k}`, 1e-5, 1e-4);
      }
    }
  });
}
