/**
 * How a text longer than the model's context is fed to it — stated, never silent:
 *
 * - "chunk" (default): the text's token ids (without special tokens) are cut into windows of
 *   W = maxLength − |prefix| − |suffix| tokens; consecutive windows share `stride` tokens, i.e.
 *   window starts are 0, W − stride, 2(W − stride), …, and the last window is aligned to the end of
 *   the text so every window is full. Each window is wrapped in the tokenizer's own special tokens
 *   ([CLS] … [SEP] for BERT, <s> … </s> for RoBERTa), classified, and the window probabilities are
 *   averaged: p(c | text) = (1/M) Σ_m p(c | window m).
 * - "truncate": one window, the first W tokens (what the HF pipeline does by default).
 *
 * A text of n ≤ W tokens is always one window, whatever the mode.
 */

export type LongTextMode = "chunk" | "truncate";
export const LONG_TEXT_MODES: readonly LongTextMode[] = ["chunk", "truncate"];

export interface WindowSpec {
  mode: LongTextMode;
  /** Content tokens per window (W above, special tokens excluded). */
  width: number;
  /** Tokens shared by consecutive windows (chunk mode), 0 ≤ stride < width. */
  stride: number;
}

/** Default overlap: a quarter of the window. */
export const defaultStride = (width: number): number => Math.floor(width / 4);

export function checkWindowSpec(s: WindowSpec): void {
  if (!Number.isInteger(s.width) || s.width < 1) throw new RangeError(`long-text windows: width must be a positive integer number of tokens, got ${s.width} (hint: the model's maximum length must leave room for its special tokens)`);
  if (!Number.isInteger(s.stride) || s.stride < 0 || s.stride >= s.width) throw new RangeError(`long-text windows: stride must be an integer in [0, ${s.width}) (the window width), got ${s.stride}`);
}

/**
 * Start offsets of the windows over n content tokens (n ≥ 0): [0] when the text fits or in
 * truncate mode; otherwise 0, step, 2·step, … (step = width − stride) while the window ends before
 * n, then a last window starting at n − width.
 */
export function windowStarts(n: number, s: WindowSpec): number[] {
  checkWindowSpec(s);
  if (n <= s.width || s.mode === "truncate") return [0];
  const step = s.width - s.stride;
  const starts: number[] = [];
  for (let a = 0; a + s.width < n; a += step) starts.push(a);
  starts.push(n - s.width);
  return starts;
}

/** The windows' token ids, each wrapped in `prefix` … `suffix`. */
export function makeWindows(ids: readonly number[], prefix: readonly number[], suffix: readonly number[], s: WindowSpec): number[][] {
  return windowStarts(ids.length, s).map((a) => [...prefix, ...ids.slice(a, a + s.width), ...suffix]);
}
