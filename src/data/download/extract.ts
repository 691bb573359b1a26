/**
 * `extractArchive`: unpack a .tar.gz / .tgz / .tar / .zip into a folder, safely (rules in
 * `sink.ts`) and all-or-nothing: entries go to a fresh hidden temporary folder inside `destDir`,
 * and only when the whole archive extracted cleanly are its top-level entries moved into `destDir`
 * (replacing same-named ones). On any error the temporary folder is removed and nothing changes.
 */
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ExtractStats, ExtractSink } from "./sink.js";
import { extractTarFile } from "./tar.js";
import { extractZipFile } from "./zip.js";

export type ArchiveKind = "tar.gz" | "tar" | "zip";

export interface ExtractOptions {
  /** Archive type; default from the file name, else from the first bytes. */
  kind?: ArchiveKind;
  /** Largest total size written (default 16 GiB). */
  maxBytes?: number;
}

export interface ExtractResult extends ExtractStats {
  /** The top-level names now in destDir. */
  entries: string[];
}

/** Archive type from the name (.tar.gz / .tgz / .tar / .zip) or the magic bytes; null if unknown. */
export function detectArchiveKind(path: string): ArchiveKind | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "tar.gz";
  if (lower.endsWith(".tar")) return "tar";
  if (lower.endsWith(".zip")) return "zip";
  const head = Buffer.alloc(262);
  const fd = openSync(path, "r");
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
  if (n >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
  return null;
}

/**
 * Extract an archive into destDir (created if needed).
 *   await extractArchive("aclImdb_v1.tar.gz", cacheDir)  // → cacheDir/aclImdb/...
 */
export async function extractArchive(archive: string, destDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const kind = opts.kind ?? detectArchiveKind(archive);
  if (kind === null) throw new Error(`${archive}: unknown archive type (hint: expected .tar.gz, .tgz, .tar or .zip)`);
  mkdirSync(destDir, { recursive: true });
  const tmp = join(destDir, `.extract-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp);
  try {
    const sink = new ExtractSink(tmp, archive, opts.maxBytes);
    if (kind === "zip") await extractZipFile(archive, sink);
    else await extractTarFile(archive, sink, kind === "tar.gz");
    const stats = sink.finish();
    const entries = readdirSync(tmp);
    for (const e of entries) {
      const target = join(destDir, e);
      rmSync(target, { recursive: true, force: true });
      renameSync(join(tmp, e), target);
    }
    return { ...stats, entries };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
