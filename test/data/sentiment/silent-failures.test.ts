/**
 * Inputs that used to give a result without a word of warning: a binary file "classified" line by
 * line, a CSV whose texts are all empty (training at chance), an empty label becoming a class.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DataFormatError } from "../../../src/data/sentiment/errors.js";
import { assertText, textLines } from "../../../src/data/sentiment/read-file.js";
import { parseTabular } from "../../../src/data/sentiment/tabular.js";
import { RnnkitError } from "../../../src/errors.js";
import { runCli } from "../../helpers/cli.js";
import { REPO_ROOT } from "../../helpers/shared.js";
import { tempDir } from "../../helpers/tmp.js";

const csv = (content: string, labels?: string[]) => parseTabular(content, "reviews.csv", { format: "csv", textColumn: "text", labelColumn: "label", ...(labels ? { labels } : {}) });

function refused(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError && e instanceof RnnkitError, `expected a DataFormatError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

test("a CSV whose texts are all empty is refused (the text column is probably wrong)", () => {
  refused(() => csv('text,label\n"",pos\n ,neg\n"  ",pos\n'), /^reviews\.csv: every one of the 3 records has an empty text \(hint: is the text column right\? name it with --text-col\)/);
  refused(() => parseTabular('{"text":"","label":"a"}\n{"text":" ","label":"b"}\n', "x.jsonl", { format: "jsonl", textColumn: "text", labelColumn: "label" }), /every one of the 2 records has an empty text/);
});

test("records with an empty text are dropped with a note; the label set is recomputed unless it was given", () => {
  const d = csv('text,label\ngood film,pos\n"",neu\nbad film,neg\n');
  assert.deepEqual(d.examples.map((e) => e.label), ["pos", "neg"]);
  assert.deepEqual(d.labels, ["neg", "pos"], "no class for the label seen only on an empty record");
  assert.ok(d.notes.some((n) => /skipped 1 record with empty text \(record 2, counting from 1\)/.test(n)), d.notes.join("; "));
  const given = csv('text,label\ngood film,pos\n"",neu\n', ["neg", "neu", "pos"]);
  assert.deepEqual(given.labels, ["neg", "neu", "pos"], "a given label set keeps its class ids");
});

test("an empty label is an error naming the record, not a class named \"\"", () => {
  refused(() => csv("text,label\ngood film,pos\nbad film,\nmeh,neg\nok film, \n"), /^reviews\.csv: 2 records have an empty label \(records 2, 4, counting from 1; the first: "bad film"\)/);
  refused(() => parseTabular('{"text":"fine","label":""}\n', "y.jsonl", { format: "jsonl", textColumn: "text", labelColumn: "label" }), /1 record has an empty label/);
  refused(() => parseTabular('[{"text":"fine","label":"a"},{"text":"x","label":""}]', "z.json", { format: "json", textColumn: "text", labelColumn: "label" }), /record 2/);
});

test("binary bytes are not text: NUL bytes, control characters; invalid UTF-8 names its line", () => {
  refused(() => assertText(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "image.png"), /^image\.png:3: a NUL byte at byte offset 8: this is a binary file, not text/);
  const noisy = new Uint8Array(400).fill(0x61);
  for (let i = 0; i < 400; i += 50) noisy[i] = 0x03;
  refused(() => assertText(noisy, "f.bin"), /8 of 400 bytes are control characters \(first 0x03 at byte offset 0\): this is a binary file/);
  refused(() => textLines(Uint8Array.from([0x61, 0x0a, 0x62, 0xff, 0x0a]), "t.txt"), /^t\.txt:2: invalid UTF-8/);
  assert.deepEqual(textLines(new TextEncoder().encode("\ufeffgreat film\r\n\n  \nawful\tplot\n"), "ok.txt"), ["great film", "awful\tplot"]);
});

test("classify --file of a binary file (a checkpoint) refuses instead of classifying its \"lines\"", () => {
  const r = runCli(["classify", "--file", join(REPO_ROOT, "models", "imdb-bilstm", "model.safetensors"), "--json"]);
  assert.equal(r.code, 1, r.stdout.slice(0, 300));
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /model\.safetensors:\d+: a NUL byte at byte offset \d+: this is a binary file, not text/);
  const dir = tempDir("bin");
  writeFileSync(join(dir, "texts.txt"), "what a film\n");
  const ok = runCli(["classify", "--file", join(dir, "texts.txt"), "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const piped = runCli(["classify", "--json"], { input: "\u0000\u0001binary" });
  assert.equal(piped.code, 1);
  assert.match(piped.stderr, /stdin:1: a NUL byte/);
});
