/**
 * rnnkit for browsers: the library minus everything that needs Node (file system, native addon,
 * downloads, CLI). Bundled by scripts/build-browser.mjs into dist/browser/rnnkit.js, with
 * rnnkit.wasm, rnnkit-relaxed.wasm, rnnkit-relaxed-mt.wasm and rnnkit-pool-worker.js (threads) beside
 * it. Nothing reachable from this file may import a
 * node: builtin; the bundler is set to fail the build if something does.
 *
 *   import * as rnnkit from "./rnnkit.js";
 *   await rnnkit.init();                                   // wasm SIMD kernels (ref if unavailable)
 *   const bytes = new Uint8Array(await (await fetch("model.safetensors")).arrayBuffer());
 *   const clf = rnnkit.loadClassifierFromBytes(bytes);
 *   rnnkit.classifyTexts(clf, ["The movie was terribly exciting!"]);   // [{ label, prob, … }]
 *
 * Checkpoints are read from and written to bytes (fetch, file inputs, downloads), never paths.
 */
import { type InitOptions, type InitResult, initBackend } from "./kernels/init.js";
import { backend } from "./kernels/registry.js";

/**
 * This module's folder, where rnnkit.wasm is looked for by default; undefined when a bundler has
 * emptied `import.meta` (an IIFE or CommonJS re-bundle) — then `init({ wasm })` says where it is.
 */
function moduleFolder(): URL | undefined {
  try {
    return new URL(".", import.meta.url);
  } catch {
    return undefined;
  }
}

/**
 * Load the wasm backend (fetched from next to this module unless `options.wasm` gives a URL or
 * the bytes) and install it; falls back to the reference backend with a console warning when the
 * engine lacks WebAssembly SIMD. The library works before init() resolves, just on ref.
 * Re-bundled by another bundler, pass `wasm` (the URL where rnnkit.wasm is served, or its bytes).
 */
export function init(options: InitOptions = {}): Promise<InitResult> {
  const base = options.wasm === undefined && options.base === undefined ? moduleFolder() : undefined;
  return initBackend({ ...(base ? { base } : {}), ...options });
}
export type { InitOptions, InitResult, WasmSource } from "./kernels/init.js";

/** The active backend's name ("wasm" or "ref"), e.g. to show which one ran. */
export const backendName = (): string => backend().name;

// tensors, autograd, kernels
export * from "./tensor/index.js";
export { backend, setBackend } from "./kernels/registry.js";
export { refBackend } from "./kernels/ref/index.js";
export { createWasmBackend, type WasmBackendOptions } from "./kernels/wasm/backend.js";
export { type WasmFlavor, simdSupported, relaxedSimdSupported } from "./kernels/wasm/load.js";
export { threadsUnavailable } from "./kernels/wasm/web-threads.js";
export type { Backend } from "./kernels/backend.js";

// layers, optimisers, models, serialisation (bytes in, bytes out)
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as safetensors from "./io/safetensors.js";
export { type CheckpointMeta, encodeCheckpoint, decodeCheckpoint, LM_KIND, type LoadedLm, type LoadedAnyLm, loadLmFromBytes, loadAnyLmFromBytes, lmToBytes, CLASSIFIER_KIND, type ClassifierBundle, type TextPipeline, loadClassifierFromBytes, classifierToBytes } from "./io/checkpoint-bytes.js";
export * from "./models/index.js";

// language modelling
export { type SplitFractions, type TokenSplits, DEFAULT_SPLIT, splitStream } from "./data/corpus/split.js";
export { type BatchedStream, type BpttWindow, batchify, bpttWindows, countBpttWindows } from "./data/corpus/batchify.js";
export { type SplitStats, type EncodedCorpus, encodeCorpus } from "./data/corpus/encode.js";
export { trainLoop, type TrainTask, type TrainLoopOptions, type TrainLoopResult, type TrainerSnapshot, type TrainerState, type StepOutput, type StepPosition, type StepEvent, type EpochRecord, type Validation, type StopReason, type SnapshotReason } from "./train/loop.js";
export { trainLm, lmTask, type TrainLmOptions, type TrainLmResult, type LmStepInfo, type LmEpochInfo } from "./lm/train.js";
export { evaluateLm, type LmEvalResult } from "./lm/evaluate.js";
export { predictNext, scoreText, generate, encodePrompt, type NextToken, type ScoredToken, type GenerateOptions } from "./lm/predict.js";
export { sampleToken, TokenSampler, type SamplingOptions } from "./lm/sampling.js";
export { LmStepper } from "./lm/step.js";

// text classification
export * from "./data/text/index.js";
export { type Example, type TextDataset, labelCounts } from "./data/sentiment/types.js";
export { DataFormatError } from "./data/sentiment/errors.js";
export { type TextEncoding, type EncodingOption, type DecodedText, decodeBytes, firstInvalidUtf8 } from "./data/sentiment/encoding.js";
export { forEachLine } from "./data/sentiment/lines.js";
export { labelSet, encodeLabels } from "./data/sentiment/labels.js";
export { type CsvRecord, type CsvOptions, parseDelimited } from "./data/sentiment/csv.js";
export { type ValidationSplitOptions, type Fold, trainValidationSplit, stratifiedKFold } from "./data/sentiment/splits.js";
export { type EncodedDataset, type EncodeOptions, type Batch, type BatchOptions, tokenizeAll, encodeDataset, makeBatches, collate } from "./data/sentiment/batching.js";
export { type Neighbor, WordVectors } from "./embeddings/word-vectors.js";
export { type EmbeddingMatrixOptions, type CoverageReport, type EmbeddingMatrix, buildEmbeddingMatrix, formatCoverage } from "./embeddings/matrix.js";
export { type Word2VecOptions, type Word2VecResult, trainWord2Vec } from "./embeddings/word2vec.js";
export * from "./baselines/index.js";
export * from "./eval/metrics.js";
export { trainClassifier, classifierTask, evaluateLossAcc, type TrainClassifierOptions, type TrainClassifierResult } from "./sentiment/train.js";
export { predictProba, evaluateClassifier } from "./sentiment/evaluate.js";
export { classifyTexts, type Prediction } from "./sentiment/classify.js";

// analysis and charts (SVG strings; the page decides where they go)
export * from "./analysis/index.js";
export * from "./viz/index.js";
