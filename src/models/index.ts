export { LanguageModel, detachState, type LanguageModelConfig, type LmState } from "./language-model.js";
export { SequenceClassifier, type SequenceClassifierConfig, type Pooling } from "./sequence-classifier.js";
export type { RecurrentLm } from "./recurrent-lm.js";
export { CELL_TYPES, parseCell, makeRecurrent, type CellType } from "./cell.js";
export { AwdLstm, detachAwdState, type AwdLstmConfig, type AwdState, type AwdMasks, type AwdEncoding, type AwdLossResult } from "./awd-lstm.js";
export { LmClassifier, type LmClassifierConfig } from "./lm-classifier.js";
export { type TextClassifier, type TextClassifierConfig, buildTextClassifier, textClassifierConfig, describeClassifier } from "./text-classifier.js";
