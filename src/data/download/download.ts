/**
 * Downloading one file into the cache with node's own http / https modules.
 *
 * - Redirects (301/302/303/307/308) are followed up to `maxRedirects` (default 5); an https → http
 *   downgrade is refused.
 * - Bytes go to a temporary `<dest>.<pid>.<random>.part` file, hashed on the way; only a complete,
 *   verified file is renamed to `dest`, so an interrupted or corrupt download never looks cached.
 * - `sha256` is checked when given; a mismatch deletes the file and fails. `sha256: null` means no
 *   published checksum: the computed one is recorded next to the file (`<dest>.sha256`, sha256sum
 *   format), logged, and checked on later runs (trust on first use). `md5` is checked as well when
 *   given (torchtext publishes MD5s for the archives whose SHA-256 is not published).
 * - Several URLs are mirrors tried in order; the error lists every attempt.
 * - An existing `dest` whose checksum matches is reused without touching the network.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { defaultCacheDir } from "./cache.js";

export interface DownloadOptions {
  /** The URL, or mirrors tried in order until one gives a verified file. */
  url: string | readonly string[];
  /** Expected SHA-256 (hex), or null to record the checksum on first download. */
  sha256: string | null;
  /** Expected MD5 (hex), checked in addition when given. */
  md5?: string;
  /** Destination file (default `<cacheDir>/<last URL path segment>`). */
  dest?: string;
  /** Cache folder for the default `dest` (default `defaultCacheDir()`). */
  cacheDir?: string;
  /** Called as bytes arrive; `total` is the Content-Length, or null when the server sends none. */
  onProgress?: (bytes: number, total: number | null) => void;
  maxRedirects?: number;
  /** Give up when the connection is idle this long (default 30 s). */
  timeoutMs?: number;
  /** Download even when a verified copy exists. */
  force?: boolean;
  /** Where notices go (recorded checksums, retries); default stderr. */
  log?: (message: string) => void;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** True when an existing verified file was reused (no network). */
  cached: boolean;
  /** The URL the bytes came from after redirects (null when cached). */
  url: string | null;
  /** True when no checksum was known and the computed one was recorded. */
  recorded: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const defaultLog = (m: string): void => {
  process.stderr.write(m + "\n");
};

/** SHA-256 (and MD5) of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; md5: string; bytes: number }> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    sha.update(b);
    md5.update(b);
    bytes += b.length;
  }
  return { sha256: sha.digest("hex"), md5: md5.digest("hex"), bytes };
}

/** The checksum recorded by a previous `sha256: null` download, if any. */
export function readRecordedSha256(dest: string): string | null {
  const p = `${dest}.sha256`;
  if (!existsSync(p)) return null;
  const h = readFileSync(p, "utf8").slice(0, 64).toLowerCase();
  return HEX64.test(h) ? h : null;
}

function recordSha256(dest: string, sha256: string): void {
  writeFileSync(`${dest}.sha256`, `${sha256}  ${basename(dest)}\n`);
}

/** GET with redirects; resolves with the 200 response. */
function openUrl(url: string, maxRedirects: number, timeoutMs: number): Promise<{ res: http.IncomingMessage; finalUrl: string }> {
  const once = (u: URL): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const mod = u.protocol === "https:" ? https : http;
      const req = mod.get(u, { headers: { "user-agent": "rnnkit (+https://www.npmjs.com/package/rnnkit)", "accept-encoding": "identity" } }, resolve);
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
      req.on("error", reject);
    });
  return (async () => {
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      throw new Error(`not a valid URL: ${JSON.stringify(url)}`);
    }
    for (let hop = 0; ; hop++) {
      if (current.protocol !== "http:" && current.protocol !== "https:") throw new Error(`unsupported protocol ${current.protocol} in ${current.href} (only http and https)`);
      const res = await once(current);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (hop >= maxRedirects) throw new Error(`too many redirects (more than ${maxRedirects}) starting at ${url}`);
        const next = new URL(location, current);
        if (current.protocol === "https:" && next.protocol === "http:") throw new Error(`refusing a redirect from https to http (${current.href} → ${next.href})`);
        current = next;
        continue;
      }
      if (status !== 200) {
        res.resume();
        throw new Error(`HTTP ${status} ${res.statusMessage ?? ""}`.trimEnd() + ` for ${current.href}`);
      }
      return { res, finalUrl: current.href };
    }
  })();
}

