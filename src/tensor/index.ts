export { Tensor, noGrad, isGradEnabled, type TensorData, type DType, type BackwardFn } from "./tensor.js";
export { tensor, zeros, ones, full, randn, rand, intTensor, type TensorOptions } from "./create.js";
export { Generator, type RngState, defaultGenerator, manualSeed, random, randint, shuffle, getRngState, setRngState, withSeed, seededShuffle, deriveSeed } from "./random.js";
export { concat, stack } from "./ops/shape-ops.js";
export { fmtShape, numel, type Shape } from "./shape.js";
