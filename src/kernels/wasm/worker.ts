/**
 * A wasm kernel worker thread (Node worker_threads): runs ./worker-loop.ts on the WorkerInit the
 * pool passed as workerData. Started by ./pool.ts; never imported by the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerInit } from "./pool-protocol.js";
import { runKernelWorker } from "./worker-loop.js";

runKernelWorker(workerData as WorkerInit, (message) => process.stderr.write(`${message}\n`));
parentPort?.close();
