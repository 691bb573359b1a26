/**
 * The job protocol between the wasm backend and its worker threads. One control block per worker,
 * a SharedArrayBuffer of CONTROL_BYTES:
 *   Int32  [0] SEQ    job counter: the main thread writes the arguments, then increments it
 *          [1] DONE   the worker copies SEQ here when the job finished (or failed)
 *          [2] READY  1 once the worker's instance exists, −1 if it could not be created
 *          [3] STATUS 0 = last job ok, 1 = it threw (the message is in the worker's stderr)
 *          [4] OP     which kernel
 *   Float64 [ARGS …]  the kernel's arguments (pointers, sizes, scalars: all exact in a double)
 * Waiting is Atomics.wait on SEQ (worker) and DONE (main thread), after spinning on the counter for
 * up to SPIN_MS: waking a waiting thread costs as much as a small GEMM, and kernel calls come in
 * quick succession. Idle workers then use no CPU.
 */
export const SPIN_MS = 0.2;

/** Spin until ctl[i] ≠ v or SPIN_MS have passed (the caller then Atomics.waits as before). */
export function spinWhile(ctl: Int32Array, i: number, v: number): void {
  const t0 = performance.now();
  for (let n = 1; Atomics.load(ctl, i) === v; n++) if ((n & 255) === 0 && performance.now() - t0 > SPIN_MS) return;
}
export const SEQ = 0;
export const DONE = 1;
export const READY = 2;
export const STATUS = 3;
export const OP = 4;
/** Float64 index of the first argument (byte 32). */
export const ARGS = 4;
export const MAX_ARGS = 24;
export const CONTROL_BYTES = 32 + 8 * MAX_ARGS;

export const OP_EXIT = 0;
/** gemmLd(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ws) */
export const OP_GEMM = 1;
/** softmaxCrossEntropyChunks(logits, targets, N, C, ignoreIndex, probs, R, sums) */
export const OP_SOFTMAX_CE = 2;
/** softmaxCrossEntropyBackward(probs, targets, N, C, ignoreIndex, scale, dLogits) */
export const OP_SOFTMAX_CE_BACKWARD = 3;
/** lstmForward(T, B, Bs, H, xg, whh, h0, c0, out, hN, cN, lengths, reverse, gates, c, cPrev, hPrev, ws) on a block of rows */
export const OP_LSTM_FORWARD = 4;
/** lstmBackward(T, B, Bs, H, whh, gates, c, cPrev, hPrev, dOut, dhN, dcN, dXg, 0, dh0, dc0, lengths, reverse, ws) on a block of rows */
export const OP_LSTM_BACKWARD = 5;
/** gruForward(T, B, Bs, H, …) / gruBackward(T, B, Bs, H, …) on a block of rows (dWhh = 0) */
export const OP_GRU_FORWARD = 6;
export const OP_GRU_BACKWARD = 7;
/** rnnForward(T, B, Bs, H, relu, …) / rnnBackward(T, B, Bs, H, relu, …) on a block of rows (dWhh = 0) */
export const OP_RNN_FORWARD = 8;
export const OP_RNN_BACKWARD = 9;
/** linearCeChunks(z, bias, targets, N, C, ignoreIndex, scale, grad, R, sums) */
export const OP_LINEAR_CE = 10;
/** adamStep(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, sqrtBc2) on a range */
export const OP_ADAM = 11;
/** sumRowsF64Ld(x, n, inner, ld, acc) on a block of columns */
export const OP_SUM_ROWS = 12;
/** sgdStep(p, g, buf, n, lr, momentum, dampening, weightDecay, nesterov, firstStep) on a range */
export const OP_SGD = 13;

/** stepTasks(desc, gen): take tasks of an inference stepper's phase until none is left (assembly/step.ts) */
export const OP_STEP_TASKS = 14;

/** Kernel export and argument count of each op: the worker calls exports[name](args[0 … n−1]). */
export const OP_KERNELS: Readonly<Record<number, readonly [string, number]>> = {
  [OP_GEMM]: ["gemmLd", 14],
  [OP_SOFTMAX_CE]: ["softmaxCrossEntropyChunks", 8],
  [OP_SOFTMAX_CE_BACKWARD]: ["softmaxCrossEntropyBackward", 7],
  [OP_LSTM_FORWARD]: ["lstmForward", 18],
  [OP_LSTM_BACKWARD]: ["lstmBackward", 19],
  [OP_GRU_FORWARD]: ["gruForward", 16],
  [OP_GRU_BACKWARD]: ["gruBackward", 17],
  [OP_RNN_FORWARD]: ["rnnForward", 15],
  [OP_RNN_BACKWARD]: ["rnnBackward", 16],
  [OP_LINEAR_CE]: ["linearCeChunks", 10],
  [OP_ADAM]: ["adamStep", 13],
  [OP_SUM_ROWS]: ["sumRowsF64Ld", 5],
  [OP_SGD]: ["sgdStep", 10],
  [OP_STEP_TASKS]: ["stepTasks", 2],
};

/** What a worker is started with (structured-cloned; memory and control are shared). */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Byte offset of this worker's private edge-tile scratch (setTile). */
  tile: number;
}
