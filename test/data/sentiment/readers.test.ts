import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DataFormatError } from "../../../src/data/sentiment/errors.js";
import { decodeBytes, firstInvalidUtf8 } from "../../../src/data/sentiment/encoding.js";
import { parseImdbTsv, readImdbFolder, readImdbTsv } from "../../../src/data/sentiment/imdb.js";
import { readRtPolarity } from "../../../src/data/sentiment/polarity.js";
import { parseSst, readSstSplits } from "../../../src/data/sentiment/sst.js";
import { parsePhraseBank, readPhraseBank } from "../../../src/data/sentiment/phrasebank.js";
import { parseDelimited } from "../../../src/data/sentiment/csv.js";
import { parseTabular, readTabular } from "../../../src/data/sentiment/tabular.js";
import { encodeLabels } from "../../../src/data/sentiment/labels.js";
import { labelCounts } from "../../../src/data/sentiment/types.js";
import { sharedPath } from "../../helpers/shared.js";

/** Assert fn throws a DataFormatError at file:line whose message matches re. */
function throwsAt(fn: () => unknown, file: string, line: number, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line, e.message);
    assert.match(e.message, re);
    assert.ok(e.message.startsWith(line > 0 ? `${file}:${line}: ` : `${file}: `), e.message);
    return true;
  });
}

test("IMDB packed TSV: 25k balanced, split on the FIRST tab only", (t) => {
  const p = sharedPath(t, "data", "aclImdb", "train.tsv");
  if (!p) return;
  const ds = readImdbTsv(p);
  assert.equal(ds.examples.length, 25_000);
  assert.deepEqual(ds.labels, ["neg", "pos"]);
  assert.deepEqual(labelCounts(ds), { neg: 12_500, pos: 12_500 });
  assert.equal(ds.examples.filter((e) => e.text.includes("\t")).length, 12, "12 train reviews contain a TAB (SOURCE.md)");
  assert.ok(ds.examples[0]!.text.startsWith("Bromwell High is a cartoon comedy."));
  assert.deepEqual(Array.from(encodeLabels(ds.examples.slice(0, 1), ds.labels)), [1]);
});

