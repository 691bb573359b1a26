/** A language model's vocabulary with exactly these tokens in id order (tests and benches that need fixed ids). */
import type { TokenizerSpec } from "../../src/data/text/tokenize.js";
import { type LmVocabulary, Vocabulary } from "../../src/data/text/vocabulary.js";

export function lmVocab(tokens: readonly string[], tokenizer: TokenizerSpec, unk: string | null): LmVocabulary {
  return new Vocabulary(tokens, { pad: null, unk, tokenizer }) as LmVocabulary;
}
