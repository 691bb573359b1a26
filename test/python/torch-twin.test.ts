/**
 * The PyTorch twin (python/rnnkit_torch.py) and the DDP trainer (python/train_ddp.py), run with the
 * system's PyTorch when it has one (Debian's python3-torch): the twin rebuilds every model kind
 * from a checkpoint's metadata, loads it with strict=True and gives rnnkit's logits to 1e-5; its
 * saved checkpoint loads back in rnnkit bit for bit; 2 processes (gloo) continue training a
 * language model and a classifier on real data for a few steps, and the result loads in rnnkit with
 * a better validation perplexity / loss, the same numbers rnnkit measures.
 *
 * Without torch these tests skip with a message (CI does not install PyTorch; see docs/interop.md).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ptbTokens, resolveTokenizer, tokenize } from "../../src/data/text/tokenize.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { manualSeed } from "../../src/tensor/random.js";
import { evaluateLm } from "../../src/lm/evaluate.js";
import { loadClassifier, loadLm, readCheckpoint, saveClassifier, saveLm } from "../../src/io/checkpoint.js";
import { load as loadSafetensors } from "../../src/io/safetensors.js";
import { readRtPolarity } from "../../src/data/sentiment/polarity.js";
import { assertClose } from "../helpers/close.js";
import { lmVocab } from "../helpers/lm-vocab.js";
import { runCli } from "../helpers/cli.js";
import { REPO_ROOT, sharedPath } from "../helpers/shared.js";
import { pythonWith } from "./python.js";
import { tempDir } from "../helpers/tmp.js";

const PY_DIR = join(REPO_ROOT, "python");

function torchPython(t: TestContext): string | null {
  const py = pythonWith("torch");
  if (!py) t.skip("PyTorch not found (python3 -c 'import torch' fails; on Debian: apt-get install python3-torch): the PyTorch twin is not tested here");
  return py;
}

function runPython(py: string, args: string[], timeout = 300_000): { stdout: string; stderr: string } {
  const r = spawnSync(py, args, { encoding: "utf8", timeout, env: { ...process.env, OMP_NUM_THREADS: "1", PYTHONPATH: PY_DIR } });
  assert.equal(r.status, 0, `${py} ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * torchrun with 2 processes on this machine (gloo, loopback). `--redirects 1 --tee 1`: torch 1.13's
 * torchrun on Python 3.11 cannot parse its own default "0" for these options (IntFlag iteration
 * changed), so the test names values it can parse; they only route the workers' stdout.
 */
