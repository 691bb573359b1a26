/**
 * LM corpora on small synthetic inputs: tokenisation, vocabulary order and (de)serialisation,
 * positional splits, PyTorch-exact batchify / BPTT windows, corpus loading and bad input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchify, bpttWindows, countBpttWindows } from "../../../src/data/corpus/batchify.js";
import { encodeCorpus } from "../../../src/data/corpus/encode.js";
import { loadCorpus, loadCorpusSync } from "../../../src/data/corpus/load.js";
import { splitStream } from "../../../src/data/corpus/split.js";
import { readCorpusFile } from "../../../src/data/corpus/text-file.js";
import { charTokens, detokenize, proseTokens, ptbTokens, resolveTokenizer, tokenizeLm } from "../../../src/data/text/tokenize.js";
import { Vocabulary } from "../../../src/data/text/vocabulary.js";

const WORD = resolveTokenizer({ level: "word" });
const CHAR = resolveTokenizer({ level: "char" });

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), "rnnkit-corpus-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

// ---------------------------------------------------------------- tokenisation

test("ptbTokens: whitespace split + <eos> per line, like PyTorch's line.split() + ['<eos>']", () => {
  assert.deepEqual(ptbTokens(" the cat \n sat\ton  it \n"), ["the", "cat", "<eos>", "sat", "on", "it", "<eos>"]);
  assert.deepEqual(ptbTokens("a\n\nb"), ["a", "<eos>", "<eos>", "b", "<eos>"], "empty line → lone eos; last line without newline still ends");
  assert.deepEqual(ptbTokens(""), []);
  assert.deepEqual(ptbTokens("x\u00a0y\n"), ["x", "y", "<eos>"], "non-ASCII whitespace splits too");
});

test("charTokens keeps surrogate pairs whole; lower is opt-in", () => {
  assert.deepEqual(charTokens("a😀\n"), ["a", "😀", "\n"]);
  assert.deepEqual(tokenizeLm("Ab", CHAR), ["A", "b"]);
  assert.deepEqual(tokenizeLm("Ab", resolveTokenizer({ level: "char", lower: true })), ["a", "b"]);
});

test("proseTokens: lower-cased, punctuation split, <eos> per paragraph not per wrapped line", () => {
  const text = "Call me Ishmael. Some\nyears ago—never mind.\n\n\nThe whale's sea-captain!\n";
  assert.deepEqual(proseTokens(text, true), [
    "call", "me", "ishmael", ".", "some", "years", "ago", "—", "never", "mind", ".", "<eos>",
    "the", "whale's", "sea-captain", "!", "<eos>",
  ]);
  const spec = resolveTokenizer({ level: "word", wordStyle: "prose" });
  assert.equal(spec.lower, true);
  assert.equal(detokenize(proseTokens(text, true), spec), "call me ishmael. some years ago — never mind.\nthe whale's sea-captain!\n");
});

test("resolveTokenizer rejects bad specs", () => {
  assert.throws(() => resolveTokenizer({ level: "byte" as "char" }), /level must be "char" or "word"/);
  assert.throws(() => resolveTokenizer({ level: "word", eos: "end of" }), /eos must be a non-empty token/);
});

// ---------------------------------------------------------------- vocabulary

test("Vocabulary.fromStream: order: frequency desc, ties by first occurrence; <unk> added at id 0 when absent", () => {
  const train = ptbTokens("b a c\na b\nd c\n"); // counts: b2 a2 c2 <eos>3 d1
  const v = Vocabulary.fromStream(train, WORD);
  assert.deepEqual(v.tokens, ["<unk>", "<eos>", "b", "a", "c", "d"]);
  assert.equal(v.unkId, 0);
  assert.equal(v.eosId, 1);
});

test("Vocabulary.fromStream: reuses an <unk> that occurs in training (PTB) at its frequency rank", () => {
  const v = Vocabulary.fromStream(ptbTokens("x <unk> <unk>\nx y\n"), WORD);
  assert.deepEqual(v.tokens, ["x", "<unk>", "<eos>", "y"], "x and <unk> tie at 2: first occurrence wins");
  assert.equal(v.size, 4, "no second unk");
});

test("Vocabulary.fromStream: maxVocab counts reserved tokens; minFreq drops rare tokens to <unk>", () => {
  const train = ptbTokens("a a a b b c\n");
  const capped = Vocabulary.fromStream(train, WORD, { maxVocab: 3 });
  assert.deepEqual(capped.tokens, ["<unk>", "a", "<eos>"]);
  assert.deepEqual(Array.from(capped.encode(["a", "b", "c", "<eos>"])), [1, 0, 0, 2]);
  const rare = Vocabulary.fromStream(train, WORD, { minFreq: 2 });
  assert.deepEqual(rare.tokens, ["<unk>", "a", "b", "<eos>"]);
  assert.throws(() => Vocabulary.fromStream(train, WORD, { maxVocab: 1 }), /smaller than the 2 reserved tokens/);
  assert.throws(() => Vocabulary.fromStream([], WORD), /training stream is empty/);
});

test("Vocabulary.fromStream: encodeWithStats reports unknown tokens; char vocab without unk drops them", () => {
  const v = Vocabulary.fromStream(ptbTokens("the cat sat\n"), WORD);
  const s = v.encodeText("the dog barked\n");
  assert.equal(s.total, 4);
  assert.equal(s.unknown, 2);
  assert.equal(s.unknownRate, 0.5);
  assert.deepEqual(Array.from(s.ids), [v.get("the"), v.unkId, v.unkId, v.eosId]);

  const c = Vocabulary.fromStream(charTokens("abca"), CHAR);
  assert.equal(c.unk, null);
  assert.deepEqual(c.tokens, ["a", "b", "c"]);
  const r = c.encodeWithStats(charTokens("axb"));
  assert.deepEqual(Array.from(r.ids), [0, 1]);
  assert.equal(r.unknown, 1);
  assert.equal(c.decodeText(r.ids), "ab");
});

test("a language model's Vocabulary: toJSON / fromJSON round trip through JSON text, and rejects bad input", () => {
  const v = Vocabulary.fromStream(proseTokens("Hello, world.\n\nHello again!\n", true), resolveTokenizer({ level: "word", wordStyle: "prose" }), { minFreq: 1 });
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.tokens, v.tokens);
  assert.deepEqual(back.tokenizer, v.tokenizer);
  assert.equal(back.unkId, v.unkId);
  assert.equal(back.eosId, v.eosId);
  assert.deepEqual(back.tokenize("HELLO!"), ["hello", "!", "<eos>"]);
  assert.throws(() => Vocabulary.fromJSON({ format: "rnnkit.other", version: 1, tokens: [] }), /format "rnnkit-vocabulary" or "rnnkit.lm-vocab"/);
  assert.throws(() => Vocabulary.fromJSON({ format: "rnnkit-vocabulary", version: 1 }), /tokens must be an array of strings/);
  assert.deepEqual(JSON.parse(JSON.stringify(v.toJSON())), { format: "rnnkit.lm-vocab", version: 1, tokenizer: v.tokenizer, unk: "<unk>", tokens: [...v.tokens] }, "the format language-model checkpoints always had");
  assert.throws(() => Vocabulary.fromJSON({ ...v.toJSON(), version: 2 }), /unsupported version 2/);
  assert.throws(() => Vocabulary.fromJSON({ ...v.toJSON(), tokens: ["a", "a"] }), /appears twice/);
  assert.throws(() => Vocabulary.fromJSON({ ...v.toJSON(), tokens: ["a"] }), /unk token "<unk>" is not among the tokens/);
  assert.throws(() => v.decode([v.size]), /out of range/);
});

// ---------------------------------------------------------------- splits

test("splitStream holds out the tail; word-level cuts move to just after an <eos>", () => {
  const chars = charTokens("0123456789");
  assert.deepEqual(splitStream(chars, { valid: 0.1, test: 0 }), { train: charTokens("012345678"), valid: ["9"], test: [] });
  assert.deepEqual(splitStream(chars, { valid: 0.2, test: 0.2 }), { train: charTokens("012345"), valid: ["6", "7"], test: ["8", "9"] });
  const words = ptbTokens("a b c\nd e\nf g h i\nj\n"); // 14 tokens
  const s = splitStream(words, { valid: 0.3, test: 0 }, "<eos>");
  assert.equal(s.train[s.train.length - 1], "<eos>");
  assert.deepEqual(s.valid, ["j", "<eos>"]);
  // one giant paragraph: no eos before the end, so the exact index is used
  const one = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "<eos>"];
  assert.deepEqual(splitStream(one, { valid: 0.2, test: 0 }, "<eos>").valid, ["i", "<eos>"]);
  assert.throws(() => splitStream(chars, { valid: 0.5, test: 0.5 }), /leaves nothing to train on/);
  assert.throws(() => splitStream(chars, { valid: -0.1, test: 0 }), /valid fraction must be in \[0, 1\)/);
});

// ---------------------------------------------------------------- batchify / BPTT

/** PyTorch: data.narrow(0, 0, nbatch*bsz).view(bsz, -1).t().contiguous() */
function torchBatchify(ids: number[], B: number): number[][] {
  const n = Math.floor(ids.length / B);
  const rows: number[][] = [];
  for (let t = 0; t < n; t++) rows.push(Array.from({ length: B }, (_, b) => ids[b * n + t]!));
  return rows;
}

