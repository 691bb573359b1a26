/**
 * Stanford Sentiment Treebank, sentence level, in the `stsa.{binary,fine}.{train,dev,test}` files
 * of Kim (2014): `<label> <tokenised sentence>` per line. Binary (SST-2): "0" negative, "1"
 * positive; fine (SST-5): "0" very negative … "4" very positive.
 */
import { join } from "node:path";
import { DataFormatError, preview } from "./errors.js";
import { checkLabel } from "./labels.js";
import { forEachLine } from "./lines.js";
import { readTextFile } from "./read-file.js";
import type { Example, TextDataset } from "./types.js";

export type SstGranularity = "binary" | "fine";
export const SST_LABELS: Readonly<Record<SstGranularity, readonly string[]>> = {
  binary: ["0", "1"],
  fine: ["0", "1", "2", "3", "4"],
};

/** Parse `label sentence` lines; the label is the text before the first space. */
export function parseSst(content: string, source: string, granularity: SstGranularity): TextDataset {
  const labels = SST_LABELS[granularity];
  const set = new Set(labels);
  const examples: Example[] = [];
  const skipped = forEachLine(content, (line, lineNo) => {
    const t = line.trim();
    const sp = t.search(/\s/);
    if (sp < 0) throw new DataFormatError(source, lineNo, `no separator after the label in ${preview(t)} (expected "<label> <sentence>")`);
    const label = t.slice(0, sp);
    checkLabel(label, set, source, lineNo);
    examples.push({ text: t.slice(sp + 1).trim(), label });
  });
  return { examples, labels: [...labels], source, skippedEmptyLines: skipped, notes: [] };
}

/** Read one SST file (UTF-8). */
export function readSst(path: string, granularity: SstGranularity): TextDataset {
  return parseSst(readTextFile(path, "utf8").text, path, granularity);
}

/** Read `stsa.<granularity>.{train,dev,test}` from a folder. */
export function readSstSplits(dir: string, granularity: SstGranularity): { train: TextDataset; dev: TextDataset; test: TextDataset } {
  const f = (s: string): TextDataset => readSst(join(dir, `stsa.${granularity}.${s}`), granularity);
  return { train: f("train"), dev: f("dev"), test: f("test") };
}
