/**
 * Line iteration shared by the line-oriented readers: LF or CRLF endings, 1-based line numbers,
 * blank lines skipped and counted.
 */

/**
 * Call fn(line, lineNo) for every non-blank line of `text` (a trailing CR is removed) and return
 * the number of blank lines skipped.
 */
export function forEachLine(text: string, fn: (line: string, lineNo: number) => void): number {
  let skipped = 0;
  let start = 0;
  let lineNo = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = n;
    lineNo++;
    let e = end;
    if (e > start && text.charCodeAt(e - 1) === 13) e--;
    const line = text.slice(start, e);
    if (line.trim() === "") skipped++;
    else fn(line, lineNo);
    start = end + 1;
  }
  return skipped;
}
