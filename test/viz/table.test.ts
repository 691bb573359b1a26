import assert from "node:assert/strict";
import { test } from "node:test";
import { barTable, displayWidth, textTable } from "../../src/viz/table.js";

test("textTable: numbers right-aligned with shared decimals, text left-aligned, header rule", () => {
  const t = textTable(
    [
      ["lstm", 199936, 4.12345, 61.8],
      ["gru", 150016, 4.2, 66.6871],
      ["rnn (tanh)", 50000, NaN, null],
    ],
    ["model", "params", "loss", "ppl"],
  );
  const lines = t.split("\n");
  assert.deepEqual(lines, [
    "model       params   loss    ppl",
    "──────────  ──────  ─────  ─────",
    "lstm        199936  4.123  61.80",
    "gru         150016  4.200  66.69",
    "rnn (tanh)   50000    NaN",
  ]);
});

test("textTable: explicit decimals, ascii rule, wide characters and ANSI colours align", () => {
  const t = textTable(
    [
      ["鯨", 0.5],
      ["\x1b[32mok\x1b[0m", 12.25],
    ],
    ["name", "acc"],
    { decimals: [undefined, 1], ascii: true },
  );
  const lines = t.split("\n");
  assert.equal(lines[1], "----  ----");
  assert.equal(lines[2], "鯨     0.5");
  assert.equal(displayWidth(lines[3]!), displayWidth(lines[2]!));
  assert.ok(lines[3]!.endsWith("12.2") || lines[3]!.endsWith("12.3"));
  assert.equal(displayWidth("鯨a"), 3);
  assert.equal(displayWidth("\x1b[1mbold\x1b[0m"), 4);
});

test("textTable: ragged rows and a mixed column (treated as text)", () => {
  const t = textTable([["a", 1], ["b", "n/a", "extra"]], ["k", "v"]);
  const lines = t.split("\n");
  assert.equal(lines.length, 4);
  assert.equal(lines[2], "a  1");
  assert.equal(lines[3], "b  n/a  extra");
});

test("barTable: bar lengths proportional to values, values right-aligned", () => {
  const t = barTable(
    [
      { label: "lstm", value: 0.8 },
      { label: "gru", value: 0.4 },
      { label: "rnn", value: 0 },
      { label: "bad", value: NaN },
    ],
    { width: 10 },
  );
  const lines = t.split("\n");
  const bars = lines.map((l) => [...l].filter((c) => "█▏▎▍▌▋▊▉".includes(c)).length);
  assert.equal(bars[0], 10);
  assert.equal(bars[1], 5);
  assert.equal(bars[2], 0);
  assert.equal(bars[3], 0);
  assert.ok(lines.every((l) => displayWidth(l) === displayWidth(lines[0]!)), "all lines equally wide");
  const fixed = barTable([{ label: "acc", value: 0.5 }], { width: 8, max: 1, format: (v) => `${(v * 100).toFixed(0)}%` });
  assert.equal(fixed, "acc  ████      50%");
  const frac = barTable([{ label: "a", value: 1 }, { label: "b", value: 0.5625 }], { width: 4 });
  assert.ok(frac.split("\n")[1]!.includes("██▎"), "eighth blocks for fractions");
});
