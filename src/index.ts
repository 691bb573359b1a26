/**
 * rnnkit: recurrent neural networks for Node.js and the browser.
 * Layers (imports point down only): kernels → tensor/autograd → nn → models → lm / sentiment /
 * analysis (training and use) with data, io, viz → cli.
 */
import "./kernels/select.js"; // installs the fastest backend this machine offers
export * from "./tensor/index.js";
export { backend, setBackend } from "./kernels/registry.js";
export type { Backend } from "./kernels/backend.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as safetensors from "./io/safetensors.js";
export * from "./models/index.js";
export * from "./viz/index.js";