/** One attempt: fetch `url` into a temporary file next to `dest`; returns the temp path and hashes. */
async function fetchToTemp(
  url: string,
  dest: string,
  o: Required<Pick<DownloadOptions, "maxRedirects" | "timeoutMs">> & Pick<DownloadOptions, "onProgress">,
): Promise<{ tmp: string; sha256: string; md5: string; bytes: number; finalUrl: string }> {
  const { res, finalUrl } = await openUrl(url, o.maxRedirects, o.timeoutMs);
  const lenHeader = res.headers["content-length"];
  const total = lenHeader !== undefined && /^\d+$/.test(lenHeader) ? Number(lenHeader) : null;
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString("hex")}.part`;
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let bytes = 0;
  const onProgress = o.onProgress;
  try {
    await pipeline(
      res,
      async function* (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          sha.update(chunk);
          md5.update(chunk);
          bytes += chunk.length;
          onProgress?.(bytes, total);
          yield chunk;
        }
      },
      createWriteStream(tmp, { flags: "wx" }),
    );
    if (total !== null && bytes !== total) throw new Error(`truncated download from ${finalUrl}: got ${bytes} of ${total} bytes`);
  } catch (e) {
    rmSync(tmp, { force: true });
    const msg = (e as Error).message;
    if (msg.startsWith("truncated")) throw e;
    throw new Error(`transfer failed after ${bytes}${total === null ? "" : ` of ${total}`} bytes: ${msg}`);
  }
  return { tmp, sha256: sha.digest("hex"), md5: md5.digest("hex"), bytes, finalUrl };
}

/**
 * Download a file (rules in the file comment).
 *   const r = await download({ url: "https://…/input.txt", sha256: "86c4e6aa…", onProgress: (b, t) => … });
 */
export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  const urls = typeof opts.url === "string" ? [opts.url] : [...opts.url];
  if (urls.length === 0) throw new RangeError("download: no URL given");
  const want = opts.sha256 === null ? null : opts.sha256.toLowerCase();
  if (want !== null && !HEX64.test(want)) throw new RangeError(`download: sha256 must be 64 hex digits or null, got ${JSON.stringify(opts.sha256)}`);
  const wantMd5 = opts.md5?.toLowerCase();
  if (wantMd5 !== undefined && !HEX32.test(wantMd5)) throw new RangeError(`download: md5 must be 32 hex digits, got ${JSON.stringify(opts.md5)}`);
  const log = opts.log ?? defaultLog;
  const dest = opts.dest ?? join(opts.cacheDir ?? defaultCacheDir(), basename(new URL(urls[0]!).pathname) || "download");
  mkdirSync(dirname(dest), { recursive: true });

  // A checksum recorded by an earlier `sha256: null` download stands in for a published one.
  const recorded = want === null ? readRecordedSha256(dest) : null;
  const expected = want ?? recorded;

  // Reuse a verified copy.
  if (!opts.force && existsSync(dest)) {
    const h = await hashFile(dest);
    if (expected === null) {
      recordSha256(dest, h.sha256);
      log(`${dest}: no published checksum; recorded sha256 ${h.sha256}`);
      return { path: dest, sha256: h.sha256, bytes: h.bytes, cached: true, url: null, recorded: true };
    }
    if (h.sha256 === expected && (wantMd5 === undefined || h.md5 === wantMd5)) {
      return { path: dest, sha256: h.sha256, bytes: h.bytes, cached: true, url: null, recorded: false };
    }
    log(`${dest}: cached copy has sha256 ${h.sha256}, expected ${expected}; downloading again`);
  }

  const failures: string[] = [];
  for (const url of urls) {
    let got: Awaited<ReturnType<typeof fetchToTemp>>;
    try {
      got = await fetchToTemp(url, dest, { maxRedirects: opts.maxRedirects ?? 5, timeoutMs: opts.timeoutMs ?? 30_000, onProgress: opts.onProgress });
    } catch (e) {
      failures.push(`${url}: ${(e as Error).message}`);
      continue;
    }
    const bad: string[] = [];
    if (expected !== null && got.sha256 !== expected) bad.push(`sha256 ${got.sha256}, expected ${expected}${want === null ? " (recorded on first download)" : ""}`);
    if (wantMd5 !== undefined && got.md5 !== wantMd5) bad.push(`md5 ${got.md5}, expected ${wantMd5}`);
    if (bad.length > 0) {
      rmSync(got.tmp, { force: true });
      failures.push(`${got.finalUrl}: checksum mismatch (${bad.join("; ")}); the file was deleted`);
      continue;
    }
    rmSync(dest, { force: true });
    renameSync(got.tmp, dest);
    if (expected === null) {
      recordSha256(dest, got.sha256);
      log(`${dest}: no published checksum; recorded sha256 ${got.sha256} (${got.bytes} bytes from ${got.finalUrl})`);
    }
    return { path: dest, sha256: got.sha256, bytes: got.bytes, cached: false, url: got.finalUrl, recorded: expected === null };
  }
  throw new Error(`download: could not fetch ${basename(dest)}:\n  ${failures.join("\n  ")}\n(hint: check the network, or place the file at ${dest} yourself)`);
}
