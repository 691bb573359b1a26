/** trainLanguageModel as a run: random streams, --resume, the output path and its lock. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadLm } from "../../src/io/checkpoint.js";
import { load } from "../../src/io/safetensors.js";
import { predictNext } from "../../src/lm/predict.js";
import { trainLanguageModel } from "../../src/lm/session.js";
import { Generator } from "../../src/tensor/random.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

/** A small corpus file with some structure (a noisy cycle of words). */
function corpus(): { dir: string; file: string } {
  const dir = tempDir("lm-run");
  const words = "the cat sat on a mat and the dog ran to the park".split(" ");
  const g = new Generator(11);
  const lines: string[] = [];
  for (let l = 0; l < 120; l++) lines.push(Array.from({ length: 12 }, (_, i) => (g.random() < 0.15 ? words[g.randint(words.length)] : words[(l + i) % words.length])).join(" "));
  const file = join(dir, "text.txt");
  writeFileSync(file, lines.join("\n"));
  return { dir, file };
}
const tiny = { level: "word", wordStyle: "ptb", embeddingDim: 8, hiddenSize: 12, numLayers: 2, batchSize: 4, bptt: 8, seed: 3 } as const;
const modelTensors = (path: string): Record<string, number[]> =>
  Object.fromEntries(Object.entries(load(readFileSync(path)).tensors).filter(([k]) => k.startsWith("model.")).map(([k, v]) => [k, Array.from(v.f32)]));

test("same seed, samples after every step vs never: bit-identical weights (samples have their own stream)", async () => {
  const c = corpus();
  const run = async (name: string, samples: boolean): Promise<Record<string, number[]>> => {
    const out = join(c.dir, name, "m.safetensors");
    let drawn = 0;
    await trainLanguageModel({ ...tiny, data: c.file, dropout: 0.3, epochs: 2, out, sampleLength: samples ? 5 : 0, sampleEvery: samples ? 1e-9 : 0 }, { onSample: () => drawn++ });
    if (samples) assert.ok(drawn > 20, `a sample after (nearly) every step, got ${drawn}`);
    return modelTensors(join(c.dir, name, "m.train.safetensors"));
  };
  assert.deepEqual(await run("a", true), await run("b", false));
});

test("--resume --lr X applies X with Adam (lr 0: the weights stop moving), and says so", async () => {
  const c = corpus();
  const out = join(c.dir, "r", "m.safetensors");
  await trainLanguageModel({ ...tiny, data: c.file, epochs: 1, out, sampleLength: 0 });
  const after1 = modelTensors(join(c.dir, "r", "m.train.safetensors"));
  const infos: string[] = [];
  const r = await trainLanguageModel({ out, resume: true, epochs: 2, lr: 0 }, { info: (m) => infos.push(m) });
  assert.equal(r.history[1]!.lr, 0);
  assert.ok(infos.some((m) => /learning rate 0 from here on \(the run had 0\.002\)/.test(m)), infos.join("\n"));
  assert.deepEqual(modelTensors(join(c.dir, "r", "m.train.safetensors")), after1);
});

test("a checkpoint and training state written by train-lm before the shared trainer still load and resume", async () => {
  const dir = tempDir("first-format");
  const src = join(REPO_ROOT, "test", "fixtures", "first-format");
  for (const f of ["lm.safetensors", "lm.train.safetensors"]) copyFileSync(join(src, f), join(dir, f));
  const out = join(dir, "lm.safetensors");
  const old = loadLm(out);
  assert.equal(old.vocab.size, 19);
  assert.deepEqual(old.vocab.tokenizer, { level: "word", wordStyle: "ptb", lower: false, eos: "<eos>" });
  assert.ok(predictNext(old.model, old.vocab, "the cat", { k: 3 }).next.length === 3);
  const infos: string[] = [];
  // the saved options name the corpus relative to the repository root
  const r = await trainLanguageModel({ out, resume: true, epochs: 2, data: join(src, "text.txt") }, { info: (m) => infos.push(m) });
  assert.equal(r.stoppedBy, "epochs");
  assert.deepEqual(r.history.map((h) => h.epoch), [1, 2]);
  assert.ok(infos.some((m) => m.startsWith(`resuming ${out} after epoch 1 (best validation loss 2.8883)`)), infos.join("\n"));
  assert.ok(r.history[1]!.validLoss! < r.history[0]!.validLoss!, "training went on from the saved weights and Adam state");
});

test("the output path is checked before anything is loaded or trained: empty, a directory, under a file", async () => {
  const c = corpus();
  const missing = join(c.dir, "no-such-corpus.txt"); // would fail later: the out error must come first
  await assert.rejects(trainLanguageModel({ data: missing, out: "" }), /--out must be a file path, got ""/);
  mkdirSync(join(c.dir, "adir"));
  await assert.rejects(trainLanguageModel({ data: missing, out: join(c.dir, "adir") }), /--out .*adir is a directory; give a file path inside it/);
  await assert.rejects(trainLanguageModel({ data: missing, out: join(c.file, "m.safetensors") }), /cannot create the folder/);
  assert.deepEqual(readdirSync(join(c.dir, "adir")), [], "nothing written, no .tmp- files");
  assert.deepEqual(readdirSync(c.dir).sort(), ["adir", "text.txt"]);
});

test("a second run on the same --out refuses while the first lives; a dead run's lock is taken over", async () => {
  const c = corpus();
  const out = join(c.dir, "lock", "m.safetensors");
  // another process holds the lock (as a running train-lm does)
  const holder = spawn(process.execPath, ["--input-type=module", "-e", `import { claimOutput } from ${JSON.stringify(join(REPO_ROOT, "dist", "src", "train", "output.js"))}; claimOutput(${JSON.stringify(out)}); console.log("held"); setTimeout(() => {}, 60000);`], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    await assert.rejects(trainLanguageModel({ ...tiny, data: c.file, epochs: 1, out }), new RegExp(`--out .*m\\.safetensors is in use by another run \\(pid ${holder.pid} on .*\\): two runs writing one checkpoint would overwrite each other`));
  } finally {
    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("close", resolve));
  }
  assert.ok(existsSync(`${out}.lock`), "kill -9 leaves the lock behind");
  const infos: string[] = [];
  const r = await trainLanguageModel({ ...tiny, data: c.file, epochs: 1, out, sampleLength: 0 }, { info: (m) => infos.push(m) });
  assert.equal(r.stoppedBy, "epochs");
  assert.ok(infos.some((m) => m.includes(`took over the lock of a run that is gone (pid ${holder.pid}`)), infos.join("\n"));
  assert.equal(existsSync(`${out}.lock`), false, "released at the end");
});

test("a run that diverges before its first checkpoint reports none (no path that does not exist)", async () => {
  const c = corpus();
  const out = join(c.dir, "nan", "m.safetensors");
  const r = await trainLanguageModel({ ...tiny, data: c.file, epochs: 1, out, optimizer: "sgd", lr: 1e30, clip: 0 });
  assert.equal(r.stoppedBy, "nan");
  assert.equal(r.checkpoint, null);
  assert.equal(r.curve, null);
  assert.equal(existsSync(out), false);
});
