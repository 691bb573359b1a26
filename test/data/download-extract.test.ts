/**
 * Safe archive extraction on archives the test builds itself: ustar / GNU long names / pax tar.gz
 * and stored / deflate zip, plus malicious ones (`../evil`, absolute paths, symlinks and hard links
 * pointing outside, device files, a long name or pax path smuggling `..`), and `resolveDataset`
 * downloading + extracting an archive from a local 127.0.0.1 server.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";
import { detectArchiveKind, extractArchive } from "../../src/data/download/extract.js";
import { type DatasetSpec, resolveDataset } from "../../src/data/download/registry.js";
import { safeEntryPath } from "../../src/data/download/sink.js";
import { crc32 } from "../../src/data/download/zip.js";

// ------------------------------------------------------------------ archive builders

interface TarEntry {
  name: string;
  data?: string | Buffer;
  type?: string; // '0' file, '5' dir, '2' symlink, '1' hardlink, '3' char device, 'L', 'x' …
  link?: string;
  prefix?: string;
}

function tarHeader(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, "utf8");
  h.write("0000644\0", 100, "latin1");
  h.write("0000000\0", 108, "latin1");
  h.write("0000000\0", 116, "latin1");
  h.write(size.toString(8).padStart(11, "0") + "\0", 124, "latin1");
  h.write("14712345670\0", 136, "latin1");
  h[156] = (e.type ?? "0").charCodeAt(0);
  h.write(e.link ?? "", 157, 100, "utf8");
  h.write("ustar\0", 257, "latin1");
  h.write("00", 263, "latin1");
  h.write(e.prefix ?? "", 345, 155, "utf8");
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}

function paxData(records: Record<string, string>): Buffer {
  let out = "";
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    out += `${len}${rest}`;
  }
  return Buffer.from(out, "utf8");
}

function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    parts.push(tarHeader(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
const tgz = (entries: TarEntry[]): Buffer => gzipSync(tar(entries));

interface ZipEntry {
  name: string;
  data?: string;
  deflate?: boolean;
  unixMode?: number; // e.g. 0o120777 for a symlink
  flags?: number;
}

function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const raw = Buffer.from(e.data ?? "", "utf8");
    const packed = e.deflate === true ? deflateRawSync(raw) : raw;
    // an encrypted entry's data starts with a 12-byte encryption header (traditional PKWARE)
    const comp = (e.flags ?? 0) & 1 ? Buffer.concat([Buffer.alloc(12, 0xa5), packed]) : packed;
    const crc = crc32(raw);
    const method = e.deflate === true ? 8 : 0;
    const flags = (e.flags ?? 0) | 0x800;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(raw.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(e.unixMode !== undefined ? (3 << 8) | 20 : 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(raw.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(e.unixMode !== undefined ? (e.unixMode << 16) >>> 0 : 0, 38);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, comp);
    central.push(ch, name);
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

function tmp(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), "rnnkit-x-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Write an archive into `<root>/in/<name>` and return [archive path, empty destination folder]. */
function setup(t: TestContext, name: string, bytes: Buffer): { archive: string; dest: string; root: string } {
  const root = tmp(t);
  mkdirSync(join(root, "in"));
  const archive = join(root, "in", name);
  writeFileSync(archive, bytes);
  return { archive, dest: join(root, "out", "deep"), root };
}

/** Every path under a folder, relative, sorted (folders end with "/"). */
function tree(dir: string, pre = ""): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.isDirectory()) out.push(pre + d.name + "/", ...tree(join(dir, d.name), pre + d.name + "/"));
    else out.push(pre + d.name + (d.isSymbolicLink() ? "@" : ""));
  }
  return out.sort();
}

// ------------------------------------------------------------------ tests

test("crc32 of '123456789' is the standard check value 0xCBF43926", () => {
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
});

test("safeEntryPath normalises and refuses absolute paths and '..'", () => {
  assert.equal(safeEntryPath("./a//b/./c.txt"), "a/b/c.txt");
  assert.equal(safeEntryPath("a\\b"), "a/b");
  assert.equal(safeEntryPath("./"), null);
  for (const bad of ["../evil", "a/../../evil", "/etc/passwd", "C:\\x", "\\\\server\\share", "a\\..\\..\\x", "a\0b"]) {
    assert.throws(() => safeEntryPath(bad), /absolute path|path traversal|NUL byte/, bad);
  }
});

