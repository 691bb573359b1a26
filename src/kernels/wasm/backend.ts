/**
 * The WebAssembly SIMD backend: every accelerated kernel copies its inputs into the module's
 * linear memory (one Arena), runs there, and copies results out. Kernels without a wasm version,
 * or calls too small to repay the copies, go to the reference backend (same results by
 * definition). Memory-bound kernels (Adam, scale, sumSquares, elementwise math) stream through
 * the arena in cache-sized chunks.
 */
import type { AdamStepOptions, Backend, BinaryOp, F32, GruBackwardArgs, GruForwardArgs, I32, InputProjectionForward, InputProjectionGrads, LinearCrossEntropyArgs, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs, SgdStepOptions, UnaryOp } from "../backend.js";
import { refBackend } from "../ref/index.js";
import { makeLstmBackward, makeLstmForward } from "../ref/lstm.js";
import { withProjection } from "../projection.js";
import { Arena } from "./arena.js";
import { OP_KERNELS } from "./pool-protocol.js";
import type { KernelExports } from "./exports.js";
import { OP_ADAM, OP_SGD, OP_GRU_BACKWARD, OP_GRU_FORWARD, OP_LINEAR_CE, OP_LSTM_BACKWARD, OP_LSTM_FORWARD, OP_RNN_BACKWARD, OP_RNN_FORWARD, OP_SOFTMAX_CE, OP_SOFTMAX_CE_BACKWARD, OP_SUM_ROWS, splitRange, type WasmThreadPool } from "./pool.js";

export interface WasmBackendOptions {
  /** Backend name reported by `backend().name` (default "wasm"). */
  name?: string;
  /**
   * Calls with less work than this (GEMM: M·N·K multiply-adds; elementwise: elements) run in the
   * reference backend, where copying in and out would cost more than it saves. 0 sends every call
   * to wasm (the parity tests do). Default 4096.
   */
  smallWork?: number;
  /**
   * Worker threads sharing the module's memory (./pool.ts); large GEMMs are split over them.
   * The module must then be the shared-memory build and `heapBase` leave room for the workers'
   * scratch (see loadWasmBackendSync).
   */
  pool?: WasmThreadPool;
  /** First byte the backend may use for its buffers (default: the module's heap base). */
  heapBase?: number;
}

const CHUNK = 16384; // floats per streamed chunk: 4 arrays × 64 KiB stay in L2
const UNARY_WASM: Partial<Record<UnaryOp, number>> = { exp: 0, sigmoid: 1, tanh: 2 };
const b01 = (b: boolean): number => (b ? 1 : 0);

