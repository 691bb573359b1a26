import type { Backend } from "../backend.js";
import { binary, logSoftmax, scale, sumAxis, sumSquares, unary, unaryBackward } from "./elementwise.js";
import { gemm } from "./gemm.js";
import { recurrentEntries } from "../projection.js";
import { makeGruBackward, makeGruForward } from "./gru.js";
import { embeddingBackward, embeddingForward, softmaxCrossEntropy, softmaxCrossEntropyBackward } from "./loss.js";
import { makeLstmBackward, makeLstmForward } from "./lstm.js";
import { adamStep, sgdStep } from "./optim.js";
import { makeRnnBackward, makeRnnForward } from "./rnn.js";
import { createRefStepper } from "./step.js";

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
  // the recurrent drivers, with the input projection (InputProjection) run as GEMM calls around them
  ...recurrentEntries({ gemm, sumAxis }, {
    lstm: [makeLstmForward(gemm), makeLstmBackward(gemm)],
    gru: [makeGruForward(gemm), makeGruBackward(gemm)],
    rnn: [makeRnnForward(gemm), makeRnnBackward(gemm)],
  }),
  adamStep,
  sgdStep,
  sumSquares,
  scale,
  createStepper: createRefStepper,
};
