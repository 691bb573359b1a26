/** The BiLSTM sentiment pipeline end to end on real data (SST-2), plus checkpoint and classify. */
import "../../src/kernels/select.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trainSentimentModel } from "../../src/sentiment/session.js";
import { loadClassifier } from "../../src/io/checkpoint.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { jsonLines, runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

test("SST-2: a small BiLSTM trained for three epochs beats chance clearly; the checkpoint classifies new text", async (t) => {
  const dir = sharedPath(t, "data", "sst-kim2014");
  if (!dir) return;
  const out = join(tempDir("sst"), "m.safetensors");
  const r = await trainSentimentModel({ path: dir, epochs: 3, embeddingDim: 48, hiddenSize: 48, maxLen: 50, batchSize: 32, lr: 3e-3, seed: 1, out });
  assert.equal(r.labels.length, 2);
  assert.ok(r.test, "SST-2 has a test split");
  assert.ok(r.test.accuracy > 0.65, `test accuracy ${r.test.accuracy} should be well above chance (0.5)`);
  assert.equal(r.test.n, 1821);
  assert.ok(r.test.rocAuc! > 0.7);
  const b = loadClassifier(out);
  const p = classifyTexts(b, ["a gorgeous , moving and funny film", "a dull , lifeless and boring mess"]);
  assert.equal(p.length, 2);
  for (const x of p) assert.ok(Math.abs(Object.values(x.probs).reduce((a, v) => a + v, 0) - 1) < 1e-5);
  assert.ok(p[0]!.probs[b.labels[1]!]! > p[1]!.probs[b.labels[1]!]!, "the positive sentence scores higher on the positive class");
});

test("CLI: train-classifier on a CSV with named columns, classify from stdin; bad input is one clear message", (t) => {
  const dir = sharedPath(t, "data", "rt-polarity");
  if (!dir) return;
  const tmp = tempDir("cls");
  const csv = join(tmp, "reviews.csv");
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const pos = ["a triumph , wonderful and moving", "brilliant acting and a great story", "funny , warm and smart"];
  const neg = ["a boring , dull mess", "awful script and terrible acting", "tedious and lifeless"];
  const rows = Array.from({ length: 40 }, (_, i) => (i % 2 ? `${q(neg[i % 3]!)},negative` : `${q(pos[i % 3]!)},positive`));
  writeFileSync(csv, `review,sentiment\n${rows.join("\n")}\n`);
  const out = join(tmp, "m.safetensors");
  const r = runCli(["train-classifier", "--data", csv, "--text-col", "review", "--label-col", "sentiment", "--folds", "1", "--epochs", "2", "--emb", "8", "--hidden", "8", "--out", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(jsonLines(r.stdout).some((l) => l.event === "result"));
  const missing = runCli(["train-classifier", "--data", csv, "--text-col", "body", "--label-col", "sentiment", "--json"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /body/);
  assert.match(missing.stderr, /review/, "the error lists the columns that exist");
});
