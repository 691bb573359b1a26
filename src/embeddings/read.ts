/**
 * Readers for pretrained word vectors, streaming (a 1 GB file never sits in memory as text):
 * - GloVe text: `word v1 … vD` per line, no header;
 * - word2vec text (= fastText `.vec`): header line `count dim`, then rows as in GloVe (the C tool
 *   writes a trailing space before the newline);
 * - word2vec binary: header `count dim\n`, then per row the word, one space, D float32
 *   little-endian, and (as the C tool writes) a newline.
 * "auto" picks binary for `.bin`, else looks at the first line: two integers = word2vec header.
 * Words are UTF-8; a word whose bytes are not valid UTF-8 is decoded as Windows-1252 and counted
 * in `notes` (the shared GloVe head has five such rows, e.g. byte 0x96 = "–").
 *
 *   const { vectors } = await readEmbeddings("glove.6B.50d.txt");
 *   const { vectors } = await readEmbeddings("big.vec", { keep: new Set(vocab.tokens) });
 */
import { extname } from "node:path";
import { DataFormatError, preview } from "../data/sentiment/errors.js";
import { ByteReader } from "./byte-reader.js";
import { WordVectors } from "./word-vectors.js";

export type EmbeddingFormat = "glove" | "word2vec" | "word2vec-binary" | "fasttext";

export interface ReadEmbeddingsOptions {
  /** Default "auto" (see the file comment). "fasttext" is an alias of "word2vec" (text). */
  format?: EmbeddingFormat | "auto";
  /** Keep only these words (a set or a predicate): saves memory on big files. */
  keep?: ReadonlySet<string> | ((word: string) => boolean);
  /** Stop after this many rows of the file (files are sorted by frequency, so = the top N words). */
  limit?: number;
  /** Expected dimension; a file with another dimension is an error. */
  dim?: number;
}

export interface ReadEmbeddingsResult {
  vectors: WordVectors;
  format: Exclude<EmbeddingFormat, "fasttext">;
  /** Rows read from the file (kept or not). */
  rowsRead: number;
  /** Rows skipped because their word had been seen before (the first one is kept). */
  duplicates: number;
  /** Things the reader did that the caller should know about (e.g. legacy-encoded words). */
  notes: string[];
}

