/**
 * Text normalisation for classification: the tokeniser's output (lower-cased, HTML stripped,
 * punctuation separated, "don't" kept whole) re-joined with single spaces.
 */
import { tokenize, type TokenizeOptions } from "./tokenize.js";

/**
 * The normalised form of a text: tokens (see `tokenize`) joined by single spaces.
 *   normalizeText("I don't like it.<br />Really!!") → "i don't like it . really !!"
 */
export function normalizeText(text: string, opts: TokenizeOptions = {}): string {
  return tokenize(text, opts).join(" ");
}
