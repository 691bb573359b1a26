/**
 * Sentence polarity v1.0 ("MR", Pang & Lee 2005): `rt-polarity.pos` and `rt-polarity.neg`, one
 * lower-cased, tokenised snippet per line; 5,331 + 5,331 snippets, labels "neg" and "pos". The
 * original files are Windows-1252 and re-encoded copies are UTF-8, so the default encoding is
 * "auto": UTF-8 when valid, else Windows-1252, with a note in `notes`. No official split: use
 * `stratifiedKFold(examples, 10, seed)`.
 */
import { join } from "node:path";
import type { EncodingOption } from "./encoding.js";
import { forEachLine } from "./lines.js";
import { readTextFile } from "./read-file.js";
import type { Example, TextDataset } from "./types.js";

export const POLARITY_LABELS: readonly string[] = ["neg", "pos"];

export interface PolarityFiles {
  pos: string;
  neg: string;
}

/**
 * Read the two polarity files: a folder holding `rt-polarity.pos` / `rt-polarity.neg`, or their
 * paths. Examples come pos first, then neg, in file order; trailing spaces are trimmed.
 */
export function readRtPolarity(where: string | PolarityFiles, opts: { encoding?: EncodingOption } = {}): TextDataset {
  const files = typeof where === "string" ? { pos: join(where, "rt-polarity.pos"), neg: join(where, "rt-polarity.neg") } : where;
  const examples: Example[] = [];
  const notes: string[] = [];
  let skipped = 0;
  for (const label of ["pos", "neg"] as const) {
    const path = files[label];
    const dec = readTextFile(path, opts.encoding ?? "auto");
    if (dec.note !== undefined) notes.push(dec.note);
    skipped += forEachLine(dec.text, (line) => examples.push({ text: line.trim(), label }));
  }
  return { examples, labels: [...POLARITY_LABELS], source: `${files.pos}, ${files.neg}`, skippedEmptyLines: skipped, notes };
}
