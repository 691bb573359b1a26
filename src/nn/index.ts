export { Module, parameter } from "./module.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Embedding, type EmbeddingOptions } from "./embedding.js";
export { Dropout } from "./dropout.js";
export { RNN, LSTM, GRU, RecurrentBase, type RecurrentOptions, type RNNOptions, type LSTMOptions, type ForwardOptions, type RecurrentResult } from "./recurrent.js";
export * as functional from "./functional.js";
export { LockedDropout } from "./locked-dropout.js";
export { EmbeddingDropout } from "./embedding-dropout.js";
export { ModuleList, Sequential, type TensorModule } from "./container.js";
