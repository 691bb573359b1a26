import type { Backend } from "../../src/kernels/backend.js";
import { backend, setBackend } from "../../src/kernels/registry.js";
import { availableBackends } from "../../src/kernels/select.js";

/**
 * Every backend this machine offers (ref always; wasm and native when built). Under CI=true the
 * wasm backend must load (npm install builds it), so a broken build cannot pass as "skipped".
 */
export function testBackends(): Backend[] {
  const all = availableBackends();
  if (process.env.CI === "true" && all.wasm instanceof Error) throw new Error(`CI: the wasm backend did not load: ${all.wasm.message}`);
  return Object.values(all).filter((b): b is Backend => !(b instanceof Error));
}

/** Run fn with `b` installed as the active backend, restoring the previous one after. */
export function withBackend<T>(b: Backend, fn: () => T): T {
  const prev = backend();
  setBackend(b);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}
