/** train-classifier runs stop and resume exactly (one model with --out). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "../../src/io/safetensors.js";
import { trainSentimentModel } from "../../src/sentiment/session.js";
import { trainLanguageModel } from "../../src/lm/session.js";
import { Generator } from "../../src/tensor/random.js";
import { tempDir } from "../helpers/tmp.js";

function data(): { dir: string; train: string; test: string } {
  const dir = tempDir("cls-resume");
  const g = new Generator(4);
  const rows = (n: number): string =>
    ["text,label", ...Array.from({ length: n }, () => {
      const y = g.randint(2);
      const words = y ? ["good", "great", "fine"] : ["bad", "awful", "poor"];
      return `${Array.from({ length: 2 + g.randint(5) }, () => (g.random() < 0.5 ? words[g.randint(3)] : ["the", "film", "plot"][g.randint(3)])).join(" ")},${y ? "pos" : "neg"}`;
    })].join("\n");
  writeFileSync(join(dir, "train.csv"), rows(200));
  writeFileSync(join(dir, "test.csv"), rows(40));
  return { dir, train: join(dir, "train.csv"), test: join(dir, "test.csv") };
}
const state = (path: string): Record<string, number[]> =>
  Object.fromEntries(Object.entries(load(readFileSync(path)).tensors).filter(([k]) => k.startsWith("model.") || k.startsWith("best.")).map(([k, v]) => [k, Array.from(v.f32)]));

test("a classifier run stopped mid-epoch (Ctrl-C) and resumed ends with the weights of an unstopped run; --resume --lr applies", async () => {
  const d = data();
  const opts = { path: d.train, testPath: d.test, embeddingDim: 6, hiddenSize: 6, dropout: 0.3, epochs: 3, batchSize: 16, patience: 0, seed: 2 } as const;
  const ref = join(d.dir, "ref", "m.safetensors");
  const full = await trainSentimentModel({ ...opts, out: ref });
  const out = join(d.dir, "cut", "m.safetensors");
  let steps = 0;
  const cut = await trainSentimentModel({ ...opts, out }, { onStep: () => steps++, shouldStop: () => steps === 17 });
  assert.equal(cut.training[0]!.stoppedBy, "interrupt");
  // a pause: the training state is saved, the test set is not scored and no model is written
  assert.equal(cut.test, null);
  assert.ok(Number.isNaN(cut.meanAccuracy));
  assert.equal(cut.checkpoint, null);
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(join(d.dir, "cut", "m.train.safetensors")), true);
  const infos: string[] = [];
  const resumed = await trainSentimentModel({ out, resume: true }, { info: (m) => infos.push(m) });
  assert.ok(infos.some((m) => /resuming .* in epoch 2 after step 5\/12/.test(m)), infos.join("\n"));
  assert.deepEqual(state(join(d.dir, "cut", "m.train.safetensors")), state(join(d.dir, "ref", "m.train.safetensors")));
  assert.equal(resumed.meanAccuracy, full.meanAccuracy);
  assert.equal(readFileSync(out).equals(readFileSync(ref)), true, "the same saved model, byte for byte");

  const again = await trainSentimentModel({ out, resume: true, epochs: 4, lr: 0.5 }, { info: (m) => infos.push(m) });
  assert.ok(infos.some((m) => /learning rate 0\.5 from here on \(the run had 0\.002\)/.test(m)), infos.join("\n"));
  assert.equal(again.training[0]!.history.length, 4);
  await assert.rejects(trainSentimentModel({ out: join(d.dir, "none", "m.safetensors"), resume: true }), /training state .* does not exist/);
});

test("a ULMFiT classifier (--from-lm, one learning rate per layer group) resumes with --lr: every group gets its discriminative share of the new rate", async () => {
  const d = data();
  const corpus = join(d.dir, "corpus.txt");
  writeFileSync(corpus, readFileSync(d.train, "utf8").split("\n").slice(1).map((l) => l.split(",")[0]).join("\n"));
  const lm = join(d.dir, "lm", "model.safetensors");
  await trainLanguageModel({ data: corpus, level: "word", wordStyle: "prose", embeddingDim: 8, hiddenSize: 8, numLayers: 2, epochs: 1, batchSize: 4, bptt: 8, sampleLength: 0, sampleEvery: 0, out: lm });
  const out = join(d.dir, "ulmfit", "m.safetensors");
  const opts = { path: d.train, testPath: d.test, fromLm: lm, epochs: 3, batchSize: 16, seed: 2 } as const;
  const first = await trainSentimentModel({ ...opts, out });
  assert.equal(first.training[0]!.history.length, 3);
  const infos: string[] = [];
  const again = await trainSentimentModel({ out, resume: true, epochs: 4, lr: 0.01 }, { info: (m) => infos.push(m) });
  assert.ok(infos.some((m) => /learning rate 0\.01 from here on/.test(m)), infos.join("\n"));
  assert.equal(again.training[0]!.history.length, 4);
});
