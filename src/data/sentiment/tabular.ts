/**
 * Generic labelled-text files with named columns: CSV (RFC 4180 quoting), TSV and JSON Lines.
 *
 *   readTabular("reviews.csv", { textColumn: "review", labelColumn: "sentiment" })
 *   readTabular("data.jsonl", { textColumn: "text", labelColumn: "label", labels: ["neg", "pos"] })
 *
 * CSV and TSV need a header row unless the columns are given as 0-based numbers with
 * `header: false`. Plain TSV (quoting off, the default for .tsv) whose text column is the LAST
 * column may contain literal tabs in the text: surplus fields are joined back into it.
 */
import { extname } from "node:path";
import { parseDelimited } from "./csv.js";
import type { EncodingOption } from "./encoding.js";
import { DataFormatError, preview } from "./errors.js";
import { checkLabel, labelSet } from "./labels.js";
import { forEachLine } from "./lines.js";
import { readTextFile } from "./read-file.js";
import type { Example, TextDataset } from "./types.js";

export type TabularFormat = "csv" | "tsv" | "jsonl";

export interface TabularOptions {
  /** Column name (or 0-based index when header is false) holding the text. */
  textColumn: string | number;
  /** Column name (or 0-based index) holding the label. Numbers/booleans in JSONL become strings. */
  labelColumn: string | number;
  /** The label set in class-id order; a label outside it is an error. Default: distinct labels, sorted. */
  labels?: readonly string[];
  /** Default: from the file extension (.csv, .tsv/.tab, .jsonl/.ndjson). */
  format?: TabularFormat;
  /** Field delimiter for csv/tsv (default "," / TAB). */
  delimiter?: string;
  /** Honour double-quote quoting (default true for csv, false for tsv). */
  quoting?: boolean;
  /** First row is a header (default true; csv/tsv only). */
  header?: boolean;
  encoding?: EncodingOption;
}

function formatOf(path: string, given: TabularFormat | undefined): TabularFormat {
  if (given !== undefined) return given;
  const ext = extname(path).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".tsv" || ext === ".tab") return "tsv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  throw new DataFormatError(path, 0, `cannot tell the format from the extension ${JSON.stringify(ext)} (hint: pass format "csv", "tsv" or "jsonl")`);
}

/** Parse already-decoded content; `source` names it in errors. */
export function parseTabular(content: string, source: string, opts: TabularOptions & { format: TabularFormat }): TextDataset {
  const allowed = opts.labels !== undefined ? new Set(opts.labels) : null;
  const examples: Example[] = [];
  let skipped: number;
  if (opts.format === "jsonl") {
    const tc = String(opts.textColumn);
    const lc = String(opts.labelColumn);
    skipped = forEachLine(content, (line, lineNo) => {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new DataFormatError(source, lineNo, `invalid JSON (${(e as Error).message}) in ${preview(line)}`);
      }
      if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new DataFormatError(source, lineNo, `expected a JSON object per line, got ${preview(line)}`);
      const rec = obj as Record<string, unknown>;
      for (const col of [tc, lc]) {
        if (!(col in rec)) throw new DataFormatError(source, lineNo, `missing field ${JSON.stringify(col)} (fields found: ${Object.keys(rec).join(", ") || "none"})`);
      }
      const text = rec[tc];
      const label = rec[lc];
      if (typeof text !== "string") throw new DataFormatError(source, lineNo, `field ${JSON.stringify(tc)} is ${typeof text}, expected a string`);
      if (typeof label !== "string" && typeof label !== "number" && typeof label !== "boolean") {
        throw new DataFormatError(source, lineNo, `field ${JSON.stringify(lc)} is ${label === null ? "null" : typeof label}, expected a string, number or boolean`);
      }
      const l = String(label);
      checkLabel(l, allowed, source, lineNo);
      examples.push({ text, label: l });
    });
  } else {
    const delimiter = opts.delimiter ?? (opts.format === "tsv" ? "\t" : ",");
    const quoting = opts.quoting ?? opts.format === "csv";
    const parsed = parseDelimited(content, source, { delimiter, quoting });
    skipped = parsed.skippedEmptyLines;
    const records = parsed.records;
    const header = opts.header ?? true;
    let names: string[] | null = null;
    let start = 0;
    if (header) {
      const h = records[0];
      if (h === undefined) throw new DataFormatError(source, 0, `no header row (the file is empty)`);
      names = h.fields.map((f) => f.trim());
      start = 1;
    }
    const col = (c: string | number, role: string): number => {
      if (typeof c === "number") {
        if (!Number.isInteger(c) || c < 0) throw new RangeError(`readTabular: ${role} index must be a non-negative integer, got ${c}`);
        return c;
      }
      if (names === null) throw new DataFormatError(source, 0, `${role} ${JSON.stringify(c)} is a name but header is false (hint: pass a 0-based column index)`);
      const k = names.indexOf(c);
      if (k < 0) throw new DataFormatError(source, records[0]!.line, `no column ${JSON.stringify(c)} for the ${role} (columns found: ${names.map((x) => JSON.stringify(x)).join(", ")})`);
      return k;
    };
    const ti = col(opts.textColumn, "text column");
    const li = col(opts.labelColumn, "label column");
    const width = names?.length ?? -1;
    const textIsLast = width > 0 && ti === width - 1;
    for (let r = start; r < records.length; r++) {
      const { fields, line } = records[r]!;
      if (fields.length <= Math.max(ti, li)) {
        const what = fields.length === 1 ? `no ${JSON.stringify(delimiter)} separator in ${preview(fields[0]!)}` : `only ${fields.length} fields`;
        throw new DataFormatError(source, line, `${what} (expected at least ${Math.max(ti, li) + 1} fields${names ? `: ${names.join(", ")}` : ""})`);
      }
      let text = fields[ti]!;
      if (width > 0 && fields.length > width) {
        if (!quoting && textIsLast) text = fields.slice(ti).join(delimiter);
        else throw new DataFormatError(source, line, `${fields.length} fields but the header has ${width} (hint: quote fields that contain ${JSON.stringify(delimiter)})`);
      }
      const label = fields[li]!.trim();
      checkLabel(label, allowed, source, line);
      examples.push({ text, label });
    }
  }
  return { examples, labels: labelSet(examples, opts.labels), source, skippedEmptyLines: skipped, notes: [] };
}

/** Read a CSV, TSV or JSONL file with named text and label columns. */
export function readTabular(path: string, opts: TabularOptions): TextDataset {
  const format = formatOf(path, opts.format);
  const dec = readTextFile(path, opts.encoding ?? "utf8");
  const ds = parseTabular(dec.text, path, { ...opts, format });
  if (dec.note !== undefined) ds.notes.push(dec.note);
  return ds;
}
