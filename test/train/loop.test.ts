/** The shared training loop: exact resume from any step, random streams, divergence, lr schedules and groups. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeDataset } from "../../src/data/sentiment/batching.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { trainLm } from "../../src/lm/train.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { trainClassifier } from "../../src/sentiment/train.js";
import { Generator, random } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { type TrainerSnapshot, trainLoop } from "../../src/train/loop.js";
import { everyArg } from "../../src/cli/common.js";

/** A copy of a snapshot as a file would give it back: tensors copied, state through JSON. */
const copy = (s: TrainerSnapshot): TrainerSnapshot => ({
  tensors: Object.fromEntries(Object.entries(s.tensors).map(([k, v]) => [k, new Tensor(Float32Array.from(v.f32), v.shape)])),
  state: JSON.parse(JSON.stringify(s.state)) as TrainerSnapshot["state"],
});
const weights = (m: { parameters(): Tensor[] }): number[][] => m.parameters().map((p) => Array.from(p.f32));

/** A token stream with some structure (a noisy cycle), so that training moves the weights. */
function stream(n: number, V: number, seed: number): Int32Array {
  const g = new Generator(seed);
  return Int32Array.from({ length: n }, (_, i) => (g.random() < 0.2 ? g.randint(V) : i % V));
}

const V = 13;
const train = stream(700, V, 1);
const valid = stream(120, V, 2);

/** An LM run with dropout (its own stream), as a session sets one up. */
function lmRun(seed: number): { model: LanguageModel; optimizer: Adam; dropout: Generator } {
  const model = new LanguageModel({ vocabSize: V, embeddingDim: 8, hiddenSize: 12, numLayers: 2, dropout: 0.3 }, { generator: new Generator(seed) });
  const dropout = Generator.derive(seed, "dropout");
  model.useGenerator(dropout);
  return { model, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), dropout };
}

test("LM: a run stopped at any step (mid-epoch, carried state, dropout) and resumed ends bit-identical to an unstopped one", async () => {
  const opts = { train, valid, batchSize: 4, bptt: 10, epochs: 3, clip: 1 };
  const ref = lmRun(5);
  const snaps: TrainerSnapshot[] = [];
  const full = await trainLm({ ...opts, ...ref, generators: { dropout: ref.dropout }, checkpointEvery: { steps: 1 }, onSnapshot: (s) => snaps.push(copy(s)) });
  assert.equal(full.stoppedBy, "epochs");
  const S = snaps[0]!.state.stepsPerEpoch;
  assert.equal(S, 18);
  assert.equal(snaps.length, 3 * S, "a snapshot after every step (periodic mid-epoch, then at each epoch end)");
  for (const k of [5, S + 9]) {
    const s = snaps[k - 1]!;
    assert.deepEqual(s.state.position, { epoch: Math.floor((k - 1) / S) + 1, step: ((k - 1) % S) + 1, globalStep: k });
    assert.ok(s.tensors["carry.h"] && s.tensors["carry.c"], "mid-epoch snapshots carry the LSTM state");
    const again = lmRun(99); // another init and another dropout seed: everything comes from the snapshot
    const r = await trainLm({ ...opts, ...again, generators: { dropout: again.dropout }, resume: s });
    assert.deepEqual(weights(again.model), weights(ref.model), `resumed after global step ${k}: same weights`);
    assert.deepEqual(r.history.map((h) => h.validLoss), full.history.map((h) => h.validLoss));
    assert.deepEqual(r.history.map((h) => h.trainLoss), full.history.map((h) => h.trainLoss), "the interrupted epoch's training loss counts both halves");
  }
  // resuming at an epoch end continues with the next epoch
  const atEnd = snaps[S - 1]!;
  assert.deepEqual(atEnd.state.position, { epoch: 2, step: 0, globalStep: S });
  assert.equal(atEnd.tensors["carry.h"], undefined);
});

