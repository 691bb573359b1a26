/**
 * A header may promise anything; what a reader allocates must follow from the file's size.
 * word2vec headers "1 1e20" or "1000000000 300" on a few bytes used to die in "Invalid typed array
 * length" or allocate gigabytes; the corpus reader's refusals are typed like the other readers'.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeCorpusBytes } from "../../src/data/corpus/text-file.js";
import { loadCorpusSync } from "../../src/data/corpus/load.js";
import { DataFormatError } from "../../src/data/sentiment/errors.js";
import { readEmbeddings } from "../../src/embeddings/read.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("limits");
const file = (name: string, bytes: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

async function refusedAsync(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  const before = process.memoryUsage().arrayBuffers;
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected a DataFormatError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, "no large allocation before the error");
}

test("word2vec text headers promising huge dimensions or row counts allocate nothing big", async () => {
  await refusedAsync(() => readEmbeddings(file("a.vec", "1 100000000000000000000\nthe 1 2\n")), /a\.vec:1: header says dimension 100000000000000000000, but a row of .* values needs at least .* bytes and the file has 32/);
  await refusedAsync(() => readEmbeddings(file("b.vec", "0 1000000000\n")), /b\.vec:1: header says dimension 1000000000/);
  // a huge row count with a plausible dimension: pre-sized by what the file can hold, then "truncated"
  await refusedAsync(() => readEmbeddings(file("c.vec", "1000000000000 3\nthe 1 2 3\n")), /the header promises 1000000000000 rows but the file ends after 1/);
});

test("word2vec binary headers promising huge dimensions or row counts allocate nothing big", async () => {
  await refusedAsync(() => readEmbeddings(file("d.bin", "1 300000000\nthe \u0000\u0000\u0080\u003f\n")), /d\.bin:1: header says dimension 300000000: one row needs 1200000000 bytes of float32 values, but the file has \d+/);
  const row = new Uint8Array([...new TextEncoder().encode("3000000000 1\nthe "), 0, 0, 0x80, 0x3f, 10]);
  await refusedAsync(() => readEmbeddings(file("e.bin", row)), /the header promises 3000000000 rows but the file ends after 1/);
});

test("corpus refusals are DataFormatErrors naming the file", () => {
  for (const [bytes, re] of [
    [new Uint8Array(0), /^x\.txt: the file is empty/],
    [Uint8Array.from([104, 105, 0, 1]), /^x\.txt: this looks like a binary file, not text \(NUL byte at offset 2/],
    [new TextEncoder().encode(" \n\t\n"), /^x\.txt: the file contains only whitespace/],
  ] as const) {
    assert.throws(() => decodeCorpusBytes(bytes, "x.txt"), (e: unknown) => e instanceof DataFormatError && re.test(e.message));
  }
  assert.throws(() => loadCorpusSync({ path: file("blank.txt", "\n\n"), level: "word" }), (e: unknown) => e instanceof DataFormatError && /blank\.txt: the file contains only whitespace/.test(e.message));
});
