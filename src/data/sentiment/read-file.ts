/**
 * Whole-file reading + decoding for the dataset readers (Node only).
 */
import { readFileSync } from "node:fs";
import { decodeBytes, type DecodedText, type EncodingOption, lineOfOffset } from "./encoding.js";
import { DataFormatError } from "./errors.js";

/** Read and decode a whole file (see `decodeBytes` for the encodings). */
export function readTextFile(path: string, encoding: EncodingOption = "utf8"): DecodedText {
  return decodeBytes(readFileSync(path), path, encoding);
}

/**
 * Refuse bytes that are not text: a NUL byte (no text format but UTF-16/32 has one, and those
 * are not what a "one text per line" input means), or more than 1 % control characters other
 * than tab, CR, LF and form feed — an image, a model, a gzip file — instead of "classifying" its
 * 737 "lines". Throws DataFormatError naming the source and the line of the first bad byte.
 */
export function assertText(bytes: Uint8Array, source: string): void {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new DataFormatError(source, lineOfOffset(bytes, nul), `a NUL byte at byte offset ${nul}: this is a binary file, not text (hint: give a UTF-8 text file, one text per line; UTF-16 files must be converted first)`);
  let control = 0;
  let first = -1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13) || b === 0x7f) {
      control++;
      if (first < 0) first = i;
    }
  }
  if (control > 0 && control * 100 > bytes.length)
    throw new DataFormatError(source, lineOfOffset(bytes, first), `${control} of ${bytes.length} bytes are control characters (first 0x${bytes[first]!.toString(16).padStart(2, "0")} at byte offset ${first}): this is a binary file, not text`);
}

/** The non-blank lines of text bytes (strict UTF-8, not binary: see assertText), e.g. `classify --file`. */
export function textLines(bytes: Uint8Array, source: string): string[] {
  assertText(bytes, source);
  return decodeBytes(bytes, source, "utf8").text.split(/\r?\n/).filter((l) => l.trim() !== "");
}