test("tar.gz: folders, ustar prefix, GNU long name, pax path, links inside the root become copies", async (t) => {
  const longName = "pkg/" + "very-long-folder-name/".repeat(6) + "file.txt"; // > 100 bytes
  const { archive, dest } = setup(t, "good.tar.gz", tgz([
    { name: "pkg/", type: "5" },
    { name: "pkg/a.txt", data: "alpha\n" },
    { name: "b.txt", prefix: "pkg/sub", data: "beta\n" },
    { name: "././@LongLink", type: "L", data: longName + "\0" },
    { name: longName.slice(0, 99), data: "long\n" },
    { name: "PaxHeader", type: "x", data: paxData({ path: "pkg/ünï-cødé.txt" }) },
    { name: "pkg/ignored-short-name", data: "pax\n" },
    { name: "pkg/hard", type: "1", link: "pkg/a.txt" },
    { name: "pkg/sub/soft", type: "2", link: "../a.txt" },
    { name: "pkg/dirlink", type: "2", link: "sub" },
    { name: "pkg/empty.txt", data: "" },
  ]));
  assert.equal(detectArchiveKind(archive), "tar.gz");
  const r = await extractArchive(archive, dest);
  assert.deepEqual(r.entries, ["pkg"]);
  const files = tree(dest);
  assert.ok(files.includes(longName), "GNU long name used");
  assert.ok(files.includes("pkg/ünï-cødé.txt"), "pax path used");
  assert.ok(!files.some((f) => f.endsWith("@")), "no symlinks on disk");
  assert.equal(readFileSync(join(dest, "pkg/sub/b.txt"), "utf8"), "beta\n");
  assert.equal(readFileSync(join(dest, "pkg/hard"), "utf8"), "alpha\n");
  assert.equal(readFileSync(join(dest, "pkg/sub/soft"), "utf8"), "alpha\n");
  assert.equal(readFileSync(join(dest, longName), "utf8"), "long\n");
  assert.equal(readFileSync(join(dest, "pkg/empty.txt"), "utf8"), "");
  assert.deepEqual(r.skipped.map((s) => s.name), ["pkg/dirlink"]);
  assert.match(r.skipped[0]!.reason, /not a regular file/);
  assert.deepEqual(readdirSync(dest), ["pkg"], "no temporary folder left");
});

test("tar.gz: malicious entries are refused with the entry named, and nothing is extracted", async (t) => {
  const cases: Array<[string, TarEntry[], RegExp]> = [
    ["dotdot", [{ name: "ok.txt", data: "fine" }, { name: "../evil", data: "pwned" }], /entry "\.\.\/evil": path traversal/],
    ["nested-dotdot", [{ name: "a/b/../../../evil", data: "pwned" }], /entry "a\/b\/\.\.\/\.\.\/\.\.\/evil": path traversal/],
    ["absolute", [{ name: "/tmp/rnnkit-evil", data: "pwned" }], /entry "\/tmp\/rnnkit-evil": absolute path/],
    ["symlink-out", [{ name: "link", type: "2", link: "../../evil" }], /entry "link": symlink to "\.\.\/\.\.\/evil" points outside the destination folder/],
    ["symlink-abs", [{ name: "passwd", type: "2", link: "/etc/passwd" }], /entry "passwd": symlink to absolute path "\/etc\/passwd"/],
    ["hardlink-out", [{ name: "h", type: "1", link: "../outside.txt" }], /entry "h": hard link to "\.\.\/outside\.txt": path traversal/],
    ["device", [{ name: "dev/null", type: "3" }], /entry "dev\/null": character device file \(refused\)/],
    ["fifo", [{ name: "pipe", type: "6" }], /entry "pipe": FIFO \(refused\)/],
    ["longname", [{ name: "././@LongLink", type: "L", data: "../../evil\0" }, { name: "harmless", data: "x" }], /entry "\.\.\/\.\.\/evil": path traversal/],
    ["pax", [{ name: "PaxHeader", type: "x", data: paxData({ path: "../evil" }) }, { name: "harmless", data: "x" }], /entry "\.\.\/evil": path traversal/],
  ];
  for (const [label, entries, re] of cases) {
    const { archive, dest, root } = setup(t, `${label}.tgz`, tgz(entries));
    await assert.rejects(extractArchive(archive, dest), (e: Error) => {
      assert.match(e.message, re, label);
      assert.ok(e.message.startsWith(archive), `${label}: the error names the archive`);
      return true;
    });
    assert.deepEqual(tree(dest), [], `${label}: nothing extracted`);
    assert.deepEqual(tree(root).filter((p) => !p.startsWith("in") && !p.startsWith("out")), [], `${label}: nothing written outside`);
  }
  assert.ok(!existsSync("/tmp/rnnkit-evil"));
});

