/**
 * Fused recurrent kernels (LSTM, GRU, RNN tanh/relu) of the wasm builds vs the reference:
 * forward with and without saved activations, backward through time from the reference's saved
 * activations, odd T/B/H, variable lengths and the reverse direction.
 */
import { test } from "node:test";
import type { Backend, GruSaved, LstmSaved, RnnSaved } from "../../../src/kernels/backend.js";
import { refBackend } from "../../../src/kernels/ref/index.js";
import { assertClose } from "../../helpers/close.js";
import { randn, rng, wasmBackends } from "../../helpers/wasm.js";

const backends = wasmBackends();

// [T, B, H]
const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 17, 3], [17, 3, 33], [4, 5, 129], [2, 33, 17]];

function lengthsFor(r: () => number, T: number, B: number, variable: boolean): Int32Array | null {
  if (!variable) return null;
  const l = new Int32Array(B);
  for (let b = 0; b < B; b++) l[b] = b === 0 ? T : 1 + Math.floor(r() * T);
  return l;
}

const cases = function* (): Generator<{ T: number; B: number; H: number; variable: boolean; reverse: boolean; seed: number }> {
  let seed = 10;
  for (const [T, B, H] of SHAPES) for (const variable of [false, true]) for (const reverse of [false, true]) yield { T, B, H, variable, reverse, seed: seed++ };
};

function checkAll(got: Record<string, Float32Array>, want: Record<string, Float32Array>, what: string): void {
  for (const k of Object.keys(want)) assertClose(got[k]!, want[k]!, `${what} ${k}`);
}

function lstmCase(be: Backend, c: ReturnType<typeof cases> extends Generator<infer U> ? U : never, withProj: boolean): void {
  const { T, B, H, reverse } = c;
  const r = rng(c.seed);
  const P = withProj ? Math.max(1, H - 1) : H;
  const G = 4 * H;
  const lengths = lengthsFor(r, T, B, c.variable);
  const base = { T, B, H, P, lengths, reverse, xg: randn(r, T * B * G, 2), whh: randn(r, G * P, 1 / Math.sqrt(P)), whr: withProj ? randn(r, P * H, 1 / Math.sqrt(H)) : null, h0: randn(r, B * P), c0: randn(r, B * H) };
  const mkSaved = (): LstmSaved => ({ gates: new Float32Array(T * B * G), c: new Float32Array(T * B * H), cPrev: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * P) });
  const run = (b: Backend, saved: LstmSaved | null) => {
    const o = { out: new Float32Array(T * B * P), hN: new Float32Array(B * P), cN: new Float32Array(B * H) };
    b.lstmForward({ ...base, xg: Float32Array.from(base.xg), ...o, saved });
    return o;
  };
  const what = `${be.name} lstm T=${T} B=${B} H=${H} P=${P} lengths=${c.variable} reverse=${reverse}`;
  const refSaved = mkSaved();
  const want = run(refBackend, refSaved);
  const gotSaved = mkSaved();
  checkAll(run(be, gotSaved), want, `${what} forward`);
  checkAll({ ...gotSaved }, { ...refSaved }, `${what} saved`);
  checkAll(run(be, null), want, `${what} inference`);

  const dOut = randn(r, T * B * P), dhN = randn(r, B * P), dcN = randn(r, B * H);
  const dWhh0 = randn(r, G * P), dWhr0 = withProj ? randn(r, P * H) : null;
  const back = (b: Backend) => {
    const o = { dXg: new Float32Array(T * B * G), dWhh: Float32Array.from(dWhh0), dh0: new Float32Array(B * P), dc0: new Float32Array(B * H) };
    const dWhr = dWhr0 ? Float32Array.from(dWhr0) : null;
    b.lstmBackward({ T, B, H, P, lengths, reverse, whh: base.whh, whr: base.whr, saved: refSaved, dOut, dhN, dcN, ...o, dWhr });
    return dWhr ? { ...o, dWhr } : o;
  };
  checkAll(back(be), back(refBackend), `${what} backward`);
}

