/**
 * Seeing why gated cells exist: gradient flow ‖∂J(T)/∂h(t)‖ by autodiff, long-distance recall and
 * adding tasks, exploding gradients and clipping, and LSTM gate activations. Browser-safe (no
 * node:fs); the CLI commands in cli/commands/analysis.ts write the files.
 */
export { hiddenGradNorms, lossFromState, stateAt } from "./gradient-flow.js";
export {
  type FlowExperimentOptions, type FlowPhase, type FlowRow, type TrainStepsOptions,
  flowBatch, flowModel, gradientFlowExperiment, trainLmSteps, flowChart, normAt, normRatio,
} from "./flow-experiment.js";
export { type ExplodingOptions, type ExplodingResult, type TrainingCurve, explodingExperiment } from "./exploding.js";
export {
  type LongRangeTask, type LongRangeOptions, type LongRangeResult, type LongRangeSummary,
  DEFAULT_GATE_BIAS, DEFAULT_STEPS, DEFAULT_BATCH, DEFAULT_SEEDS, ADDING_BASELINE, summarizeLongRange, recallBatch, addingBatch, setGateBias, runLongRange, longRangeExperiment, longRangeChart,
} from "./long-range.js";
export { type LstmLayerGates, lstmGates, rowMeans } from "./gates.js";
export { type GateSummaryRow, type UnitView, UNIT_VIEWS, gateSummary, gateCharts } from "./gates-chart.js";
export { toCsv } from "./csv.js";
export { CELL_LABEL, CELL_COLOR } from "./style.js";
