/**
 * `--extra-train` (src/sentiment/extra-train.ts): extra labelled examples join every training part,
 * and no text of the evaluated dataset is ever among them. On real data: Financial PhraseBank's
 * majority-label sentences (50Agree) added to a run on its AllAgree sentences, which are a subset of
 * them; through the CLI, a fold's training part grows by exactly the added examples while its
 * validation and test parts stay the same.
 */
import "../../src/kernels/select.js";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { normalizeText } from "../../src/data/text/normalize.js";
import { loadSentimentData } from "../../src/sentiment/datasets.js";
import { loadExtraTraining } from "../../src/sentiment/extra-train.js";
import { runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

test("extra training data: Financial PhraseBank 50Agree adds only sentences that AllAgree does not hold", async (t) => {
  const dir = sharedPath(t, "data", "financial-phrasebank");
  if (!dir) return;
  const all = await loadSentimentData({ path: dir, agreement: "AllAgree" });
  const x = await loadExtraTraining("phrasebank:50Agree", all, { download: { dataDir: join(dir, "..") } });
  assert.equal(x.name, "phrasebank-50Agree");
  assert.equal(x.read, 4846); // Malo et al.'s 4,846 sentences with a majority label
  // every AllAgree sentence is also a 50Agree sentence: all of them are dropped, none is added
  assert.equal(x.droppedShared, all.train.length);
  assert.equal(x.examples.length + x.droppedShared + x.droppedRepeats, x.read);
  const held = new Set(all.train.map((e) => normalizeText(e.text)));
  assert.ok(x.examples.every((e) => !held.has(normalizeText(e.text))), "an AllAgree sentence was added");
  assert.equal(new Set(x.examples.map((e) => normalizeText(e.text))).size, x.examples.length, "repeats were added");
  for (const l of all.labels) assert.ok(x.examples.some((e) => e.label === l), `no extra example labelled ${l}`);
});

test("extra training data: copies that differ in case and spacing are dropped; bad specs and foreign labels are refused", async () => {
  const d = tempDir("extra");
  const main = join(d, "main.csv");
  const more = join(d, "more.csv");
  writeFileSync(main, "text,label\nThe film was great.,pos\nA dull plot.,neg\nWonderful cast!,pos\n");
  writeFileSync(more, "text,label\nthe   FILM was great .,pos\nSo boring.,neg\nSo boring.,neg\nA gem.,pos\n");
  const data = await loadSentimentData({ path: main });
  const x = await loadExtraTraining(more, data, {});
  assert.deepEqual(x.examples.map((e) => e.text), ["So boring.", "A gem."]);
  assert.equal(x.droppedShared, 1);
  assert.equal(x.droppedRepeats, 1);
  await assert.rejects(loadExtraTraining("phrasebank:90Agree", data, {}), /--extra-train phrasebank:90Agree: expected a dataset name, phrasebank:<agreement> .* got "phrasebank:90Agree"/);
  const foreign = join(d, "foreign.csv");
  writeFileSync(foreign, "text,label\nUp 5 %.,positive\n");
  await assert.rejects(loadExtraTraining(foreign, data, {}), /labels positive are not labels of .*main\.csv \(neg, pos\)/);
  await assert.rejects(loadExtraTraining(main, data, {}), /all 3 examples are texts of .* itself/);
});

test("train-classifier --extra-train: the fold's training part grows by the added examples, validation and test do not", async (t) => {
  const dir = sharedPath(t, "data", "financial-phrasebank");
  if (!dir) return;
  const args = ["train-classifier", "--data", dir, "--folds", "1", "--epochs", "1", "--emb", "8", "--hidden", "8", "--max-len", "20", "--seed", "3"];
  const parts = (out: string): [number, number, number] => {
    const m = /fold 1\/10: (\d+) train \/ (\d+) validation \/ (\d+) test/.exec(out);
    assert.ok(m, out);
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  };
  const plain = runCli(args);
  assert.equal(plain.code, 0, plain.stderr);
  const more = runCli([...args, "--extra-train", join(dir, "Sentences_50Agree.txt")]);
  assert.equal(more.code, 0, more.stderr);
  const [tp, vp, sp] = parts(plain.stdout + plain.stderr);
  const [tm, vm, sm] = parts(more.stdout + more.stderr);
  assert.match(more.stdout + more.stderr, /--extra-train .*: 2,579 of 4,846 .* examples added to every training part \(2,264 dropped as texts of phrasebank-AllAgree, 3 as repeats\)/);
  assert.equal(tm - tp, 2579);
  assert.deepEqual([vm, sm], [vp, sp]);
});
