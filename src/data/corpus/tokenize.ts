/**
 * Language-model tokenisation: a text becomes one flat token stream.
 *
 * - `char` level: every Unicode code point is a token, newlines included (Tiny Shakespeare / char-rnn
 *   practice). Nothing is added or removed; `lower` is off by default.
 * - `word` level, `ptb` style (pre-tokenised corpora: PTB, WikiText, PyTorch's train/valid/test.txt):
 *   each line is split on whitespace and `<eos>` is appended, exactly as PyTorch's
 *   word_language_model `data.py` does (`line.split() + ['<eos>']`, so an empty line gives a lone
 *   `<eos>`). No case folding unless `lower` is set.
 * - `word` level, `prose` style (raw books, speeches): lower-cased by default, punctuation split off
 *   by the text tokeniser of `data/text` ("don't" and "whale's" stay whole, "sea-captain" stays
 *   whole, "." "," "—" are tokens); one `<eos>` at the end of every paragraph, where a paragraph is
 *   a run of non-blank lines, so hard-wrapped book lines (Moby Dick is wrapped at ~72 columns) do
 *   not produce an `<eos>` every few words.
 *
 * Files are normalised before tokenising (CRLF → LF, BOM dropped; see `text-file.ts`).
 */
import { tokenize as textTokenize } from "../text/tokenize.js";

export type LmLevel = "char" | "word";
export type WordStyle = "ptb" | "prose";

/** How a text is cut into tokens; stored with the vocabulary so prompts are tokenised the same way. */
export interface TokenizerSpec {
  level: LmLevel;
  /** Word level only: `ptb` (whitespace split, `<eos>` per line) or `prose` (see the file comment). */
  wordStyle: WordStyle;
  /** Lower-case the text first. */
  lower: boolean;
  /** End-of-sentence token (word level); "" at char level. */
  eos: string;
}

export const EOS_TOKEN = "<eos>";

/** Fill in the defaults: char → lower false; word/ptb → lower false; word/prose → lower true; eos "<eos>". */
export function resolveTokenizer(opts: { level: LmLevel; wordStyle?: WordStyle; lower?: boolean; eos?: string }): TokenizerSpec {
  if (opts.level !== "char" && opts.level !== "word") throw new RangeError(`tokenizer: level must be "char" or "word", got ${JSON.stringify(opts.level)}`);
  const wordStyle = opts.wordStyle ?? "ptb";
  if (wordStyle !== "ptb" && wordStyle !== "prose") throw new RangeError(`tokenizer: wordStyle must be "ptb" or "prose", got ${JSON.stringify(wordStyle)}`);
  if (opts.level === "char") return { level: "char", wordStyle, lower: opts.lower ?? false, eos: "" };
  const eos = opts.eos ?? EOS_TOKEN;
  if (eos === "" || /\s/.test(eos)) throw new RangeError(`tokenizer: eos must be a non-empty token without spaces, got ${JSON.stringify(eos)}`);
  return { level: "word", wordStyle, lower: opts.lower ?? wordStyle === "prose", eos };
}

/** Every code point of the text (surrogate pairs stay together). */
export function charTokens(text: string): string[] {
  return Array.from(text);
}

const NON_ASCII_SPACE = /\s/;

/**
 * PyTorch word_language_model: per line, whitespace split + eos. A final newline does not start a
 * new line; a last line without one still gets its eos. (One pass over code units, no per-line
 * regex: tokenising PTB train takes ~0.1 s.)
 */
export function ptbTokens(text: string, eos: string = EOS_TOKEN): string[] {
  const out: string[] = [];
  const n = text.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || (c > 127 && NON_ASCII_SPACE.test(text[i]!));
    if (space) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
      if (c === 10) out.push(eos);
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(text.slice(start));
  if (n > 0 && text.charCodeAt(n - 1) !== 10) out.push(eos);
  return out;
}

/** Prose: text tokeniser per paragraph, eos after each paragraph (a run of non-blank lines). */
export function proseTokens(text: string, lower: boolean, eos: string = EOS_TOKEN): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  let inParagraph = false;
  let para: string[] = [];
  const flush = (): void => {
    if (!inParagraph) return;
    for (const t of textTokenize(para.join("\n"), { lowercase: lower, stripHtml: false })) out.push(t);
    out.push(eos);
    para = [];
    inParagraph = false;
  };
  for (const line of lines) {
    if (line.trim() === "") flush();
    else {
      para.push(line);
      inParagraph = true;
    }
  }
  flush();
  return out;
}

/**
 * Tokenise a text with a spec.
 *   tokenizeLm("Hi.\n", resolveTokenizer({ level: "char" })) → ["H", "i", ".", "\n"]
 *   tokenizeLm(" the cat \n", resolveTokenizer({ level: "word" })) → ["the", "cat", "<eos>"]
 */
export function tokenizeLm(text: string, spec: TokenizerSpec): string[] {
  if (spec.level === "char") return charTokens(spec.lower ? text.toLowerCase() : text);
  if (spec.wordStyle === "prose") return proseTokens(text, spec.lower, spec.eos);
  return ptbTokens(spec.lower ? text.toLowerCase() : text, spec.eos);
}

const NO_SPACE_BEFORE = new Set([".", ",", ";", ":", "!", "?", ")", "]", "}", "'s", "n't", "'re", "'ve", "'ll", "'d", "'m"]);
const NO_SPACE_AFTER = new Set(["(", "[", "{"]);

/**
 * Tokens back to text. Char level: concatenation. Word level: tokens joined by spaces, `eos` →
 * newline; in prose style no space before closing punctuation / clitics or after opening brackets
 * (a display convenience, not an exact inverse).
 */
export function detokenize(tokens: readonly string[], spec: TokenizerSpec): string {
  if (spec.level === "char") return tokens.join("");
  const prose = spec.wordStyle === "prose";
  let s = "";
  let lineStart = true;
  let prev = "";
  for (const t of tokens) {
    if (t === spec.eos) {
      s += "\n";
      lineStart = true;
      continue;
    }
    const space = !lineStart && !(prose && (NO_SPACE_BEFORE.has(t) || NO_SPACE_AFTER.has(prev)));
    s += space ? " " + t : t;
    lineStart = false;
    prev = t;
  }
  return s;
}
