/**
 * Zip archives (stored and deflate entries, ZIP64) read with `yauzl`, entry by entry as streams,
 * and written through an `ExtractSink`, which enforces rnnkit's safety rules. yauzl's own name
 * check is switched off (`decodeStrings: false`) so that every name goes through the sink's
 * rules and errors; names are decoded by yauzl's `getFileNameLowLevel` (UTF-8 when flagged or
 * given in an Info-ZIP Unicode extra field, else CP437). Each entry's CRC-32 is checked here.
 *
 * Entry kinds from the unix mode (high 16 bits of the external attributes when made on unix):
 * 0o120000 symlink (data = target), 0o040000 or a trailing "/" folder, other non-regular types
 * refused. Encrypted entries and compression methods other than stored/deflate are refused.
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import type { Readable } from "node:stream";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import type { ExtractSink } from "./sink.js";

/** CRC-32 (IEEE, as zip and gzip use). */
export const crc32 = (data: Uint8Array, value = 0): number => zlibCrc32(data, value);

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** Longest symlink target read (a path, not data). */
const MAX_LINK = 4096;

const openZip = (archive: string): Promise<ZipFile> =>
  new Promise((resolve, reject) =>
    yauzl.open(archive, { lazyEntries: true, decodeStrings: false, autoClose: true, validateEntrySizes: true }, (err, zip) => (err ? reject(new Error(`${archive}: not a zip archive, or a damaged one (${err.message})`)) : resolve(zip))),
  );

const openEntry = (zip: ZipFile, entry: Entry): Promise<Readable> => new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));

/** Extract a zip file through `sink`. */
export async function extractZipFile(archive: string, sink: ExtractSink): Promise<void> {
  const zip = await openZip(archive);
  try {
    for (;;) {
      const entry = await new Promise<Entry | null>((resolve, reject) => {
        const cleanup = (): void => void zip.removeAllListeners("entry").removeAllListeners("end").removeAllListeners("error");
        zip.once("entry", (e: Entry) => (cleanup(), resolve(e)));
        zip.once("end", () => (cleanup(), resolve(null)));
        zip.once("error", (e: Error) => (cleanup(), reject(new Error(`${archive}: damaged zip archive (${e.message})`))));
        zip.readEntry();
      });
      if (entry === null) return;
      await extractEntry(zip, entry, sink);
    }
  } finally {
    zip.close();
  }
}

async function extractEntry(zip: ZipFile, entry: Entry, sink: ExtractSink): Promise<void> {
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  if (entry.generalPurposeBitFlag & 1) throw sink.fail(name, "encrypted entry (not supported)");
  const mode = entry.versionMadeBy >>> 8 === 3 ? entry.externalFileAttributes >>> 16 : 0;
  const fmt = mode & S_IFMT;
  if (fmt !== 0 && fmt !== S_IFDIR && fmt !== S_IFREG && fmt !== S_IFLNK) throw sink.fail(name, `special file (mode ${fmt.toString(8)}: device, FIFO or socket; refused)`);
  if (name.endsWith("/") || fmt === S_IFDIR || (mode === 0 && (entry.externalFileAttributes & 0x10) !== 0)) return sink.dir(name);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw sink.fail(name, `compression method ${entry.compressionMethod} is not supported (only stored and deflate)`);
  if (fmt === S_IFLNK && entry.uncompressedSize > MAX_LINK) throw sink.fail(name, `symlink target of ${entry.uncompressedSize} bytes (refused)`);

  let stream: Readable;
  try {
    stream = await openEntry(zip, entry);
  } catch (e) {
    throw sink.fail(name, `cannot read: ${(e as Error).message}`);
  }
  const link: Buffer[] = [];
  const w = fmt === S_IFLNK ? null : sink.file(name);
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      if (w) w.write(chunk);
      else link.push(chunk);
    }
  } catch (e) {
    const msg = (e as Error).message;
    throw msg.startsWith(sink.archive) ? e : sink.fail(name, `damaged entry data (${msg})`);
  } finally {
    stream.destroy();
    w?.close();
  }
  if (crc !== entry.crc32) throw sink.fail(name, "CRC-32 mismatch (corrupt archive)");
  if (fmt === S_IFLNK) sink.symlink(name, Buffer.concat(link).toString("utf8"));
}
