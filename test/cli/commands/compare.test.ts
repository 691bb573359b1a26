/** `rnnkit compare` as a user runs it (child process, a small CSV made here). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, runCli } from "../../helpers/cli.js";
import { REPO_ROOT } from "../../helpers/shared.js";
import { tempDir } from "../../helpers/tmp.js";

function csv(n: number, offset: number): string {
  const pos = ["great", "wonderful", "funny", "moving"];
  const neg = ["awful", "boring", "dull", "terrible"];
  const rows = Array.from({ length: n }, (_, i) => {
    const p = i % 2 === 0;
    const w = (p ? pos : neg)[(i + offset) % 4]!;
    return `"the film was ${w} and the ${i % 3 === 0 ? "plot" : "cast"} too",${p ? "pos" : "neg"}`;
  });
  return ["text,label", ...rows].join("\n") + "\n";
}

test("rnnkit compare: markdown table and --json rows", () => {
  const dir = tempDir("compare-cli");
  writeFileSync(join(dir, "train.csv"), csv(80, 0));
  writeFileSync(join(dir, "test.csv"), csv(20, 1));
  const base = ["compare", "--data", join(dir, "train.csv"), "--test-data", join(dir, "test.csv"), "--models", "tfidf,nbsvm,hf", "--model", `hf:${join(REPO_ROOT, "test", "fixtures", "tiny-bert")}`, "--threads", "1"];
  const md = runCli([...base, "--markdown"]);
  if (md.code !== 0 && /@huggingface\/transformers/.test(md.stderr)) return; // optional dependency absent
  assert.equal(md.code, 0, md.stderr);
  const lines = md.stdout.split("\n");
  assert.equal(lines[0], "| model | accuracy % | macro-F1 % | train s | ms/review | note |");
  assert.ok(lines.some((l) => l.startsWith("| TF-IDF + LR |")));
  assert.ok(lines.some((l) => l.startsWith("| NBSVM |")));
  assert.ok(lines.some((l) => l.startsWith("| hf:")));
  assert.match(md.stdout, /test split: train 80 → test 20/);
  assert.match(md.stderr, /loaded .*tiny-bert.*onnxruntime-node/);

  const js = runCli([...base, "--json", "--long-text", "truncate"]);
  assert.equal(js.code, 0, js.stderr);
  const ev = jsonLines(js.stdout);
  assert.equal(ev.filter((e) => e.event === "row").length, 3);
  const result = ev.find((e) => e.event === "result") as { rows: Array<{ kind: string; accuracy: number }>; notes: string[] };
  assert.deepEqual(result.rows.map((r) => r.kind), ["tfidf-lr", "nbsvm", "transformer"]);
  assert.match(result.notes.join("\n"), /truncated to their first 126 tokens/);
});

test("rnnkit compare: clear errors", () => {
  const dir = tempDir("compare-cli");
  writeFileSync(join(dir, "train.csv"), csv(40, 0));
  const bad = runCli(["compare", "--data", join(dir, "train.csv"), "--models", "tfidf,rnn"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--models: unknown model "rnn"/);
  const noHf = runCli(["compare", "--data", join(dir, "train.csv"), "--models", "nbsvm", "--model", "runs/classifier/model.safetensors"]);
  assert.equal(noHf.code, 1);
  assert.match(noHf.stderr, /hf:<hub id or folder>/);
  const missing = runCli(["compare", "--data", join(dir, "train.csv"), "--models", "hf", "--model", "hf:./nowhere"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such folder/);
});
