/**
 * A small RFC 4180 delimited-text parser: fields separated by `delimiter`; a field that starts with
 * a double quote is quoted — it may contain the delimiter, newlines and doubled quotes ("") — and
 * ends at the closing quote. A quote inside an unquoted field is kept literally (as pandas does).
 * Records end at LF or CRLF. Each record carries the 1-based line where it starts.
 */
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

/** Parse all records; blank lines are skipped and counted. */
export function parseDelimited(content: string, source: string, opts: CsvOptions = {}): { records: CsvRecord[]; skippedEmptyLines: number } {
  const delim = opts.delimiter ?? ",";
  if (delim.length !== 1 || delim === '"' || delim === "\n" || delim === "\r") throw new RangeError(`parseDelimited: delimiter must be one character other than quote/CR/LF, got ${JSON.stringify(delim)}`);
  const quoting = opts.quoting ?? true;
  const D = delim.charCodeAt(0);
  const Q = 34;
  const records: CsvRecord[] = [];
  let skipped = 0;
  let i = content.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = content.length;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let blank = true;
    // One record.
    for (;;) {
      if (quoting && content.charCodeAt(i) === Q) {
        blank = false;
        i++;
        let field = "";
        let segStart = i;
        for (;;) {
          if (i >= n) throw new DataFormatError(source, startLine, `unterminated quoted field (the quote opened on line ${startLine} is never closed)`);
          const c = content.charCodeAt(i);
          if (c === Q) {
            if (content.charCodeAt(i + 1) === Q) {
              field += content.slice(segStart, i + 1);
              i += 2;
              segStart = i;
              continue;
            }
            field += content.slice(segStart, i);
            i++;
            break;
          }
          if (c === 10) line++;
          i++;
        }
        // After the closing quote: delimiter, end of line, or stray text (kept, lenient).
        let j = i;
        while (j < n && content.charCodeAt(j) !== D && content.charCodeAt(j) !== 10) j++;
        let tail = content.slice(i, j);
        if (tail.endsWith("\r")) tail = tail.slice(0, -1);
        fields.push(field + tail);
        i = j;
      } else {
        let j = i;
        while (j < n) {
          const c = content.charCodeAt(j);
          if (c === D || c === 10) break;
          j++;
        }
        let e = j;
        if (e > i && content.charCodeAt(e - 1) === 13 && (j >= n || content.charCodeAt(j) === 10)) e--;
        const f = content.slice(i, e);
        if (f.trim() !== "") blank = false;
        fields.push(f);
        i = j;
      }
      if (i < n && content.charCodeAt(i) === D) {
        blank = false;
        i++;
        if (i >= n) {
          fields.push("");
          break;
        }
        continue;
      }
      // LF or end of input.
      if (i < n) {
        i++;
        line++;
      }
      break;
    }
    if (blank) skipped++;
    else records.push({ fields, line: startLine });
  }
  return { records, skippedEmptyLines: skipped };
}
