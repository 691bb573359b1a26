/**
 * Reading corpus text from disk, with one clear error for what is not a usable text file.
 *
 * Decoding: UTF-8 (a leading BOM is dropped). A file that is not valid UTF-8 is taken to be
 * Latin-1 / Windows-1252 (old corpora such as rt-polarity) unless it looks binary. Binary = any
 * NUL byte, or more than half of the characters are invalid UTF-8 sequences or control characters
 * other than tab / newline / vertical tab / form feed / carriage return / escape. Binary and empty
 * files are refused with one error naming the file. Line endings are normalised: CRLF, CR → LF.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataFormatError } from "../sentiment/errors.js";

/** Fraction of bad characters (invalid UTF-8, odd control characters) above which a file counts as binary. */
const BINARY_BAD_FRACTION = 0.5;

/** Invalid-UTF-8 replacement characters (when `lossy`) and control characters other than \t \n \v \f \r ESC. */
function countBad(s: string, lossy: boolean): number {
  let bad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && (c < 9 || c > 13) && c !== 27) || c === 127 || (lossy && c === 0xfffd)) bad++;
  }
  return bad;
}

/**
 * Decode file bytes into text. `where` names the file in errors.
 *   decodeCorpusBytes(readFileSync(p), p)
 */
export function decodeCorpusBytes(bytes: Uint8Array, where: string): string {
  if (bytes.length === 0) throw new DataFormatError(where, 0, "the file is empty (hint: a corpus needs some text)");
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new DataFormatError(where, 0, `this looks like a binary file, not text (NUL byte at offset ${nul}; hint: pass a UTF-8 .txt file, or extract the archive first)`);
  }
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("utf-8").decode(bytes);
    utf8 = false;
  }
  const bad = countBad(text, !utf8);
  if (bad > BINARY_BAD_FRACTION * text.length) {
    throw new DataFormatError(where, 0, `this looks like a binary file, not text (${bad} of ${text.length} characters are invalid UTF-8 or control characters; hint: pass a UTF-8 .txt file)`);
  }
  if (!utf8) text = new TextDecoder("windows-1252").decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
  if (text.trim() === "") throw new DataFormatError(where, 0, "the file contains only whitespace (hint: a corpus needs some text)");
  return text;
}

/** Read one text file (see the file comment for decoding and refusals). */
export function readCorpusFile(path: string): string {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new Error(`${path}: is a folder; pass it as a corpus folder, not as a file`);
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${path}: no such file or folder`);
    throw e;
  }
  return decodeCorpusBytes(bytes, path);
}

/** The `.txt` files directly inside a folder, sorted by name (code-unit order, locale-independent). */
export function listTextFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.toLowerCase().endsWith(".txt"))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((n) => join(dir, n));
}

/**
 * Concatenate the `.txt` files of a folder in name order. Each file is followed by a blank line,
 * so a file boundary is also a paragraph boundary (see `proseTokens`).
 */
export function readCorpusFolder(dir: string): { text: string; files: string[] } {
  const files = listTextFiles(dir);
  if (files.length === 0) throw new Error(`${dir}: the folder has no .txt files (hint: put the corpus in *.txt files, or pass a file)`);
  const parts = files.map((f) => {
    const t = readCorpusFile(f);
    return t.endsWith("\n") ? t : t + "\n";
  });
  return { text: parts.join("\n"), files };
}
