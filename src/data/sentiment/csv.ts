/**
 * Delimited text (CSV, TSV) through `csv-parse`: fields separated by `delimiter`; a field that
 * starts with a double quote is quoted — it may contain the delimiter, newlines and doubled quotes
 * ("") — and ends at the closing quote. A quote inside an unquoted field is kept literally (as
 * pandas does). Records end at LF or CRLF; a UTF-8 byte-order mark is dropped. Each record carries
 * the 1-based line where it starts, so errors further on can name file and line.
 *
 * The browser bundle maps `csv-parse/sync` to csv-parse's own browser build (scripts/build-browser.mjs).
 */
import { CsvError, parse } from "csv-parse/sync";
import { DataFormatError } from "./errors.js";

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

export interface CsvOptions {
  delimiter?: string;
  /** Honour double quotes (default true). When false every quote is literal (plain TSV). */
  quoting?: boolean;
}

/** Parse all records; blank lines (nothing but spaces, no delimiter) are skipped and counted. */
export function parseDelimited(content: string, source: string, opts: CsvOptions = {}): { records: CsvRecord[]; skippedEmptyLines: number } {
  const delim = opts.delimiter ?? ",";
  if (delim.length !== 1 || delim === '"' || delim === "\n" || delim === "\r") throw new RangeError(`parseDelimited: delimiter must be one character other than quote/CR/LF, got ${JSON.stringify(delim)}`);
  const records: CsvRecord[] = [];
  let skipped = 0;
  let lastLine = 0; // the line the previous record ended on; the next one starts below it
  try {
    parse(content, {
      delimiter: delim,
      quote: (opts.quoting ?? true) ? '"' : false,
      record_delimiter: ["\r\n", "\n"],
      relax_quotes: true,
      relax_column_count: true,
      bom: true,
      skip_empty_lines: false,
      on_record: (fields: string[], context: { lines: number }) => {
        const line = lastLine + 1;
        lastLine = context.lines;
        if (fields.length === 1 && fields[0]!.trim() === "") skipped++;
        else records.push({ fields, line });
        return null; // collected here, with the start line; csv-parse keeps nothing
      },
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = lastLine + 1;
    if (e.code === "CSV_QUOTE_NOT_CLOSED") throw new DataFormatError(source, line, `unterminated quoted field (the quote opened on line ${line} is never closed)`);
    throw new DataFormatError(source, line, e.message);
  }
  return { records, skippedEmptyLines: skipped };
}
