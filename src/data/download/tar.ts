/**
 * Tar archives (POSIX ustar, GNU long names, pax) read with node-tar's `Parser` — the parser npm
 * itself uses — and written through an `ExtractSink`, which enforces rnnkit's safety rules (no
 * path outside the destination, no symlink on disk, no device file, a size bound). node-tar only
 * parses here: it never touches the disk. `.tar.gz` is gunzipped on the fly with node:zlib, so a
 * 500 MB archive never sits in memory and a file that is not gzip is named as such.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import type { EntryWriter, ExtractSink } from "./sink.js";

/** Largest GNU long name / pax header accepted (they are names, not data). */
const MAX_META = 1 << 20;

/** node-tar's strict-mode error (a warning code it raises as an Error) in rnnkit's words. */
function describeTarError(e: Error & { tarCode?: string }, archive: string, lastEntry: string | null): Error {
  const msg = e.message.replace(/^TAR_[A-Z_]+: /, "");
  if (/checksum failure/.test(msg)) return new Error(`${archive}: ${lastEntry === null ? "not a tar archive at offset 0" : `corrupt tar header after entry ${JSON.stringify(lastEntry)}`} (checksum mismatch)`);
  if (/^Truncated input/.test(msg)) return new Error(`${archive}: truncated archive: ${msg}${lastEntry === null ? "" : ` (in or after entry ${JSON.stringify(lastEntry)})`}`);
  if (/Unrecognized archive format/.test(msg)) return new Error(`${archive}: not a tar archive (no valid tar header)`);
  return new Error(`${archive}: invalid tar archive${lastEntry === null ? "" : ` after entry ${JSON.stringify(lastEntry)}`}: ${msg}`);
}

/** Extract a tar stream (uncompressed bytes) through `sink`. */
export async function extractTarStream(stream: AsyncIterable<Buffer>, sink: ExtractSink): Promise<void> {
  let failure: Error | null = null;
  let lastEntry: string | null = null;
  const open = new Set<EntryWriter>(); // files being written
  const parser = new Parser({ strict: true, maxMetaEntrySize: MAX_META, onReadEntry: onEntry });
  const fail = (e: unknown): void => {
    failure ??= e instanceof Error ? e : new Error(String(e));
    parser.abort(failure);
  };
  const done = new Promise<void>((resolve, reject) => {
    parser.on("error", (e: Error) => reject(failure ?? describeTarError(e, sink.archive, lastEntry)));
    parser.on("end", () => resolve());
  });
  const settled = done.then(
    () => undefined,
    () => undefined, // the rejection is awaited below; this copy only ends a wait for "drain"
  );

  function onEntry(entry: ReadEntry): void {
    lastEntry = entry.path;
    if (failure) return void entry.resume();
    try {
      switch (entry.type) {
        case "File":
        case "OldFile":
        case "ContiguousFile": {
          const w = sink.file(entry.path);
          open.add(w);
          entry.on("data", (chunk: Buffer) => {
            if (failure) return;
            try {
              w.write(chunk);
            } catch (e) {
              fail(e);
            }
          });
          entry.on("end", () => {
            open.delete(w);
            w.close();
          });
          return;
        }
        case "Directory":
          sink.dir(entry.path);
          break;
        case "SymbolicLink":
          sink.symlink(entry.path, entry.linkpath ?? "");
          break;
        case "Link":
          sink.hardlink(entry.path, entry.linkpath ?? "");
          break;
        case "CharacterDevice":
        case "BlockDevice":
          throw sink.fail(entry.path, `${entry.type === "CharacterDevice" ? "character" : "block"} device file (refused)`);
        case "FIFO":
          throw sink.fail(entry.path, "FIFO (refused)");
        default:
          sink.stats.skipped.push({ name: entry.path, reason: `unsupported tar entry type ${entry.type}` });
      }
      entry.resume();
    } catch (e) {
      entry.resume();
      fail(e);
    }
  }

  try {
    for await (const chunk of stream) {
      if (failure) break;
      if (!parser.write(chunk)) await Promise.race([new Promise<void>((resolve) => parser.once("drain", () => resolve())), settled]);
    }
    if (!failure) parser.end();
    await done;
    if (failure) throw failure;
  } finally {
    for (const w of open) w.close(); // entries cut short by an error
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
