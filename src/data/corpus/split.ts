/**
 * Splitting one token stream into train / valid / test by position (no shuffling: text order
 * matters for an LM). The tail is held out: train = first part, valid = next, test = last, as
 * nanoGPT's shakespeare_char (`data[:int(n*0.9)]`) and char-rnn (`train_frac`, `val_frac`) do.
 *
 * Cut points are at token indices `round(n·(1 − valid − test))` and `round(n·(1 − test))`. At word
 * level, when an `eos` token is given, each cut moves forward to just after the next `eos`, so no
 * sentence / paragraph straddles two splits, unless that `eos` lies beyond the next cut (one huge
 * paragraph): then the exact index is used.
 */

export interface SplitFractions {
  /** Fraction of tokens held out for validation. */
  valid: number;
  /** Fraction of tokens held out for test (after validation). */
  test: number;
}

/** Defaults: char 90 / 10 / 0 (Tiny Shakespeare practice), word 80 / 10 / 10 (test perplexity is reported for word LMs). */
export const DEFAULT_SPLIT: Readonly<Record<"char" | "word", SplitFractions>> = {
  char: { valid: 0.1, test: 0 },
  word: { valid: 0.1, test: 0.1 },
};

export interface TokenSplits<T> {
  train: T[];
  valid: T[];
  test: T[];
}

/** Move a cut forward to just after the next eos, if that eos lies before `limit - 1` (so the next split keeps a token). */
function cutAfterEos<T>(tokens: readonly T[], at: number, limit: number, eos: T | undefined): number {
  if (eos === undefined) return at;
  for (let i = Math.max(0, at - 1); i + 1 < limit; i++) if (tokens[i] === eos) return i + 1;
  return at;
}

/**
 * Split a stream by fractions.
 *   splitStream(chars, { valid: 0.1, test: 0 }) → { train: first 90%, valid: last 10%, test: [] }
 */
export function splitStream<T>(tokens: readonly T[], fr: SplitFractions, eos?: T): TokenSplits<T> {
  const { valid, test } = fr;
  for (const [k, v] of [
    ["valid", valid],
    ["test", test],
  ] as const) {
    if (!(v >= 0 && v < 1)) throw new RangeError(`splitStream: ${k} fraction must be in [0, 1), got ${v}`);
  }
  if (!(valid + test < 1)) throw new RangeError(`splitStream: valid + test = ${valid + test} leaves nothing to train on (must be < 1)`);
  const n = tokens.length;
  const bExact = test > 0 ? Math.round(n * (1 - test)) : n;
  const a = valid > 0 || test > 0 ? cutAfterEos(tokens, Math.round(n * (1 - valid - test)), valid > 0 ? bExact : n, eos) : n;
  const b = test > 0 ? Math.max(a, cutAfterEos(tokens, bExact, n, eos)) : n;
  return { train: tokens.slice(0, a), valid: tokens.slice(a, b), test: tokens.slice(b) };
}
