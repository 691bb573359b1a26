/**
 * Buffered sequential reading of a (possibly huge) file: lines and raw byte runs, with memory
 * bounded by the buffer size (plus the longest line / record), so a multi-gigabyte embedding file
 * streams through. Node only (fs/promises).
 */
import { open, type FileHandle } from "node:fs/promises";
import { decodeBytes, firstInvalidUtf8 } from "../data/sentiment/encoding.js";

export class ByteReader {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;
  /** Bytes consumed so far (offset of the next unread byte in the file). */
  position = 0;
  /** Lines / words that were not valid UTF-8 and were decoded as Windows-1252 instead. */
  legacyDecoded = 0;

  private constructor(
    private readonly fh: FileHandle,
    bufferSize: number,
    /** The file's size in bytes when opened (bounds what a header may promise). */
    readonly size: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(bufferSize, size)));
  }

  static async open(path: string, bufferSize = 1 << 20): Promise<ByteReader> {
    const fh = await open(path, "r");
    try {
      return new ByteReader(fh, bufferSize, (await fh.stat()).size);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Read more bytes; false at end of file. Keeps the unread part, growing the buffer when it is full. */
  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, null);
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    this.end += bytesRead;
    return true;
  }

  /**
   * The bytes up to (not including) the next `delim` byte, consuming the delimiter; at end of file
   * the remaining bytes (or null when none are left). The returned view is valid until the next call.
   */
  async readUntil(delim: number): Promise<Buffer | null> {
    let scanFrom = this.start;
    for (;;) {
      const k = this.buf.indexOf(delim, scanFrom);
      if (k >= 0 && k < this.end) {
        const out = this.buf.subarray(this.start, k);
        this.position += k + 1 - this.start;
        this.start = k + 1;
        return out;
      }
      const scanned = this.end - this.start;
      if (!(await this.fill())) {
        if (this.start === this.end) return null;
        const out = this.buf.subarray(this.start, this.end);
        this.position += this.end - this.start;
        this.start = this.end;
        return out;
      }
      scanFrom = this.start + scanned;
    }
  }

  /** Exactly n bytes (a view valid until the next call), or null at end of file before n bytes. */
  async readBytes(n: number): Promise<Buffer | null> {
    while (this.end - this.start < n) if (!(await this.fill())) return null;
    const out = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    this.position += n;
    return out;
  }

  /** Skip bytes equal to `byte` (e.g. the newline word2vec binary writes after each vector). */
  async skipWhile(byte: number): Promise<void> {
    for (;;) {
      while (this.start < this.end && this.buf[this.start] === byte) {
        this.start++;
        this.position++;
      }
      if (this.start < this.end || !(await this.fill())) return;
    }
  }

  /**
   * UTF-8 text of buf[start, end); bytes that are not valid UTF-8 (legacy files: the GloVe head in
   * shared/data has a few Windows-1252 dashes and quotes) are decoded as Windows-1252 instead of
   * becoming U+FFFD, and counted in `legacyDecoded`.
   */
  decode(start: number, end: number, buf: Uint8Array = this.buf): string {
    const b = buf as Buffer;
    const s = b.toString("utf8", start, end);
    if (s.indexOf("\ufffd") < 0) return s;
    const bytes = b.subarray(start, end);
    if (firstInvalidUtf8(bytes) < 0) return s; // a genuine U+FFFD
    this.legacyDecoded++;
    return decodeBytes(bytes, "", "cp1252").text;
  }

  /**
   * Lines as strings (UTF-8, LF or CRLF), in batches of whatever the buffer holds, so callers loop
   * synchronously over many lines per await.
   */
  async *lineBatches(): AsyncGenerator<string[]> {
    for (;;) {
      const lines: string[] = [];
      let k: number;
      while ((k = this.buf.indexOf(10, this.start)) >= 0 && k < this.end) {
        let e = k;
        if (e > this.start && this.buf[e - 1] === 13) e--;
        lines.push(this.decode(this.start, e));
        this.position += k + 1 - this.start;
        this.start = k + 1;
      }
      if (lines.length > 0) yield lines;
      if (!(await this.fill())) {
        if (this.start < this.end) {
          let e = this.end;
          if (this.buf[e - 1] === 13) e--;
          const last = this.decode(this.start, e);
          this.position += this.end - this.start;
          this.start = this.end;
          yield [last];
        }
        return;
      }
    }
  }
}
