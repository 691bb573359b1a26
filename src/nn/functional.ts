/** Stateless functions, as torch.nn.functional. */
export { crossEntropy, dropout, embedding, type CrossEntropyOptions } from "../tensor/ops/nn-ops.js";
export { linear } from "../tensor/ops/matmul.js";
export { linearCrossEntropy } from "../tensor/ops/linear-ce.js";
export { softmax, logSoftmax } from "../tensor/ops/softmax.js";
export { sigmoid, tanh, relu } from "../tensor/ops/elementwise.js";
export { lockedDropout, type LockedDropoutOptions } from "../tensor/ops/locked-dropout.js";
export { embeddingDropout, type EmbeddingDropoutOptions } from "../tensor/ops/embedding-dropout.js";
export { weightDrop } from "../tensor/ops/weight-drop.js";
export { activationRegularization, temporalActivationRegularization } from "../tensor/ops/activation-reg.js";
export { gatherRows, scatterRows } from "../tensor/ops/gather.js";
