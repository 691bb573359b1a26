import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { registerAnalysisCommands } from "../../../src/cli/commands/analysis.js";
import { saveLm } from "../../../src/io/checkpoint.js";
import { LanguageModel } from "../../../src/models/language-model.js";
import { Vocabulary } from "../../../src/data/text/vocabulary.js";
import { resolveTokenizer } from "../../../src/data/text/tokenize.js";
import { manualSeed } from "../../../src/tensor/random.js";

/** Run one rnnkit analysis command in-process; returns stdout, stderr and the exit code it set. */
async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command().exitOverride();
  registerAnalysisCommands(program);
  let out = "";
  let err = "";
  const w = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  try {
    await program.parseAsync(["node", "rnnkit", ...args]);
  } finally {
    [process.stdout.write, process.stderr.write] = w as [typeof process.stdout.write, typeof process.stderr.write];
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out, err, code };
}

function checkpoint(dir: string, cell: "LSTM" | "GRU"): string {
  manualSeed(1);
  const words = "the whale swam far away and the sea was calm".split(" ");
  const vocab = Vocabulary.fromStream(words, resolveTokenizer({ level: "word" }));
  const model = new LanguageModel({ vocabSize: vocab.size, embeddingDim: 6, hiddenSize: 5, numLayers: 2, cell });
  const p = join(dir, `${cell}.safetensors`);
  saveLm(p, model, vocab);
  return p;
}

test("rnnkit gates writes the heatmaps and JSON of the chosen layer", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-gates-"));
  try {
    const model = checkpoint(dir, "LSTM");
    const out = join(dir, "g");
    const r = await run(["gates", "--model", model, "--text", "the whale was calm", "--layer", "0", "--gate", "input", "--out", out]);
    assert.equal(r.code, 0, r.err);
    for (const f of ["gates.json", "gates-mean.svg", "units-input.svg", "cell.svg", "gates.html"]) assert.ok(existsSync(join(out, f)), f);
    const j = JSON.parse(readFileSync(join(out, "gates.json"), "utf8")) as { tokens: string[]; layers: { summary: { forget: number }[]; units: { forget: number[][] } }[] };
    assert.deepEqual(j.tokens, ["<eos>", "the", "whale", "was", "calm"]);
    assert.equal(j.layers.length, 2);
    assert.equal(j.layers[0]!.units.forget.length, 5);
    assert.equal(j.layers[0]!.units.forget[0]!.length, 5);
    assert.match(r.out, /forget/);
    const bad = await run(["gates", "--model", model, "--text", "the", "--layer", "2", "--out", out]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--layer 2: the model has 2 layers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rnnkit gates on a GRU checkpoint fails with a hint", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-gates-"));
  try {
    const r = await run(["gates", "--model", checkpoint(dir, "GRU"), "--text", "the sea", "--out", join(dir, "g")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /GRU model; gates need an LSTM/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rnnkit long-range (tiny) writes the table, CSV, JSON and chart; bad --cells is a clear error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-lr-"));
  try {
    const r = await run(["long-range", "--cells", "rnn,lstm", "--distances", "2,3", "--steps", "2", "--hidden", "4", "--batch", "4", "--out", dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /k=2\s+k=3/);
    // several seeds by default: one run per seed in results.csv, mean ± sd [worst] in the table and summary.csv
    assert.match(r.out, /mean ± sd over seeds 1–3 \[worst\]/);
    assert.match(r.out, /LSTM\s+\d\.\d\d ± \d\.\d\d \[\d\.\d\d\]/);
    const csv = readFileSync(join(dir, "results.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, 1 + 2 * 2 * 3);
    assert.match(csv[0]!, /^task,cell,distance,seed,accuracy/);
    assert.deepEqual(csv.slice(1, 4).map((l) => l.split(",")[3]), ["1", "2", "3"]);
    const summary = readFileSync(join(dir, "summary.csv"), "utf8").trim().split("\n");
    assert.equal(summary.length, 1 + 4);
    assert.match(summary[0]!, /^cell,distance,runs,mean,sd,min,max,solved/);
    assert.match(readFileSync(join(dir, "chart.svg"), "utf8"), /worst seed/);
    assert.ok(readFileSync(join(dir, "chart.svg"), "utf8").startsWith("<svg"));
    const bad = await run(["long-range", "--cells", "rnn,transformer", "--out", dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--cells: unknown cell type "transformer"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
