/**
 * train-embeddings / neighbors: the library helpers (corpus reading, spelling suggestions) and the
 * commands as a user runs them, on a small two-topic corpus made here where the right neighbours
 * are known: words of one topic only ever co-occur with each other.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { editDistance, lookupWord, readEmbeddingCorpus, suggestSimilarWords } from "../../../src/cli/commands/embeddings.js";
import { readEmbeddings } from "../../../src/embeddings/read.js";
import { trainWord2Vec } from "../../../src/embeddings/word2vec.js";
import { WordVectors } from "../../../src/embeddings/word-vectors.js";
import { jsonLines, runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";

const ANIMALS = ["cat", "dog", "mouse", "horse", "rabbit", "sheep"];
const MARKETS = ["stock", "bond", "market", "price", "share", "trader"];

/** 600 lines; each draws 8 words from one topic (seeded). */
function corpusText(): string {
  let s = 12345;
  const r = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % k;
  };
  return Array.from({ length: 600 }, (_, i) => {
    const topic = i % 2 === 0 ? ANIMALS : MARKETS;
    return Array.from({ length: 8 }, () => topic[r(topic.length)]!).join(" ");
  }).join("\n");
}

function setup(): { dir: string; file: string } {
  const dir = tempDir("emb");
  const file = join(dir, "corpus.txt");
  writeFileSync(file, corpusText() + "\n\n");
  return { dir, file };
}

const W2V = { dim: 16, window: 3, minCount: 1, epochs: 5, sample: 0, seed: 1 };

test("readEmbeddingCorpus: a text file is one sentence per non-empty line, lower-cased", async () => {
  const { dir, file } = setup();
  const c = await readEmbeddingCorpus({ data: file });
  assert.equal(c.sentences.length, 600);
  assert.equal(c.tokens, 4800);
  writeFileSync(join(dir, "mixed.txt"), "The CAT sat.<br />\n\nA Dog!\n");
  const m = await readEmbeddingCorpus({ data: join(dir, "mixed.txt") });
  assert.deepEqual(m.sentences, [["the", "cat", "sat", "."], ["a", "dog", "!"]]);
  const keep = await readEmbeddingCorpus({ data: join(dir, "mixed.txt"), lowercase: false });
  assert.deepEqual(keep.sentences[0], ["The", "CAT", "sat", "."]);
  const folder = join(dir, "folder");
  mkdirSync(folder);
  writeFileSync(join(folder, "a.txt"), "one two\n");
  writeFileSync(join(folder, "b.txt"), "three\n");
  assert.deepEqual((await readEmbeddingCorpus({ data: folder })).sentences, [["one", "two"], ["three"]]);
  writeFileSync(join(dir, "reviews.csv"), 'text,label\n"good film",pos\n"bad film",neg\n');
  const csv = await readEmbeddingCorpus({ data: join(dir, "reviews.csv") });
  assert.deepEqual(csv.sentences, [["good", "film"], ["bad", "film"]]);
  await assert.rejects(readEmbeddingCorpus({}), /--data PATH/);
  await assert.rejects(readEmbeddingCorpus({ dataset: "wikipedia" }), /unknown \(expected one of imdb, polarity, sst2, sst5, phrasebank, moby-dick, sotu/);
  await assert.rejects(readEmbeddingCorpus({ data: join(dir, "nope.txt") }), /no such file or folder/);
});

test("word2vec on the two-topic corpus: neighbours stay within the topic", async () => {
  const { file } = setup();
  const c = await readEmbeddingCorpus({ data: file });
  const { vectors } = trainWord2Vec(c.sentences, W2V);
  for (const w of ["cat", "stock"]) {
    const topic = ANIMALS.includes(w) ? ANIMALS : MARKETS;
    const nn = vectors.nearestNeighbors(w, 4).map((n) => n.word);
    assert.ok(nn.every((x) => topic.includes(x)), `${w}: ${nn.join(", ")}`);
  }
});

test("editDistance and spelling suggestions", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("awfull", "awful"), 1);
  assert.equal(editDistance("form", "from"), 1, "a swap of neighbours is one edit");
  assert.equal(editDistance("abc", "abcdefgh", 2), 3, "bounded: max + 1 when further");
  assert.equal(editDistance("", "abc"), 3);
  const words = ["the", "great", "awful", "awfully", "greet", "grate", "film"];
  assert.deepEqual(suggestSimilarWords("gret", words), ["great", "greet"]);
  assert.deepEqual(suggestSimilarWords("awfull", words), ["awful", "awfully"]);
  assert.deepEqual(suggestSimilarWords("zzzzzz", words), []);
  const wv = new WordVectors(["great", "film"], new Float32Array(4).fill(1), 2);
  assert.equal(lookupWord(wv, "Great", "v.txt"), "great", "falls back to lower case");
  assert.throws(() => lookupWord(wv, "gret", "v.txt"), /"gret" is not among the 2 words of v\.txt; did you mean: great\?/);
});

test("rnnkit train-embeddings → neighbors (text and binary)", async () => {
  const { dir, file } = setup();
  const out = join(dir, "vec", "w.txt");
  const args = ["--dim", "16", "--window", "3", "--min-count", "1", "--epochs", "5", "--sample", "0", "--seed", "1"];
  const r = runCli(["train-embeddings", "--data", file, ...args, "--out", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const result = jsonLines(r.stdout).find((l) => l.event === "result")!;
  assert.equal(result.words, 12);
  assert.equal(result.dim, 16);
  assert.equal(readFileSync(out, "utf8").split("\n")[0], "12 16", "word2vec text header");
  const lib = trainWord2Vec((await readEmbeddingCorpus({ data: file })).sentences, W2V).vectors;
  const back = (await readEmbeddings(out)).vectors;
  assert.deepEqual(back.words, lib.words, "the CLI trains exactly what the library trains");
  assert.deepEqual([...back.vectors], [...lib.vectors]);

  const n = runCli(["neighbors", "cat", "--vectors", out, "-k", "3"]);
  assert.equal(n.code, 0, n.stderr);
  assert.match(n.stdout, /#\s+word\s+cosine/);
  const listed = n.stdout.split("\n").slice(2).map((l) => l.trim().split(/\s+/)[1]).filter(Boolean);
  assert.equal(listed.length, 3);
  assert.ok(listed.every((w) => ANIMALS.includes(w!)), listed.join(", "));

  const bin = join(dir, "w.bin");
  assert.equal(runCli(["train-embeddings", "--data", file, ...args, "--out", bin]).code, 0);
  const j = runCli(["neighbors", "stock", "cat", "--vectors", bin, "-k", "2", "--json"]);
  assert.equal(j.code, 0, j.stderr);
  const rows = jsonLines(j.stdout) as Array<{ word: string; neighbors: Array<{ word: string; similarity: number }> }>;
  assert.deepEqual(rows.map((x) => x.word), ["stock", "cat"]);
  assert.ok(rows[0]!.neighbors.every((x) => MARKETS.includes(x.word) && x.similarity <= 1));

  const bad = runCli(["neighbors", "hourse", "--vectors", out]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /"hourse" is not among the 12 words of .*w\.txt; did you mean: horse, mouse\?/);
  const noFile = runCli(["neighbors", "cat", "--vectors", join(dir, "none.txt")]);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /no vector file at .*none\.txt \(hint: train one with rnnkit train-embeddings/);
  const tooFew = runCli(["train-embeddings", "--data", file, "--min-count", "100000", "--out", join(dir, "x.txt")]);
  assert.equal(tooFew.code, 1);
  assert.match(tooFew.stderr, /only 0 words occur at least minCount=100000 times/);
});
