/**
 * A wasm kernel worker for browsers (a module Web Worker, bundled by scripts/build-browser.mjs as
 * dist/browser/rnnkit-pool-worker.js): waits for its WorkerInit message, then runs
 * ./worker-loop.ts until the pool stops it. Started by ./web-threads.ts.
 */
import type { WorkerInit } from "./pool-protocol.js";
import { runKernelWorker } from "./worker-loop.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerInit>) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (e) => {
  scope.onmessage = null;
  runKernelWorker(e.data, (message) => console.error(message));
  scope.close();
};
