/**
 * Whole-file reading + decoding for the dataset readers (Node only).
 */
import { readFileSync } from "node:fs";
import { decodeBytes, type DecodedText, type EncodingOption } from "./encoding.js";

/** Read and decode a whole file (see `decodeBytes` for the encodings). */
export function readTextFile(path: string, encoding: EncodingOption = "utf8"): DecodedText {
  return decodeBytes(readFileSync(path), path, encoding);
}
