/**
 * Sentiment / text-classification datasets: readers, splits, batching.
 * The dataset readers use node:fs (Node only). Browser code can import the fs-free modules
 * directly: types, errors, encoding, lines, csv, labels, splits, rng, batching.
 */
export { type Example, type TextDataset, labelCounts } from "./types.js";
export { DataFormatError } from "./errors.js";
export { type TextEncoding, type EncodingOption, type DecodedText, decodeBytes, firstInvalidUtf8 } from "./encoding.js";
export { forEachLine } from "./lines.js";
export { readTextFile } from "./read-file.js";
export { labelSet, encodeLabels } from "./labels.js";
export { IMDB_LABELS, type ImdbExample, parseImdbTsv, readImdbTsv, readImdbFolder } from "./imdb.js";
export { POLARITY_LABELS, type PolarityFiles, readRtPolarity } from "./polarity.js";
export { type SstGranularity, SST_LABELS, parseSst, readSst, readSstSplits } from "./sst.js";
export { PHRASEBANK_LABELS, type PhraseBankAgreement, parsePhraseBank, readPhraseBank } from "./phrasebank.js";
export { type CsvRecord, type CsvOptions, parseDelimited } from "./csv.js";
export { type TabularFormat, type TabularOptions, parseTabular, readTabular } from "./tabular.js";
export { type ValidationSplitOptions, type Fold, trainValidationSplit, stratifiedKFold } from "./splits.js";
export { type EncodedDataset, type EncodeOptions, type Batch, type BatchOptions, tokenizeAll, encodeDataset, makeBatches, collate } from "./batching.js";
export { BOOSTERS, type BatchAugment, type BoosterSwapOptions, boosterSwap } from "./augment.js";
export { NEGATIVE_ADJECTIVES, NEGATIVE_PARTICIPLES, NEGATIVE_VERBS, NEGATION_FORMS, NEGATION_RULES, POSITIVE_ADJECTIVES, POSITIVE_PARTICIPLES, POSITIVE_VERBS, type NegationForm, type NegationRules, type NegationPairs, type NegationPairsOptions, negationPairs, positiveLabelIndex } from "./negation.js";