/** Growable [N, D] float storage. */
class Rows {
  words: string[] = [];
  data: Float32Array;
  private readonly seen = new Set<string>();
  duplicates = 0;
  constructor(
    readonly dim: number,
    capacity: number,
  ) {
    this.data = new Float32Array(Math.max(1, capacity) * dim);
  }
  /** Reserve a row for a new word; returns its offset, or -1 for a duplicate. */
  add(word: string): number {
    if (this.seen.has(word)) {
      this.duplicates++;
      return -1;
    }
    this.seen.add(word);
    const o = this.words.length * this.dim;
    if (o + this.dim > this.data.length) {
      const bigger = new Float32Array(Math.max(this.data.length * 2, o + this.dim));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.words.push(word);
    return o;
  }
  finish(): WordVectors {
    const n = this.words.length * this.dim;
    return new WordVectors(this.words, this.data.length === n ? this.data : this.data.slice(0, n), this.dim);
  }
}

function keeper(keep: ReadEmbeddingsOptions["keep"]): (w: string) => boolean {
  if (keep === undefined) return () => true;
  if (typeof keep === "function") return keep;
  return (w) => keep.has(w);
}

const HEADER = /^\s*(\d+)\s+(\d+)\s*$/;

/** Read a GloVe / word2vec / fastText file (see the file comment). */
export async function readEmbeddings(path: string, opts: ReadEmbeddingsOptions = {}): Promise<ReadEmbeddingsResult> {
  let format = opts.format ?? "auto";
  if (format === "fasttext") format = "word2vec";
  if (format === "auto" && extname(path).toLowerCase() === ".bin") format = "word2vec-binary";
  const reader = await ByteReader.open(path);
  try {
    if (format === "word2vec-binary") return await readBinary(reader, path, opts);
    return await readText(reader, path, format, opts);
  } finally {
    await reader.close();
  }
}

async function readText(reader: ByteReader, path: string, format: "auto" | "glove" | "word2vec", opts: ReadEmbeddingsOptions): Promise<ReadEmbeddingsResult> {
  const keep = keeper(opts.keep);
  const limit = opts.limit ?? Infinity;
  let lineNo = 0;
  let dim = opts.dim ?? 0;
  let dimFrom = "the dim option";
  let count = -1; // from the header
  let rows: Rows | null = null;
  let rowsRead = 0;
  let fmt: "glove" | "word2vec" = format === "word2vec" ? "word2vec" : "glove";
  outer: for await (const batch of reader.lineBatches()) {
    for (const raw of batch) {
      lineNo++;
      if (lineNo === 1 && format !== "glove") {
        const m = HEADER.exec(raw);
        if (m !== null) {
          fmt = "word2vec";
          count = Number(m[1]);
          const hd = Number(m[2]);
          if (opts.dim !== undefined && hd !== opts.dim) throw new DataFormatError(path, 1, `header says dimension ${hd}, expected ${opts.dim}`);
          if (hd < 1 || 2 * hd > reader.size) throw new DataFormatError(path, 1, `header says dimension ${hd}, but ${hd < 1 ? "a dimension must be positive" : `a row of ${hd} values needs at least ${2 * hd} bytes and the file has ${reader.size}`}`);
          dim = hd;
          dimFrom = "the header";
          continue;
        }
        if (format === "word2vec") throw new DataFormatError(path, 1, `expected a word2vec header "<count> <dim>", got ${preview(raw)} (hint: GloVe files have no header: pass format "glove")`);
      }
      if (rowsRead >= limit) break outer;
      const line = raw.trimEnd();
      if (line === "") continue;
      const f = line.split(" ");
      if (dim === 0) {
        dim = f.length - 1;
        dimFrom = `line ${lineNo}`;
        if (dim < 1) throw new DataFormatError(path, lineNo, `expected "word v1 … vD", got ${preview(line)}`);
      }
      // Pre-size from the header only when every row is kept (a filter usually keeps few), and never
      // beyond what the file can hold (a row of D values takes at least 2·D bytes): an edited
      // header must not allocate gigabytes
      if (2 * dim > reader.size) throw new DataFormatError(path, lineNo, `dimension ${dim} (from ${dimFrom}) needs rows of at least ${2 * dim} bytes, but the file has ${reader.size}`);
      rows ??= new Rows(dim, Math.min(count > 0 && opts.keep === undefined ? count : 1 << 14, limit, Math.floor(reader.size / (2 * dim)) + 1));
      let first = 1; // index of the first number
      if (f.length !== dim + 1) {
        // A word containing spaces (GloVe 840B has a few) vs. a row of the wrong length.
        const extra = f.length - 1 - dim;
        let isWordPart = extra > 0;
        for (let j = 1; j <= extra && isWordPart; j++) if (f[j] !== "" && Number.isFinite(Number(f[j]))) isWordPart = false;
        if (!isWordPart) throw new DataFormatError(path, lineNo, `row for ${preview(f[0] ?? "")} has ${f.length - 1} values, expected ${dim} (dimension from ${dimFrom})`);
        first = 1 + extra;
      }
      rowsRead++;
      const word = first === 1 ? f[0]! : f.slice(0, first).join(" ");
      if (!keep(word)) continue;
      const o = rows.add(word);
      if (o < 0) continue;
      const data = rows.data;
      for (let j = 0; j < dim; j++) {
        const s = f[first + j]!;
        // Stored as float32: "1e39" is a finite double but overflows to Infinity in the row.
        const v = Math.fround(+s);
        if (!Number.isFinite(v) || s === "") throw new DataFormatError(path, lineNo, `value ${j + 1} of ${preview(word)} is ${preview(s)}, expected a finite number within float32 range (|x| < 3.4e38)`);
        data[o + j] = v;
      }
    }
  }
  if (rows === null) {
    if (dim === 0) throw new DataFormatError(path, 0, `no vectors found (empty file)`);
    rows = new Rows(dim, 0);
  }
  if (count >= 0 && rowsRead < Math.min(count, opts.limit ?? Infinity)) {
    throw new DataFormatError(path, lineNo, `the header promises ${count} rows but the file ends after ${rowsRead} (truncated file?)`);
  }
  return { vectors: rows.finish(), format: fmt, rowsRead, duplicates: rows.duplicates, notes: legacyNote(reader, path) };
}

function legacyNote(reader: ByteReader, path: string): string[] {
  return reader.legacyDecoded > 0 ? [`${path}: ${reader.legacyDecoded} row(s) were not valid UTF-8 and were decoded as Windows-1252`] : [];
}

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

async function readBinary(reader: ByteReader, path: string, opts: ReadEmbeddingsOptions): Promise<ReadEmbeddingsResult> {
  const keep = keeper(opts.keep);
  const headerBytes = await reader.readUntil(10);
  const header = headerBytes === null ? "" : headerBytes.toString("latin1");
  const m = HEADER.exec(header);
  if (m === null) throw new DataFormatError(path, 1, `expected a word2vec binary header "<count> <dim>", got ${preview(header)}`);
  const count = Number(m[1]);
  const dim = Number(m[2]);
  if (dim < 1) throw new DataFormatError(path, 1, `dimension must be positive, got ${dim}`);
  if (opts.dim !== undefined && dim !== opts.dim) throw new DataFormatError(path, 1, `header says dimension ${dim}, expected ${opts.dim}`);
  if (4 * dim > reader.size) throw new DataFormatError(path, 1, `header says dimension ${dim}: one row needs ${4 * dim} bytes of float32 values, but the file has ${reader.size} (wrong header or truncated file?)`);
  const n = Math.min(count, opts.limit ?? Infinity);
  // pre-size never beyond what the file can hold (a row takes at least 4·D + 2 bytes)
  const rows = new Rows(dim, Math.min(opts.keep === undefined ? n : 1 << 14, n, Math.floor(reader.size / (4 * dim + 2)) + 1));
  const bytes = 4 * dim;
  for (let r = 0; r < n; r++) {
    await reader.skipWhile(10);
    const at = reader.position;
    const wb = await reader.readUntil(32);
    if (wb === null) throw new DataFormatError(path, 0, `the header promises ${count} rows but the file ends after ${r} (truncated file?)`);
    const word = reader.decode(0, wb.length, wb);
    const vb = await reader.readBytes(bytes);
    if (vb === null) throw new DataFormatError(path, 0, `row ${r + 1} (${preview(word)}, byte offset ${at}) is cut short: expected ${bytes} bytes of float32 values (wrong dimension or truncated file?)`);
    if (!keep(word)) continue;
    const o = rows.add(word);
    if (o < 0) continue;
    if (LITTLE_ENDIAN) {
      new Uint8Array(rows.data.buffer, rows.data.byteOffset + o * 4, bytes).set(vb);
    } else {
      const dv = new DataView(vb.buffer, vb.byteOffset, bytes);
      for (let j = 0; j < dim; j++) rows.data[o + j] = dv.getFloat32(4 * j, true);
    }
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(rows.data[o + j]!)) throw new DataFormatError(path, 0, `row ${r + 1} (${preview(word)}, byte offset ${at}): value ${j + 1} is not finite (wrong dimension or not a word2vec binary file?)`);
    }
  }
  return { vectors: rows.finish(), format: "word2vec-binary", rowsRead: n, duplicates: rows.duplicates, notes: legacyNote(reader, path) };
}