export function createWasmBackend(ex: KernelExports, options: WasmBackendOptions = {}): Backend {
  const ar = new Arena(ex.memory, options.heapBase ?? ex.heapBase());
  const pool = options.pool ?? null;
  const small = options.smallWork ?? 4096;
  const ref = refBackend;

  /**
   * Long-lived buffers in the shared memory (threaded backend only, allocState): parameters,
   * optimizer state, a recurrent layer's saved activations. They sit below the arena and are
   * found again by identity (`resident`), so kernels read and write them in place. A reusable
   * one's range is reused when it is released (releaseState) or garbage-collected; their holders
   * (an optimizer, a recurrent op) never hand out views of them, so no view outlives a reuse.
   */
  interface Range {
    off: number; // byte offset
    cap: number; // floats
  }
  const resident = new WeakMap<F32, number>();
  const reusableRange = new WeakMap<F32, Range>();
  const freeRanges: Range[] = [];
  const reclaim = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Range>((r) => freeRanges.push(r)) : null;

  const MIN_STATE = 1 << 15; // smaller buffers stream through the arena as before
  const MAX_STATE_FLOATS = 1 << 28; // 1 GiB of state at most; beyond it, ordinary arrays
  let stateFloats = 0;

  /**
   * A kernel's buffers: a resident array (allocState) is used where it lives; any other gets an
   * arena buffer, filled by commitInputs() after ar.commit() (inputs) or copied out by
   * flushOutputs() after the kernel ran (outputs). Returns the byte offset. begin() starts a call:
   * a fresh arena and no pending copies (a call that threw leaves none behind).
   */
  const pending: Array<[number, F32, number]> = []; // inputs to copy in
  const outputs: Array<[number, F32, number]> = []; // outputs to copy out
  function stage(list: Array<[number, F32, number]>, buf: F32, n: number): number {
    const r = buf.length >= n ? resident.get(buf) : undefined;
    if (r !== undefined) return r;
    const p = ar.alloc(n);
    list.push([p, buf, n]);
    return p;
  }
  const input = (src: F32, n: number): number => stage(pending, src, n);
  const output = (dst: F32, n: number): number => stage(outputs, dst, n);
  function flushOutputs(): void {
    for (const [p, dst, n] of outputs) ar.get(p, dst, n);
    outputs.length = 0;
  }
  function begin(): void {
    ar.reset();
    pending.length = 0;
    outputs.length = 0;
  }
  function commitInputs(): void {
    ar.commit();
    for (const [p, src, n] of pending) ar.put(p, src, n);
    pending.length = 0;
  }

  function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void {
    if (M <= 0 || N <= 0) return;
    if (M * N * K < small) return ref.gemm(transA, transB, M, N, K, alpha, A, B, beta, C);
    begin();
    const pa = input(A, M * K);
    const pb = input(B, K * N);
    const pc = ar.alloc(M * N);
    const parts = pool ? pool.partsFor(M, N, K) : 1;
    const wsFloats = ex.gemmWorkFloats(M, N, K);
    const ws = Array.from({ length: parts }, () => ar.alloc(wsFloats));
    commitInputs();
    if (beta !== 0) ar.put(pc, C, M * N);
    if (pool && parts > 1) pool.gemm(ex, b01(transA), b01(transB), M, N, K, alpha, pa, pb, beta, pc, ws);
    else ex.gemm(b01(transA), b01(transB), M, N, K, alpha, pa, pb, beta, pc, ws[0]!);
    ar.get(pc, C, M * N);
  }

  /**
   * Blocks of batch rows for the threads to share in a recurrent kernel ([[0, B]] when there is
   * no pool or too little work: `work` ≈ multiply-adds of the recurrent products).
   */
  function rowBlocks(B: number, work: number): Array<[number, number]> {
    if (!pool || work < 16 * pool.minWork || B < 2) return [[0, B]];
    const t = Math.min(pool.threads, B);
    return t > 1 ? splitRange(B, t, B >= 8 * t ? 4 : 1) : [[0, B]];
  }

  /** p advanced by b0 rows of w floats (0 stays 0: an absent buffer). */
  const rowAt = (p: number, b0: number, w: number): number => (p ? p + 4 * b0 * w : 0);

  /** Run one recurrent kernel per block of rows on the pool (args[i] is block i's argument list). */
  function runBlocks(op: number, args: number[][], kernel: (...x: number[]) => void, what: string): void {
    pool!.run(op, args, (x) => kernel(...x), what);
  }

  /** dW += op(A)ᵀ·B summed over every row of the batch, split by rows of dW; ws: the blocks' workspaces. */
  function weightGrad(M: number, N: number, K: number, A: number, B: number, dW: number, ws: number[]): void {
    const parts = Math.min(ws.length, pool ? pool.partsFor(M, N, K) : 1);
    if (pool && parts > 1) pool.gemm(ex, 1, 0, M, N, K, 1, A, B, 1, dW, ws.slice(0, parts));
    else ex.gemm(1, 0, M, N, K, 1, A, B, 1, dW, ws[0]!);
  }

  /** Workspaces (allocated now, before commit) for the products [M, N, K] of one kernel call, split over the pool. */
  function gemmWorkspaces(shapes: ReadonlyArray<readonly [number, number, number]>): number[] {
    const parts = Math.max(1, ...shapes.map(([M, N, K]) => (pool ? pool.partsFor(M, N, K) : 1)));
    const floats = Math.max(...shapes.map(([M, N, K]) => ex.gemmWorkFloats(M, N, K)));
    return Array.from({ length: parts }, () => ar.alloc(floats));
  }

  /** C (= or +=) op(A)·op(B) on arena offsets, split over the pool when large enough. */
  function gemmAt(tA: number, tB: number, M: number, N: number, K: number, A: number, B: number, beta: number, C: number, ws: readonly number[]): void {
    const parts = Math.min(ws.length, pool ? pool.partsFor(M, N, K) : 1);
    if (pool && parts > 1) pool.gemm(ex, tA, tB, M, N, K, 1, A, B, beta, C, ws.slice(0, parts));
    else ex.gemm(tA, tB, M, N, K, 1, A, B, beta, C, ws[0]!);
  }

  /**
   * out[j] = Σ_r x[r, j] for x [rows, cols] at an arena offset, through float64 accumulators at
   * acc (2·cols floats of arena); columns split over the pool (same numbers for any split).
   */
  function columnSums(x: number, rows: number, cols: number, acc: number, out: F32): void {
    const a64 = new Float64Array(ex.memory.buffer, acc, cols);
    a64.fill(0);
    const t = pool && rows * cols >= pool.minWork / 16 ? Math.min(pool.threads, Math.ceil(cols / 4)) : 1;
    const jobs = splitRange(cols, t, 4).map(([c0, c1]) => [x + 4 * c0, rows, c1 - c0, cols, acc + 8 * c0]);
    if (pool && jobs.length > 1) pool.run(OP_SUM_ROWS, jobs, (j) => ex.sumRowsF64Ld(j[0]!, j[1]!, j[2]!, j[3]!, j[4]!), "column sums");
    else ex.sumRowsF64(x, rows, cols, acc);
    out.set(new Float64Array(ex.memory.buffer, acc, cols));
  }

  /** Bias rows: x[r, :] = bias for r < rows (one row written, then doubled with copyWithin). */
  function fillRows(x: number, rows: number, cols: number, bias: F32): void {
    if (rows <= 0) return;
    const f = ar.f32, at = x >> 2;
    f.set(bias.subarray(0, cols), at);
    for (let done = 1; done < rows; done *= 2) f.copyWithin(at + done * cols, at, at + Math.min(done, rows - done) * cols);
  }

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

  /** Allocate + copy an optional input; 0 when absent. */
  const optIn = (src: F32 | I32 | null, n: number): number => (src ? ar.alloc(n) : 0);

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
    if (a.lengths) ar.put(len, a.lengths, B);
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
    if (a.dOut) ar.put(dOut, a.dOut, TB * H);
    if (a.dhN) ar.put(dhN, a.dhN, B * H);
    if (a.dcN) ar.put(dcN, a.dcN, B * H);
    ar.put(dWhh, a.dWhh, G * H);
    if (a.lengths) ar.put(len, a.lengths, B);
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
    if (a.bhh) ar.put(bhh, a.bhh, G);
    ar.put(h0, a.h0, B * H);
    if (a.lengths) ar.put(len, a.lengths, B);
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
    if (a.dOut) ar.put(dOut, a.dOut, TB * H);
    if (a.dhN) ar.put(dhN, a.dhN, B * H);
    ar.put(dWhh, a.dWhh, G * H);
    if (a.lengths) ar.put(len, a.lengths, B);
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
    if (a.lengths) ar.put(len, a.lengths, B);
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
    if (a.dOut) ar.put(dOut, a.dOut, TB * H);
    if (a.dhN) ar.put(dhN, a.dhN, B * H);
    ar.put(dWhh, a.dWhh, H * H);
    if (a.lengths) ar.put(len, a.lengths, B);
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

  function checkTargets(targets: I32, N: number, C: number, ignoreIndex: number): number {
    let count = 0;
    for (let r = 0; r < N; r++) {
      const y = targets[r]!;
      if (y === ignoreIndex) continue;
      if (y < 0 || y >= C) throw new RangeError(`crossEntropy: target at row ${r} is ${y}, expected a class index in [0, ${C})`);
      count++;
    }
    return count;
  }

  /** Rows per chunk so that a chunk of [rows, C] stays near CHUNK·4 floats (at least 1 row). */
  const rowsPerChunk = (C: number): number => Math.max(1, Math.floor((4 * CHUNK) / Math.max(1, C)));

  /**
   * Rows go through wasm in chunks of R (rowsPerChunk): one chunk at a time through a small
   * buffer on one thread; with worker threads, all rows are copied in at once and the chunks
   * shared out. Either way the loss is the chunk sums added in order: identical results.
   */
  function softmaxCrossEntropy(logits: F32, targets: I32, N: number, C: number, ignoreIndex: number, probs: F32): { lossSum: number; count: number } {
    if (N * C < small) return ref.softmaxCrossEntropy(logits, targets, N, C, ignoreIndex, probs);
    const count = checkTargets(targets, N, C, ignoreIndex);
    const R = Math.min(N, rowsPerChunk(C));
    const chunks = Math.ceil(N / R);
    const threads = pool && N * C >= pool.minWork / 16 && chunks >= 2 ? Math.min(pool.threads, chunks) : 1;
    begin();
    if (threads > 1 && pool) {
      const pl = ar.alloc(N * C), pt = ar.alloc(N), pp = ar.alloc(N * C), ps = ar.alloc(2 * chunks);
      ar.commit();
      ar.put(pl, logits, N * C);
      ar.put(pt, targets, N);
      const parts = splitRange(chunks, threads, 1).map(([a, b]) => {
        const r0 = a * R, rows = Math.min(N, b * R) - r0;
        return [pl + 4 * r0 * C, pt + 4 * r0, rows, C, ignoreIndex, pp + 4 * r0 * C, R, ps + 8 * a];
      });
      pool.run(OP_SOFTMAX_CE, parts, (x) => ex.softmaxCrossEntropyChunks(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!), "softmax + cross-entropy");
      ar.get(pp, probs, N * C);
      const sums = new Float64Array(ex.memory.buffer, ps, chunks);
      let lossSum = 0;
      for (let i = 0; i < chunks; i++) lossSum += sums[i]!;
      return { lossSum, count };
    }
    const pl = ar.alloc(R * C), pt = ar.alloc(R), pp = ar.alloc(R * C), ps = ar.alloc(2);
    ar.commit();
    const sum = new Float64Array(ex.memory.buffer, ps, 1);
    let lossSum = 0;
    for (let r0 = 0; r0 < N; r0 += R) {
      const rows = Math.min(R, N - r0);
      ar.put(pl, logits.subarray(r0 * C), rows * C);
      ar.put(pt, targets.subarray(r0), rows);
      ex.softmaxCrossEntropyChunks(pl, pt, rows, C, ignoreIndex, pp, R, ps);
      lossSum += sum[0]!;
      ar.get(pp, probs.subarray(r0 * C), rows * C);
    }
    return { lossSum, count };
  }

  function softmaxCrossEntropyBackward(probs: F32, targets: I32, N: number, C: number, ignoreIndex: number, scale: number, dLogits: F32): void {
    if (N * C < small) return ref.softmaxCrossEntropyBackward(probs, targets, N, C, ignoreIndex, scale, dLogits);
    const threads = pool && N * C >= pool.minWork / 16 && N >= 2 ? Math.min(pool.threads, N) : 1;
    begin();
    if (threads > 1 && pool) {
      const pp = ar.alloc(N * C), pt = ar.alloc(N), pd = ar.alloc(N * C);
      ar.commit();
      ar.put(pp, probs, N * C);
      ar.put(pt, targets, N);
      ar.put(pd, dLogits, N * C);
      const parts = splitRange(N, threads, 1).map(([a, b]) => [pp + 4 * a * C, pt + 4 * a, b - a, C, ignoreIndex, scale, pd + 4 * a * C]);
      pool.run(OP_SOFTMAX_CE_BACKWARD, parts, (x) => ex.softmaxCrossEntropyBackward(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!), "the softmax + cross-entropy gradient");
      ar.get(pd, dLogits, N * C);
      return;
    }
    const R = Math.min(N, rowsPerChunk(C));
    const pp = ar.alloc(R * C), pt = ar.alloc(R), pd = ar.alloc(R * C);
    ar.commit();
    for (let r0 = 0; r0 < N; r0 += R) {
      const rows = Math.min(R, N - r0);
      ar.put(pp, probs.subarray(r0 * C), rows * C);
      ar.put(pt, targets.subarray(r0), rows);
      ar.put(pd, dLogits.subarray(r0 * C), rows * C);
      ex.softmaxCrossEntropyBackward(pp, pt, rows, C, ignoreIndex, scale, pd);
      ar.get(pd, dLogits.subarray(r0 * C), rows * C);
    }
  }

  /**
   * Fused linear + cross-entropy: x, W, b in; z = x·Wᵀ, the loss pass (bias, softmax, dz in place),
   * db = Σ_n dz_n, dx = dz·W and dW = dzᵀ·x all run on the module's memory; only the loss and the
   * gradients come out. Against the unfused ops this saves five [N, C] copies across the boundary.
   */
  function linearCrossEntropy(a: LinearCrossEntropyArgs): { lossSum: number; count: number } {
    const { N, K, C, ignoreIndex, grads } = a;
    const count = checkTargets(a.targets, N, C, ignoreIndex);
    if (N <= 0 || C <= 0) return { lossSum: 0, count };
    const R = Math.min(N, rowsPerChunk(C));
    const chunks = Math.ceil(N / R);
    const threads = pool && N * C >= pool.minWork / 16 && chunks >= 2 ? Math.min(pool.threads, chunks) : 1;
    begin();
    const px = input(a.x, N * K), pw = input(a.w, C * K), pb = optIn(a.b, C), pt = ar.alloc(N), pz = ar.alloc(N * C);
    const ps = ar.alloc(2 * chunks);
    const pdx = grads?.dx ? ar.alloc(N * K) : 0, pdw = grads?.dw ? ar.alloc(C * K) : 0, pdb = grads?.db ? ar.alloc(2 * C) : 0;
    const ws = gemmWorkspaces([[N, C, K], [N, K, C], [C, K, N]]);
    commitInputs();
    if (a.b) ar.put(pb, a.b, C);
    ar.put(pt, a.targets, N);
    gemmAt(0, 1, N, C, K, px, pw, 0, pz, ws); // z = x·Wᵀ
    const scale = grads ? grads.scale : 0, grad = grads ? 1 : 0;
    if (threads > 1 && pool) {
      const jobs = splitRange(chunks, threads, 1).map(([c0, c1]) => {
        const r0 = c0 * R, rows = Math.min(N, c1 * R) - r0;
        return [pz + 4 * r0 * C, pb, pt + 4 * r0, rows, C, ignoreIndex, scale, grad, R, ps + 8 * c0];
      });
      pool.run(OP_LINEAR_CE, jobs, (x) => ex.linearCeChunks(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!, x[8]!, x[9]!), "linear + cross-entropy");
    } else ex.linearCeChunks(pz, pb, pt, N, C, ignoreIndex, scale, grad, R, ps);
    const sums = new Float64Array(ex.memory.buffer, ps, chunks);
    let lossSum = 0;
    for (let i = 0; i < chunks; i++) lossSum += sums[i]!; // chunk order: independent of threads
    if (grads) {
      if (grads.db) columnSums(pz, N, C, pdb, grads.db); // db = Σ_n dz_n
      if (grads.dx) gemmAt(0, 0, N, K, C, pz, pw, 0, pdx, ws); // dx = dz·W
      if (grads.dw) gemmAt(1, 0, C, K, N, pz, px, 0, pdw, ws); // dW = dzᵀ·x
      if (grads.dx) ar.get(pdx, grads.dx, N * K);
      if (grads.dw) ar.get(pdw, grads.dw, C * K);
    }
    return { lossSum, count };
  }

  function unary(op: UnaryOp, x: F32, out: F32, n: number): void {
    const code = UNARY_WASM[op];
    if (code === undefined || n < small) return ref.unary(op, x, out, n);
    begin();
    const px = ar.alloc(Math.min(n, CHUNK)), po = ar.alloc(Math.min(n, CHUNK));
    ar.commit();
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(px, x.subarray(i), len);
      ex.unaryMath(code, px, po, len);
      ar.get(po, out.subarray(i), len);
    }
  }


  function allocState(n: number, reusable: boolean): F32 | null {
    if (!pool || !reclaim || n < MIN_STATE) return null;
    // a reusable request takes the smallest free range that fits (ranges keep their capacity)
    let k = -1;
    if (reusable) for (let i = 0; i < freeRanges.length; i++) if (freeRanges[i]!.cap >= n && (k < 0 || freeRanges[i]!.cap < freeRanges[k]!.cap)) k = i;
    let range: Range;
    if (k >= 0) range = freeRanges.splice(k, 1)[0]!;
    else {
      if (stateFloats + n > MAX_STATE_FLOATS) return null;
      begin();
      range = { off: ar.reserve(n), cap: n };
      stateFloats += n;
    }
    const a = new Float32Array(ex.memory.buffer, range.off, n);
    a.fill(0);
    resident.set(a, range.off);
    if (reusable) {
      reusableRange.set(a, range);
      reclaim.register(a, range, a);
    }
    return a;
  }

  function releaseState(a: F32): boolean {
    const range = reusableRange.get(a);
    if (!range || !reclaim) return false;
    reclaim.unregister(a);
    reusableRange.delete(a);
    resident.delete(a);
    freeRanges.push(range);
    return true;
  }

  /**
   * An elementwise optimizer update of n parameters: p and the state buffers `st` read and
   * written, g read; `args(p, g, st, len)` is the kernel's argument list for one range. When the
   * state lives in the shared memory (allocState; p usually too) only g (and a non-resident p)
   * is copied, and the range is split over the threads — theirs copied in first, the main
   * thread copying its own while they compute (copies are most of such a step). Otherwise
   * everything streams through the arena in chunks on one thread.
   */
  function optimizerUpdate(op: number, p: F32, g: F32, st: readonly F32[], n: number, args: (p: number, g: number, st: readonly number[], len: number) => number[], what: string): void {
    const fn = (ex as unknown as Record<string, (...a: number[]) => void>)[OP_KERNELS[op]![0]]!;
    const rs = st.map((b) => (b.length >= n ? resident.get(b) : undefined));
    if (pool && rs.every((r) => r !== undefined)) {
      const rp = p.length >= n ? resident.get(p) : undefined;
      begin();
      const pp = rp ?? ar.alloc(n), pg = ar.alloc(n);
      ar.commit();
      const ranges = splitRange(n, n >= pool.minWork / 8 ? pool.threads : 1, 16);
      const copyIn = ([a, b]: [number, number]): void => {
        if (rp === undefined) ar.put(pp + 4 * a, p.subarray(a), b - a);
        ar.put(pg + 4 * a, g.subarray(a), b - a);
      };
      ranges.slice(1).forEach(copyIn);
      const parts = ranges.map(([a, b]) => args(pp + 4 * a, pg + 4 * a, rs.map((r) => r! + 4 * a), b - a));
      pool.run(op, parts, (x) => {
        if (x === parts[0]) copyIn(ranges[0]!);
        fn(...x);
      }, what);
      if (rp === undefined) ar.get(pp, p, n);
      return;
    }
    const L = Math.min(n, CHUNK);
    begin();
    const pp = ar.alloc(L), pg = ar.alloc(L), ps = st.map(() => ar.alloc(L));
    ar.commit();
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(pp, p.subarray(i), len);
      ar.put(pg, g.subarray(i), len);
      st.forEach((b, k) => ar.put(ps[k]!, b.subarray(i), len));
      fn(...args(pp, pg, ps, len));
      ar.get(pp, p.subarray(i), len);
      st.forEach((b, k) => ar.get(ps[k]!, b.subarray(i), len));
    }
  }

  function adamStep(p: F32, g: F32, m: F32, v: F32, n: number, o: AdamStepOptions): void {
    if (n < small) return ref.adamStep(p, g, m, v, n, o);
    const stepSize = o.lr / (1 - Math.pow(o.beta1, o.step));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(o.beta2, o.step));
    optimizerUpdate(OP_ADAM, p, g, [m, v], n, (pp, pg, [pm, pv], len) => [pp, pg, pm!, pv!, len, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, b01(o.decoupled), stepSize, sqrtBc2], "an Adam step");
  }

  function sgdStep(p: F32, g: F32, buf: F32 | null, n: number, o: SgdStepOptions): void {
    if (n < small) return ref.sgdStep(p, g, buf, n, o);
    const st = buf && o.momentum !== 0 ? [buf] : [];
    optimizerUpdate(OP_SGD, p, g, st, n, (pp, pg, [pb], len) => [pp, pg, pb ?? 0, len, o.lr, o.momentum, o.dampening, o.weightDecay, b01(o.nesterov), b01(o.firstStep)], "an SGD step");
  }

  function sumSquares(x: F32, n: number): number {
    if (n < small) return ref.sumSquares(x, n);
    const L = Math.min(n, CHUNK);
    begin();
    const px = ar.alloc(L);
    ar.commit();
    let s = 0;
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(px, x.subarray(i), len);
      s += ex.sumSquares(px, len);
    }
    return s;
  }

  function scale(x: F32, s: number, n: number): void {
    if (n < small) return ref.scale(x, s, n);
    const L = Math.min(n, CHUNK);
    begin();
    const px = ar.alloc(L);
    ar.commit();
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(px, x.subarray(i), len);
      ex.scaleInPlace(px, len, s);
      ar.get(px, x.subarray(i), len);
    }
  }

  /**
   * Gather rows. A table in the shared memory (a resident parameter) is read there by the wasm
   * kernel; any other is gathered with typed-array row copies, since copying a whole [V, D] table
   * in to read N rows of it would cost more than the gather.
   */
  function embeddingForward(weight: F32, idx: I32, N: number, D: number, out: F32): void {
    if (weight.length >= 1 && resident.has(weight)) {
      begin();
      const pw = input(weight, weight.length), pi = ar.alloc(N), po = output(out, N * D);
      commitInputs();
      ar.put(pi, idx, N);
      ex.embeddingGather(pw, pi, N, D, po);
      flushOutputs();
      return;
    }
    for (let n = 0; n < N; n++) {
      const w = idx[n]! * D;
      out.set(weight.subarray(w, w + D), n * D);
    }
  }

  /** Scatter-add rows: in wasm when dWeight is in the shared memory; otherwise in place in JS (no [V, D] copies). */
  function embeddingBackward(dOut: F32, idx: I32, N: number, D: number, paddingIdx: number, dWeight: F32): void {
    if (!resident.has(dWeight)) return ref.embeddingBackward(dOut, idx, N, D, paddingIdx, dWeight);
    begin();
    const pd = input(dOut, N * D), pi = ar.alloc(N), pw = input(dWeight, dWeight.length);
    commitInputs();
    ar.put(pi, idx, N);
    ex.embeddingScatterAdd(pd, pi, N, D, paddingIdx, pw);
  }

  /** Sums over the middle axis with float64 accumulators (in wasm), streaming rows in chunks. */
  function sumAxis(x: F32, outer: number, n: number, inner: number, out: F32): void {
    if (inner === 1 || outer * n * inner < small) return ref.sumAxis(x, outer, n, inner, out);
    const R = Math.max(1, Math.min(n, Math.floor(CHUNK / inner)));
    begin();
    const acc = ar.alloc(2 * inner); // float64
    const px = ar.alloc(R * inner);
    ar.commit();
    const acc64 = (): Float64Array => new Float64Array(ar.f32.buffer, acc, inner);
    for (let o = 0; o < outer; o++) {
      acc64().fill(0);
      for (let k0 = 0; k0 < n; k0 += R) {
        const rows = Math.min(R, n - k0);
        ar.put(px, x.subarray((o * n + k0) * inner), rows * inner);
        ex.sumRowsF64(px, rows, inner, acc);
      }
      out.set(acc64(), o * inner);
    }
  }

  return {
    name: options.name ?? "wasm",
    gemm,
    unary,
    unaryBackward: ref.unaryBackward,
    binary: (op: BinaryOp, a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32, shape: readonly number[]) => ref.binary(op, a, aStrides, b, bStrides, out, shape),
    sumAxis,
    logSoftmax: ref.logSoftmax,
    softmaxCrossEntropy,
    softmaxCrossEntropyBackward,
    linearCrossEntropy,
    embeddingForward,
    embeddingBackward,
    lstmForward,
    lstmBackward,
    gruForward,
    gruBackward,
    rnnForward,
    rnnBackward,
    adamStep,
    allocState,
    releaseState,
    sgdStep,
    sumSquares,
    scale,
  };
}
