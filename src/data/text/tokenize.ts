/**
 * Tokenisation, the one module for classifiers and language models.
 *
 * ## Words in review text (`tokenize`; classifiers, and language models in `prose` style)
 *
 * A fast rule-based word tokeniser for English text (one pass over UTF-16 code units; no
 * regex per character). Rules, applied after optional lower-casing and HTML stripping:
 *
 * - A word is a run of letters, digits and combining marks (Unicode \p{L}\p{N}\p{M}, plus `_`).
 * - An apostrophe (' or ’, normalised to ') between two letters stays inside the word:
 *   "don't", "o'clock", "rock'n'roll", PTB-style "n't".
 * - A leading clitic after a space is one token: "'s", "'re", "'ve", "'ll", "'d", "'m", "'t"
 *   (so pre-tokenised text such as SST's "it 's" is unchanged).
 * - A hyphen between two word characters stays inside the word ("re-imagining") unless
 *   `splitHyphens` is set.
 * - '.' or ',' between two digits stays inside a number ("34.9", "1,000").
 * - Every other non-space character is punctuation; a run of the same punctuation character is one
 *   token ("...", "!!!", "--"), different characters are separate tokens ("?!" → "?", "!").
 * - With `contractions: "split"`, clitics are split off PTB-style, as GloVe and word2vec corpora
 *   were tokenised: "don't" → "do" "n't", "can't" → "ca" "n't", "it's" → "it" "'s", "i'm" → "i" "'m".
 *
 * ## Language-model token streams (`tokenizeLm` with a `TokenizerSpec`)
 *
 * A text becomes one flat token stream:
 * - `char` level: every Unicode code point is a token, newlines included (Tiny Shakespeare / char-rnn
 *   practice). Nothing is added or removed; `lower` is off by default.
 * - `word` level, `ptb` style (pre-tokenised corpora: PTB, WikiText, PyTorch's train/valid/test.txt):
 *   each line is split on whitespace and `<eos>` is appended, exactly as PyTorch's
 *   word_language_model `data.py` does (`line.split() + ['<eos>']`, so an empty line gives a lone
 *   `<eos>`). No case folding unless `lower` is set.
 * - `word` level, `prose` style (raw books, speeches): lower-cased by default, punctuation split off
 *   by `tokenize` above ("don't" and "whale's" stay whole, "sea-captain" stays
 *   whole, "." "," "—" are tokens); one `<eos>` at the end of every paragraph, where a paragraph is
 *   a run of non-blank lines, so hard-wrapped book lines (Moby Dick is wrapped at ~72 columns) do
 *   not produce an `<eos>` every few words.
 *
 * Corpus files are normalised before tokenising (CRLF → LF, BOM dropped; see
 * `data/corpus/text-file.ts`).
 */
import { stripHtml } from "./html.js";

export interface TokenizeOptions {
  /** Lower-case the text first (default true). */
  lowercase?: boolean;
  /** Replace HTML tags such as `<br />` with spaces and decode entities (default true). */
  stripHtml?: boolean;
  /** Split "well-made" into "well", "-", "made" (default false: keep hyphenated words). */
  splitHyphens?: boolean;
  /** "keep" (default): "don't" is one token; "split": PTB-style "do" "n't" (better GloVe coverage). */
  contractions?: "keep" | "split";
}

const CLITIC = /^(.+?)('s|'re|'ve|'ll|'d|'m)$/;

/** Push a word, splitting a final clitic PTB-style ("don't" → "do", "n't"). */
function pushSplit(out: string[], w: string): void {
  if (w.length > 3 && w.endsWith("n't")) {
    out.push(w.slice(0, -3), "n't");
    return;
  }
  const m = CLITIC.exec(w);
  if (m !== null) out.push(m[1]!, m[2]!);
  else out.push(w);
}

// Character classes for code units < 128.
const enum C {
  Space = 0,
  Word = 1,
  Punct = 2,
}
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (c <= 32 || c === 127) ASCII[c] = C.Space;
  else if (/[A-Za-z0-9_]/.test(ch)) ASCII[c] = C.Word;
  else ASCII[c] = C.Punct;
}
// Non-ASCII BMP code units, classified lazily: 0 = unknown, 1 + class otherwise.
const BMP = new Uint8Array(65536);
const WORD_RE = /^[\p{L}\p{N}\p{M}]$/u;
const SPACE_RE = /^\s$/u;

