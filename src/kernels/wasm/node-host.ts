/**
 * The few Node.js facilities the wasm loader needs (read a file synchronously, flip V8's
 * relaxed-SIMD flag on Node 20), fetched with `process.getBuiltinModule` so that browser bundles
 * never see an import of them. `nodeHost` is null outside Node.
 *
 * Synchronous on purpose: a top-level `await import("node:fs")` here would make the whole library
 * an async module graph, which `require("rnnkit")` cannot load (Node ≥ 20.19 can require ES
 * modules, but not ones with top-level await).
 */
export interface NodeHost {
  readFile(url: URL): Uint8Array<ArrayBuffer>;
  /** Enable relaxed SIMD in this V8 (Node 20 ships it behind a flag; Node ≥ 22 has it on). */
  enableRelaxedSimd(): void;
  /** Logical CPUs available to this process. */
  cpus(): number;
  /** Start a worker thread running the module at `url` with `data` (unref'd: it never keeps the process alive). */
  spawnWorker(url: URL, data: unknown): { terminate(): void };
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

function makeHost(): NodeHost {
  if (typeof process.getBuiltinModule !== "function") throw new Error(`rnnkit needs Node.js ≥ 20.16 (process.getBuiltinModule), this is ${process.version} (hint: upgrade Node)`);
  const fs = process.getBuiltinModule("node:fs");
  const v8 = process.getBuiltinModule("node:v8");
  const os = process.getBuiltinModule("node:os");
  const wt = process.getBuiltinModule("node:worker_threads");
  return {
    readFile: (url) => fs.readFileSync(url),
    enableRelaxedSimd: () => v8.setFlagsFromString("--experimental-wasm-relaxed-simd"),
    cpus: () => (typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length),
    spawnWorker: (url, data) => {
      // The compiled module is passed in workerData, so the worker needs no V8 flag of its own.
      const w = new wt.Worker(url, { workerData: data });
      w.unref();
      w.on("error", (e) => process.stderr.write(`rnnkit: a wasm worker thread stopped: ${e.message}\n`));
      return { terminate: () => void w.terminate() };
    },
  };
}

export const nodeHost: NodeHost | null = isNode ? makeHost() : null;

/** An environment variable (undefined outside Node). */
export const envVar = (name: string): string | undefined => (isNode ? process.env[name] : undefined);
