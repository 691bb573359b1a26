/**
 * Text pipeline for classifiers and language models: HTML clean-up, tokenisation, vocabulary,
 * truncation/padding.
 * Browser-safe (no node: imports).
 */
export { stripHtml } from "./html.js";
export { type TokenizeOptions, tokenize, whitespaceTokenize, type LmLevel, type WordStyle, type TokenizerSpec, EOS_TOKEN, resolveTokenizer, tokenizeLm, detokenize, charTokens, ptbTokens, proseTokens } from "./tokenize.js";
export { normalizeText } from "./normalize.js";
export { PAD_TOKEN, UNK_TOKEN, PAD_ID, UNK_ID, type VocabularyOptions, type StreamVocabularyOptions, type VocabularyJSON, type StreamVocabularyJSON, type VocabularyInfo, type EncodeStats, type LmVocabulary, Vocabulary, countTokens } from "./vocabulary.js";
export { type TruncateMode, type TruncateOptions, truncateIds, padSequences } from "./sequence.js";