function torchrun(py: string, args: string[], logDir: string): Array<Record<string, unknown>> {
  const r = runPython(py, ["-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", String(29500 + (process.pid % 1000)), "--redirects", "1", "--tee", "1", "--log_dir", logDir, join(PY_DIR, "train_ddp.py"), ...args]);
  return r.stdout
    .split("\n")
    .map((l) => l.replace(/^\[default\d+\]:/, ""))
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const noise = (n: number, seed: number): number[] => {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
};

test("the PyTorch twin rebuilds every model kind from checkpoint metadata (strict=True) and gives rnnkit's logits; its saved checkpoint loads back bit for bit", async (t) => {
  const py = torchPython(t);
  if (!py) return;
  const dir = tempDir("twin");
  manualSeed(7);
  const vocab = lmVocab(["<unk>", "<eos>", ...Array.from({ length: 21 }, (_, i) => `w${i}`)], resolveTokenizer({ level: "word" }), "<unk>");
  const lms = [
    new LanguageModel({ vocabSize: 23, embeddingDim: 8, hiddenSize: 8, numLayers: 2, cell: "LSTM", tieWeights: true, dropout: 0.2 }),
    new LanguageModel({ vocabSize: 23, embeddingDim: 6, hiddenSize: 5, cell: "GRU" }),
    new LanguageModel({ vocabSize: 23, embeddingDim: 6, hiddenSize: 5, numLayers: 2, cell: "RNN_RELU" }),
  ];
  const cvocab = new Vocabulary(["<pad>", "<unk>", ...Array.from({ length: 18 }, (_, i) => `c${i}`)]);
  const clss = [
    new SequenceClassifier({ vocabSize: 20, embeddingDim: 5, hiddenSize: 4, numClasses: 3, numLayers: 2, cell: "LSTM", bidirectional: true, pooling: "mean" }),
    new SequenceClassifier({ vocabSize: 20, embeddingDim: 5, hiddenSize: 4, numClasses: 2, cell: "GRU", bidirectional: false, pooling: "max" }),
    new SequenceClassifier({ vocabSize: 20, embeddingDim: 5, hiddenSize: 4, numClasses: 2, numLayers: 2, cell: "RNN_TANH", bidirectional: true, pooling: "final" }),
  ];
  const T = 6;
  const B = 3;
  const lmIds = noise(T * B, 3).map((u) => Math.floor(u * 23));
  const lens = [4, 6, 1];
  const clsIds = noise(B * T, 4).map((u, i) => (i % T < lens[Math.floor(i / T)]! ? 2 + Math.floor(u * 18) : 0));
  const jobs: Array<{ path: string; back: string; kind: "lm" | "cls"; want: Float32Array }> = [];
  lms.forEach((m, k) => {
    const path = join(dir, `lm${k}.safetensors`);
    saveLm(path, m, vocab, { note: "start" });
    m.eval();
    jobs.push({ path, back: join(dir, `lm${k}-back.safetensors`), kind: "lm", want: noGrad(() => m.forward(new Tensor(Int32Array.from(lmIds), [T, B])).logits.f32) });
  });
  clss.forEach((m, k) => {
    const path = join(dir, `cls${k}.safetensors`);
    const labels = m.config.numClasses === 3 ? ["neg", "neu", "pos"] : ["neg", "pos"];
    saveClassifier(path, { model: m, vocab: cvocab, labels, pipeline: { tokenize: {}, maxLen: 50, truncate: "head" } });
    m.eval();
    jobs.push({ path, back: join(dir, `cls${k}-back.safetensors`), kind: "cls", want: noGrad(() => m.forward(new Tensor(Int32Array.from(clsIds), [B, T]), lens).f32) });
  });
  const script = `
import json, sys, torch, rnnkit_torch as rt
jobs = json.loads(sys.argv[1])
out = []
for j in jobs:
    model, meta = rt.load(j["path"])
    with torch.no_grad():
        if j["kind"] == "lm":
            logits, _ = model(torch.tensor(j["ids"]).view(${T}, ${B}))
        else:
            logits = model(torch.tensor(j["ids"]).view(${B}, ${T}), torch.tensor(j["lens"]))
    rt.save(j["back"], model, meta)
    out.append(logits.reshape(-1).tolist())
print(json.dumps(out))
`;
  const args = jobs.map((j) => ({ path: j.path, back: j.back, kind: j.kind, ids: j.kind === "lm" ? lmIds : clsIds, lens }));
  const got = JSON.parse(runPython(py, ["-c", script, JSON.stringify(args)]).stdout.trim().split("\n").pop()!) as number[][];
  jobs.forEach((j, k) => {
    assertClose(got[k]!, j.want, `${j.path}: PyTorch twin logits`, 1e-5, 0);
    const a = readCheckpoint(j.path);
    const b = readCheckpoint(j.back);
    assert.deepEqual(b.meta, a.meta, "metadata written back unchanged");
    assert.deepEqual(Object.keys(b.tensors).sort(), Object.keys(a.tensors).sort());
    for (const [n, x] of Object.entries(a.tensors)) assert.deepEqual(b.tensors[n]!.f32, x.f32, `${n} round-trips bit for bit`);
    if (j.kind === "lm") loadLm(j.back);
    else loadClassifier(j.back);
  });
});

test("torchrun, 2 processes (gloo): a word language model continues training on Penn Treebank and comes back to rnnkit with a lower perplexity", async (t) => {
  const py = torchPython(t);
  if (!py) return;
  const ptb = sharedPath(t, "data", "ptb");
  if (!ptb) return;
  const dir = tempDir("ddp-lm");
  // a small slice of PTB in its own split files, so encode-data reads the PTB layout
  const data = join(dir, "ptb");
  mkdirSync(data);
  const lines = (f: string, n: number): string => readFileSync(join(ptb, f), "utf8").split("\n").slice(0, n).join("\n") + "\n";
  writeFileSync(join(data, "ptb.train.txt"), lines("ptb.train.txt", 4000));
  writeFileSync(join(data, "ptb.valid.txt"), lines("ptb.valid.txt", 400));
  const spec = resolveTokenizer({ level: "word" });
  const vocab = Vocabulary.fromStream(ptbTokens(readFileSync(join(data, "ptb.train.txt"), "utf8")), spec, { maxVocab: 2000 });
  manualSeed(1);
  const start = join(dir, "start.safetensors");
  saveLm(start, new LanguageModel({ vocabSize: vocab.size, embeddingDim: 32, hiddenSize: 32, cell: "LSTM" }), vocab);

  const enc = runCli(["encode-data", "--model", start, "--data", data, "--out", join(dir, "ptb.ids.safetensors"), "--json"]);
  assert.equal(enc.code, 0, enc.stderr);
  const encoded = JSON.parse(enc.stdout) as { kind: string; splits: Record<string, { tokens: number }> };
  assert.equal(encoded.kind, "language-model");
  const valid = loadSafetensors(readFileSync(join(dir, "ptb.ids.safetensors"))).tensors.valid!.i32;
  assert.equal(valid.length, encoded.splits.valid!.tokens);

  const out = join(dir, "ddp.safetensors");
  const events = torchrun(py, ["--model", start, "--data", join(dir, "ptb.ids.safetensors"), "--out", out, "--max-steps", "60", "--batch-size", "10", "--bptt", "20", "--lr", "0.01", "--log-every", "20"], join(dir, "logs"));
  const startEv = events.find((e) => e.event === "start")!;
  assert.equal(startEv.world_size, 2);
  assert.equal(startEv.backend, "gloo");
  const validEv = events.filter((e) => e.event === "valid");
  assert.ok(validEv.length >= 2, JSON.stringify(events));

  const before = evaluateLm(loadLm(start).model, valid, { batchSize: 10, bptt: 35 }).perplexity;
  const back = loadLm(out);
  const after = evaluateLm(back.model, valid, { batchSize: 10, bptt: 35 }).perplexity;
  assert.ok(after < 0.8 * before, `validation perplexity ${before.toFixed(1)} → ${after.toFixed(1)} after 60 DDP steps`);
  t.diagnostic(`PTB slice, 2 processes × 60 steps: validation perplexity ${before.toFixed(1)} → ${after.toFixed(1)} (rnnkit evaluateLm on the returned checkpoint)`);
  // the trainer's own numbers are rnnkit's: same loss, same evaluation
  assertClose([validEv[0]!.valid_perplexity as number, validEv[validEv.length - 1]!.valid_perplexity as number], [before, after], "train_ddp's perplexity vs rnnkit evaluateLm", 0, 1e-4);
  assert.equal((back.info.torch as { world_size: number }).world_size, 2);
  const next = runCli(["predict-next", "the company said it", "--model", out]);
  assert.equal(next.code, 0, next.stderr);
});

test("torchrun, 2 processes (gloo): a BiLSTM classifier continues training on sentence polarity and comes back to rnnkit with a lower validation loss", async (t) => {
  const py = torchPython(t);
  if (!py) return;
  const pol = sharedPath(t, "data", "rt-polarity");
  if (!pol) return;
  const dir = tempDir("ddp-cls");
  const ds = readRtPolarity(pol);
  const vocab = Vocabulary.build(ds.examples.map((e) => tokenize(e.text)), { maxVocab: 3000 });
  manualSeed(2);
  const start = join(dir, "start.safetensors");
  const model = new SequenceClassifier({ vocabSize: vocab.size, embeddingDim: 16, hiddenSize: 16, numClasses: 2, bidirectional: true, pooling: "max" });
  saveClassifier(start, { model, vocab, labels: ds.labels, pipeline: { tokenize: {}, maxLen: 60, truncate: "head" } });
  const enc = runCli(["encode-data", "--model", start, "--data", pol, "--out", join(dir, "pol.ids.safetensors"), "--json"]);
  assert.equal(enc.code, 0, enc.stderr);

  const out = join(dir, "ddp.safetensors");
  const events = torchrun(py, ["--model", start, "--data", join(dir, "pol.ids.safetensors"), "--out", out, "--max-steps", "40", "--batch-size", "32", "--lr", "0.01", "--log-every", "20"], join(dir, "logs"));
  const validEv = events.filter((e) => e.event === "valid");
  const first = validEv[0]!;
  const last = validEv[validEv.length - 1]!;
  assert.ok((last.valid_loss as number) < (first.valid_loss as number) - 0.01, `validation loss ${String(first.valid_loss)} → ${String(last.valid_loss)}`);
  t.diagnostic(`sentence polarity, 2 processes × 40 steps: validation loss ${(first.valid_loss as number).toFixed(4)} → ${(last.valid_loss as number).toFixed(4)}, accuracy ${(first.valid_accuracy as number).toFixed(3)} → ${(last.valid_accuracy as number).toFixed(3)}`);

  // rnnkit measures the same validation loss on the same encoded examples
  const file = loadSafetensors(readFileSync(join(dir, "pol.ids.safetensors"))).tensors;
  const ids = file["valid.ids"]!.i32;
  const off = file["valid.offsets"]!.i32;
  const y = file["valid.labels"]!.i32;
  const back = loadClassifier(out);
  let loss = 0;
  noGrad(() => {
    for (let i = 0; i < y.length; i++) {
      const s = ids.subarray(off[i]!, off[i + 1]!);
      const p = back.model.forward(new Tensor(Int32Array.from(s), [1, s.length]), [s.length]).softmax(-1).f32;
      loss -= Math.log(p[y[i]!]!);
    }
  });
  assertClose([loss / y.length], [last.valid_loss as number], "validation loss: rnnkit vs train_ddp", 1e-5, 1e-4);
  const cls = runCli(["classify", "a gorgeous, witty film", "--model", out]);
  assert.equal(cls.code, 0, cls.stderr);
});