function classOf(code: number): C {
  if (code < 128) return ASCII[code] as C;
  const k = BMP[code]!;
  if (k !== 0) return (k - 1) as C;
  const ch = String.fromCharCode(code);
  let cls: C;
  if (code >= 0xd800 && code <= 0xdfff) cls = C.Punct; // surrogate halves: symbols such as emoji
  else if (WORD_RE.test(ch)) cls = C.Word;
  else if (SPACE_RE.test(ch) || code === 0xfeff || code === 0x200b) cls = C.Space;
  else cls = C.Punct;
  BMP[code] = cls + 1;
  return cls;
}

const APOS = 39; // '
const RSQUO = 0x2019; // ’
const HYPHEN = 45;
const isLetterOrDigit = (code: number): boolean => classOf(code) === C.Word;
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isApostrophe = (code: number): boolean => code === APOS || code === RSQUO;

/** Length of a clitic ("s", "re", "ve", "ll", "d", "m", "t") starting at i, followed by a non-word char; 0 if none. */
function cliticLength(s: string, i: number): number {
  const a = s.charCodeAt(i) | 32;
  const b = s.charCodeAt(i + 1);
  const bLow = b | 32;
  let len = 0;
  if (a === 115 || a === 100 || a === 109 || a === 116) len = 1; // s d m t
  if ((a === 114 && bLow === 101) || (a === 118 && bLow === 101) || (a === 108 && bLow === 108)) len = 2; // re ve ll
  if (len === 0) return 0;
  const after = s.charCodeAt(i + len);
  return Number.isNaN(after) || !isLetterOrDigit(after) ? len : 0;
}

/**
 * Split a text into tokens following the rules in the file comment.
 *   tokenize("I don't like it.<br />Really!!") → ["i", "don't", "like", "it", ".", "really", "!!"]
 */
export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  let s = text;
  if (opts.stripHtml ?? true) s = stripHtml(s);
  if (opts.lowercase ?? true) s = s.toLowerCase();
  const splitHyphens = opts.splitHyphens ?? false;
  const splitClitics = opts.contractions === "split";
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const cls = classOf(c);
    if (cls === C.Space) {
      i++;
      continue;
    }
    if (cls === C.Word) {
      const start = i;
      let curly = false;
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if (classOf(d) === C.Word) {
          i++;
          continue;
        }
        const next = s.charCodeAt(i + 1);
        if (i + 1 >= n || !isLetterOrDigit(next)) break;
        const prev = s.charCodeAt(i - 1);
        if (isApostrophe(d) && !isDigit(next) && !isDigit(prev)) {
          if (d === RSQUO) curly = true;
          i += 2;
        } else if (d === HYPHEN && !splitHyphens) {
          i += 2;
        } else if ((d === 46 || d === 44) && isDigit(prev) && isDigit(next)) {
          i += 2;
        } else break;
      }
      let w = s.slice(start, i);
      if (curly) w = w.replace(/\u2019/g, "'");
      if (splitClitics && w.indexOf("'") > 0) pushSplit(out, w);
      else out.push(w);
      continue;
    }
    // Punctuation.
    if (isApostrophe(c) && (i === 0 || classOf(s.charCodeAt(i - 1)) !== C.Word)) {
      const len = cliticLength(s, i + 1);
      if (len > 0) {
        out.push("'" + s.slice(i + 1, i + 1 + len));
        i += 1 + len;
        continue;
      }
    }
    const start = i;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      i += 2; // a surrogate pair (emoji etc.) is one symbol
    } else {
      i++;
      while (i < n && s.charCodeAt(i) === c) i++;
    }
    out.push(c === RSQUO ? "'".repeat(i - start) : s.slice(start, i));
  }
  return out;
}

/** Split on runs of whitespace only (for already-tokenised corpora such as PTB, SST, rt-polarity). */
export function whitespaceTokenize(text: string): string[] {
  const t = text.trim();
  return t === "" ? [] : t.split(/\s+/);
}

// ---- language-model token streams

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
    for (const t of tokenize(para.join("\n"), { lowercase: lower, stripHtml: false })) out.push(t);
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
