/**
 * Language-model corpora: loading, tokenisation, vocabulary, BPTT batching.
 * (`tokenize`, `vocab`, `split`, `batchify` are browser-safe; `load`, `text-file`, `embedded` use node:fs.)
 */
export { type SplitFractions, type TokenSplits, DEFAULT_SPLIT, splitStream } from "./split.js";
export { type BatchedStream, type BpttWindow, batchify, bpttWindows, countBpttWindows } from "./batchify.js";
export { decodeCorpusBytes, readCorpusFile, readCorpusFolder, listTextFiles } from "./text-file.js";
export { type EmbeddedCorpusName, EMBEDDED_CORPORA, embeddedCorpus, defaultCorpus } from "./embedded.js";
export { type CorpusDatasetName, type LoadCorpusOptions, type CorpusOrigin, type Corpus, CORPUS_DATASETS, findSplitFiles, loadCorpus, loadCorpusSync } from "./load.js";
export { type SplitStats, type EncodedCorpus, encodeCorpus } from "./encode.js";