test("batchify matches PyTorch's word_language_model layout", () => {
  const b = batchify(Int32Array.from([0, 1, 2, 3, 4, 5, 6]), 2);
  assert.deepEqual({ data: Array.from(b.data), nSteps: b.nSteps, B: b.B }, { data: [0, 3, 1, 4, 2, 5], nSteps: 3, B: 2 });
  for (const [N, B] of [[100, 7], [64, 4], [11, 5]] as const) {
    const ids = Array.from({ length: N }, (_, i) => (i * 37) % 101);
    const got = batchify(Int32Array.from(ids), B);
    assert.deepEqual(Array.from(got.data), torchBatchify(ids, B).flat(), `N=${N} B=${B}`);
  }
  assert.throws(() => batchify(Int32Array.from([1, 2, 3]), 2), /need at least 2/);
  assert.throws(() => batchify(Int32Array.from([1, 2, 3]), 0), /positive integer/);
});

test("bpttWindows: starts 0, bptt, 2·bptt…; T = min(bptt, nSteps−1−i); target = next row", () => {
  const ids = Int32Array.from({ length: 22 }, (_, i) => i); // B=2 → nSteps 11
  const b = batchify(ids, 2);
  const ws = [...bpttWindows(b, 3)];
  assert.deepEqual(ws.map((w) => [w.start, w.T, w.index]), [[0, 3, 0], [3, 3, 1], [6, 3, 2], [9, 1, 3]]);
  assert.equal(countBpttWindows(b, 3), 4);
  assert.deepEqual(Array.from(ws[0]!.input), [0, 11, 1, 12, 2, 13]);
  assert.deepEqual(Array.from(ws[0]!.target), [1, 12, 2, 13, 3, 14]);
  assert.deepEqual(Array.from(ws[3]!.input), [9, 20]);
  assert.deepEqual(Array.from(ws[3]!.target), [10, 21]);
  // the inputs of all windows + the last target row re-create every stream in order
  for (let col = 0; col < 2; col++) {
    const seq: number[] = [];
    for (const w of ws) for (let t = 0; t < w.T; t++) seq.push(w.input[t * 2 + col]!);
    seq.push(ws[ws.length - 1]!.target[(ws[ws.length - 1]!.T - 1) * 2 + col]!);
    assert.deepEqual(seq, Array.from({ length: 11 }, (_, t) => col * 11 + t));
  }
  // exact multiple: nSteps 10, bptt 3 → starts 0, 3, 6 with T 3, 3, 3
  assert.deepEqual([...bpttWindows(batchify(Int32Array.from({ length: 20 }, (_, i) => i), 2), 3)].map((w) => w.T), [3, 3, 3]);
  assert.throws(() => [...bpttWindows(b, 0)], /bptt must be a positive integer/);
});

