/**
 * rnnkit: recurrent neural networks for Node.js and the browser.
 *
 * Layers (imports point down only):
 *   kernels (ref / wasm / native) → tensor + autograd → nn layers → models
 *   → lm, sentiment, analysis (training and use), with data, embeddings, baselines, io, viz → cli
 */
import "./kernels/select.js"; // installs the fastest backend this machine offers
export * from "./tensor/index.js";
export { backend, setBackend } from "./kernels/registry.js";
export { selectBackend, availableBackends, ready, type BackendName } from "./kernels/select.js";
export { loadNativeBackend } from "./kernels/native/index.js";
export type { Backend } from "./kernels/backend.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as safetensors from "./io/safetensors.js";
export { checkpointToHalf, exportHalfFile, type HalfResult } from "./export/half/index.js";
export { saveCheckpoint, readCheckpoint, encodeCheckpoint, decodeCheckpoint, type CheckpointMeta, saveLm, loadLm, loadAnyLm, loadLmFromBytes, loadAnyLmFromBytes, lmToBytes, LM_KIND, type LoadedLm, type LoadedAnyLm, saveClassifier, loadClassifier, loadClassifierFromBytes, classifierToBytes, CLASSIFIER_KIND, type ClassifierBundle, type TextPipeline } from "./io/checkpoint.js";
export * from "./models/index.js";

// language modelling
export * from "./data/corpus/index.js";
export * from "./data/download/index.js";
// training (one loop for every model)
export { trainLoop, type TrainTask, type TrainLoopOptions, type TrainLoopResult, type TrainerSnapshot, type TrainerState, type StepOutput, type StepPosition, type StepEvent, type EpochRecord, type Validation, type StopReason, type SnapshotReason } from "./train/loop.js";
export { claimOutput, checkOutputPath, type OutputLock } from "./train/output.js";
export { saveSnapshot, loadSnapshot, trainingStatePath } from "./train/snapshot-file.js";
export { trainLm, lmTask, type TrainLmOptions, type TrainLmResult, type LmStepInfo, type LmEpochInfo } from "./lm/train.js";
export { evaluateLm, type LmEvalResult } from "./lm/evaluate.js";
export { predictNext, scoreText, generate, encodePrompt, type NextToken, type ScoredToken, type GenerateOptions } from "./lm/predict.js";
export { sampleToken, TokenSampler, type SamplingOptions } from "./lm/sampling.js";
export { LmStepper } from "./lm/step.js";
export { trainLanguageModel, type LmRunOptions, type LmRunHooks, type LmRunResult } from "./lm/session.js";
export { ulmfit, ulmfitPaths, ULMFIT_LM_DEFAULTS, type UlmfitOptions, type UlmfitHooks, type UlmfitResult, type UlmfitState, type UlmfitBudget, type UlmfitStackSummary, type UlmfitResultSummary } from "./recipes/ulmfit.js";

// text classification
export * from "./data/text/index.js";
export * from "./data/sentiment/index.js";
export * from "./embeddings/index.js";
export * from "./baselines/index.js";
export * from "./eval/metrics.js";
export { trainClassifier, classifierTask, evaluateLossAcc, type TrainClassifierOptions, type TrainClassifierResult } from "./sentiment/train.js";
export { predictProba, evaluateClassifier } from "./sentiment/evaluate.js";
export { evaluateExamples, type EvaluateExamplesOptions, type EvaluateExamplesResult } from "./sentiment/evaluate-examples.js";
export { stackWithBaseline, fitLogistic2, fitConditionalLogit, type StackOptions, type StackReport, type StackData, type StackAccuracies } from "./sentiment/stack.js";
export { classifyTexts, type Prediction } from "./sentiment/classify.js";
export { loadSentimentData, SENTIMENT_DATASETS, type SentimentData, type SentimentDatasetName } from "./sentiment/datasets.js";
export { loadExtraTraining, type ExtraTraining } from "./sentiment/extra-train.js";
export { trainSentimentModel, type SentimentRunOptions, type SentimentRunResult } from "./sentiment/session.js";
export { compareModels, formatCompareTable, COMPARE_MODELS, type CompareOptions, type CompareResult, type CompareRow } from "./sentiment/compare.js";
export * from "./transformers/index.js";

// analysis
export * from "./analysis/index.js";

// using models elsewhere
export { lmToOnnx, classifierToOnnx, checkpointToOnnx, recurrentToOnnx, decodeModel as decodeOnnxModel, ONNX_OPSET } from "./export/onnx/index.js";
export { exportOnnxFile, type ExportOnnxResult } from "./export/onnx/file.js";
export { encodeDataFile, type EncodeDataOptions, type EncodeDataResult } from "./export/torch-data.js";
export { createServer, type ServeOptions, type ServeLimits, type RnnkitServer } from "./serve/server.js";

// charts
export * from "./viz/index.js";
export { writeChart } from "./viz/write.js";
