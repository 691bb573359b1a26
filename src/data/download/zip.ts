/**
 * A small zip reader (stored and deflate entries, via node:zlib inflateRaw), enough for dataset
 * archives such as wikitext-2-v1.zip, writing through an `ExtractSink`. The archive is read into
 * memory whole (fine for the tens of MB datasets ship as zip); ZIP64 and encrypted entries are
 * refused with a clear error.
 *
 * Layout used (little-endian):
 *   end of central directory (EOCD, "PK\5\6", within the last 22 + 65,535 bytes):
 *     entries@10 (u16), cdSize@12 (u32), cdOffset@16 (u32)
 *   central directory entry ("PK\1\2", 46 bytes + name + extra + comment):
 *     madeBy@4 flags@8 method@10 crc@16 compSize@20 size@24 nameLen@28 extraLen@30
 *     commentLen@32 externalAttrs@38 (unix mode in the high 16 bits when madeBy>>8 = 3)
 *     localOffset@42 name@46
 *   local header ("PK\3\4", 30 bytes + name + extra, then the data): nameLen@26 extraLen@28
 * Flags: bit 0 encrypted (refused), bit 11 UTF-8 names (otherwise CP437; read as Latin-1).
 * Entry kinds from the unix mode: 0o120000 symlink (data = target), 0o040000 or a trailing "/"
 * folder, other non-regular types refused.
 */
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import type { ExtractSink } from "./sink.js";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zip and gzip use). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function findEocd(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}

/** Extract a zip file through `sink`. */
export function extractZipFile(archive: string, sink: ExtractSink): void {
  const buf = readFileSync(archive);
  const eocd = buf.length >= 22 ? findEocd(buf) : -1;
  if (eocd < 0) throw new Error(`${archive}: not a zip archive (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new Error(`${archive}: ZIP64 archives are not supported (hint: extract it with unzip and pass the folder)`);
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${archive}: corrupt central directory at entry ${i} (offset ${p})`);
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const ext = buf.readUInt32LE(p + 38);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString(flags & 0x800 ? "utf8" : "latin1", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    if (compSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) throw sink.fail(name, "ZIP64 entry (not supported)");
    if (flags & 1) throw sink.fail(name, "encrypted entry (not supported)");
    const mode = madeBy >>> 8 === 3 ? ext >>> 16 : 0;
    const fmt = mode & S_IFMT;
    const isDir = name.endsWith("/") || fmt === S_IFDIR || (mode === 0 && (ext & 0x10) !== 0);
    if (fmt !== 0 && fmt !== S_IFDIR && fmt !== S_IFREG && fmt !== S_IFLNK) throw sink.fail(name, `special file (mode ${fmt.toString(8)}: device, FIFO or socket; refused)`);
    if (isDir) {
      sink.dir(name);
      continue;
    }

    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== 0x04034b50) throw sink.fail(name, `corrupt local header at offset ${localOffset}`);
    const start = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (start + compSize > buf.length) throw sink.fail(name, "entry data runs past the end of the archive (truncated?)");
    const raw = buf.subarray(start, start + compSize);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
      } catch (e) {
        throw sink.fail(name, `cannot inflate: ${(e as Error).message}`);
      }
    } else throw sink.fail(name, `compression method ${method} is not supported (only stored and deflate)`);
    if (data.length !== size) throw sink.fail(name, `size ${data.length} does not match the directory's ${size}`);
    if (crc32(data) !== crc) throw sink.fail(name, "CRC-32 mismatch (corrupt archive)");

    if (fmt === S_IFLNK) {
      sink.symlink(name, data.toString("utf8"));
      continue;
    }
    const w = sink.file(name);
    try {
      w.write(data);
    } finally {
      w.close();
    }
  }
}
