/** train-lm --awd through the shared trainer: averaged weights evaluated and saved, NT-ASGD's switch, exact resume. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAnyLm } from "../../src/io/checkpoint.js";
import { load } from "../../src/io/safetensors.js";
import { evaluateLm } from "../../src/lm/evaluate.js";
import { trainLanguageModel } from "../../src/lm/session.js";
import { encodeCorpus } from "../../src/data/corpus/encode.js";
import { loadCorpus } from "../../src/data/corpus/load.js";
import { AwdLstm } from "../../src/models/awd-lstm.js";
import { Generator } from "../../src/tensor/random.js";
import { tempDir } from "../helpers/tmp.js";

function corpus(): { dir: string; file: string } {
  const dir = tempDir("awd-run");
  const words = "the cat sat on a mat and the dog ran to the park".split(" ");
  const g = new Generator(12);
  const lines: string[] = [];
  for (let l = 0; l < 120; l++) lines.push(Array.from({ length: 12 }, (_, i) => (g.random() < 0.15 ? words[g.randint(words.length)] : words[(l + i) % words.length])).join(" "));
  const file = join(dir, "text.txt");
  writeFileSync(file, lines.join("\n"));
  return { dir, file };
}
const tiny = { level: "word", wordStyle: "ptb", awd: true, embeddingDim: 8, hiddenSizes: [12, 8], batchSize: 4, bptt: 8, seed: 5, sampleLength: 0, lr: 5 } as const;
const stateTensors = (path: string): Record<string, number[]> =>
  Object.fromEntries(Object.entries(load(readFileSync(path)).tensors).filter(([k]) => k.startsWith("model.") || k.startsWith("optim.")).map(([k, v]) => [k, Array.from(v.f32)]));

test("--awd --optimizer asgd: the checkpoint holds the averaged weights, whose validation loss is the one reported", async () => {
  const c = corpus();
  const out = join(c.dir, "a", "m.safetensors");
  const r = await trainLanguageModel({ ...tiny, data: c.file, epochs: 2, out, optimizer: "asgd" });
  assert.equal(r.stoppedBy, "epochs");
  const best = r.history.find((h) => h.epoch === r.bestEpoch)!;
  const back = loadAnyLm(out);
  assert.ok(back.model instanceof AwdLstm);
  const corp = await loadCorpus({ path: c.file, level: "word", wordStyle: "ptb" });
  const enc = encodeCorpus(corp, { vocab: back.vocab });
  const v = evaluateLm(back.model, enc.valid, { batchSize: 10, bptt: 8 });
  assert.ok(Math.abs(v.loss - best.validLoss!) < 1e-5, `checkpoint's validation loss ${v.loss} = the best epoch's ${best.validLoss}`);
  // the live weights (in the training state) are not the averages
  const live = load(readFileSync(join(c.dir, "a", "m.train.safetensors"))).tensors["model.rnns.0.weight_hh_l0"]!.f32;
  const saved = back.model.rnns.at(0).stateDict()["weight_hh_l0"]!.f32;
  assert.ok(live.some((x, i) => x !== saved[i]), "the saved weights are the averages, not the last iterate");
  // the train loss is the cross-entropy alone (AR/TAR reported apart)
  assert.ok(best.trainLoss > 0 && best.trainLoss < Math.log(back.vocab.size) + 1);
});

test("--awd NT-ASGD: the switch is announced after a validation that did not improve and recorded in the training state", async () => {
  const c = corpus();
  const out = join(c.dir, "nt", "m.safetensors");
  const infos: string[] = [];
  // nonmono 0 and a learning rate that overshoots: a worse validation soon fires the trigger
  await trainLanguageModel({ ...tiny, data: c.file, epochs: 4, out, nonmono: 0, lr: 40 }, { info: (m) => infos.push(m) });
  const meta = JSON.parse(load(readFileSync(join(c.dir, "nt", "m.train.safetensors"))).metadata.rnnkit_training!) as { trainer: { optimizer: { type: string; extra: { history: number[]; averaging: number[] } } } };
  const opt = meta.trainer.optimizer;
  assert.equal(opt.type, "NTASGD");
  assert.equal(opt.extra.history.length, 4, "every validation reached the trigger");
  const switched = infos.some((m) => /averaged SGD from here on \(NT-ASGD\)/.test(m));
  assert.equal(switched, opt.extra.averaging[0] === 1, infos.join("\n"));
  assert.ok(switched, `the trigger fired on ${JSON.stringify(opt.extra.history)}`);
});

test("--awd: a run stopped mid-epoch and resumed ends with the weights and optimizer state of an unstopped one", async () => {
  const c = corpus();
  const full = join(c.dir, "full", "m.safetensors");
  await trainLanguageModel({ ...tiny, data: c.file, epochs: 2, out: full, optimizer: "asgd" });
  const cut = join(c.dir, "cut", "m.safetensors");
  let steps = 0;
  const first = await trainLanguageModel({ ...tiny, data: c.file, epochs: 2, out: cut, optimizer: "asgd" }, { onStep: () => steps++, shouldStop: () => steps === 13 });
  assert.equal(first.stoppedBy, "interrupt");
  const second = await trainLanguageModel({ out: cut, resume: true });
  assert.equal(second.stoppedBy, "epochs");
  assert.deepEqual(stateTensors(join(c.dir, "cut", "m.train.safetensors")), stateTensors(join(c.dir, "full", "m.train.safetensors")));
});

test("--average-now: NT-ASGD averages from the first step (= ASGD from the start), and a resumed SGD run switches when it resumes", async () => {
  const c = corpus();
  const asgd = join(c.dir, "asgd", "m.safetensors");
  await trainLanguageModel({ ...tiny, data: c.file, epochs: 2, out: asgd, optimizer: "asgd" });
  const now = join(c.dir, "now", "m.safetensors");
  const infos: string[] = [];
  await trainLanguageModel({ ...tiny, data: c.file, epochs: 2, out: now, nonmono: 50, averageNow: true }, { info: (m) => infos.push(m) });
  assert.ok(infos.some((m) => /^epoch 1: averaged SGD from here on \(--average-now\)/.test(m)), infos.join("\n"));
  const weights = (p: string): Record<string, number[]> => Object.fromEntries(Object.entries(stateTensors(p)).filter(([k]) => k.startsWith("model.")));
  assert.deepEqual(weights(join(c.dir, "now", "m.train.safetensors")), weights(join(c.dir, "asgd", "m.train.safetensors")));
  // stopped mid-epoch under plain SGD, resumed with --average-now: averaging from the resumed step
  const cut = join(c.dir, "cut", "m.safetensors");
  let steps = 0;
  await trainLanguageModel({ ...tiny, data: c.file, epochs: 2, out: cut, nonmono: 50 }, { onStep: () => steps++, shouldStop: () => steps === 13 });
  const averaging = (): number => (JSON.parse(load(readFileSync(join(c.dir, "cut", "m.train.safetensors"))).metadata.rnnkit_training!) as { trainer: { optimizer: { extra: { averaging: number[] } } } }).trainer.optimizer.extra.averaging[0]!;
  assert.equal(averaging(), 0);
  const resumedInfos: string[] = [];
  await trainLanguageModel({ out: cut, resume: true, averageNow: true }, { info: (m) => resumedInfos.push(m) });
  assert.equal(averaging(), 1);
  assert.equal(resumedInfos.filter((m) => /--average-now/.test(m)).length, 1, resumedInfos.join("\n"));
  await assert.rejects(trainLanguageModel({ ...tiny, data: c.file, epochs: 1, out: join(c.dir, "adam", "m.safetensors"), optimizer: "adam", averageNow: true }), /averageNow switches NT-ASGD to averaging, but the optimizer is adam \(hint: --awd or --optimizer nt-asgd\)/);
});

test("AWD-only options without --awd, and --dropout with --awd, are refused with a hint", async () => {
  const c = corpus();
  await assert.rejects(trainLanguageModel({ level: "word", data: c.file, weightDrop: 0.5, out: join(c.dir, "x", "m.safetensors") }), /weightDrop is an AWD-LSTM option \(hint: add --awd\)/);
  await assert.rejects(trainLanguageModel({ ...tiny, data: c.file, dropout: 0.3, out: join(c.dir, "y", "m.safetensors") }), /--dropout is the plain model's; an AWD-LSTM takes --dropout-emb/);
});