test("tar: a symlink to '.' cannot be used to write outside (links are never created on disk)", async (t) => {
  const { archive, dest } = setup(t, "trick.tar", tar([
    { name: "d", type: "2", link: "." },
    { name: "d/x.txt", data: "inside" },
  ]));
  const r = await extractArchive(archive, dest);
  assert.deepEqual(tree(dest), ["d/", "d/x.txt"]);
  assert.deepEqual(r.skipped.map((s) => s.name), ["d"]);
});

test("corrupt or foreign input: bad tar checksum, not gzip, truncated data", async (t) => {
  const good = tar([{ name: "a.txt", data: "x".repeat(2000) }]);
  const bad = Buffer.from(good);
  bad[10] = 0x41; // name byte changed, checksum not updated
  const a = setup(t, "bad.tar", bad);
  await assert.rejects(extractArchive(a.archive, a.dest), /not a tar archive at offset 0 \(checksum mismatch\)/);
  const b = setup(t, "plain.tar.gz", Buffer.from("just text, not gzip"));
  await assert.rejects(extractArchive(b.archive, b.dest), /plain\.tar\.gz: not a valid gzip file/);
  const c = setup(t, "cut.tar", good.subarray(0, 1024));
  await assert.rejects(extractArchive(c.archive, c.dest), /truncated archive/);
  const d = setup(t, "data.bin", Buffer.from("????"));
  await assert.rejects(extractArchive(d.archive, d.dest), /unknown archive type/);
  for (const x of [a, b, c]) assert.deepEqual(tree(x.dest), []);
});

test("zip: stored and deflated entries, folders, CRC checked; symlink inside copied", async (t) => {
  const { archive, dest } = setup(t, "w.zip", zip([
    { name: "wikitext-2/" },
    { name: "wikitext-2/wiki.train.tokens", data: " = Valkyria = \n".repeat(300), deflate: true },
    { name: "wikitext-2/wiki.valid.tokens", data: " valid \n" },
    { name: "wikitext-2/alias", data: "wiki.valid.tokens", unixMode: 0o120777 },
  ]));
  assert.equal(detectArchiveKind(archive), "zip");
  const r = await extractArchive(archive, dest);
  assert.deepEqual(r.entries, ["wikitext-2"]);
  assert.equal(readFileSync(join(dest, "wikitext-2/wiki.train.tokens"), "utf8"), " = Valkyria = \n".repeat(300));
  assert.equal(readFileSync(join(dest, "wikitext-2/alias"), "utf8"), " valid \n");
  const broken = zip([{ name: "a.txt", data: "hello", deflate: false }]);
  broken[30 + 5] = "J".charCodeAt(0); // corrupt the stored data: CRC mismatch
  const b = setup(t, "broken.zip", broken);
  await assert.rejects(extractArchive(b.archive, b.dest), /entry "a\.txt": CRC-32 mismatch/);
});

