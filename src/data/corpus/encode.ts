/**
 * From token streams to id streams: build the `LmVocabulary` on the training split (or reuse a saved
 * one, e.g. when evaluating a checkpoint) and encode all three splits.
 */
import type { Corpus } from "./load.js";
import { type LmVocabulary, type StreamVocabularyOptions, Vocabulary } from "../text/vocabulary.js";

export interface SplitStats {
  tokens: number;
  /** Tokens not in the vocabulary (mapped to unk, or dropped when the vocabulary has no unk). */
  unknown: number;
  unknownRate: number;
}

export interface EncodedCorpus {
  vocab: LmVocabulary;
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
  stats: { train: SplitStats; valid: SplitStats; test: SplitStats };
}

/**
 * Encode a corpus. With `vocab` given it is reused (its tokenizer must match the corpus's);
 * otherwise one is built from `corpus.train` with `opts`.
 *   const { vocab, train, valid } = encodeCorpus(await loadCorpus({ dataset: "ptb" }));  // vocab.size 10000
 */
export function encodeCorpus(corpus: Corpus, opts: StreamVocabularyOptions & { vocab?: LmVocabulary } = {}): EncodedCorpus {
  const vocab = opts.vocab ?? Vocabulary.fromStream(corpus.train, corpus.tokenizer, opts);
  if (opts.vocab !== undefined) {
    const a = vocab.tokenizer;
    const b = corpus.tokenizer;
    if (a.level !== b.level || (a.level === "word" && (a.wordStyle !== b.wordStyle || a.eos !== b.eos)) || a.lower !== b.lower) {
      throw new Error(
        `encodeCorpus: the vocabulary was built for ${JSON.stringify(a)} but the corpus "${corpus.name}" is tokenised as ${JSON.stringify(b)} (hint: load the corpus with the vocabulary's level / wordStyle / lower / eos)`,
      );
    }
  }
  const enc = (tokens: readonly string[]): { ids: Int32Array; s: SplitStats } => {
    const r = vocab.encodeWithStats(tokens);
    return { ids: r.ids, s: { tokens: r.total, unknown: r.unknown, unknownRate: r.unknownRate } };
  };
  const tr = enc(corpus.train);
  const va = enc(corpus.valid);
  const te = enc(corpus.test);
  return { vocab, train: tr.ids, valid: va.ids, test: te.ids, stats: { train: tr.s, valid: va.s, test: te.s } };
}
