/** The language-model commands end to end, as a user runs them (child processes, real text). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, jsonLines, runCli, spawn } from "../../helpers/cli.js";
import { sharedPath } from "../../helpers/shared.js";
import { tempDir } from "../../helpers/tmp.js";

const tiny = ["--emb", "16", "--hidden", "24", "--layers", "1", "--batch-size", "8", "--bptt", "16", "--sample-every", "0"];

function corpus(t: import("node:test").TestContext): { dir: string; file: string } | null {
  const p = sharedPath(t, "data", "ptb", "ptb.valid.txt");
  if (!p) return null;
  const dir = tempDir("cli");
  const file = join(dir, "text.txt");
  writeFileSync(file, readFileSync(p, "utf8").split("\n").slice(0, 600).join("\n"));
  return { dir, file };
}

test("train-lm → predict-next / score / generate / eval-lm on real text", (t) => {
  const c = corpus(t);
  if (!c) return;
  const out = join(c.dir, "lm", "model.safetensors");
  const r = runCli(["train-lm", "--data", c.file, "--level", "word", "--word-style", "ptb", ...tiny, "--epochs", "2", "--out", out, "--json", "--seed", "1"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.ok(lines.some((l) => l.event === "step"), "progress lines");
  assert.equal(lines.filter((l) => l.event === "epoch").length, 2);
  assert.ok(lines.some((l) => l.event === "sample"), "a sample after each epoch");
  const result = lines.find((l) => l.event === "result")!;
  assert.ok(Number.isFinite(result.testPerplexity as number), "test perplexity reported");
  assert.ok(existsSync(out) && existsSync(join(c.dir, "lm", "curve.svg")) && existsSync(join(c.dir, "lm", "model.train.safetensors")));

  const p = runCli(["predict-next", "the", "company", "said", "--model", out, "--json", "-k", "3"]);
  assert.equal(p.code, 0, p.stderr);
  const next = JSON.parse(p.stdout) as { next: Array<{ token: string; prob: number }> };
  assert.equal(next.next.length, 3);
  assert.ok(next.next[0]!.prob > 0 && next.next[0]!.prob <= 1);
  const human = runCli(["predict-next", "I", "want", "to", "be", "a", "--model", out]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /P\(next \| prompt\)/);

  const s = runCli(["score", "the company said", "--model", out, "--json"]);
  assert.equal(s.code, 0, s.stderr);
  const sc = JSON.parse(s.stdout) as { logProb: number; tokens: Array<{ logProb: number }> };
  assert.ok(Math.abs(sc.logProb - sc.tokens.reduce((a, x) => a + x.logProb, 0)) < 1e-6);
  const g1 = runCli(["generate", "the", "--model", out, "--seed", "3", "--length", "12"]);
  const g2 = runCli(["generate", "the", "--model", out, "--seed", "3", "--length", "12"]);
  assert.equal(g1.code, 0, g1.stderr);
  assert.equal(g1.stdout, g2.stdout);
  const e = runCli(["eval-lm", c.file, "--model", out, "--json"]);
  assert.equal(e.code, 0, e.stderr);
  assert.ok((JSON.parse(e.stdout) as { perplexity: number }).perplexity > 1);
});

test("bad input: empty and binary corpora, unknown prompt words, missing checkpoint", () => {
  const dir = tempDir("bad");
  writeFileSync(join(dir, "empty.txt"), "");
  const bin = Buffer.alloc(4096);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 37) % 256;
  writeFileSync(join(dir, "blob.txt"), bin);
  for (const f of ["empty.txt", "blob.txt"]) {
    const r = runCli(["train-lm", "--data", join(dir, f), "--out", join(dir, "m.safetensors"), "--json"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(f.replace(".", "\\.")), `the error names the file: ${r.stderr}`);
    assert.ok(r.stderr.split("\n").filter(Boolean).length <= 2, `one clear message, not a stack: ${r.stderr}`);
  }
  const m = runCli(["predict-next", "hello", "--model", join(dir, "nope.safetensors")]);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /does not exist/);
});

test("NaN or diverging loss stops training and keeps the last good checkpoint; an all-unknown prompt is refused", (t) => {
  const c = corpus(t);
  if (!c) return;
  const out = join(c.dir, "nan", "model.safetensors");
  assert.equal(runCli(["train-lm", "--data", c.file, "--level", "word", ...tiny, "--epochs", "1", "--out", out, "--json"]).code, 0);
  const hash = (): string => createHash("sha256").update(readFileSync(out)).digest("hex");
  const before = hash();
  const r = runCli(["train-lm", "--data", c.file, "--level", "word", ...tiny, "--epochs", "1", "--out", out, "--optimizer", "sgd", "--lr", "1e30", "--clip", "0", "--json"]);
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /loss became (NaN|Infinity|\S+ \(diverged\))/);
  assert.equal(hash(), before, "the good checkpoint is untouched");
  const u = runCli(["predict-next", "zzzqqq", "xxyyzz", "--model", out]);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /none of the words/);
});

test("Ctrl-C saves the training state, exits cleanly, and --resume continues", async (t) => {
  const c = corpus(t);
  if (!c) return;
  const out = join(c.dir, "intr", "model.safetensors");
  const child = spawn(process.execPath, [CLI, "train-lm", "--data", c.file, "--level", "word", ...tiny, "--epochs", "50", "--out", out, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let epochs = 0;
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const n = (stdout.match(/"event":"epoch"/g) ?? []).length;
      if (n >= 1 && epochs === 0) {
        epochs = n;
        child.kill("SIGINT");
      }
    });
    child.on("close", resolve);
  });
  assert.equal(code, 130, stdout);
  assert.ok(existsSync(join(c.dir, "intr", "model.train.safetensors")), "training state written");
  const r = runCli(["train-lm", "--resume", "--out", out, "--epochs", "3", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const ep = jsonLines(r.stdout).filter((l) => l.event === "epoch").map((l) => l.epoch as number);
  assert.ok(ep.length >= 1 && ep[0]! >= 2 && ep[ep.length - 1] === 3, `resumed epochs ${ep.join(",")}`);
});