test("zip: traversal, backslash traversal, absolute, outside symlink, device and encrypted entries are refused", async (t) => {
  const cases: Array<[string, ZipEntry[], RegExp]> = [
    ["dotdot", [{ name: "../evil.txt", data: "x" }], /entry "\.\.\/evil\.txt": path traversal/],
    ["backslash", [{ name: "a\\..\\..\\evil.txt", data: "x" }], /path traversal/],
    ["absolute", [{ name: "/etc/evil", data: "x" }], /absolute path/],
    ["symlink", [{ name: "l", data: "../../../etc/passwd", unixMode: 0o120777 }], /entry "l": symlink to "\.\.\/\.\.\/\.\.\/etc\/passwd" points outside/],
    ["device", [{ name: "dev", data: "", unixMode: 0o020644 }], /entry "dev": special file/],
    ["encrypted", [{ name: "secret.txt", data: "x", flags: 1 }], /entry "secret\.txt": encrypted entry/],
  ];
  for (const [label, entries, re] of cases) {
    const { archive, dest } = setup(t, `${label}.zip`, zip([{ name: "fine.txt", data: "ok" }, ...entries]));
    await assert.rejects(extractArchive(archive, dest), re, label);
    assert.deepEqual(tree(dest), [], `${label}: nothing extracted`);
  }
});

test("resolveDataset with an archive: download from 127.0.0.1, verify, extract, delete the archive, then cache", async (t) => {
  const archive = tgz([
    { name: "corpus/", type: "5" },
    { name: "corpus/train.txt", data: " a b c \n a b \n" },
    { name: "corpus/valid.txt", data: " a c \n" },
  ]);
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.url === "/files/corpus.tar.gz") res.writeHead(200, { "content-length": archive.length }).end(archive);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`;
  const spec: DatasetSpec = {
    name: "toy",
    description: "toy corpus",
    citation: "",
    licence: "",
    files: [{ file: "corpus.tar.gz", urls: ["https://example.invalid/never-used.tar.gz"], sha256: createHash("sha256").update(archive).digest("hex"), extract: "tar.gz" }],
    root: "corpus",
    expect: ["train.txt", "valid.txt"],
  };
  const cacheDir = tmp(t);
  const progress: number[] = [];
  const r = await resolveDataset(spec, { cacheDir, baseUrl: base, log: () => {}, onProgress: (_f, b) => progress.push(b) });
  assert.deepEqual([r.source, r.dir], ["download", join(cacheDir, "toy", "corpus")]);
  assert.deepEqual(tree(join(cacheDir, "toy")), [".rnnkit-dataset.json", "corpus/", "corpus/train.txt", "corpus/valid.txt"]);
  assert.equal(progress[progress.length - 1], archive.length);
  const again = await resolveDataset(spec, { cacheDir, baseUrl: base, log: () => {} });
  assert.equal(again.source, "cache");
  assert.equal(hits, 1);
  // the archive lacks an expected file → clear error
  const missing = { ...spec, name: "toy2", expect: ["train.txt", "test.txt"] };
  await assert.rejects(resolveDataset(missing, { cacheDir, baseUrl: base, log: () => {} }), /dataset toy2: after download, .*corpus lacks test\.txt/);
});

test("size bound: an archive that expands past maxBytes is refused with the entry named, nothing extracted, no file left open", async (t) => {
  const big = "z".repeat(5000); // compresses to a few dozen bytes
  const a = setup(t, "bomb.tgz", tgz([{ name: "small.txt", data: "ok" }, { name: "big.txt", data: big }]));
  await assert.rejects(extractArchive(a.archive, a.dest, { maxBytes: 1000 }), /bomb\.tgz: entry "big\.txt": the archive expands to more than 1000 bytes/);
  assert.deepEqual(tree(a.dest), []);
  const z = setup(t, "bomb.zip", zip([{ name: "small.txt", data: "ok" }, { name: "big.txt", data: big, deflate: true }]));
  await assert.rejects(extractArchive(z.archive, z.dest, { maxBytes: 1000 }), /bomb\.zip: entry "big\.txt": the archive expands to more than 1000 bytes/);
  assert.deepEqual(tree(z.dest), []);
  // under the bound both extract
  assert.equal((await extractArchive(a.archive, a.dest, { maxBytes: 6000 })).bytes, 5002);
  assert.equal((await extractArchive(z.archive, z.dest, { maxBytes: 6000 })).bytes, 5002);
});