for (const be of backends) {
  test(`${be.name}: lstm forward/backward match ref`, () => {
    for (const c of cases()) lstmCase(be, c, false);
  });

  test(`${be.name}: lstm with projection (ref driver on wasm gemm) matches ref`, () => {
    for (const c of cases()) if (c.H > 1) lstmCase(be, c, true);
  });

  test(`${be.name}: gru forward/backward match ref`, () => {
    for (const c of cases()) {
      for (const withBias of [true, false]) {
        const { T, B, H, reverse } = c;
        const r = rng(c.seed);
        const G = 3 * H;
        const lengths = lengthsFor(r, T, B, c.variable);
        const base = { T, B, H, lengths, reverse, xg: randn(r, T * B * G, 2), whh: randn(r, G * H, 1 / Math.sqrt(H)), bhh: withBias ? randn(r, G) : null, h0: randn(r, B * H) };
        const mkSaved = (): GruSaved => ({ gates: new Float32Array(T * B * G), hgn: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) });
        const run = (b: Backend, saved: GruSaved | null) => {
          const o = { out: new Float32Array(T * B * H), hN: new Float32Array(B * H) };
          b.gruForward({ ...base, ...o, saved });
          return o;
        };
        const what = `${be.name} gru T=${T} B=${B} H=${H} bias=${withBias} lengths=${c.variable} reverse=${reverse}`;
        const refSaved = mkSaved();
        const want = run(refBackend, refSaved);
        const gotSaved = mkSaved();
        checkAll(run(be, gotSaved), want, `${what} forward`);
        checkAll({ ...gotSaved }, { ...refSaved }, `${what} saved`);
        checkAll(run(be, null), want, `${what} inference`);
        const dOut = randn(r, T * B * H), dhN = randn(r, B * H), dWhh0 = randn(r, G * H);
        for (const withGrads of [true, false]) {
          const back = (b: Backend) => {
            const o = { dXg: new Float32Array(T * B * G), dHg: new Float32Array(T * B * G), dWhh: Float32Array.from(dWhh0), dh0: new Float32Array(B * H) };
            b.gruBackward({ T, B, H, lengths, reverse, whh: base.whh, saved: refSaved, dOut: withGrads ? dOut : null, dhN: withGrads ? dhN : dhN.map(() => 1), ...o });
            return o;
          };
          checkAll(back(be), back(refBackend), `${what} backward dOut=${withGrads}`);
        }
      }
    }
  });

  test(`${be.name}: rnn (tanh, relu) forward/backward match ref`, () => {
    for (const c of cases()) {
      for (const relu of [false, true]) {
        const { T, B, H, reverse } = c;
        const r = rng(c.seed);
        const lengths = lengthsFor(r, T, B, c.variable);
        const base = { T, B, H, lengths, reverse, relu, xg: randn(r, T * B * H, 2), whh: randn(r, H * H, 1 / Math.sqrt(H)), h0: randn(r, B * H) };
        const mkSaved = (): RnnSaved => ({ h: new Float32Array(T * B * H), hPrev: new Float32Array(T * B * H) });
        const run = (b: Backend, saved: RnnSaved | null) => {
          const o = { out: new Float32Array(T * B * H), hN: new Float32Array(B * H) };
          b.rnnForward({ ...base, xg: Float32Array.from(base.xg), ...o, saved });
          return o;
        };
        const what = `${be.name} rnn relu=${relu} T=${T} B=${B} H=${H} lengths=${c.variable} reverse=${reverse}`;
        const refSaved = mkSaved();
        const want = run(refBackend, refSaved);
        const gotSaved = mkSaved();
        checkAll(run(be, gotSaved), want, `${what} forward`);
        checkAll({ ...gotSaved }, { ...refSaved }, `${what} saved`);
        checkAll(run(be, null), want, `${what} inference`);
        const dOut = randn(r, T * B * H), dhN = randn(r, B * H), dWhh0 = randn(r, H * H);
        const back = (b: Backend) => {
          const o = { dXg: new Float32Array(T * B * H), dWhh: Float32Array.from(dWhh0), dh0: new Float32Array(B * H) };
          b.rnnBackward({ T, B, H, lengths, reverse, relu, whh: base.whh, saved: refSaved, dOut, dhN, ...o });
          return o;
        };
        checkAll(back(be), back(refBackend), `${what} backward`);
      }
    }
  });
}