test("LM: Ctrl-C (shouldStop) stops mid-epoch with a snapshot of that exact step; resuming replays nothing", async () => {
  const opts = { train, valid, batchSize: 4, bptt: 10, epochs: 2 };
  const ref = lmRun(8);
  await trainLm({ ...opts, ...ref, generators: { dropout: ref.dropout } });
  const a = lmRun(8);
  let steps = 0;
  let snap: TrainerSnapshot | null = null;
  const r = await trainLm({ ...opts, ...a, generators: { dropout: a.dropout }, onStep: () => steps++, shouldStop: () => steps === 23, onSnapshot: (s, why) => (snap = why === "interrupt" ? copy(s) : snap) });
  assert.equal(r.stoppedBy, "interrupt");
  assert.match(r.message, /interrupted at epoch 2, step 5\/18/);
  assert.deepEqual(r.position, { epoch: 2, step: 5, globalStep: 23 });
  assert.ok(snap, "an interrupt snapshot");
  const b = lmRun(1);
  let resumedSteps = 0;
  await trainLm({ ...opts, ...b, generators: { dropout: b.dropout }, resume: snap, onStep: () => resumedSteps++ });
  assert.equal(resumedSteps, 2 * 18 - 23, "only the remaining steps run");
  assert.deepEqual(weights(b.model), weights(ref.model));
});

function clsData(seed: number): { vocab: Vocabulary; data: ReturnType<typeof encodeDataset> } {
  const g = new Generator(seed);
  const words = ["good", "great", "fine", "bad", "awful", "poor", "the", "a", "film", "plot"];
  const texts: string[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 90; i++) {
    const y = g.randint(2);
    texts.push(Array.from({ length: 3 + g.randint(6) }, () => (g.random() < 0.5 ? words[y * 3 + g.randint(3)]! : words[6 + g.randint(4)]!)));
    labels.push(y);
  }
  const vocab = Vocabulary.build(texts, { minFreq: 1 });
  return { vocab, data: encodeDataset(texts, Int32Array.from(labels), vocab) };
}

function clsRun(vocabSize: number, seed: number, lr = 1e-2): { model: SequenceClassifier; optimizer: Adam; dropout: Generator } {
  const model = new SequenceClassifier({ vocabSize, embeddingDim: 6, hiddenSize: 8, numClasses: 2, dropout: 0.4 }, { generator: new Generator(seed) });
  const dropout = Generator.derive(seed, "dropout");
  model.useGenerator(dropout);
  return { model, optimizer: new Adam(model.parameters(), { lr }), dropout };
}

test("classifier: resumed mid-epoch from a snapshot (shuffled batches, dropout, best weights kept) ends bit-identical", async () => {
  const { vocab, data } = clsData(3);
  const validSet = clsData(4).data;
  const opts = { train: data, valid: validSet, batchSize: 16, epochs: 3, seed: 7, clip: 5 };
  const ref = clsRun(vocab.size, 2);
  const snaps: TrainerSnapshot[] = [];
  const full = await trainClassifier({ ...opts, ...ref, generators: { dropout: ref.dropout }, checkpointEvery: { steps: 1 }, onSnapshot: (s) => snaps.push(copy(s)) });
  assert.equal(snaps[0]!.state.stepsPerEpoch, 6);
  for (const k of [4, 9, 14]) {
    const b = clsRun(vocab.size, 50);
    const r = await trainClassifier({ ...opts, ...b, generators: { dropout: b.dropout }, resume: snaps[k - 1]! });
    assert.deepEqual(weights(b.model), weights(ref.model), `resumed after step ${k}: same (best, restored) weights`);
    assert.equal(r.bestEpoch, full.bestEpoch);
    assert.deepEqual(r.history.map((h) => h.validAcc), full.history.map((h) => h.validAcc));
  }
});

test("classifier: a diverging loss (lr 1e6) stops the run instead of training on; no epoch finished → nothing kept", async () => {
  const { vocab, data } = clsData(3);
  const run = clsRun(vocab.size, 2, 1e6);
  const r = await trainClassifier({ ...run, train: data, valid: clsData(4).data, batchSize: 16, epochs: 3, seed: 1 });
  assert.equal(r.stoppedBy, "nan");
  assert.match(r.message, /training loss became \S+ \(diverged\)|training loss became (NaN|Infinity)/);
  assert.equal(r.restoredBest, false);
  assert.match(r.message, /nothing is kept/);
});

test("random streams: dropout draws only from the model's generator, whatever else draws from the default one", async () => {
  const run = async (noise: boolean): Promise<number[][]> => {
    const a = lmRun(3);
    await trainLm({ model: a.model, optimizer: a.optimizer, train, batchSize: 4, bptt: 10, epochs: 1, onStep: () => noise && random() });
    return weights(a.model);
  };
  assert.deepEqual(await run(true), await run(false));
});

