/**
 * The fused whole-sequence recurrent kernels of the wasm backend (LSTM, GRU, RNN; forward and
 * backward through time). Large batches run as blocks of batch rows, one per thread (rows are
 * independent through time); the input projection (InputProjection) runs in the same call so
 * the [T·B, G·H] pre-activations and their gradient stay in the module's memory.
 */
import type { Backend, F32, GruBackwardArgs, GruForwardArgs, InputProjectionForward, InputProjectionGrads, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs } from "../backend.js";
import { withProjection } from "../projection.js";
import { makeLstmBackward, makeLstmForward } from "../ref/lstm.js";
import { b01, type WasmContext } from "./context.js";
import { OP_GRU_BACKWARD, OP_GRU_FORWARD, OP_LSTM_BACKWARD, OP_LSTM_FORWARD, OP_RNN_BACKWARD, OP_RNN_FORWARD } from "./pool.js";

export function recurrentKernels(cx: WasmContext, gemm: Backend["gemm"], sumAxis: Backend["sumAxis"]): Pick<Backend, "lstmForward" | "lstmBackward" | "gruForward" | "gruBackward" | "rnnForward" | "rnnBackward"> {
  const { ex, ar, input, output, flushOutputs, begin, commitInputs, rowBlocks, rowAt, runBlocks, weightGrad, gemmWorkspaces, gemmAt, columnSums, fillRows, optIn } = cx;

  /**
   * The input projection inside a recurrent kernel call (InputProjection): stage its buffers now
   * (before commit) and get back the step to run after commitInputs() — xg = x W_ihᵀ + bias
   * written at the arena offset xg — or, without `proj`, the copy of the caller's xg.
   */
  function stageProjection(proj: InputProjectionForward | null | undefined, xgSrc: F32, TB: number, GH: number): (xg: number) => void {
    if (!proj) return (xg) => ar.put(xg, xgSrc, TB * GH);
    const px = input(proj.x, TB * proj.I), pw = input(proj.wIh, GH * proj.I);
    const ws = gemmWorkspaces([[TB, GH, proj.I]]);
    return (xg) => {
      if (proj.bias) fillRows(xg, TB, GH, proj.bias);
      gemmAt(0, 1, TB, GH, proj.I, px, pw, proj.bias ? 1 : 0, xg, ws);
    };
  }

  /**
   * The projection's gradients inside a backward call: stage now, then run after the kernel with
   * dXg at an arena offset — dx, dW_ih, db computed and copied out (dXg stays in wasm memory) —
   * or, without `grads`, dXg copied out to the caller's buffer.
   */
  function stageProjectionGrads(grads: InputProjectionGrads | null | undefined, dXgDst: F32, TB: number, GH: number): (dXg: number) => void {
    if (!grads) return (dXg) => ar.get(dXg, dXgDst, TB * GH);
    const I = grads.I;
    const px = input(grads.x, TB * I), pw = input(grads.wIh, GH * I);
    const pdx = grads.dx ? ar.alloc(TB * I) : 0, pdw = grads.dWih ? ar.alloc(GH * I) : 0, pdb = grads.db ? ar.alloc(2 * GH) : 0;
    const ws = gemmWorkspaces([[TB, I, GH], [GH, I, TB]]);
    return (dXg) => {
      if (grads.db) columnSums(dXg, TB, GH, pdb, grads.db);
      if (grads.dx) gemmAt(0, 0, TB, I, GH, dXg, pw, 0, pdx, ws); // dx = dXg·W_ih
      if (grads.dWih) gemmAt(1, 0, GH, I, TB, dXg, px, 0, pdw, ws); // dW_ih = dXgᵀ·x
      if (grads.dx) ar.get(pdx, grads.dx, TB * I);
      if (grads.dWih) ar.get(pdw, grads.dWih, GH * I);
    };
  }

  // The projection variant (LSTM proj_size) runs the reference driver on the wasm GEMM.
  const lstmProj = withProjection({ gemm, sumAxis }, 4, makeLstmForward(gemm), makeLstmBackward(gemm));

  function lstmForward(a: LstmForwardArgs): void {
    if (a.whr || a.P !== a.H) return lstmProj.forward(a);
    const { T, B, H, saved } = a;
    const G = 4 * H;
    const TB = T * B;
    begin();
    const xg = ar.alloc(TB * G), whh = input(a.whh, G * H), h0 = ar.alloc(B * H), c0 = ar.alloc(B * H);
    const out = ar.alloc(TB * H), hN = ar.alloc(B * H), cN = ar.alloc(B * H);
    const len = optIn(a.lengths, B);
    // saved activations: written in place when resident (allocState), else copied out after
    const gates = saved ? output(saved.gates, TB * G) : 0, c = saved ? output(saved.c, TB * H) : 0, cPrev = saved ? output(saved.cPrev, TB * H) : 0, hPrev = saved ? output(saved.hPrev, TB * H) : 0;
    const blocks = rowBlocks(B, T * B * G * H);
    const ws = blocks.map(([b0, b1]) => ar.alloc(ex.recurrentWorkFloats(4, b1 - b0, H)));
    const fillXg = stageProjection(a.proj, a.xg, TB, G); // with proj, xg never crosses to JavaScript
    commitInputs();
    fillXg(xg);
    ar.put(h0, a.h0, B * H);
    ar.put(c0, a.c0, B * H);
    const rev = b01(a.reverse);
    if (blocks.length > 1) {
      // Rows of the batch are independent through time: each thread runs a block of them.
      const args = blocks.map(([b0, b1], i) => [T, b1 - b0, B, H, rowAt(xg, b0, G), whh, rowAt(h0, b0, H), rowAt(c0, b0, H), rowAt(out, b0, H), rowAt(hN, b0, H), rowAt(cN, b0, H), rowAt(len, b0, 1), rev, rowAt(gates, b0, G), rowAt(c, b0, H), rowAt(cPrev, b0, H), rowAt(hPrev, b0, H), ws[i]!]);
      runBlocks(OP_LSTM_FORWARD, args, ex.lstmForward, "an LSTM forward");
    } else ex.lstmForward(T, B, B, H, xg, whh, h0, c0, out, hN, cN, len, rev, gates, c, cPrev, hPrev, ws[0]!);
    ar.get(out, a.out, TB * H);
    ar.get(hN, a.hN, B * H);
    ar.get(cN, a.cN, B * H);
    flushOutputs();
  }

  function lstmBackward(a: LstmBackwardArgs): void {
    if (a.whr || a.P !== a.H) return lstmProj.backward(a);
    const { T, B, H, saved } = a;
    const G = 4 * H;
    const TB = T * B;
    begin();
    const whh = input(a.whh, G * H), gates = input(saved.gates, TB * G), c = input(saved.c, TB * H), cPrev = input(saved.cPrev, TB * H), hPrev = input(saved.hPrev, TB * H);
    const dOut = optIn(a.dOut, TB * H), dhN = optIn(a.dhN, B * H), dcN = optIn(a.dcN, B * H);
    const dXg = ar.alloc(TB * G), dWhh = ar.alloc(G * H), dh0 = ar.alloc(B * H), dc0 = ar.alloc(B * H);
    const len = optIn(a.lengths, B);
    const blocks = rowBlocks(B, T * B * G * H);
    const ws = blocks.map(([b0, b1]) => ar.alloc(ex.recurrentWorkFloats(4, b1 - b0, H)));
    const finish = stageProjectionGrads(a.projGrads, a.dXg, TB, G); // with projGrads, dXg never crosses to JavaScript
    commitInputs();
    ar.put(dWhh, a.dWhh, G * H);
    const rev = b01(a.reverse);
    if (blocks.length > 1) {
      const args = blocks.map(([b0, b1], i) => [T, b1 - b0, B, H, whh, rowAt(gates, b0, G), rowAt(c, b0, H), rowAt(cPrev, b0, H), rowAt(hPrev, b0, H), rowAt(dOut, b0, H), rowAt(dhN, b0, H), rowAt(dcN, b0, H), rowAt(dXg, b0, G), 0, rowAt(dh0, b0, H), rowAt(dc0, b0, H), rowAt(len, b0, 1), rev, ws[i]!]);
      runBlocks(OP_LSTM_BACKWARD, args, ex.lstmBackward, "an LSTM backward");
      // dWhh += dXgᵀ · hPrev sums over every row: one product, split by rows of dWhh (the same
      // numbers as the single-thread kernel's own product). The recurrent workspaces are larger
      // than a GEMM's, so they serve as its workspaces.
      weightGrad(G, H, TB, dXg, hPrev, dWhh, ws);
    } else ex.lstmBackward(T, B, B, H, whh, gates, c, cPrev, hPrev, dOut, dhN, dcN, dXg, dWhh, dh0, dc0, len, rev, ws[0]!);
    finish(dXg);
    ar.get(dWhh, a.dWhh, G * H);
    ar.get(dh0, a.dh0, B * H);
    ar.get(dc0, a.dc0, B * H);
  }

  function gruForward(a: GruForwardArgs): void {
    const { T, B, H, saved } = a;
    const G = 3 * H;
    const TB = T * B;
    begin();
    const xg = ar.alloc(TB * G), whh = input(a.whh, G * H), bhh = optIn(a.bhh, G), h0 = ar.alloc(B * H);
    const out = ar.alloc(TB * H), hN = ar.alloc(B * H);
    const len = optIn(a.lengths, B);
    const gates = saved ? output(saved.gates, TB * G) : 0, hgn = saved ? output(saved.hgn, TB * H) : 0, hPrev = saved ? output(saved.hPrev, TB * H) : 0;
    const blocks = rowBlocks(B, T * B * G * H);
    const ws = blocks.map(([b0, b1]) => ar.alloc(ex.recurrentWorkFloats(3, b1 - b0, H)));
    const fillXg = stageProjection(a.proj, a.xg, TB, G);
    commitInputs();
    fillXg(xg);
    ar.put(h0, a.h0, B * H);
    const rev = b01(a.reverse);
    if (blocks.length > 1) {
      const args = blocks.map(([b0, b1], i) => [T, b1 - b0, B, H, rowAt(xg, b0, G), whh, bhh, rowAt(h0, b0, H), rowAt(out, b0, H), rowAt(hN, b0, H), rowAt(len, b0, 1), rev, rowAt(gates, b0, G), rowAt(hgn, b0, H), rowAt(hPrev, b0, H), ws[i]!]);
      runBlocks(OP_GRU_FORWARD, args, ex.gruForward, "a GRU forward");
    } else ex.gruForward(T, B, B, H, xg, whh, bhh, h0, out, hN, len, rev, gates, hgn, hPrev, ws[0]!);
    ar.get(out, a.out, TB * H);
    ar.get(hN, a.hN, B * H);
    flushOutputs();
  }

  function gruBackward(a: GruBackwardArgs): void {
    const { T, B, H, saved } = a;
    const G = 3 * H;
    const TB = T * B;
    begin();
    const whh = input(a.whh, G * H), gates = input(saved.gates, TB * G), hgn = input(saved.hgn, TB * H), hPrev = input(saved.hPrev, TB * H);
    const dOut = optIn(a.dOut, TB * H), dhN = optIn(a.dhN, B * H);
    const dXg = ar.alloc(TB * G), dHg = ar.alloc(TB * G), dWhh = ar.alloc(G * H), dh0 = ar.alloc(B * H);
    const len = optIn(a.lengths, B);
    const blocks = rowBlocks(B, T * B * G * H);
    const ws = blocks.map(([b0, b1]) => ar.alloc(ex.recurrentWorkFloats(3, b1 - b0, H)));
    const finish = stageProjectionGrads(a.projGrads, a.dXg, TB, G);
    commitInputs();
    ar.put(dWhh, a.dWhh, G * H);
    const rev = b01(a.reverse);
    if (blocks.length > 1) {
      const args = blocks.map(([b0, b1], i) => [T, b1 - b0, B, H, whh, rowAt(gates, b0, G), rowAt(hgn, b0, H), rowAt(hPrev, b0, H), rowAt(dOut, b0, H), rowAt(dhN, b0, H), rowAt(dXg, b0, G), rowAt(dHg, b0, G), 0, rowAt(dh0, b0, H), rowAt(len, b0, 1), rev, ws[i]!]);
      runBlocks(OP_GRU_BACKWARD, args, ex.gruBackward, "a GRU backward");
      weightGrad(G, H, TB, dHg, hPrev, dWhh, ws);
    } else ex.gruBackward(T, B, B, H, whh, gates, hgn, hPrev, dOut, dhN, dXg, dHg, dWhh, dh0, len, rev, ws[0]!);
    finish(dXg);
    ar.get(dHg, a.dHg, TB * G);
    ar.get(dWhh, a.dWhh, G * H);
    ar.get(dh0, a.dh0, B * H);
  }

  function rnnForward(a: RnnForwardArgs): void {
    const { T, B, H, saved } = a;
    const TB = T * B;
    begin();
    const xg = ar.alloc(TB * H), whh = input(a.whh, H * H), h0 = ar.alloc(B * H), out = ar.alloc(TB * H), hN = ar.alloc(B * H);
    const len = optIn(a.lengths, B);
    const h = saved ? output(saved.h, TB * H) : 0, hPrev = saved ? output(saved.hPrev, TB * H) : 0;
    const blocks = rowBlocks(B, T * B * H * H);
    const ws = blocks.map(([b0, b1]) => ar.alloc(ex.recurrentWorkFloats(1, b1 - b0, H)));
    const fillXg = stageProjection(a.proj, a.xg, TB, H);
    commitInputs();
    fillXg(xg);
    ar.put(h0, a.h0, B * H);
    const rev = b01(a.reverse), relu = b01(a.relu);
    if (blocks.length > 1) {
      const args = blocks.map(([b0, b1], i) => [T, b1 - b0, B, H, relu, rowAt(xg, b0, H), whh, rowAt(h0, b0, H), rowAt(out, b0, H), rowAt(hN, b0, H), rowAt(len, b0, 1), rev, rowAt(h, b0, H), rowAt(hPrev, b0, H), ws[i]!]);
      runBlocks(OP_RNN_FORWARD, args, ex.rnnForward, "an RNN forward");
    } else ex.rnnForward(T, B, B, H, relu, xg, whh, h0, out, hN, len, rev, h, hPrev, ws[0]!);
    ar.get(out, a.out, TB * H);
    ar.get(hN, a.hN, B * H);
    flushOutputs();
  }

  function rnnBackward(a: RnnBackwardArgs): void {
    const { T, B, H, saved } = a;
    const TB = T * B;
    begin();
    const whh = input(a.whh, H * H), h = input(saved.h, TB * H), hPrev = input(saved.hPrev, TB * H);
    const dOut = optIn(a.dOut, TB * H), dhN = optIn(a.dhN, B * H);
    const dXg = ar.alloc(TB * H), dWhh = ar.alloc(H * H), dh0 = ar.alloc(B * H);
    const len = optIn(a.lengths, B);
    const blocks = rowBlocks(B, T * B * H * H);
    const ws = blocks.map(([b0, b1]) => ar.alloc(ex.recurrentWorkFloats(1, b1 - b0, H)));
    const finish = stageProjectionGrads(a.projGrads, a.dXg, TB, H);
    commitInputs();
    ar.put(dWhh, a.dWhh, H * H);
    const rev = b01(a.reverse), relu = b01(a.relu);
    if (blocks.length > 1) {
      const args = blocks.map(([b0, b1], i) => [T, b1 - b0, B, H, relu, whh, rowAt(h, b0, H), rowAt(hPrev, b0, H), rowAt(dOut, b0, H), rowAt(dhN, b0, H), rowAt(dXg, b0, H), 0, rowAt(dh0, b0, H), rowAt(len, b0, 1), rev, ws[i]!]);
      runBlocks(OP_RNN_BACKWARD, args, ex.rnnBackward, "an RNN backward");
      weightGrad(H, H, TB, dXg, hPrev, dWhh, ws);
    } else ex.rnnBackward(T, B, B, H, relu, whh, h, hPrev, dOut, dhN, dXg, dWhh, dh0, len, rev, ws[0]!);
    finish(dXg);
    ar.get(dWhh, a.dWhh, H * H);
    ar.get(dh0, a.dh0, B * H);
  }

  return { lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward };
}
