import type { Backend } from "../backend.js";
import { binary, logSoftmax, scale, sumAxis, sumSquares, unary, unaryBackward } from "./elementwise.js";
import { gemm } from "./gemm.js";
import { makeGruBackward, makeGruForward } from "./gru.js";
import { embeddingBackward, embeddingForward, softmaxCrossEntropy, softmaxCrossEntropyBackward } from "./loss.js";
import { makeLstmBackward, makeLstmForward } from "./lstm.js";
import { adamStep, sgdStep } from "./optim.js";
import { makeRnnBackward, makeRnnForward } from "./rnn.js";

/** The readable TypeScript reference backend: the definition of correct for every other backend. */
export const refBackend: Backend = {
  name: "ref",
  gemm,
  unary,
  unaryBackward,
  binary,
  sumAxis,
  logSoftmax,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  embeddingForward,
  embeddingBackward,
  lstmForward: makeLstmForward(gemm),
  lstmBackward: makeLstmBackward(gemm, sumAxis),
  gruForward: makeGruForward(gemm),
  gruBackward: makeGruBackward(gemm),
  rnnForward: makeRnnForward(gemm),
  rnnBackward: makeRnnBackward(gemm),
  adamStep,
  sgdStep,
  sumSquares,
  scale,
};
