/**
 * `rnnkit ulmfit` end to end on a small slice of the real IMDB reviews, written in IMDB's original
 * layout (aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt) as users download it: the language
 * model trains on the training reviews only (a word planted in a test review must not reach its
 * vocabulary), the classifier is built on it, the test set is scored once, and the recipe resumes
 * by skipping finished stages. Tiny sizes: seconds, not a quality check (README has the real run).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadAnyLm, loadClassifier } from "../../src/io/checkpoint.js";
import { LmClassifier } from "../../src/models/lm-classifier.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { jsonLines, runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";

function slice(tsv: string, perClass: number): Array<{ label: string; text: string }> {
  const rows = readFileSync(tsv, "utf8").split("\n").filter((l) => l.includes("\t")).map((l) => ({ label: l.slice(0, l.indexOf("\t")), text: l.slice(l.indexOf("\t") + 1) }));
  return ["pos", "neg"].flatMap((c) => rows.filter((r) => r.label === c).slice(0, perClass));
}

function writeSplit(root: string, split: string, rows: Array<{ label: string; text: string }>): void {
  for (const c of ["pos", "neg"]) mkdirSync(join(root, split, c), { recursive: true });
  rows.forEach((r, i) => writeFileSync(join(root, split, r.label, `${i}_${r.label === "pos" ? 8 : 2}.txt`), r.text));
}

test("rnnkit ulmfit: LM on the training reviews only, classifier from it, test once, resume skips finished stages", (t) => {
  const train = sharedPath(t, "data", "aclImdb", "train.tsv");
  const testTsv = sharedPath(t, "data", "aclImdb", "test.tsv");
  if (!train || !testTsv) return;
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-ulmfit-"));
  try {
    const root = join(dir, "aclImdb");
    const tr = slice(train, 80);
    const te = slice(testTsv, 30);
    tr[0]!.text += " zqtrainonly".repeat(5);
    te[0]!.text += " zqtestonly".repeat(5);
    writeSplit(root, "train", tr);
    writeSplit(root, "test", te);
    const out = join(dir, "run");
    const args = ["ulmfit", "--data", root, "--out", out, "--budget", "1e", "--emb", "24", "--hidden-sizes", "32,32,24", "--max-vocab", "3000", "--no-adaptive-softmax", "--max-len", "120", "--batch-size", "16", "--json"];
    const r = runCli(args);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = jsonLines(r.stdout).find((e) => e.event === "result");
    assert.ok(result, r.stdout);
    assert.equal(result.stoppedBy, "done");
    assert.equal(result.testExamples, 60);
    assert.ok(typeof result.accuracy === "number" && result.accuracy >= 0 && result.accuracy <= 1);
    assert.ok(typeof result.lmValidPerplexity === "number" && Number.isFinite(result.lmValidPerplexity) && result.lmValidPerplexity > 1);
    // progress arrives for both stages
    const epochs = jsonLines(r.stdout).filter((e) => e.event === "epoch");
    assert.ok(epochs.some((e) => e.stage === "lm") && epochs.some((e) => e.stage === "classifier"), r.stdout);

    const state = JSON.parse(readFileSync(join(out, "recipe.json"), "utf8")) as { lm: string; classifier: string };
    assert.deepEqual([state.lm, state.classifier], ["done", "done"]);

    // The language model never saw the test reviews.
    const lm = loadAnyLm(join(out, "lm.safetensors"));
    assert.ok(lm.vocab.has("zqtrainonly"), "a word of the training reviews is in the LM vocabulary");
    assert.ok(!lm.vocab.has("zqtestonly"), "a word only in a test review must not be in the LM vocabulary");

    // The classifier is the LM's encoder under a concat-pooling head, and it classifies.
    const cls = loadClassifier(join(out, "classifier.safetensors"));
    assert.ok(cls.model instanceof LmClassifier);
    const [p] = classifyTexts(cls, ["The movie was terribly exciting!"]);
    assert.ok(p);
    const total = Object.values(p.probs).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `probabilities sum to ${total}`);

    // Running again without --resume refuses (the finished run is not overwritten) …
    const again = runCli(args);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /--resume/);
    // … and with --resume skips both finished stages and reports the same result.
    const resumed = runCli([...args, "--resume"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const r2 = jsonLines(resumed.stdout).find((e) => e.event === "result");
    assert.equal(r2?.accuracy, result.accuracy);
    assert.match(resumed.stdout, /skipped/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