test("lrFactor sets each parameter group's lr = its base × factor before every step; baseLrs overrides (resume --lr)", async () => {
  const a = lmRun(4);
  const [emb, ...rest] = a.model.parameters();
  const opt = new SGD([{ params: [emb!], lr: 0.5 }, { params: rest }], { lr: 0.1 });
  const seen: number[][] = [];
  const r = await trainLm({
    model: a.model,
    optimizer: opt,
    train,
    batchSize: 4,
    bptt: 10,
    epochs: 2,
    lrFactor: (at) => 1 / (1 + at.globalStep) + 0.5 / (2 + at.globalStep), // changes every step
    onStep: () => seen.push(opt.paramGroups.map((g) => g.lr)),
  });
  assert.equal(seen.length, 36);
  const f = (k: number): number => 1 / (1 + k) + 0.5 / (2 + k);
  for (const [k, lrs] of seen.entries()) assert.deepEqual(lrs, [0.5 * f(k), 0.1 * f(k)]);
  assert.equal(r.history[1]!.lr, 0.5 * f(35));
  // without a factor, baseLrs simply replaces the lrs
  const b = lmRun(4);
  const adam = new Adam(b.model.parameters(), { lr: 0.01 });
  await trainLm({ model: b.model, optimizer: adam, train, batchSize: 4, bptt: 10, epochs: 1, baseLrs: [0.25] });
  assert.equal(adam.lr, 0.25);
});

test("trainLoop refuses a snapshot from a run cut into a different number of steps", async () => {
  const a = lmRun(6);
  let snap: TrainerSnapshot | null = null;
  let n = 0;
  await trainLm({ ...a, train, batchSize: 4, bptt: 10, epochs: 1, onStep: () => n++, shouldStop: () => n === 3, onSnapshot: (s) => (snap = copy(s)) });
  const b = lmRun(6);
  await assert.rejects(trainLm({ ...b, train, batchSize: 4, bptt: 7, epochs: 1, resume: snap }), /stopped at step 3 of 18 per epoch, but this run has 25 steps per epoch \(hint: resume with the same data, batch size and bptt\)/);
  const c = lmRun(6);
  await assert.rejects(trainLoop({ task: { stepsPerEpoch: 0, batches: () => [], forward: () => ({ loss: new Tensor(new Float32Array(1), []), weight: 1, tokens: 1 }) }, model: c.model, optimizer: c.optimizer, epochs: 1, monitor: { mode: "min", value: (e) => e.trainLoss } }), /0 steps per epoch/);
});

test("checkpointEvery by wall-clock time: a period shorter than a step snapshots after every step, a long one never mid-epoch; the CLI parses durations", async () => {
  const opts = { train, valid, batchSize: 4, bptt: 10, epochs: 2, clip: 1 };
  const count = async (every: { steps?: number; seconds?: number }): Promise<string[]> => {
    const run = lmRun(5);
    const reasons: string[] = [];
    await trainLm({ ...opts, ...run, generators: { dropout: run.dropout }, checkpointEvery: every, onSnapshot: (s) => reasons.push(`${s.state.position.epoch}.${s.state.position.step}`) });
    return reasons;
  };
  const bySteps = await count({ steps: 1 });
  assert.equal(bySteps.length, 2 * 18);
  // a clock that advances a second per reading: a 1 ms period has always elapsed when a step ends
  const realNow = Date.now;
  let fake = realNow();
  Date.now = () => (fake += 1000);
  let fast: string[];
  try {
    fast = await count({ seconds: 1e-3 });
  } finally {
    Date.now = realNow;
  }
  assert.deepEqual(fast, bySteps, "a snapshot after every step, as with steps: 1");
  // an hour never elapses here: only the epoch-end snapshots
  assert.deepEqual(await count({ seconds: 3600 }), ["2.0", "3.0"], "epoch ends are positioned at the next epoch's step 0");
  const parse = everyArg("--checkpoint-every");
  assert.deepEqual(parse("500"), { steps: 500 });
  assert.deepEqual(parse("90s"), { seconds: 90 });
  assert.deepEqual(parse("10m"), { seconds: 600 });
  assert.deepEqual(parse("1.5h"), { seconds: 5400 });
  assert.throws(() => parse("2.5"), /a number of steps must be a whole number, got "2.5"/);
  assert.throws(() => parse("soon"), /must be a number of steps \(e\.g\. 500\) or a duration \(90s, 10m, 2h\), got "soon"/);
});
