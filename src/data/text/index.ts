/**
 * Text pipeline for classification: HTML clean-up, tokenisation, vocabulary, truncation/padding.
 * Browser-safe (no node: imports).
 */
export { stripHtml } from "./html.js";
export { type TokenizeOptions, tokenize, whitespaceTokenize } from "./tokenize.js";
export { normalizeText } from "./normalize.js";
export { PAD_TOKEN, UNK_TOKEN, PAD_ID, UNK_ID, type VocabularyOptions, type VocabularyJSON, Vocabulary, countTokens } from "./vocabulary.js";
export { type TruncateMode, type TruncateOptions, truncateIds, padSequences } from "./sequence.js";
