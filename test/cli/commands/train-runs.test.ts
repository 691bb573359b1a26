/** Training runs as a user meets them: kill -9 and resume, bad --out, two runs on one --out, diverging runs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "../../../src/io/safetensors.js";
import { Generator } from "../../../src/tensor/random.js";
import { CLI, jsonLines, runCli, spawn } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";

function corpus(): { dir: string; file: string } {
  const dir = tempDir("runs");
  const words = "the cat sat on a mat and the dog ran to the park".split(" ");
  const g = new Generator(11);
  const lines: string[] = [];
  for (let l = 0; l < 120; l++) lines.push(Array.from({ length: 12 }, (_, i) => (g.random() < 0.15 ? words[g.randint(words.length)] : words[(l + i) % words.length])).join(" "));
  const file = join(dir, "text.txt");
  writeFileSync(file, lines.join("\n"));
  return { dir, file };
}
const lm = ["--level", "word", "--word-style", "ptb", "--emb", "8", "--hidden", "12", "--layers", "2", "--dropout", "0.3", "--batch-size", "4", "--bptt", "8", "--seed", "5", "--sample-every", "0"];
const modelTensors = (path: string): Record<string, number[]> =>
  Object.fromEntries(Object.entries(load(readFileSync(path)).tensors).filter(([k]) => k.startsWith("model.")).map(([k, v]) => [k, Array.from(v.f32)]));

/** Start train-lm and resolve once it has printed its first progress line. */
function startRun(args: string[]): { child: ReturnType<typeof spawn>; firstStep: Promise<void>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let seen: () => void = () => {};
  const firstStep = new Promise<void>((resolve) => (seen = resolve));
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('"event":"step"')) seen();
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, firstStep, done };
}

