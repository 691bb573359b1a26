/**
 * The downloader against a local HTTP server on 127.0.0.1 (never the internet): verified download,
 * cache reuse, redirects (and their bound), checksum mismatch, HTTP errors, truncation, mirrors,
 * record-on-first-download, and `resolveDataset` / `loadCorpus` for the registry's PTB and Tiny
 * Shakespeare entries served from shared/data (so the registry's real checksums are exercised).
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { download, readRecordedSha256 } from "../../../src/data/download/download.js";
import { DATASETS, resolveDataset } from "../../../src/data/download/registry.js";
import { loadCorpus } from "../../../src/data/corpus/load.js";
import { defaultCacheDir } from "../../../src/data/download/cache.js";
import { sharedPath } from "../../helpers/shared.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on an ephemeral 127.0.0.1 port; routes are path → handler; hits counts requests per path. */
async function serve(t: TestContext, routes: Record<string, Handler>): Promise<{ base: string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const h = routes[path];
    if (h === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    h(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const body = (data: string | Buffer): Handler => (_req, res) => {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": Buffer.byteLength(data) }).end(data);
};
const redirect = (to: string, status = 302): Handler => (_req, res) => {
  res.writeHead(status, { location: to }).end();
};
const sha = (d: string | Buffer): string => createHash("sha256").update(d).digest("hex");
const md5 = (d: string | Buffer): string => createHash("md5").update(d).digest("hex");

function tmp(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), "rnnkit-dl-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
const quiet = (): void => {};

const TEXT = "hello, rnnkit\n".repeat(5000); // 70 kB: several chunks

test("download: verified file, progress to the total, then reused from the cache without a request", async (t) => {
  const { base, hits } = await serve(t, { "/data/file.txt": body(TEXT) });
  const dir = tmp(t);
  const seen: Array<[number, number | null]> = [];
  const r = await download({ url: `${base}/data/file.txt`, sha256: sha(TEXT), md5: md5(TEXT), cacheDir: dir, onProgress: (b, tot) => seen.push([b, tot]), log: quiet });
  assert.equal(r.path, join(dir, "file.txt"));
  assert.equal(readFileSync(r.path, "utf8"), TEXT);
  assert.deepEqual([r.cached, r.recorded, r.bytes, r.sha256], [false, false, TEXT.length, sha(TEXT)]);
  assert.deepEqual(seen[seen.length - 1], [TEXT.length, TEXT.length]);
  assert.ok(seen.every(([b], i) => i === 0 || b > seen[i - 1]![0]), "progress increases");
  const again = await download({ url: `${base}/data/file.txt`, sha256: sha(TEXT), cacheDir: dir, log: quiet });
  assert.equal(again.cached, true);
  assert.equal(hits.get("/data/file.txt"), 1, "no second request");
  assert.deepEqual(readdirSync(dir), ["file.txt"], "no temporary files left");
});

test("download: follows relative and absolute redirects; bounded; refuses non-http protocols", async (t) => {
  const { base } = await serve(t, {
    "/a": redirect("/b", 301),
    "/b": (_q, res) => redirect(`${base}/final.txt`, 307)(_q, res),
    "/final.txt": body(TEXT),
    "/loop": redirect("/loop"),
    "/ftp": redirect("ftp://127.0.0.1/x"),
  });
  const dir = tmp(t);
  const r = await download({ url: `${base}/a`, sha256: sha(TEXT), dest: join(dir, "x.txt"), log: quiet });
  assert.equal(r.url, `${base}/final.txt`);
  assert.equal(readFileSync(join(dir, "x.txt"), "utf8"), TEXT);
  await assert.rejects(download({ url: `${base}/loop`, sha256: sha(TEXT), dest: join(dir, "loop.txt"), maxRedirects: 3, log: quiet }), /too many redirects \(more than 3\)/);
  await assert.rejects(download({ url: `${base}/ftp`, sha256: sha(TEXT), dest: join(dir, "ftp.txt"), log: quiet }), /unsupported protocol ftp:/);
  assert.ok(!existsSync(join(dir, "loop.txt")) && !existsSync(join(dir, "ftp.txt")));
});

test("download: a checksum mismatch deletes the file and says so; HTTP errors and truncation fail cleanly", async (t) => {
  const { base } = await serve(t, {
    "/f.txt": body(TEXT),
    "/gone": (_q, res) => res.writeHead(500).end("boom"),
    "/short": (_q, res) => {
      res.writeHead(200, { "content-length": 1000 });
      res.write("only a bit");
      setTimeout(() => res.socket?.destroy(), 20);
    },
  });
  const dir = tmp(t);
  const wrong = "0".repeat(64);
  await assert.rejects(download({ url: `${base}/f.txt`, sha256: wrong, dest: join(dir, "f.txt"), log: quiet }), (e: Error) => {
    assert.match(e.message, /could not fetch f\.txt/);
    assert.match(e.message, new RegExp(`checksum mismatch \\(sha256 ${sha(TEXT)}, expected 0{64}\\); the file was deleted`));
    return true;
  });
  await assert.rejects(download({ url: `${base}/f.txt`, sha256: sha(TEXT), md5: "0".repeat(32), dest: join(dir, "f.txt"), log: quiet }), /md5 [0-9a-f]{32}, expected 0{32}/);
  await assert.rejects(download({ url: `${base}/gone`, sha256: wrong, dest: join(dir, "g"), log: quiet }), /HTTP 500 Internal Server Error for http:\/\/127\.0\.0\.1:\d+\/gone/);
  await assert.rejects(download({ url: `${base}/short`, sha256: wrong, dest: join(dir, "s"), log: quiet }), /could not fetch s:\n  http:\/\/127\.0\.0\.1:\d+\/short: transfer failed after 10 of 1000 bytes/);
  assert.deepEqual(readdirSync(dir), [], "nothing left behind: no dest, no .part files");
  await assert.rejects(download({ url: `${base}/f.txt`, sha256: "abc", dest: join(dir, "f.txt") }), /sha256 must be 64 hex digits or null/);
});

test("download: mirrors are tried in order", async (t) => {
  const { base, hits } = await serve(t, { "/m2/f.txt": body(TEXT) });
  const dir = tmp(t);
  const r = await download({ url: [`${base}/m1/f.txt`, `${base}/m2/f.txt`], sha256: sha(TEXT), cacheDir: dir, log: quiet });
  assert.equal(r.url, `${base}/m2/f.txt`);
  assert.equal(hits.get("/m1/f.txt"), 1);
});

test("download: sha256 null records the checksum on first download, then holds later copies to it", async (t) => {
  let served = TEXT;
  const { base } = await serve(t, { "/a.bin": (q, res) => body(served)(q, res) });
  const dir = tmp(t);
  const logs: string[] = [];
  const r = await download({ url: `${base}/a.bin`, sha256: null, cacheDir: dir, log: (m) => logs.push(m) });
  assert.equal(r.recorded, true);
  assert.equal(readRecordedSha256(r.path), sha(TEXT));
  assert.match(readFileSync(`${r.path}.sha256`, "utf8"), new RegExp(`^${sha(TEXT)}  a\\.bin\\n$`));
  assert.match(logs.join("\n"), new RegExp(`no published checksum; recorded sha256 ${sha(TEXT)}`));
  // the upstream file changes and the cached copy is lost: the re-download no longer matches
  served = "something else";
  rmSync(r.path);
  await assert.rejects(download({ url: `${base}/a.bin`, sha256: null, cacheDir: dir, log: quiet }), /expected [0-9a-f]{64} \(recorded on first download\)/);
});

test("defaultCacheDir honours RNNKIT_CACHE", () => {
  const old = process.env.RNNKIT_CACHE;
  process.env.RNNKIT_CACHE = "/some/where";
  try {
    assert.equal(defaultCacheDir(), "/some/where");
  } finally {
    if (old === undefined) delete process.env.RNNKIT_CACHE;
    else process.env.RNNKIT_CACHE = old;
  }
});

test("registry: PTB and Tiny Shakespeare checksums are the SOURCE.md ones; unknown names are listed", async () => {
  assert.equal(DATASETS.ptb.files[0]!.sha256, "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf");
  assert.equal(DATASETS.tinyshakespeare.files[0]!.sha256, "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed");
  assert.equal(DATASETS.imdb.files[0]!.urls[0], "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz");
  await assert.rejects(resolveDataset("mnist" as "ptb", { cacheDir: "/nonexistent" }), /unknown dataset "mnist"; known: ptb, tinyshakespeare, wikitext-2, imdb/);
});

test("resolveDataset('ptb') from a local mirror: registry checksums verified, cached, loadCorpus counts", async (t) => {
  const ptb = sharedPath(t, "data", "ptb");
  if (ptb === null) return;
  const routes: Record<string, Handler> = {};
  for (const s of ["train", "valid", "test"]) routes[`/mirror/ptb.${s}.txt`] = body(readFileSync(join(ptb, `ptb.${s}.txt`)));
  const { base, hits } = await serve(t, routes);
  const cacheDir = tmp(t);
  const opts = { cacheDir, baseUrl: `${base}/mirror`, dataDir: "", log: quiet };
  const r = await resolveDataset("ptb", opts);
  assert.equal(r.source, "download");
  assert.equal(r.dir, join(cacheDir, "ptb"));
  assert.equal(r.sha256["ptb.valid.txt"], "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2");
  const c = await loadCorpus({ dataset: "ptb", download: opts });
  assert.deepEqual([c.train.length, c.valid.length, c.test.length], [929_589, 73_760, 82_430]);
  assert.equal(hits.get("/mirror/ptb.train.txt"), 1, "second resolve used the cache");
  // a local data folder (shared/data layout) is used as is
  const local = await resolveDataset("ptb", { dataDir: join(ptb, ".."), cacheDir, log: quiet });
  assert.deepEqual([local.source, local.dir], ["data-dir", ptb]);
});

test("resolveDataset: a mirror serving different bytes fails the registry checksum and caches nothing", async (t) => {
  const { base } = await serve(t, { "/input.txt": body("To be, or not to be\n") });
  const cacheDir = tmp(t);
  await assert.rejects(
    resolveDataset("tinyshakespeare", { cacheDir, baseUrl: base, dataDir: "", log: quiet }),
    /input\.txt: checksum mismatch \(sha256 [0-9a-f]{64}, expected 86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed\)/,
  );
  assert.deepEqual(readdirSync(join(cacheDir, "tinyshakespeare")), []);
});

test("loadCorpus({ dataset: 'tinyshakespeare' }) through a local mirror: char level, 65 symbols", async (t) => {
  const p = sharedPath(t, "data", "tinyshakespeare", "input.txt");
  if (p === null) return;
  const { base } = await serve(t, { "/input.txt": body(readFileSync(p)) });
  const cacheDir = tmp(t);
  const c = await loadCorpus({ dataset: "tinyshakespeare", download: { cacheDir, baseUrl: base, dataDir: "", log: quiet } });
  assert.equal(c.tokenizer.level, "char");
  assert.equal(c.train.length + c.valid.length, 1_115_394);
  assert.equal(new Set(c.train).size, 65);
  assert.ok(existsSync(join(cacheDir, "tinyshakespeare", ".rnnkit-dataset.json")));
});