test("IMDB original folder layout {train,test}/{pos,neg}/<id>_<rating>.txt", (t) => {
  const tsv = sharedPath(t, "data", "aclImdb", "test.tsv");
  const ids = sharedPath(t, "data", "aclImdb", "test_ids.txt");
  if (!tsv || !ids) return;
  // Rebuild a few files of the original layout from the packed TSV + ids (line-aligned).
  const rows = readFileSync(tsv, "utf8").split("\n");
  const idRows = readFileSync(ids, "utf8").split("\n");
  const root = mkdtempSync(join(tmpdir(), "rnnkit-imdb-"));
  try {
    const picked = [0, 1, 2, 12_500, 12_501];
    for (const label of ["pos", "neg"]) mkdirSync(join(root, "test", label), { recursive: true });
    mkdirSync(join(root, "test", "unsup")); // ignored, as in the real tarball
    writeFileSync(join(root, "test", "urls_pos.txt"), "ignored");
    for (const i of picked) {
      const [label, id, rating] = idRows[i]!.split("\t");
      const text = rows[i]!.slice(rows[i]!.indexOf("\t") + 1);
      writeFileSync(join(root, "test", label!, `${id}_${rating}.txt`), text);
    }
    const ds = readImdbFolder(root, "test");
    assert.equal(ds.examples.length, 5);
    assert.deepEqual(ds.examples.map((e) => e.label), ["pos", "pos", "pos", "neg", "neg"]);
    assert.deepEqual(ds.examples.map((e) => e.id), [0, 1, 2, 0, 1]);
    assert.equal(ds.examples[0]!.text, rows[0]!.slice(4));
    assert.ok(ds.examples.every((e) => e.rating >= 1 && e.rating <= 10));
    assert.ok(ds.examples.filter((e) => e.label === "neg").every((e) => e.rating <= 4));
    writeFileSync(join(root, "test", "neg", "oops.txt"), "x");
    throwsAt(() => readImdbFolder(root, "test"), join(root, "test", "neg", "oops.txt"), 0, /not <id>_<rating>\.txt/);
    throwsAt(() => readImdbFolder(root, "train"), join(root, "train", "pos"), 0, /cannot list the folder/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("IMDB TSV errors: no tab, unknown label; blank lines skipped and counted", () => {
  const ok = parseImdbTsv("pos\tgood\tfun\n\n  \nneg\tbad\n", "mem.tsv");
  assert.deepEqual(ok.examples, [{ text: "good\tfun", label: "pos" }, { text: "bad", label: "neg" }]);
  assert.equal(ok.skippedEmptyLines, 2);
  throwsAt(() => parseImdbTsv("pos\tok\nno tab here\n", "mem.tsv"), "mem.tsv", 2, /no TAB separator/);
  throwsAt(() => parseImdbTsv("pos\tok\r\nneutral\tmeh\r\n", "mem.tsv"), "mem.tsv", 2, /unknown label "neutral" \(expected one of: neg, pos\)/);
});

test("rt-polarity: UTF-8 copy and original Windows-1252 bytes decode to the same 10,662 snippets", (t) => {
  const dir = sharedPath(t, "data", "rt-polarity");
  if (!dir) return;
  const utf8 = readRtPolarity(dir);
  assert.equal(utf8.examples.length, 10_662);
  assert.deepEqual(labelCounts(utf8), { neg: 5331, pos: 5331 });
  assert.deepEqual(utf8.notes, []);
  const cp = readRtPolarity(join(dir, "original_cp1252"));
  assert.equal(cp.notes.length, 2);
  assert.match(cp.notes[0]!, /rt-polarity\.pos: not valid UTF-8 \(first bad byte 0x[0-9a-f]{2} at line \d+, byte offset \d+\); decoded as Windows-1252/);
  assert.deepEqual(cp.examples, utf8.examples, "cp1252 decoding must reproduce the UTF-8 copy exactly");
  assert.ok(utf8.examples.some((e) => /[^\x00-\x7f]/.test(e.text)), "some snippets have non-ASCII characters");
  // Strict UTF-8 on the legacy file: an error naming file and line.
  const pos = join(dir, "original_cp1252", "rt-polarity.pos");
  assert.throws(() => readRtPolarity({ pos, neg: pos }, { encoding: "utf8" }), (e: unknown) => e instanceof DataFormatError && e.file === pos && e.line > 0 && /invalid UTF-8/.test(e.message));
});

test("decodeBytes: strict UTF-8 error line, cp1252 table, Latin-1, BOM", () => {
  const bytes = Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0x93, 0x68, 0x69, 0x94, 0x80]);
  assert.equal(firstInvalidUtf8(bytes), 4);
  throwsAt(() => decodeBytes(bytes, "x.txt", "utf8"), "x.txt", 3, /invalid UTF-8 \(byte 0x93 at byte offset 4\)/);
  assert.equal(decodeBytes(bytes, "x.txt", "cp1252").text, "a\nb\n\u201chi\u201d\u20ac");
  assert.equal(decodeBytes(bytes, "x.txt", "latin1").text, "a\nb\n\x93hi\x94\x80");
  const auto = decodeBytes(bytes, "x.txt", "auto");
  assert.equal(auto.encoding, "cp1252");
  assert.match(auto.note!, /line 3/);
  assert.equal(decodeBytes(Buffer.from("\ufeffhé", "utf8"), "b.txt").text, "hé");
  assert.equal(firstInvalidUtf8(Buffer.from("naïve 😀", "utf8")), -1);
  assert.equal(firstInvalidUtf8(Buffer.from([0xe2, 0x82])), 0, "truncated sequence");
  assert.equal(firstInvalidUtf8(Buffer.from([0xc0, 0xaf])), 0, "overlong form");
  assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0, "surrogate");
});

test("SST (Kim 2014 files): binary and fine counts; errors name file and line", (t) => {
  const dir = sharedPath(t, "data", "sst-kim2014");
  if (!dir) return;
  const bin = readSstSplits(dir, "binary");
  assert.deepEqual([bin.train.examples.length, bin.dev.examples.length, bin.test.examples.length], [6920, 872, 1821]);
  assert.deepEqual(labelCounts(bin.train), { "0": 3310, "1": 3610 });
  assert.equal(bin.train.examples[0]!.text, "a stirring , funny and finally transporting re-imagining of beauty and the beast and 1930s horror films");
  const fine = readSstSplits(dir, "fine");
  assert.deepEqual([fine.train.examples.length, fine.dev.examples.length, fine.test.examples.length], [8544, 1101, 2210]);
  assert.deepEqual(labelCounts(fine.test), { "0": 279, "1": 633, "2": 389, "3": 510, "4": 399 });
  throwsAt(() => parseSst("1 good\n\n0\n", "s.txt", "binary"), "s.txt", 3, /no separator after the label/);
  throwsAt(() => parseSst("1 good\n4 great\n", "s.txt", "binary"), "s.txt", 2, /unknown label "4" \(expected one of: 0, 1\)/);
  assert.equal(parseSst("4 great\n", "s.txt", "fine").examples[0]!.label, "4");
});

test("Financial PhraseBank: Latin-1, CRLF, label after the LAST '@'", (t) => {
  const dir = sharedPath(t, "data", "financial-phrasebank");
  if (!dir) return;
  const all = readPhraseBank(dir, { agreement: "AllAgree" });
  assert.equal(all.examples.length, 2264);
  assert.deepEqual(labelCounts(all), { negative: 303, neutral: 1391, positive: 570 });
  assert.ok(all.examples.every((e) => !e.text.includes("\r") && !e.text.endsWith("@")));
  const fifty = readPhraseBank(join(dir, "Sentences_50Agree.txt"));
  assert.equal(fifty.examples.length, 4846);
  // Latin-1: byte 0xF1 is "ñ" (the release's mojibake "+ñ" for "ä").
  assert.ok(fifty.examples.some((e) => e.text.includes("+\u00f1")));
  const p = parsePhraseBank("Contact: ir@example.com up 5 %@positive\r\n\r\n", "fp.txt");
  assert.deepEqual(p.examples, [{ text: "Contact: ir@example.com up 5 %", label: "positive" }]);
  assert.equal(p.skippedEmptyLines, 1);
  throwsAt(() => parsePhraseBank("ok@neutral\r\nno separator\r\n", "fp.txt"), "fp.txt", 2, /no '@' separator/);
  throwsAt(() => parsePhraseBank("ok@neutral\r\nbad@mixed\r\n", "fp.txt"), "fp.txt", 2, /unknown label "mixed"/);
});

test("CSV parser: RFC 4180 quoting, embedded delimiters/quotes/newlines, CRLF, line numbers", () => {
  const csv = 'text,label\r\n"Hello, world",pos\r\n"She said ""no""\nthen left",neg\r\n\r\nplain,pos\r\n';
  const { records, skippedEmptyLines } = parseDelimited(csv, "c.csv");
  assert.deepEqual(records.map((r) => r.fields), [["text", "label"], ["Hello, world", "pos"], ['She said "no"\nthen left', "neg"], ["plain", "pos"]]);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 3, 6]);
  assert.equal(skippedEmptyLines, 1);
  assert.deepEqual(parseDelimited("a,,c\n", "x").records[0]!.fields, ["a", "", "c"]);
  throwsAt(() => parseDelimited('a,b\n"open,x\n', "c.csv"), "c.csv", 2, /unterminated quoted field/);
});

