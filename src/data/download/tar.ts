/**
 * A streaming tar reader (POSIX ustar, GNU and pax), enough for dataset archives, writing through
 * an `ExtractSink` (which enforces the safety rules). `.tar.gz` is gunzipped on the fly with
 * node:zlib, so a 500 MB archive never sits in memory.
 *
 * Format (512-byte blocks): a header block, then the entry data padded to a multiple of 512.
 *   name[100]@0 mode[8]@100 size[12]@124 (octal, or base-256 when the top bit of byte 124 is set)
 *   chksum[8]@148 typeflag@156 linkname[100]@157 magic[6]@257 ("ustar\0" POSIX, "ustar " GNU)
 *   prefix[155]@345 (POSIX only: name = prefix + "/" + name)
 * The checksum is the sum of the header bytes with the checksum field read as 8 spaces.
 * Type flags: '0'/'\0'/'7' file, '5' folder, '1' hard link, '2' symlink, '3' '4' '6' device / FIFO
 * (refused), 'L' / 'K' GNU long name / long link name (data = the name for the next entry),
 * 'x' pax header for the next entry (records "<len> <key>=<value>\n"; path, linkpath, size are
 * used), 'g' pax global header (ignored). Two zero blocks (or end of data) end the archive.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { ExtractSink } from "./sink.js";

/** Buffered reads of exact sizes from an async byte stream. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  /** Bytes consumed so far (archive offset of the next read). */
  offset = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done === true) {
      this.ended = true;
      return false;
    }
    const b = r.value;
    if (b.length > 0) {
      this.chunks.push(b);
      this.length += b.length;
    }
    return true;
  }

  /** Exactly n bytes, or null at a clean end of stream (no bytes left); throws on a partial read. */
  async read(n: number): Promise<Buffer | null> {
    while (this.length < n) {
      if (!(await this.pull())) {
        if (this.length === 0) return null;
        throw new Error(`truncated archive: expected ${n} bytes at offset ${this.offset}, only ${this.length} left`);
      }
    }
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - o);
      c.copy(out, o, 0, k);
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
      o += k;
    }
    this.length -= n;
    this.offset += n;
    return out;
  }

  /** n bytes as a sequence of zero-copy pieces. */
  async *pieces(n: number): AsyncGenerator<Buffer, void, undefined> {
    let left = n;
    while (left > 0) {
      if (this.length === 0 && !(await this.pull())) throw new Error(`truncated archive: entry data ends early at offset ${this.offset} (${left} bytes missing)`);
      if (this.length === 0) continue;
      const c = this.chunks[0]!;
      const k = Math.min(c.length, left);
      const piece = c.subarray(0, k);
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
      this.length -= k;
      this.offset += k;
      left -= k;
      yield piece;
    }
  }

  async skip(n: number): Promise<void> {
    const it = this.pieces(n);
    while (!(await it.next()).done);
  }
}

const BLOCK = 512;
/** Largest GNU long name / pax header we accept (they are names, not data). */
const MAX_META = 1 << 20;

function cstr(h: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && h[end] !== 0) end++;
  return h.toString("utf8", off, end);
}

