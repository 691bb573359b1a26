/**
 * Large Movie Review Dataset (aclImdb, Maas et al. 2011), labelled part: 25k train / 25k test
 * reviews, labels "neg" and "pos". Two layouts are read:
 * - the ORIGINAL folder layout `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt` (one review per
 *   file, UTF-8; other entries such as `unsup/`, `urls_*.txt`, `*.feat` are ignored);
 * - the packed TSV in shared/data/aclImdb: `label<TAB>review` per line, split on the FIRST tab
 *   only (27 reviews contain tabs).
 * Review text is returned exactly as stored (HTML line breaks `<br /><br />` included; `tokenize`
 * strips them), so both layouts give identical examples.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeBytes } from "./encoding.js";
import { DataFormatError, preview } from "./errors.js";
import { checkLabel } from "./labels.js";
import { forEachLine } from "./lines.js";
import { readTextFile } from "./read-file.js";
import type { Example, TextDataset } from "./types.js";

export const IMDB_LABELS: readonly string[] = ["neg", "pos"];
const IMDB_SET: ReadonlySet<string> = new Set(IMDB_LABELS);

/** An IMDB review from the folder layout, with the id and 1–10 star rating from its file name. */
export interface ImdbExample extends Example {
  id: number;
  rating: number;
}

/** Parse the packed `label<TAB>text` format (labels must be "neg"/"pos"). */
export function parseImdbTsv(content: string, source: string): TextDataset {
  const examples: Example[] = [];
  const skipped = forEachLine(content, (line, lineNo) => {
    const tab = line.indexOf("\t");
    if (tab < 0) throw new DataFormatError(source, lineNo, `no TAB separator in ${preview(line)} (expected "pos|neg<TAB>review")`);
    const label = line.slice(0, tab);
    checkLabel(label, IMDB_SET, source, lineNo);
    examples.push({ text: line.slice(tab + 1), label });
  });
  return { examples, labels: [...IMDB_LABELS], source, skippedEmptyLines: skipped, notes: [] };
}

/** Read `train.tsv` / `test.tsv` of the packed layout (UTF-8). */
export function readImdbTsv(path: string): TextDataset {
  return parseImdbTsv(readTextFile(path, "utf8").text, path);
}

const FILE_NAME = /^(\d+)_(\d+)\.txt$/;

/**
 * Read one split of the original layout: `root/<split>/pos/*.txt` then `root/<split>/neg/*.txt`,
 * each in ascending id order. `root` is the `aclImdb` folder.
 */
export function readImdbFolder(root: string, split: "train" | "test"): TextDataset<ImdbExample> {
  const examples: ImdbExample[] = [];
  let skipped = 0;
  for (const label of ["pos", "neg"] as const) {
    const dir = join(root, split, label);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new DataFormatError(dir, 0, `cannot list the folder (${(e as Error).message}) (expected the original layout aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt)`);
    }
    const files: { name: string; id: number; rating: number }[] = [];
    for (const name of names) {
      if (!name.endsWith(".txt")) continue;
      const m = FILE_NAME.exec(name);
      if (m === null) throw new DataFormatError(join(dir, name), 0, `file name is not <id>_<rating>.txt`);
      const rating = Number(m[2]);
      if (rating < 1 || rating > 10) throw new DataFormatError(join(dir, name), 0, `rating ${rating} in the file name is outside 1..10`);
      files.push({ name, id: Number(m[1]), rating });
    }
    files.sort((a, b) => a.id - b.id);
    for (const f of files) {
      const path = join(dir, f.name);
      const text = decodeBytes(readFileSync(path), path, "utf8").text;
      if (text.trim() === "") {
        skipped++;
        continue;
      }
      examples.push({ text, label, id: f.id, rating: f.rating });
    }
  }
  return { examples, labels: [...IMDB_LABELS], source: join(root, split), skippedEmptyLines: skipped, notes: [] };
}
