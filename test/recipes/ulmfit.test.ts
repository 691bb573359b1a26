/**
 * `rnnkit ulmfit` end to end on a small slice of the real IMDB reviews, written in IMDB's original
 * layout (aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt) as users download it: the language
 * model trains on the training reviews only (a word planted in a test review must not reach its
 * vocabulary), the classifier is built on it, the test set is scored once, and the recipe resumes
 * by skipping finished stages. Tiny sizes: seconds, not a quality check (README has the real run).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadAnyLm, loadClassifier } from "../../src/io/checkpoint.js";
import { LmClassifier } from "../../src/models/lm-classifier.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { CLI, jsonLines, runCli, spawn } from "../helpers/cli.js";
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

    // --stack on the finished recipe runs only the stack: the classifier's own test accuracy is the
    // one the recipe reported (same model, same test reviews), the stack's is its own.
    const stacked = runCli([...args, "--resume", "--stack", "nbsvm"]);
    assert.equal(stacked.code, 0, stacked.stderr);
    assert.match(stacked.stdout, /stacking .* with nbsvm/);
    const r3 = jsonLines(stacked.stdout).find((e) => e.event === "result") as { accuracy: number; stack?: { baseline: string; test: { model: number; baseline: number; stack: number }; valid: { stack: number } } } | undefined;
    assert.ok(r3?.stack, stacked.stdout);
    assert.equal(r3.stack.baseline, "nbsvm");
    assert.ok(Math.abs(r3.stack.test.model - result.accuracy) < 1e-12, `stack's model accuracy ${r3.stack.test.model} vs the recipe's ${result.accuracy}`);
    for (const x of [r3.stack.test.baseline, r3.stack.test.stack, r3.stack.valid.stack]) assert.ok(x >= 0 && x <= 1, JSON.stringify(r3.stack));
    const saved = JSON.parse(readFileSync(join(out, "recipe.json"), "utf8")) as { stack?: { test: { stack: number } } };
    assert.equal(saved.stack?.test.stack, r3.stack.test.stack);
    // … and once it is there, asking again changes nothing
    const again2 = runCli([...args, "--resume", "--stack", "nbsvm"]);
    assert.equal(again2.code, 0, again2.stderr);
    assert.doesNotMatch(again2.stdout, /stacking /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rnnkit ulmfit killed with SIGKILL: the time spent up to the last save is kept, so --resume keeps to the budget", async (t) => {
  const train = sharedPath(t, "data", "aclImdb", "train.tsv");
  const testTsv = sharedPath(t, "data", "aclImdb", "test.tsv");
  if (!train || !testTsv) return;
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-ulmfit-kill-"));
  try {
    const root = join(dir, "aclImdb");
    writeSplit(root, "train", slice(train, 60));
    writeSplit(root, "test", slice(testTsv, 10));
    const out = join(dir, "run");
    const args = ["ulmfit", "--data", root, "--out", out, "--budget", "30m", "--emb", "16", "--hidden-sizes", "16,16,16", "--max-vocab", "2000", "--no-adaptive-softmax", "--max-len", "80", "--batch-size", "16", "--checkpoint-every", "1", "--json"];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const state = (): { lm: string; seconds: { lm: number; classifier: number } } | null => {
      const f = join(out, "recipe.json");
      return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as { lm: string; seconds: { lm: number; classifier: number } }) : null;
    };
    // a training-state save of the language model stage has counted its seconds
    let running = true;
    void closed.then(() => (running = false));
    while (running && !((state()?.seconds.lm ?? 0) > 0 && existsSync(join(out, "lm.train.safetensors")))) await new Promise((r) => setTimeout(r, 20));
    assert.ok(running, `the recipe ended before its first save counted any time: ${stderr}`);
    child.kill("SIGKILL");
    assert.equal(await closed, null);
    const killed = state()!;
    assert.equal(killed.lm, "started");
    assert.ok(killed.seconds.lm > 0, `seconds spent in the language model stage were kept: ${JSON.stringify(killed)}`);
    // (with --stack given now, the classifier stage stacks its own predictions: no separate pass)
    const resumed = runCli([...args, "--resume", "--budget", "1e", "--stack", "tfidf-lr"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /stage 1\/2: .*\(resumed\)/);
    const after = state()!;
    assert.ok(after.seconds.lm >= killed.seconds.lm, `the resumed stage adds to the kept seconds: ${JSON.stringify(after)}`);
    assert.doesNotMatch(resumed.stdout, /stacking /);
    const result = jsonLines(resumed.stdout).find((e) => e.event === "result") as { accuracy: number; stack?: { baseline: string; test: { model: number } } } | undefined;
    assert.equal(result?.stack?.baseline, "tfidf-lr", resumed.stdout);
    assert.ok(Math.abs(result.stack.test.model - result.accuracy) < 1e-12, "the stack's model column is the classifier's own test accuracy");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
