/**
 * Worker threads for the wasm backend: the main thread and n−1 workers each run one instance of
 * the shared-memory kernel module (build/rnnkit-relaxed-mt.wasm) on the same WebAssembly.Memory,
 * so a GEMM is split into blocks of rows (or columns) of C computed in place, with no copies.
 *
 * Every element of C is computed with the same K blocking whichever block holds it, so the
 * result is bit-identical for any split and any number of threads — including the single-thread
 * split used while workers are still starting (they start asynchronously and join when ready).
 *
 * This file touches no Node API: the loader passes `spawn`, which starts a worker running
 * ./worker.ts (Node worker_threads). Protocol: ./pool-protocol.ts.
 */
import { ARGS, CONTROL_BYTES, DONE, MAX_ARGS, OP, OP_EXIT, OP_GEMM, READY, SEQ, spinWhile, STATUS, type WorkerInit } from "./pool-protocol.js";
export { OP_ADAM, OP_SGD, OP_GRU_BACKWARD, OP_GRU_FORWARD, OP_LINEAR_CE, OP_LSTM_BACKWARD, OP_LSTM_FORWARD, OP_RNN_BACKWARD, OP_RNN_FORWARD, OP_SOFTMAX_CE, OP_SOFTMAX_CE_BACKWARD, OP_STEP_TASKS, OP_SUM_ROWS } from "./pool-protocol.js";

export interface SpawnedWorker {
  terminate(): void;
}
export type SpawnWorker = (init: WorkerInit) => SpawnedWorker;

/** The two exports a split GEMM needs from the main thread's instance. */
export interface GemmExports {
  gemmLd(transA: number, transB: number, M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number, ws: number): void;
}

interface Slot {
  ctl: Int32Array;
  arg: Float64Array;
  handle: SpawnedWorker;
}

const MR = 4; // rows of the wasm micro-kernel (assembly/gemm.ts)
const NR = 8; // columns of the wasm micro-kernel

/** Split [0, n) into `parts` contiguous ranges whose starts are multiples of `align`. */
export function splitRange(n: number, parts: number, align: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const units = Math.ceil(n / align);
  for (let p = 0; p < parts; p++) {
    const a = Math.min(n, Math.round((p * units) / parts) * align);
    const b = Math.min(n, Math.round(((p + 1) * units) / parts) * align);
    if (b > a) out.push([a, b]);
  }
  return out;
}

/** A worker that has started and finished every call posted to it (so its argument block is free). */
const idle = (s: Slot): boolean => Atomics.load(s.ctl, READY) === 1 && Atomics.load(s.ctl, DONE) === Atomics.load(s.ctl, SEQ);

export class WasmThreadPool {
  private readonly slots: Slot[] = [];
  private closed = false;
  /**
   * GEMMs with fewer multiply-adds than this stay on the calling thread: waking a worker costs
   * tens of microseconds, about what 1M multiply-adds take.
   */
  minWork = 1 << 20;

