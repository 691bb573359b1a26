import type { Backend } from "./backend.js";
import { refBackend } from "./ref/index.js";

/**
 * The active backend. Starts as the reference backend; `kernels/select.ts` swaps in the fastest
 * backend this machine offers (RNNKIT_BACKEND=native|wasm|ref overrides). Layers and ops always
 * call `backend()` at run time, never capture it, so a switch takes effect everywhere at once.
 */
let active: Backend = refBackend;

export const backend = (): Backend => active;

export function setBackend(b: Backend): void {
  active = b;
}
