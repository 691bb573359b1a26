/**
 * A wasm kernel worker thread (Node worker_threads): instantiates the shared-memory kernel module
 * on the main thread's memory and runs the jobs the main thread posts in its control block
 * (see ./pool-protocol.ts). Started by ./pool.ts; never imported by the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ARGS, DONE, OP, OP_EXIT, OP_KERNELS, READY, SEQ, STATUS, spinWhile, type WorkerInit } from "./pool-protocol.js";

interface WorkerExports {
  setTile(p: number): void;
}

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
  spinWhile(ctl, SEQ, seen);
  Atomics.wait(ctl, SEQ, seen);
  seen = Atomics.load(ctl, SEQ);
  const op = Atomics.load(ctl, OP);
  if (op === OP_EXIT) break;
  let status = 0;
  try {
    const k = OP_KERNELS[op];
    const fn = k ? (ex as unknown as Record<string, ((...args: number[]) => void) | undefined>)[k[0]] : undefined;
    if (!k || !fn) throw new Error(`rnnkit wasm worker: unknown op ${op}`);
    fn(...Array.from(arg.subarray(0, k[1])));
  } catch (e) {
    status = 1;
    process.stderr.write(`rnnkit wasm worker: ${String(e)}\n`);
  }
  Atomics.store(ctl, STATUS, status);
  Atomics.store(ctl, DONE, seen);
  Atomics.notify(ctl, DONE);
}
parentPort?.close();
