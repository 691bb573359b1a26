/**
 * The @huggingface/transformers wrapper end to end on the committed tiny BERT fixture
 * (test/fixtures/tiny-bert, made by scripts/fixtures/make_tiny_bert.py): offline loading, label
 * mapping, probabilities, long-text windows, determinism, and agreement with the library's own
 * text-classification pipeline on short texts.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { HfTextClassifier } from "../../src/transformers/classifier.js";
import { evaluateHfClassifier } from "../../src/transformers/evaluate.js";
import { loadTransformersLibrary } from "../../src/transformers/library.js";
import { resolveHfModel } from "../../src/transformers/resolve.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

const TINY = join(REPO_ROOT, "test", "fixtures", "tiny-bert");
const SPEC = `hf:${TINY}`;

let shared: HfTextClassifier | null = null;
async function tiny(t: TestContext): Promise<HfTextClassifier | null> {
  try {
    await loadTransformersLibrary();
  } catch (e) {
    t.skip(`@huggingface/transformers unavailable: ${(e as Error).message}`);
    return null;
  }
  shared ??= await HfTextClassifier.load(SPEC, { threads: 1, allowDownload: false });
  return shared;
}

const LONG = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? "a great , moving film ." : "the plot follows a family in a small town .")).join(" ");

test("tiny-bert: loads offline from the folder, labels from config.json, sensible predictions", async (t) => {
  const clf = await tiny(t);
  if (!clf) return;
  assert.deepEqual(clf.labels, ["NEGATIVE", "POSITIVE"]);
  assert.equal(clf.maxLength, 128);
  assert.deepEqual([clf.prefix, clf.suffix], [[2], [3]], "[CLS] … [SEP] found from the tokenizer");
  const texts = ["a great film", "an awful , boring mess", "wonderful and moving", "the worst movie of the year"];
  const { probs, stats } = await clf.predictProba(texts);
  assert.equal(probs.length, texts.length * 2);
  for (let i = 0; i < texts.length; i++) {
    assert.ok(Math.abs(probs[2 * i]! + probs[2 * i + 1]! - 1) < 1e-6, `row ${i} sums to 1`);
    assert.ok(probs[2 * i]! > 0 && probs[2 * i]! < 1);
  }
  const positive = (i: number): boolean => probs[2 * i + 1]! > 0.5;
  assert.deepEqual(texts.map((_, i) => positive(i)), [true, false, true, false], "great/wonderful → POSITIVE, awful/worst → NEGATIVE");
  assert.equal(stats.windows, texts.length);
  assert.equal(stats.longTexts, 0);
  assert.ok(stats.msPerText > 0 && Number.isFinite(stats.msPerText));
});

test("tiny-bert: same probabilities as the library's own pipeline on short texts; deterministic", async (t) => {
  const clf = await tiny(t);
  if (!clf) return;
  const lib = await loadTransformersLibrary();
  const pipe = (await lib.pipeline("text-classification", TINY, { local_files_only: true })) as unknown as (t: string[], o: { top_k: null }) => Promise<Array<Array<{ label: string; score: number }>>>;
  const texts = ["a great film", "Héllo, an AWFUL film!"];
  const ref = await pipe(texts, { top_k: null });
  const a = await clf.predictProba(texts, { batchSize: 1 });
  const b = await clf.predictProba(texts, { batchSize: 4 });
  assert.deepEqual([...a.probs], [...b.probs], "batching (padding) does not change results");
  texts.forEach((_, i) => {
    for (const { label, score } of ref[i]!) assert.ok(Math.abs(a.probs[2 * i + clf.labels.indexOf(label)]! - score) < 1e-5, `${texts[i]} ${label}`);
  });
});

test("tiny-bert: long texts are chunked into more model calls than truncation, and stated", async (t) => {
  const clf = await tiny(t);
  if (!clf) return;
  const n = clf.tokenize(LONG).length;
  assert.ok(n > 126, `long input has ${n} tokens`);
  const chunk = await clf.predictProba([LONG, "short"], { batchSize: 1 });
  const trunc = await clf.predictProba([LONG, "short"], { batchSize: 1, longText: "truncate" });
  const expected = Math.ceil((n - 126) / (126 - 31)) + 1;
  assert.equal(chunk.stats.windows, expected + 1, "windows of the long text + 1 for the short one");
  assert.equal(chunk.stats.forwardCalls, chunk.stats.windows, "batch size 1: one call per window");
  assert.equal(trunc.stats.windows, 2);
  assert.equal(trunc.stats.forwardCalls, 2);
  assert.equal(chunk.stats.longTexts, 1);
  assert.notEqual(chunk.probs[0], trunc.probs[0], "averaging over windows differs from the first window alone");
  assert.equal(chunk.probs[2], trunc.probs[2], "the short text is identical in both modes");
  const small = await clf.predictProba([LONG], { maxLength: 32, stride: 0 });
  assert.equal(small.stats.windows, Math.ceil(n / 30));
  assert.match(clf.describeLongText(), /windows of 126 overlapping by 31; window probabilities are averaged/);
  assert.match(clf.describeLongText({ longText: "truncate" }), /truncated to their first 126 tokens/);
  await assert.rejects(clf.predictProba(["x"], { maxLength: 500 }), /≤ the model's limit of 128/);
});

test("tiny-bert: evaluation on SST-2-labelled examples maps NEGATIVE/POSITIVE onto 0/1", async (t) => {
  const clf = await tiny(t);
  if (!clf) return;
  const ex = [
    { text: "a great , funny film", label: "1" },
    { text: "a wonderful performance", label: "1" },
    { text: "awful and boring", label: "0" },
    { text: "the worst film", label: "0" },
  ];
  const r = await evaluateHfClassifier(clf, ex, ["0", "1"]);
  assert.equal(r.mapping.description, "NEGATIVE→0, POSITIVE→1");
  assert.equal(r.accuracy, 1);
  assert.equal(r.n, 4);
  assert.ok(r.rocAuc !== undefined && r.rocAuc === 1);
  await assert.rejects(evaluateHfClassifier(clf, ex.map((e) => ({ ...e, label: e.label === "1" ? "4" : "0" })), ["0", "1", "2", "3", "4"]), /Model labels: NEGATIVE, POSITIVE; dataset labels: 0, 1, 2, 3, 4/);
});

test("tiny-bert: a hub id found in rnnkit's cache loads offline (no network probe)", async (t) => {
  if (!(await tiny(t))) return;
  const cacheDir = tempDir("hfcache");
  cpSync(TINY, join(cacheDir, "rnnkit", "tiny-bert"), { recursive: true });
  const clf = await HfTextClassifier.load("hf:rnnkit/tiny-bert", { cacheDir, threads: 1, networkAvailable: async () => assert.fail("no probe for a cached model") });
  try {
    assert.equal(clf.resolved.source.kind, "hub");
    assert.equal(clf.resolved.allowRemote, false);
    const { probs } = await clf.predictProba(["a great film"]);
    assert.ok(probs[1]! > 0.5);
  } finally {
    await clf.dispose();
  }
});

test("resolveHfModel: folders load offline; hub ids never download when offline", async () => {
  const r = await resolveHfModel(SPEC);
  assert.equal(r.source.kind, "folder");
  assert.equal(r.allowRemote, false);
  assert.equal(r.dtype, "fp32");
  assert.match(r.onnxFile ?? "", /onnx[/\\]model\.onnx$/);
  const empty = tempDir("hf");
  await assert.rejects(resolveHfModel(`hf:${empty}`), /config\.json is missing/);
  writeFileSync(join(empty, "config.json"), "{}");
  writeFileSync(join(empty, "tokenizer.json"), "{}");
  await assert.rejects(resolveHfModel(`hf:${empty}`), /no ONNX model in .*onnx.*found: nothing/);
  await assert.rejects(resolveHfModel("hf:./no/such/folder"), /no such folder/);
  await assert.rejects(resolveHfModel("bert"), /hf:<hub id or local folder>/);
  const cacheDir = tempDir("hfcache");
  const never = async (): Promise<boolean> => assert.fail("must not probe the network when downloads are off");
  await assert.rejects(resolveHfModel("hf:someone/some-model", { cacheDir, allowDownload: false, networkAvailable: never }), /not in the cache .* downloads are disabled/);
  await assert.rejects(resolveHfModel("hf:someone/some-model", { cacheDir, networkAvailable: async () => false }), /huggingface\.co cannot be reached/);
  const online = await resolveHfModel("hf:someone/some-model", { cacheDir, networkAvailable: async () => true });
  assert.equal(online.allowRemote, true);
  mkdirSync(join(cacheDir, "someone", "some-model"), { recursive: true });
  writeFileSync(join(cacheDir, "someone", "some-model", "config.json"), "{}");
  const cached = await resolveHfModel("hf:someone/some-model", { cacheDir, networkAvailable: never });
  assert.equal(cached.allowRemote, false, "a cached hub model loads offline");
});

test.after(async () => {
  await shared?.dispose();
});
