/**
 * Byte → string decoding for dataset files: strict UTF-8 (a bad byte is an error naming the line),
 * ISO-8859-1 (Latin-1) and Windows-1252, and "auto" = UTF-8 when the bytes are valid UTF-8,
 * otherwise Windows-1252 with a note (Windows-1252 assigns a character to every byte, so it never
 * fails; it is what legacy English text such as the original rt-polarity files is in).
 */
import { DataFormatError } from "./errors.js";

export type TextEncoding = "utf8" | "latin1" | "cp1252";
export type EncodingOption = TextEncoding | "auto";

export interface DecodedText {
  text: string;
  /** The encoding actually used. */
  encoding: TextEncoding;
  /** Set when "auto" fell back to Windows-1252: says why (file, line, byte offset). */
  note?: string;
}

// Windows-1252 code points for bytes 0x80..0x9F (the five undefined bytes map to the C1 controls,
// as in the WHATWG encoding standard); every other byte maps to the same code point (Latin-1).
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

function decodeSingleByte(bytes: Uint8Array, cp1252: boolean): string {
  const CHUNK = 8192;
  const parts: string[] = [];
  const units = new Uint16Array(CHUNK);
  for (let o = 0; o < bytes.length; o += CHUNK) {
    const n = Math.min(CHUNK, bytes.length - o);
    for (let i = 0; i < n; i++) {
      const b = bytes[o + i]!;
      units[i] = cp1252 && b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
    }
    parts.push(String.fromCharCode.apply(null, n === CHUNK ? (units as unknown as number[]) : (units.subarray(0, n) as unknown as number[])));
  }
  return parts.join("");
}

/**
 * Byte offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1 when all
 * bytes are valid (overlong forms, surrogates and code points above U+10FFFF are invalid).
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line number of a byte offset (counting LF bytes before it). */
export function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 10) line++;
  return line;
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decode a file's bytes. `source` names the file in errors and notes.
 * - "utf8": strict; an invalid byte throws DataFormatError at its line (hint: try "cp1252"/"auto").
 *   A leading byte-order mark is dropped.
 * - "latin1": ISO-8859-1 (byte = code point).
 * - "cp1252": Windows-1252.
 * - "auto": UTF-8 if valid, else Windows-1252 with `note` set.
 */
export function decodeBytes(bytes: Uint8Array, source: string, encoding: EncodingOption = "utf8"): DecodedText {
  if (encoding === "latin1") return { text: decodeSingleByte(bytes, false), encoding };
  if (encoding === "cp1252") return { text: decodeSingleByte(bytes, true), encoding };
  try {
    return { text: utf8Fatal.decode(bytes), encoding: "utf8" };
  } catch {
    const off = firstInvalidUtf8(bytes);
    const line = lineOfOffset(bytes, Math.max(0, off));
    const byte = off >= 0 ? `0x${bytes[off]!.toString(16).padStart(2, "0")}` : "?";
    if (encoding === "auto") {
      const note = `${source}: not valid UTF-8 (first bad byte ${byte} at line ${line}, byte offset ${off}); decoded as Windows-1252`;
      return { text: decodeSingleByte(bytes, true), encoding: "cp1252", note };
    }
    throw new DataFormatError(source, line, `invalid UTF-8 (byte ${byte} at byte offset ${off}) (hint: pass encoding "cp1252", "latin1" or "auto" for legacy files)`);
  }
}
