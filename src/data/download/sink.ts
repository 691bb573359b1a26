/**
 * The only place extracted archive entries touch the disk, and the safety rules for them:
 *
 * - Entry names are archive paths: `\` counts as a separator, `.` and empty segments are dropped.
 *   An absolute name (`/x`, `C:\x`, `\\server\x`), a name with a `..` segment, or a NUL byte makes
 *   the whole extraction fail with an error naming the archive and the entry.
 * - Symbolic links are never created on disk. A link whose target is absolute or leads outside
 *   the extraction root is refused (error). A link inside the root is materialised AFTER all
 *   entries are written, as a copy of its target if that is a regular file; links to folders or to
 *   missing targets are skipped and reported. Hard links follow the same rule (their target is an
 *   archive path). Because no symlink ever exists on disk, no later entry can write through one.
 * - Device files, FIFOs and other special entries are refused (error).
 * - `maxBytes` bounds the total size written (a decompression-bomb guard).
 *
 * The root is expected to be a fresh, empty folder (see `extractArchive`).
 */
import { closeSync, copyFileSync, lstatSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join, posix } from "node:path";

export interface SkippedEntry {
  name: string;
  reason: string;
}

export interface ExtractStats {
  files: number;
  dirs: number;
  bytes: number;
  skipped: SkippedEntry[];
}

/**
 * Normalise an archive entry name to a relative POSIX path, or null for the root itself ("./").
 * Throws on absolute paths, `..` segments and NUL bytes.
 */
export function safeEntryPath(name: string): string | null {
  if (name.includes("\0")) throw new Error("the name contains a NUL byte");
  const n = name.replace(/\\/g, "/");
  if (n.startsWith("/") || /^[A-Za-z]:/.test(n)) throw new Error("absolute path (refused: it would be written outside the destination folder)");
  const parts = n.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new Error("path traversal with '..' (refused: it could be written outside the destination folder)");
  return parts.length === 0 ? null : parts.join("/");
}

interface PendingLink {
  name: string;
  rel: string;
  target: string; // relative to root
  kind: "symlink" | "hardlink";
}

/** An open output file; `write` appends; `close` may be called more than once. */
export interface EntryWriter {
  write(chunk: Uint8Array): void;
  close(): void;
}

export class ExtractSink {
  private readonly links: PendingLink[] = [];
  readonly stats: ExtractStats = { files: 0, dirs: 0, bytes: 0, skipped: [] };

  constructor(
    readonly root: string,
    readonly archive: string,
    readonly maxBytes: number = 16 * 2 ** 30,
  ) {}

  /** An error naming the archive and the entry. */
  fail(name: string, reason: string): Error {
    return new Error(`${this.archive}: entry ${JSON.stringify(name)}: ${reason}`);
  }

  private rel(name: string): string | null {
    try {
      return safeEntryPath(name);
    } catch (e) {
      throw this.fail(name, (e as Error).message);
    }
  }

  private mkdirs(relDir: string, name: string): void {
    if (relDir === "" || relDir === ".") return;
    try {
      mkdirSync(join(this.root, relDir), { recursive: true });
    } catch (e) {
      throw this.fail(name, `cannot create folder ${relDir}: ${(e as Error).message}`);
    }
  }

  dir(name: string): void {
    const rel = this.rel(name);
    if (rel === null) return;
    this.mkdirs(rel, name);
    this.stats.dirs++;
  }

  /** Open a regular file for writing (replacing an earlier entry of the same name). */
  file(name: string): EntryWriter {
    const rel = this.rel(name);
    if (rel === null) throw this.fail(name, "a file entry without a name");
    this.mkdirs(posix.dirname(rel), name);
    const path = join(this.root, rel);
    let fd: number;
    try {
      fd = openSync(path, "w");
    } catch (e) {
      throw this.fail(name, `cannot write ${rel}: ${(e as Error).message}`);
    }
    this.stats.files++;
    let open = true;
    const close = (): void => {
      if (open) closeSync(fd);
      open = false;
    };
    return {
      write: (chunk: Uint8Array): void => {
        if (!open) throw this.fail(name, "write after close");
        this.stats.bytes += chunk.length;
        if (this.stats.bytes > this.maxBytes) {
          close();
          throw this.fail(name, `the archive expands to more than ${this.maxBytes} bytes (refused as a likely decompression bomb; raise maxBytes if it is genuine)`);
        }
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      },
      close,
    };
  }

  /** A symbolic link; `target` is relative to the link's folder. Checked now, copied in `finish`. */
  symlink(name: string, target: string): void {
    const rel = this.rel(name);
    if (rel === null) throw this.fail(name, "a symlink entry without a name");
    const t = target.replace(/\\/g, "/");
    if (t === "" || t.startsWith("/") || /^[A-Za-z]:/.test(t)) throw this.fail(name, `symlink to absolute path ${JSON.stringify(target)} (refused: it points outside the destination folder)`);
    const resolved = posix.normalize(posix.join(posix.dirname(rel), t));
    if (resolved === ".." || resolved.startsWith("../")) throw this.fail(name, `symlink to ${JSON.stringify(target)} points outside the destination folder (refused)`);
    this.links.push({ name, rel, target: resolved, kind: "symlink" });
  }

  /** A hard link; `target` is an archive path. Checked now, copied in `finish`. */
  hardlink(name: string, target: string): void {
    const rel = this.rel(name);
    if (rel === null) throw this.fail(name, "a hard-link entry without a name");
    let t: string | null;
    try {
      t = safeEntryPath(target);
    } catch (e) {
      throw this.fail(name, `hard link to ${JSON.stringify(target)}: ${(e as Error).message}`);
    }
    if (t === null) throw this.fail(name, `hard link to the destination folder itself (refused)`);
    this.links.push({ name, rel, target: t, kind: "hardlink" });
  }

  /** Materialise the links that point at regular files; report the rest. */
  finish(): ExtractStats {
    for (const l of this.links) {
      const src = join(this.root, l.target);
      let isFile = false;
      try {
        isFile = lstatSync(src).isFile();
      } catch {
        this.stats.skipped.push({ name: l.name, reason: `${l.kind} to ${l.target}, which is not in the archive` });
        continue;
      }
      if (!isFile) {
        this.stats.skipped.push({ name: l.name, reason: `${l.kind} to ${l.target}, which is not a regular file (links are copied, not created)` });
        continue;
      }
      this.mkdirs(posix.dirname(l.rel), l.name);
      try {
        copyFileSync(src, join(this.root, l.rel));
      } catch (e) {
        throw this.fail(l.name, `cannot copy the ${l.kind} target ${l.target}: ${(e as Error).message}`);
      }
      this.stats.files++;
    }
    return this.stats;
  }
}
