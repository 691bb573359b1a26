/**
 * Pretrained Hugging Face text classifiers (`--model hf:<hub id or folder>`) through the optional
 * dependency @huggingface/transformers, offline by default.
 */
export { type HfLoadOptions, type HfPredictOptions, type HfRunStats, type HfPrediction, HfTextClassifier } from "./classifier.js";
export { type HfEvaluation, evaluateHfClassifier } from "./evaluate.js";
export { type LabelMapping, mapLabels, parseLabelMap, toDatasetProbs } from "./labels.js";
export { type HfModelSource, type ResolveHfOptions, type ResolvedHfModel, isHfSpec, parseHfSpec, resolveHfModel, defaultHfCacheDir } from "./resolve.js";
export { type LongTextMode, type WindowSpec, LONG_TEXT_MODES, windowStarts, makeWindows } from "./windows.js";
export { loadTransformersLibrary, HF_PACKAGE } from "./library.js";
