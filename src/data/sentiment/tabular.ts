/**
 * Generic labelled-text files with named columns: CSV (RFC 4180 quoting), TSV, JSON Lines, and a
 * JSON array of objects (`[{"text": "…", "class": 1}, …]`, e.g. the UCI Sentiment Labelled
 * Sentences as the `sentiment` npm package ships them).
 *
 *   readTabular("reviews.csv", { textColumn: "review", labelColumn: "sentiment" })
 *   readTabular("data.jsonl", { textColumn: "text", labelColumn: "label", labels: ["neg", "pos"] })
 *   readTabular("imdb.json", { textColumn: "text", labelColumn: "class" })
 *
 * CSV and TSV need a header row unless the columns are given as 0-based numbers with
 * `header: false`. Plain TSV (quoting off, the default for .tsv) whose text column is the LAST
 * column may contain literal tabs in the text: surplus fields are joined back into it.
 */
import { extname } from "node:path";
import { checkExamples } from "./check.js";
import { parseDelimited } from "./csv.js";
import type { EncodingOption } from "./encoding.js";
import { DataFormatError, preview } from "./errors.js";
import { checkLabel, labelSet } from "./labels.js";
import { forEachLine } from "./lines.js";
import { readTextFile } from "./read-file.js";
import type { Example, TextDataset } from "./types.js";

export type TabularFormat = "csv" | "tsv" | "jsonl" | "json";

export interface TabularOptions {
  /** Column name (or 0-based index when header is false) holding the text. */
  textColumn: string | number;
  /** Column name (or 0-based index) holding the label. Numbers/booleans in JSONL become strings. */
  labelColumn: string | number;
  /** The label set in class-id order; a label outside it is an error. Default: distinct labels, sorted. */
  labels?: readonly string[];
  /**
   * Default: from the file extension (.csv, .tsv/.tab, .jsonl/.ndjson; .json = a JSON array of
   * objects, or JSON Lines when the file starts with "{").
   */
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
  if (ext === ".json") return "json";
  throw new DataFormatError(path, 0, `cannot tell the format from the extension ${JSON.stringify(ext)} (hint: pass format "csv", "tsv", "jsonl" or "json")`);
}

/** One record's text and label, with errors that name the record (`where`, e.g. "element 17"). */
function jsonRecord(obj: unknown, tc: string, lc: string, source: string, line: number, where: string, raw: () => string, per = ""): { text: string; label: unknown } {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new DataFormatError(source, line, `${where}expected a JSON object${per}, got ${preview(raw())}`);
  const rec = obj as Record<string, unknown>;
  for (const col of [tc, lc]) {
    if (!(col in rec)) throw new DataFormatError(source, line, `${where}missing field ${JSON.stringify(col)} (fields found: ${Object.keys(rec).join(", ") || "none"}) (hint: name the fields with --text-col / --label-col)`);
  }
  const text = rec[tc];
  if (typeof text !== "string") throw new DataFormatError(source, line, `${where}field ${JSON.stringify(tc)} is ${text === null ? "null" : typeof text}, expected a string`);
  return { text, label: rec[lc] };
}

function jsonLabel(label: unknown, lc: string, source: string, line: number, where: string): string {
  if (typeof label !== "string" && typeof label !== "number" && typeof label !== "boolean") {
    throw new DataFormatError(source, line, `${where}field ${JSON.stringify(lc)} is ${label === null ? "null" : typeof label}, expected a string, number or boolean`);
  }
  return String(label);
}

/** Parse already-decoded content; `source` names it in errors. */
export function parseTabular(content: string, source: string, opts: TabularOptions & { format: TabularFormat }): TextDataset {
  const allowed = opts.labels !== undefined ? new Set(opts.labels) : null;
  const examples: Example[] = [];
  let skipped: number;
  const notes: string[] = [];
  let format = opts.format;
  if (format === "json" && content.trimStart().startsWith("{")) {
    format = "jsonl";
    notes.push(`${source}: read as JSON Lines (one object per line), since it does not start with "["`);
  }
  if (format === "json") {
    const tc = String(opts.textColumn);
    const lc = String(opts.labelColumn);
    let arr: unknown;
    try {
      arr = JSON.parse(content);
    } catch (e) {
      throw new DataFormatError(source, 0, `invalid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(arr)) throw new DataFormatError(source, 0, `expected a JSON array of objects (or JSON Lines), got ${arr === null ? "null" : typeof arr}`);
    skipped = 0;
    const blank: number[] = [];
    arr.forEach((obj: unknown, i: number) => {
      const where = `element ${i} (0-based): `;
      const { text, label } = jsonRecord(obj, tc, lc, source, 0, where, () => JSON.stringify(obj) ?? String(obj));
      // a record with no text (e.g. a trailing {"text": "", "class": null}) is a blank line's analogue
      if (text.trim() === "") {
        skipped++;
        if (blank.length < 5) blank.push(i);
        return;
      }
      const l = jsonLabel(label, lc, source, 0, where);
      if (allowed !== null && !allowed.has(l)) throw new DataFormatError(source, 0, `${where}unknown label ${preview(l)} (expected one of: ${[...allowed].join(", ")})`);
      examples.push({ text, label: l });
    });
    if (skipped > 0) notes.push(`${source}: skipped ${skipped} record(s) with empty text (element${skipped > 1 ? "s" : ""} ${blank.join(", ")}${skipped > blank.length ? ", …" : ""})`);
    skipped = 0; // reported above, by element (skippedEmptyLines counts lines)
    if (examples.length === 0) throw new DataFormatError(source, 0, `no records with text (${arr.length} element(s))`);
  } else if (format === "jsonl") {
    const tc = String(opts.textColumn);
    const lc = String(opts.labelColumn);
    skipped = forEachLine(content, (line, lineNo) => {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new DataFormatError(source, lineNo, `invalid JSON (${(e as Error).message}) in ${preview(line)}`);
      }
      const { text, label } = jsonRecord(obj, tc, lc, source, lineNo, "", () => line, " per line");
      const l = jsonLabel(label, lc, source, lineNo, "");
      checkLabel(l, allowed, source, lineNo);
      examples.push({ text, label: l });
    });
  } else {
    const delimiter = opts.delimiter ?? (format === "tsv" ? "\t" : ",");
    const quoting = opts.quoting ?? format === "csv";
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
  // empty labels, empty texts: checked after parsing, whatever the format (data/sentiment/check.ts)
  return checkExamples({ examples, labels: labelSet(examples, opts.labels), source, skippedEmptyLines: skipped, notes }, opts.labels !== undefined);
}

/** Read a CSV, TSV or JSONL file with named text and label columns. */
export function readTabular(path: string, opts: TabularOptions): TextDataset {
  const format = formatOf(path, opts.format);
  const dec = readTextFile(path, opts.encoding ?? "utf8");
  const ds = parseTabular(dec.text, path, { ...opts, format });
  if (dec.note !== undefined) ds.notes.push(dec.note);
  return ds;
}
