/**
 * What every wasm kernel call shares: the module's memory as an Arena, the worker pool, and the
 * long-lived buffers placed in the shared memory (allocState / releaseState) that kernels read
 * and write in place instead of copying (stage: input / output / commitInputs / flushOutputs).
 * Plus the small helpers the kernel groups use: GEMMs on arena offsets split over the pool,
 * column sums, bias rows, blocks of batch rows.
 */
import type { F32, I32 } from "../backend.js";
import { Arena } from "./arena.js";
import type { KernelExports } from "./exports.js";
import { OP_SUM_ROWS, splitRange, type WasmThreadPool } from "./pool.js";

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

/** floats per streamed chunk: 4 arrays × 64 KiB stay in L2 */
export const CHUNK = 16384;
export const b01 = (b: boolean): number => (b ? 1 : 0);

export type WasmContext = ReturnType<typeof createWasmContext>;

export function createWasmContext(ex: KernelExports, options: WasmBackendOptions) {
  const ar = new Arena(ex.memory, options.heapBase ?? ex.heapBase());
  const pool = options.pool ?? null;
  const small = options.smallWork ?? 4096;

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
  const resident = new WeakMap<F32 | I32, number>();
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
  const pending: Array<[number, F32 | I32, number]> = []; // inputs to copy in
  const outputs: Array<[number, F32, number]> = []; // outputs to copy out
  function stage<T extends F32 | I32>(list: Array<[number, T, number]>, buf: T, n: number): number {
    const r = buf.length >= n ? resident.get(buf) : undefined;
    if (r !== undefined) return r;
    const p = ar.alloc(n);
    list.push([p, buf, n]);
    return p;
  }
  const input = (src: F32 | I32, n: number): number => stage(pending, src, n);
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

  /** An optional input (copied in by commitInputs like any other); 0 when absent. */
  const optIn = (src: F32 | I32 | null, n: number): number => (src ? input(src, n) : 0);

  function allocState(n: number, reusable: boolean, zero = true): F32 | null {
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
    if (zero) a.fill(0); // a reused range, or arena space below the moved base, holds old data
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
   * A block of n floats of the module's memory kept across kernel calls (an inference stepper's
   * weights, state and scratch), with or without threads: taken below the arena like allocState's
   * ranges, and reused once freed (smallest free block that fits). Returns the byte offset. Only
   * between kernel calls.
   */
  const freeBlocks: Range[] = [];
  const blockCap = new Map<number, number>();
  function allocBlock(n: number): number {
    n = Math.max(16, Math.ceil(n / 16) * 16);
    let k = -1;
    for (let i = 0; i < freeBlocks.length; i++) if (freeBlocks[i]!.cap >= n && (k < 0 || freeBlocks[i]!.cap < freeBlocks[k]!.cap)) k = i;
    if (k >= 0) {
      const r = freeBlocks.splice(k, 1)[0]!;
      blockCap.set(r.off, r.cap);
      return r.off;
    }
    begin();
    const off = ar.reserve(n);
    blockCap.set(off, n);
    return off;
  }
  function freeBlock(off: number): void {
    const cap = blockCap.get(off);
    if (cap === undefined) return;
    blockCap.delete(off);
    freeBlocks.push({ off, cap });
  }

  return { ex, ar, pool, small, resident, input, output, flushOutputs, begin, commitInputs, rowBlocks, rowAt, runBlocks, weightGrad, gemmWorkspaces, gemmAt, columnSums, fillRows, optIn, allocState, releaseState, allocBlock, freeBlock };
}
