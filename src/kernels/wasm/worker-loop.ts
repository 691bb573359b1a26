/**
 * The body of a wasm kernel worker, whatever starts it (Node worker_threads: ./worker.ts; a Web
 * Worker: ./web-worker.ts): instantiate the shared-memory kernel module on the main thread's
 * memory, announce READY, then run the jobs posted in the control block until OP_EXIT
 * (protocol: ./pool-protocol.ts). Blocks in Atomics.wait, which every worker may do.
 */
import { ARGS, DONE, OP, OP_EXIT, OP_KERNELS, READY, SEQ, STATUS, spinWhile, type WorkerInit } from "./pool-protocol.js";

interface WorkerExports {
  setTile(p: number): void;
}

/** Runs until the pool sends OP_EXIT; `report` receives the message of a job that threw. */
export function runKernelWorker(init: WorkerInit, report: (message: string) => void): void {
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
      report(`rnnkit wasm worker: ${String(e)}`);
    }
    Atomics.store(ctl, STATUS, status);
    Atomics.store(ctl, DONE, seen);
    Atomics.notify(ctl, DONE);
  }
}
