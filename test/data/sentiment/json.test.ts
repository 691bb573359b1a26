/** JSON-array data files (`[{"text": …, "class": 0|1}, …]`, as the `sentiment` npm package ships the UCI sentences). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DataFormatError } from "../../../src/data/sentiment/errors.js";
import { parseTabular, readTabular } from "../../../src/data/sentiment/tabular.js";
import { loadSentimentData } from "../../../src/sentiment/datasets.js";

function throwsWith(fn: () => unknown, file: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    assert.match(e.message, re);
    return true;
  });
}

test("JSON array: named fields, numeric labels as strings sorted numerically, records without text skipped with a note", () => {
  const content = JSON.stringify([
    { text: "A very slow-moving, aimless movie.  ", class: 0 },
    { text: "Loved it.", class: 1, extra: true },
    { text: "Wasted two hours.", class: 0 },
    { text: "", class: null },
  ]);
  const ds = parseTabular(content, "imdb.json", { format: "json", textColumn: "text", labelColumn: "class" });
  assert.deepEqual(ds.labels, ["0", "1"]);
  assert.deepEqual(
    ds.examples.map((e) => e.label),
    ["0", "1", "0"],
  );
  assert.equal(ds.examples[1]!.text, "Loved it.");
  assert.equal(ds.skippedEmptyLines, 0, "records are not lines: the note says which were skipped");
  assert.match(ds.notes.join("\n"), /skipped 1 record\(s\) with empty text \(element 3\)/);
  // a label set given in advance is checked per element
  throwsWith(() => parseTabular(content, "imdb.json", { format: "json", textColumn: "text", labelColumn: "class", labels: ["1"] }), "imdb.json", /element 0 \(0-based\): unknown label "0" \(expected one of: 1\)/);
});

test("JSON array: clear errors naming the file and the element", () => {
  const f = "d.json";
  const opts = { format: "json" as const, textColumn: "text", labelColumn: "label" };
  throwsWith(() => parseTabular('[{"text": "ok", "label": "pos"}, {"review": "x", "label": "neg"}]', f, opts), f, /element 1 \(0-based\): missing field "text" \(fields found: review, label\).*--text-col/);
  throwsWith(() => parseTabular('[{"text": "ok", "label": "pos"}, {"text": "x"}]', f, opts), f, /element 1 \(0-based\): missing field "label" \(fields found: text\)/);
  throwsWith(() => parseTabular('[{"text": "ok", "label": null}]', f, opts), f, /element 0 \(0-based\): field "label" is null/);
  throwsWith(() => parseTabular('[{"text": 5, "label": "pos"}]', f, opts), f, /element 0 \(0-based\): field "text" is number, expected a string/);
  throwsWith(() => parseTabular('["just a string"]', f, opts), f, /element 0 \(0-based\): expected a JSON object, got/);
  throwsWith(() => parseTabular('[{"text": "ok", "label": "pos"},', f, opts), f, /invalid JSON/);
  throwsWith(() => parseTabular('"hello"', f, opts), f, /expected a JSON array of objects/);
  throwsWith(() => parseTabular("[]", f, opts), f, /no records with text/);
});

test("a .json file is read by extension; one that holds JSON Lines is read as such; loadSentimentData takes it with --text-col/--label-col", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-json-"));
  try {
    const arr = join(dir, "a.json");
    writeFileSync(arr, JSON.stringify([{ sentence: "good", y: 1 }, { sentence: "bad", y: 0 }]));
    assert.deepEqual(readTabular(arr, { textColumn: "sentence", labelColumn: "y" }).examples, [
      { text: "good", label: "1" },
      { text: "bad", label: "0" },
    ]);
    const lines = join(dir, "l.json");
    writeFileSync(lines, '{"sentence": "good", "y": 1}\n{"sentence": "bad", "y": 0}\n');
    const l = readTabular(lines, { textColumn: "sentence", labelColumn: "y" });
    assert.equal(l.examples.length, 2);
    assert.match(l.notes.join("\n"), /read as JSON Lines/);
    const d = await loadSentimentData({ path: arr, table: { textColumn: "sentence", labelColumn: "y" } });
    assert.deepEqual(d.labels, ["0", "1"]);
    assert.equal(d.train.length, 2);
    await assert.rejects(loadSentimentData({ path: arr }), /element 0 \(0-based\): missing field "text" \(fields found: sentence, y\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