// ---------------------------------------------------------------- loading and bad input

test("loadCorpus: a folder with train/valid .txt uses those splits (ptb style, word level)", async (t) => {
  const d = tmp(t);
  writeFileSync(join(d, "train.txt"), " a b a \n c a\n");
  writeFileSync(join(d, "valid.txt"), " a z\n");
  const c = await loadCorpus({ path: d });
  assert.equal(c.tokenizer.level, "word");
  assert.equal(c.tokenizer.wordStyle, "ptb");
  assert.deepEqual(c.train, ["a", "b", "a", "<eos>", "c", "a", "<eos>"]);
  assert.deepEqual(c.valid, ["a", "z", "<eos>"]);
  assert.deepEqual(c.test, []);
  assert.equal(c.origin.kind, "split-files");
  const e = encodeCorpus(c);
  assert.deepEqual(e.stats.valid, { tokens: 3, unknown: 1, unknownRate: 1 / 3 });
  assert.equal(e.vocab.decodeText(e.valid), "a <unk>\n");
});

test("loadCorpus: a folder of .txt files is concatenated in name order, then split 90/10 at char level", (t) => {
  const d = tmp(t);
  writeFileSync(join(d, "b.txt"), "World");
  writeFileSync(join(d, "a.txt"), "Hello\r\n");
  writeFileSync(join(d, "notes.md"), "ignored");
  const c = loadCorpusSync({ path: d });
  const all = [...c.train, ...c.valid, ...c.test].join("");
  assert.equal(all, "Hello\n\nWorld\n");
  assert.equal(c.valid.length, Math.round(all.length * 0.1));
  assert.deepEqual(c.origin, { kind: "single-text", files: [join(d, "a.txt"), join(d, "b.txt")], fractions: { valid: 0.1, test: 0 } });
});