  /** `tiles[i]`: byte offset of worker i's edge-tile scratch (MR·NR floats, 16-byte aligned). */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, tiles: readonly number[], spawn: SpawnWorker) {
    for (const tile of tiles) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const ctl = new Int32Array(control, 0, ARGS + 1);
      const arg = new Float64Array(control, 8 * ARGS, MAX_ARGS);
      this.slots.push({ ctl, arg, handle: spawn({ module, memory, control, tile }) });
    }
  }

  /** Threads a split may use now: the caller plus every worker that has finished starting. */
  get threads(): number {
    let n = 1;
    for (const s of this.slots) if (Atomics.load(s.ctl, READY) === 1) n++;
    return n;
  }

  /** Threads this pool will have once every worker has started. */
  get maxThreads(): number {
    return 1 + this.slots.length;
  }

  /** Block until every worker has started (or failed to); for tests and benchmarks. */
  waitReady(timeoutMs = 10000): number {
    const t0 = Date.now();
    for (const s of this.slots) {
      while (Atomics.load(s.ctl, READY) === 0) {
        const left = timeoutMs - (Date.now() - t0);
        if (left <= 0) break;
        Atomics.wait(s.ctl, READY, 0, Math.min(left, 50));
      }
    }
    return this.threads;
  }

  /**
   * Parts to split a GEMM C[M,N] (K deep) into: 1 when it is too small to pay for a wake-up.
   * Through the backend (copies in and out included) 2 threads against 1 measured: at 1M
   * multiply-adds 2–7 % slower (64×64×256, 256×64×64), at 2M faster with more rows (128³ +14 %)
   * but not with ≤ 32 rows, whose B is read in place (32×128×512 −8 %, 24×200×800 −12 %), which
   * gain from 5M on (32×200×800 +6 %, 24×512×512 +11 %, 32×256×1024 +24 %).
   */
  partsFor(M: number, N: number, K: number): number {
    const work = M * N * K;
    if (this.closed || work < this.minWork * (M <= 32 ? 4 : 2)) return 1;
    const t = this.threads;
    if (t === 1) return 1;
    if (M >= 2 * MR * t || N >= 2 * NR * t) return t;
    return 1;
  }

  /**
   * C (= or +=) alpha·op(A)·op(B) on dense row-major matrices already in the shared memory, split
   * over `ws.length` threads (from partsFor); ws[i] is thread i's gemmWorkFloats workspace.
   */
  gemm(ex: GemmExports, tA: number, tB: number, M: number, N: number, K: number, alpha: number, A: number, B: number, beta: number, C: number, ws: readonly number[], split?: "rows" | "columns"): void {
    const lda = tA ? M : K, ldb = tB ? K : N;
    // Rows only when each thread gets ≥ 64 of them (or C is too narrow to split): with fewer, every
    // thread would read (and pack) all of B for a few row tiles, where a column split reads half
    // of it each (2 threads through the backend: 64×1024×4096 44.6 → 51.8 GFLOP/s, 16×256×1024
    // 16.0 → 23.6). Either way each element of C is computed as with one thread.
    // (`split` forces one way: bench/wasm-pool-gemm.ts compares them)
    const byRows = split ? split === "rows" : M >= 16 * MR * ws.length || N < 2 * NR * ws.length;
    const ranges = splitRange(byRows ? M : N, ws.length, byRows ? MR : NR);
    // A block of rows from i0: op(A) moves down i0 rows, C down i0 rows.
    // A block of columns from j0: op(B) moves right j0 columns, C right j0 columns.
    const parts = ranges.map(([a, b], p) =>
      byRows
        ? [tA, tB, b - a, N, K, alpha, A + 4 * (tA ? a : a * lda), lda, B, ldb, beta, C + 4 * a * N, N, ws[p]!]
        : [tA, tB, M, b - a, K, alpha, A, lda, B + 4 * (tB ? a * ldb : a), ldb, beta, C + 4 * a, N, ws[p]!],
    );
    this.run(OP_GEMM, parts, (x) => ex.gemmLd(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!, x[8]!, x[9]!, x[10]!, x[11]!, x[12]!, x[13]!), "a GEMM");
  }

  /**
   * Run `parts` (argument lists of kernel `op`): parts 1… on ready workers, part 0 (and any part
   * left without a worker) on the calling thread via `here`; returns when all are done.
   */
  run(op: number, parts: readonly (readonly number[])[], here: (args: readonly number[]) => void, what: string): void {
    const ready = this.slots.filter(idle);
    const jobs: Array<{ slot: Slot; seq: number }> = [];
    for (let p = 1; p < parts.length && p - 1 < ready.length; p++) {
      const slot = ready[p - 1]!;
      slot.arg.set(parts[p]!);
      Atomics.store(slot.ctl, OP, op);
      const seq = Atomics.add(slot.ctl, SEQ, 1) + 1;
      Atomics.notify(slot.ctl, SEQ);
      jobs.push({ slot, seq });
    }
    here(parts[0]!);
    for (let p = jobs.length + 1; p < parts.length; p++) here(parts[p]!);
    let failed = false;
    for (const { slot, seq } of jobs) {
      const d0 = Atomics.load(slot.ctl, DONE);
      if (d0 !== seq) spinWhile(slot.ctl, DONE, d0);
      for (let d = Atomics.load(slot.ctl, DONE); d !== seq; d = Atomics.load(slot.ctl, DONE)) Atomics.wait(slot.ctl, DONE, d, 1000);
      if (Atomics.load(slot.ctl, STATUS) !== 0) failed = true;
    }
    if (failed) throw new Error(`wasm backend: a kernel worker thread failed during ${what} (its message is above; hint: RNNKIT_WASM_THREADS=1 runs without workers)`);
  }

  /**
   * Post one call to every started worker that is idle, and return at once (no waiting): for jobs
   * whose work the workers claim themselves (stepTasks), which the caller takes part in and
   * whose end it detects in memory. A worker still busy with an earlier call is skipped. Returns
   * the posts, for postFailed().
   */
  post(op: number, args: readonly number[]): Array<{ slot: Slot; seq: number }> {
    const posts: Array<{ slot: Slot; seq: number }> = [];
    if (this.closed) return posts;
    for (const slot of this.slots) {
      if (!idle(slot)) continue;
      slot.arg.set(args);
      Atomics.store(slot.ctl, OP, op);
      const seq = Atomics.add(slot.ctl, SEQ, 1) + 1;
      Atomics.notify(slot.ctl, SEQ);
      posts.push({ slot, seq });
    }
    return posts;
  }

  /** True when a posted call finished with an error (its message went to the worker's stderr). */
  postFailed(posts: ReadonlyArray<{ slot: Slot; seq: number }>): boolean {
    return posts.some(({ slot, seq }) => Atomics.load(slot.ctl, DONE) === seq && Atomics.load(slot.ctl, STATUS) !== 0);
  }

  /** Stop the workers (they also stop with the process). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      Atomics.store(s.ctl, OP, OP_EXIT);
      Atomics.add(s.ctl, SEQ, 1);
      Atomics.notify(s.ctl, SEQ);
      s.handle.terminate();
    }
  }
}
