/**
 * A fast rule-based word tokeniser for English review text (one pass over UTF-16 code units; no
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
