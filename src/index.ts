/**
 * rnnkit: recurrent neural networks for Node.js and the browser.
 * Layers: kernels → tensor/autograd → nn → models → train/data/io → cli.
 */
export * from "./tensor/index.js";
export { backend, setBackend } from "./kernels/registry.js";
export type { Backend } from "./kernels/backend.js";
