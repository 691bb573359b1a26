/** Stateless functions, as torch.nn.functional. */
export { crossEntropy, dropout, embedding, type CrossEntropyOptions } from "../tensor/ops/nn-ops.js";
export { linear } from "../tensor/ops/matmul.js";
export { linearCrossEntropy } from "../tensor/ops/linear-ce.js";
export { softmax, logSoftmax } from "../tensor/ops/softmax.js";
export { sigmoid, tanh, relu } from "../tensor/ops/elementwise.js";