test("loadCorpus: text option, word level prose defaults to 80/10/10; custom split; one source only", () => {
  const text = Array.from({ length: 20 }, (_, i) => `Sentence number ${i}.`).join("\n\n");
  const c = loadCorpusSync({ text, level: "word" });
  assert.equal(c.tokenizer.wordStyle, "prose");
  assert.equal(c.train.length + c.valid.length + c.test.length, 20 * 5);
  assert.deepEqual([c.train.length, c.valid.length, c.test.length], [80, 10, 10]);
  const d = loadCorpusSync({ text, level: "word", split: { valid: 0.5, test: 0 } });
  assert.deepEqual([d.train.length, d.valid.length, d.test.length], [50, 50, 0]);
  assert.throws(() => loadCorpusSync({ text, path: "x" }), /only one of path, dataset, text/);
  assert.throws(() => loadCorpusSync({ dataset: "ptb" }), /must be downloaded first/);
  assert.throws(() => loadCorpusSync({ dataset: "nope" as "ptb" }), /unknown dataset "nope"/);
});

test("bad input: empty, whitespace-only, binary (NUL), mostly-invalid UTF-8, missing → one clear error naming the file", (t) => {
  const d = tmp(t);
  const cases: Array<[string, Uint8Array | string, RegExp]> = [
    ["empty.txt", "", /empty\.txt: the file is empty/],
    ["blank.txt", " \n\n\t\n", /blank\.txt: the file contains only whitespace/],
    ["model.bin", Uint8Array.from([72, 105, 0, 1, 2, 3]), /model\.bin: this looks like a binary file, not text \(NUL byte at offset 2/],
    ["ctrl.dat", Uint8Array.from({ length: 100 }, (_, i) => 1 + (i % 8)), /ctrl\.dat: this looks like a binary file/],
    ["noise.txt", Uint8Array.from({ length: 400 }, (_, i) => 0x80 + ((i * 7919) % 127)), /noise\.txt: this looks like a binary file, not text \(\d+ of \d+ characters are invalid UTF-8 or control characters/],
  ];
  for (const [name, data, re] of cases) {
    writeFileSync(join(d, name), data);
    assert.throws(() => loadCorpusSync({ path: join(d, name) }), re, name);
  }
  assert.throws(() => loadCorpusSync({ path: join(d, "missing.txt") }), /missing\.txt: no such file or folder/);
  const sub = join(d, "sub");
  mkdirSync(sub);
  assert.throws(() => loadCorpusSync({ path: sub }), /sub: the folder has no \.txt files/);
  writeFileSync(join(sub, "train.txt"), "a\n");
  assert.throws(() => loadCorpusSync({ path: sub }), /found train\.txt but no valid\.txt \/ val\.txt \/ dev\.txt/);
});

test("a Latin-1 file with a few non-UTF-8 bytes is decoded as Windows-1252; BOM and CRLF normalised", (t) => {
  const d = tmp(t);
  writeFileSync(join(d, "latin.txt"), Buffer.from("caf\xe9 na\xefve\r\n", "latin1"));
  assert.equal(readCorpusFile(join(d, "latin.txt")), "café naïve\n");
  writeFileSync(join(d, "bom.txt"), "\ufeffhi\r\n");
  assert.equal(readCorpusFile(join(d, "bom.txt")), "hi\n");
});

test("encodeCorpus with a saved vocabulary refuses a corpus tokenised differently", () => {
  const words = loadCorpusSync({ text: "a b\n\nc d\n\ne f\n", level: "word" });
  const chars = loadCorpusSync({ text: "abcdefghij" });
  const v = encodeCorpus(words).vocab;
  assert.throws(() => encodeCorpus(chars, { vocab: v }), /the vocabulary was built for .* but the corpus "text" is tokenised as/);
  assert.equal(encodeCorpus(words, { vocab: v }).vocab, v);
});