test("readTabular: CSV/TSV/JSONL with named columns and clear errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-tab-"));
  try {
    const csv = join(dir, "r.csv");
    writeFileSync(csv, 'id,review,sentiment\n1,"Loved it, truly",positive\n2,"Meh ""ok""",negative\n');
    const ds = readTabular(csv, { textColumn: "review", labelColumn: "sentiment" });
    assert.deepEqual(ds.examples, [{ text: "Loved it, truly", label: "positive" }, { text: 'Meh "ok"', label: "negative" }]);
    assert.deepEqual(ds.labels, ["negative", "positive"]);
    throwsAt(() => readTabular(csv, { textColumn: "text", labelColumn: "sentiment" }), csv, 1, /no column "text" for the text column \(columns found: "id", "review", "sentiment"\)/);
    throwsAt(() => readTabular(csv, { textColumn: "review", labelColumn: "sentiment", labels: ["negative", "neutral"] }), csv, 2, /unknown label "positive"/);

    const tsv = join(dir, "r.tsv");
    writeFileSync(tsv, 'label\ttext\npos\ta "quoted"\ttabbed text\nneg\tbad\nno-separator\n');
    throwsAt(() => readTabular(tsv, { textColumn: "text", labelColumn: "label" }), tsv, 4, /no "\\t" separator in "no-separator"/);
    writeFileSync(tsv, 'label\ttext\npos\ta "quoted"\ttabbed text\n');
    assert.deepEqual(readTabular(tsv, { textColumn: "text", labelColumn: "label" }).examples, [{ text: 'a "quoted"\ttabbed text', label: "pos" }]);

    const jsonl = join(dir, "r.jsonl");
    writeFileSync(jsonl, '{"text": "great", "label": 1}\n\n{"text": "awful", "label": 0}\n{"txt": "x", "label": 0}\n');
    throwsAt(() => readTabular(jsonl, { textColumn: "text", labelColumn: "label" }), jsonl, 4, /missing field "text" \(fields found: txt, label\)/);
    writeFileSync(jsonl, '{"text": "great", "label": 1}\n\n{"text": "awful", "label": 0}\n');
    const j = readTabular(jsonl, { textColumn: "text", labelColumn: "label" });
    assert.deepEqual(j.labels, ["0", "1"]);
    assert.equal(j.skippedEmptyLines, 1);
    writeFileSync(jsonl, '{"text": "great", "label": 1}\n{"text": oops}\n');
    throwsAt(() => readTabular(jsonl, { textColumn: "text", labelColumn: "label" }), jsonl, 2, /invalid JSON/);
    throwsAt(() => readTabular(join(dir, "x.dat"), { textColumn: 0, labelColumn: 1 }), join(dir, "x.dat"), 0, /cannot tell the format/);
    // Headerless, columns by index.
    const h = parseTabular("pos,fine\nneg,bad\n", "m.csv", { format: "csv", header: false, textColumn: 1, labelColumn: 0 });
    assert.deepEqual(h.examples.map((e) => e.text), ["fine", "bad"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
