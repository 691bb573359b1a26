import { RnnkitError } from "../../errors.js";

/**
 * The one error type for malformed data files: it names the file and the 1-based line, so that a
 * message reads like a compiler diagnostic, e.g.
 *   rt-polarity.neg:17: unknown label "neutral" (expected one of: neg, pos)
 */
export class DataFormatError extends RnnkitError {
  /** File (or source name) the problem is in. */
  readonly file: string;
  /** 1-based line number, or 0 when the problem concerns the whole file. */
  readonly line: number;

  constructor(file: string, line: number, message: string) {
    super(line > 0 ? `${file}:${line}: ${message}` : `${file}: ${message}`);
    this.name = "DataFormatError";
    this.file = file;
    this.line = line;
  }
}

/** Quote a (possibly long) piece of input for an error message. */
export function preview(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + "…" : s);
}