test("kill -9 mid-epoch, then --resume: the final weights are bit-identical to an uninterrupted run (dropout on)", async () => {
  const c = corpus();
  const ref = join(c.dir, "ref", "m.safetensors");
  assert.equal(runCli(["train-lm", "--data", c.file, ...lm, "--epochs", "2", "--out", ref, "--json"]).code, 0);
  const out = join(c.dir, "killed", "m.safetensors");
  const run = startRun(["train-lm", "--data", c.file, ...lm, "--epochs", "2", "--out", out, "--json", "--checkpoint-every", "1"]);
  await run.firstStep;
  run.child.kill("SIGKILL");
  const killed = await run.done;
  assert.equal(killed.code, null, "killed");
  const r = runCli(["train-lm", "--resume", "--out", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const resumed = jsonLines(r.stdout).find((l) => l.event === "info" && /^resuming /.test(String(l.message)));
  assert.match(String(resumed?.message), /resuming .* in epoch 1 after step \d+\/39/, "resumed mid-epoch, at the step of the last snapshot");
  assert.deepEqual(modelTensors(join(c.dir, "killed", "m.train.safetensors")), modelTensors(join(c.dir, "ref", "m.train.safetensors")));
  assert.equal(readFileSync(out).equals(readFileSync(ref)), true, "the same best checkpoint, byte for byte");
});

test("--out '' or a directory is refused at once, leaving nothing behind", () => {
  const c = corpus();
  for (const bad of ["", c.dir]) {
    const r = runCli(["train-lm", "--data", c.file, ...lm, "--out", bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, bad === "" ? /--out must be a file path, got ""/ : /is a directory; give a file path inside it/);
    assert.equal(r.stdout, "", "refused before loading the corpus");
  }
  const k = runCli(["train-classifier", "--data", join(c.dir, "x.csv"), "--out", c.dir]);
  assert.equal(k.code, 1);
  assert.match(k.stderr, /is a directory/);
  assert.deepEqual(readdirSync(c.dir), ["text.txt"], "no .tmp- or lock files");
});

test("two runs on one --out: the second refuses with a clear error; the first goes on (then stops on Ctrl-C)", async () => {
  const c = corpus();
  const out = join(c.dir, "two", "m.safetensors");
  const first = startRun(["train-lm", "--data", c.file, ...lm, "--epochs", "1000", "--out", out, "--json"]);
  await first.firstStep;
  const second = runCli(["train-lm", "--data", c.file, ...lm, "--epochs", "1", "--out", out, "--json"]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /is in use by another run \(pid \d+ on .*, started .*\): two runs writing one checkpoint would overwrite each other \(hint: wait for it, or pass another --out/);
  first.child.kill("SIGINT");
  const r = await first.done;
  assert.equal(r.code, 130, r.stderr);
  assert.equal(jsonLines(r.stdout).find((l) => l.event === "result")?.stoppedBy, "interrupt");
  assert.deepEqual(readdirSync(join(c.dir, "two")).filter((f) => /\.lock|\.tmp-/.test(f)), [], "lock released, no temp files");
});

test("SIGTERM stops like Ctrl-C: the step finishes, the state is saved, exit 143, and --resume continues from it", async () => {
  const c = corpus();
  const out = join(c.dir, "term", "m.safetensors");
  // many epochs: the signal must arrive mid-run however slow the machine is
  const run = startRun(["train-lm", "--data", c.file, ...lm, "--epochs", "1000", "--out", out, "--json"]);
  await run.firstStep;
  run.child.kill("SIGTERM");
  const stopped = await run.done;
  assert.equal(stopped.code, 143, stopped.stderr);
  assert.match(stopped.stdout, /SIGTERM: stopping after this step and saving the training state/);
  const result = jsonLines(stopped.stdout).find((l) => l.event === "result");
  assert.equal(result?.stoppedBy, "interrupt");
  const at = /interrupted at epoch (\d+), step (\d+)\/39/.exec(String(result?.message));
  assert.ok(at, String(result?.message));
  // the saved state is where the run stopped: a resumed run starts there and ends with that epoch
  const r = runCli(["train-lm", "--resume", "--out", out, "--epochs", at[1]!, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const resumed = jsonLines(r.stdout).find((l) => l.event === "info" && /^resuming /.test(String(l.message)));
  assert.match(String(resumed?.message), new RegExp(`in epoch ${at[1]} after step ${at[2]}/39`), r.stdout);
});

test("diverging from scratch: exit 1, and no checkpoint path is printed (train-lm and train-classifier)", () => {
  const c = corpus();
  const r = runCli(["train-lm", "--data", c.file, ...lm, "--epochs", "1", "--out", join(c.dir, "nan", "m.safetensors"), "--optimizer", "sgd", "--lr", "1e30", "--clip", "0"]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /training loss became/);
  assert.doesNotMatch(r.stdout, /checkpoint: /);
  assert.match(r.stdout, /no checkpoint was written/);

  const g = new Generator(2);
  const rows = (n: number): string =>
    ["text,label", ...Array.from({ length: n }, () => {
      const y = g.randint(2);
      return `${y ? "good great fine film" : "bad awful poor plot"} ${g.randint(9)},${y ? "pos" : "neg"}`;
    })].join("\n");
  writeFileSync(join(c.dir, "train.csv"), rows(120));
  writeFileSync(join(c.dir, "test.csv"), rows(40));
  const out = join(c.dir, "cls", "m.safetensors");
  const k = runCli(["train-classifier", "--data", join(c.dir, "train.csv"), "--test-data", join(c.dir, "test.csv"), "--emb", "8", "--hidden", "8", "--epochs", "2", "--lr", "1e6", "--out", out]);
  assert.equal(k.code, 1, k.stdout + k.stderr);
  assert.match(k.stdout, /training stopped: training loss became \S+/);
  assert.doesNotMatch(k.stdout, /checkpoint: /);
  assert.deepEqual(readdirSync(c.dir).includes("cls") ? readdirSync(join(c.dir, "cls")) : [], [], "no model saved");
});

test("--resume keeps what the run was given: a GRU run resumes as GRU (no option default overrides it)", () => {
  const c = corpus();
  const out = join(c.dir, "gru", "m.safetensors");
  assert.equal(runCli(["train-lm", "--data", c.file, ...lm, "--cell", "gru", "--epochs", "1", "--out", out]).code, 0);
  const r = runCli(["train-lm", "--resume", "--out", out, "--epochs", "2", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonLines(r.stdout).filter((l) => l.event === "epoch").map((l) => l.epoch), [2]);
  const bad = runCli(["train-lm", "--data", c.file, "--cell", "lstmx", "--out", out]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--cell: unknown cell type "lstmx"; expected one of LSTM, GRU, RNN_TANH, RNN_RELU/);
});

test("classifier through the CLI: kill -9, then Ctrl-C of the resumed run, then --resume: the final model is byte-identical (dropout on)", async () => {
  const c = corpus();
  const g = new Generator(3);
  const rows = (n: number): string =>
    ["text,label", ...Array.from({ length: n }, () => {
      const y = g.randint(2);
      const words = y ? ["good", "great", "fine"] : ["bad", "awful", "poor"];
      return `${Array.from({ length: 3 + g.randint(6) }, () => (g.random() < 0.5 ? words[g.randint(3)] : ["the", "film", "plot"][g.randint(3)])).join(" ")},${y ? "pos" : "neg"}`;
    })].join("\n");
  writeFileSync(join(c.dir, "train.csv"), rows(400));
  writeFileSync(join(c.dir, "test.csv"), rows(40));
  const cls = (out: string): string[] => ["train-classifier", "--data", join(c.dir, "train.csv"), "--test-data", join(c.dir, "test.csv"), "--emb", "8", "--hidden", "8", "--dropout", "0.3", "--batch-size", "8", "--epochs", "2", "--patience", "0", "--seed", "4", "--json", "--out", out];
  const ref = join(c.dir, "cls-ref", "m.safetensors");
  assert.equal(runCli(cls(ref)).code, 0);
  const out = join(c.dir, "cls-cut", "m.safetensors");
  const first = startRun([...cls(out), "--checkpoint-every", "3"]);
  await first.firstStep;
  first.child.kill("SIGKILL");
  assert.equal((await first.done).code, null);
  const second = startRun(["train-classifier", "--resume", "--json", "--out", out]);
  await second.firstStep;
  second.child.kill("SIGINT");
  const cut = await second.done;
  assert.ok(cut.code === 130 || cut.code === 0, cut.stderr);
  const r = runCli(["train-classifier", "--resume", "--json", "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(out).equals(readFileSync(ref)), true, "the same saved model, byte for byte");
});