/** Octal (NUL/space padded) or base-256 number field. */
function parseNumber(h: Buffer, off: number, len: number, what: string): number {
  if ((h[off]! & 0x80) !== 0) {
    if ((h[off]! & 0x40) !== 0) throw new Error(`negative base-256 ${what}`);
    let v = h[off]! & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i]!;
    if (!Number.isSafeInteger(v)) throw new Error(`${what} too large`);
    return v;
  }
  const s = h.toString("latin1", off, off + len).replace(/[\0 ]+$/, "").replace(/^[ ]+/, "");
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`bad octal ${what} ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumber(h, 148, 8, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

const isZeroBlock = (h: Buffer): boolean => {
  for (let i = 0; i < BLOCK; i++) if (h[i] !== 0) return false;
  return true;
};

/** Parse pax extended header records. */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) throw new Error("bad pax record (no length)");
    const len = Number(data.toString("latin1", pos, sp));
    if (!Number.isInteger(len) || len <= sp - pos || pos + len > data.length) throw new Error("bad pax record length");
    const rec = data.toString("utf8", sp + 1, pos + len - 1); // drop trailing "\n"
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

const pad = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** Extract a tar stream through `sink`. */
export async function extractTarStream(stream: AsyncIterable<Buffer>, sink: ExtractSink): Promise<void> {
  const r = new ByteReader(stream[Symbol.asyncIterator]());
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = {};
  let sawHeader = false;
  for (;;) {
    const at = r.offset;
    const h = await r.read(BLOCK);
    if (h === null) break; // no end-of-archive blocks: accepted
    if (isZeroBlock(h)) break;
    if (!checksumOk(h)) {
      throw new Error(`${sink.archive}: ${sawHeader ? "corrupt tar header" : "not a tar archive"} at offset ${at} (checksum mismatch)`);
    }
    sawHeader = true;
    const type = h[156] === 0 ? "0" : String.fromCharCode(h[156]!);
    const ustar = h.toString("latin1", 257, 263) === "ustar\0";
    const baseName = ustar && h[345] !== 0 ? `${cstr(h, 345, 155)}/${cstr(h, 0, 100)}` : cstr(h, 0, 100);
    const name = pax.path ?? longName ?? baseName;
    const link = pax.linkpath ?? longLink ?? cstr(h, 157, 100);
    let size: number;
    try {
      size = pax.size !== undefined ? Number(pax.size) : parseNumber(h, 124, 12, "size");
    } catch (e) {
      throw sink.fail(name, (e as Error).message);
    }
    if (!Number.isSafeInteger(size) || size < 0) throw sink.fail(name, `bad size ${String(pax.size)}`);

    if (type === "L" || type === "K" || type === "x" || type === "g") {
      if (size > MAX_META) throw sink.fail(name, `a ${type} header of ${size} bytes is too large`);
      const data = size === 0 ? Buffer.alloc(0) : await r.read(size);
      if (data === null) throw new Error(`${sink.archive}: truncated archive at offset ${r.offset}`);
      await r.skip(pad(size));
      if (type === "L") longName = cstr(data, 0, data.length);
      else if (type === "K") longLink = cstr(data, 0, data.length);
      else if (type === "x") pax = parsePax(data);
      continue; // 'g' (global) is ignored
    }

    switch (type) {
      case "0":
      case "7": {
        const w = sink.file(name);
        try {
          for await (const piece of r.pieces(size)) w.write(piece);
        } finally {
          w.close();
        }
        break;
      }
      case "5":
        sink.dir(name);
        await r.skip(size);
        break;
      case "2":
        sink.symlink(name, link);
        await r.skip(size);
        break;
      case "1":
        sink.hardlink(name, link);
        await r.skip(size);
        break;
      case "3":
      case "4":
        throw sink.fail(name, `${type === "3" ? "character" : "block"} device file (refused)`);
      case "6":
        throw sink.fail(name, "FIFO (refused)");
      default:
        sink.stats.skipped.push({ name, reason: `unsupported tar entry type '${type}'` });
        await r.skip(size);
    }
    await r.skip(pad(size));
    longName = null;
    longLink = null;
    pax = {};
  }
}

/** Extract a `.tar` or `.tar.gz` file through `sink`. */
export async function extractTarFile(archive: string, sink: ExtractSink, gzip: boolean): Promise<void> {
  const file = createReadStream(archive);
  const stream = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.on("error", (e) => stream.destroy(e));
  try {
    await extractTarStream(stream as AsyncIterable<Buffer>, sink);
  } catch (e) {
    const msg = (e as Error).message;
    if ((e as NodeJS.ErrnoException).code?.startsWith("Z_") === true) throw new Error(`${archive}: not a valid gzip file (${msg})`);
    throw e;
  } finally {
    stream.destroy();
    file.destroy();
  }
}
