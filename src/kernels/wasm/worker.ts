/**
 * A wasm kernel worker thread (Node worker_threads): instantiates the shared-memory kernel module
 * on the main thread's memory and runs the jobs the main thread posts in its control block
 * (see ./pool-protocol.ts). Started by ./pool.ts; never imported by the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ARGS, DONE, OP, OP_EXIT, OP_GEMM, OP_LSTM_BACKWARD, OP_LSTM_FORWARD, OP_SOFTMAX_CE, OP_SOFTMAX_CE_BACKWARD, READY, SEQ, STATUS, type WorkerInit } from "./pool-protocol.js";
import type { KernelExports } from "./exports.js";

type WorkerExports = Pick<KernelExports, "setTile" | "gemmLd" | "softmaxCrossEntropyChunks" | "softmaxCrossEntropyBackward" | "lstmForward" | "lstmBackward">;

const init = workerData as WorkerInit;
const ctl = new Int32Array(init.control, 0, ARGS + 1);
const arg = new Float64Array(init.control, 8 * ARGS);

// Read the job counter before announcing READY: the main thread may post a job the moment it
// sees READY, and a counter read after that would already include the job (never run: deadlock).
let seen = Atomics.load(ctl, SEQ);
let ex: WorkerExports;
try {
  ex = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as WorkerExports;
  ex.setTile(init.tile);
  Atomics.store(ctl, READY, 1);
} catch (e) {
  Atomics.store(ctl, READY, -1);
  throw e;
} finally {
  Atomics.notify(ctl, READY);
}

for (;;) {
  Atomics.wait(ctl, SEQ, seen);
  seen = Atomics.load(ctl, SEQ);
  const op = Atomics.load(ctl, OP);
  if (op === OP_EXIT) break;
  let status = 0;
  try {
    const a = (i: number): number => arg[i]!;
    if (op === OP_GEMM) {
      ex.gemmLd(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11), a(12), a(13));
    } else if (op === OP_SOFTMAX_CE) {
      ex.softmaxCrossEntropyChunks(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7));
    } else if (op === OP_SOFTMAX_CE_BACKWARD) {
      ex.softmaxCrossEntropyBackward(a(0), a(1), a(2), a(3), a(4), a(5), a(6));
    } else if (op === OP_LSTM_FORWARD) {
      ex.lstmForward(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11), a(12), a(13), a(14), a(15), a(16), a(17));
    } else if (op === OP_LSTM_BACKWARD) {
      ex.lstmBackward(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11), a(12), a(13), a(14), a(15), a(16), a(17), a(18));
    } else {
      throw new Error(`rnnkit wasm worker: unknown op ${op}`);
    }
  } catch (e) {
    status = 1;
    process.stderr.write(`rnnkit wasm worker: ${String(e)}\n`);
  }
  Atomics.store(ctl, STATUS, status);
  Atomics.store(ctl, DONE, seen);
  Atomics.notify(ctl, DONE);
}
parentPort?.close();
