/**
 * Stacking a classifier with a bag-of-words baseline (src/sentiment/stack.ts): the logistic
 * stacker recovers known weights; on real data (SST-2) a trained BiLSTM and NBSVM stack through
 * the CLI, a model with random weights gets weight ≈ 0 and the stack ≈ NBSVM alone, and a split
 * that does not match the model's training run is refused; several models stack as their mean logit;
 * three classes (Financial PhraseBank) stack by a conditional logit.
 */
import "../../src/kernels/select.js";
import assert from "node:assert/strict";

import { join } from "node:path";
import { test } from "node:test";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { loadClassifier } from "../../src/io/checkpoint.js";
import { LmClassifier } from "../../src/models/lm-classifier.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { loadSentimentData } from "../../src/sentiment/datasets.js";
import { trainSentimentModel } from "../../src/sentiment/session.js";
import { fitConditionalLogit, fitLogistic2, stackWithBaseline } from "../../src/sentiment/stack.js";
import { manualSeed } from "../../src/tensor/random.js";
import { runCli } from "../helpers/cli.js";
import { sharedPath } from "../helpers/shared.js";
import { tempDir } from "../helpers/tmp.js";

test("fitLogistic2 recovers the weights of a logistic model on features of different scales and offsets", () => {
  let state = 12345;
  const uniform = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  const N = 40000;
  const x = new Float64Array(N), z = new Float64Array(N), y = new Int32Array(N);
  const [a, c, d] = [0.7, -2.5, 0.4];
  for (let i = 0; i < N; i++) {
    x[i] = 3 + 4 * normal(); // a logit-like feature with an offset
    z[i] = 0.2 * normal() - 0.1; // a margin-like feature on a small scale
    const p = 1 / (1 + Math.exp(-(a * x[i]! + c * z[i]! + d)));
    y[i] = uniform() < p ? 1 : 0;
  }
  const w = fitLogistic2(x, z, y, 0);
  assert.ok(Math.abs(w.model - a) < 0.05, `model weight ${w.model}, want ${a}`);
  assert.ok(Math.abs(w.baseline - c) < 0.25, `baseline weight ${w.baseline}, want ${c}`);
  assert.ok(Math.abs(w.bias - d) < 0.15, `bias ${w.bias}, want ${d}`);
  // L2 on the standardised weights pulls both towards 0, never flips them here
  const shrunk = fitLogistic2(x, z, y, 1);
  assert.ok(Math.abs(shrunk.model) < Math.abs(w.model) && Math.abs(shrunk.baseline) < Math.abs(w.baseline));
  assert.ok(shrunk.model > 0 && shrunk.baseline < 0);
});

test("SST-2: a BiLSTM stacked with NBSVM through rnnkit eval-classifier --stack; a random model gets no weight; a mismatched split is refused", async (t) => {
  const dir = sharedPath(t, "data", "sst-kim2014");
  if (!dir) return;
  const out = join(tempDir("stack"), "m.safetensors");
  await trainSentimentModel({ path: dir, epochs: 2, embeddingDim: 32, hiddenSize: 32, maxLen: 50, batchSize: 32, lr: 3e-3, seed: 1, out });
  const r = runCli(["eval-classifier", "--model", out, "--data", dir, "--stack", "nbsvm", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ReturnType<typeof stackWithBaseline>;
  // SST-2 has its own dev split: the stacker is fit there, the test split is scored once
  assert.deepEqual([rep.trainExamples, rep.validExamples, rep.testExamples], [6920, 872, 1821]);
  assert.equal(rep.baseline, "nbsvm");
  assert.ok(rep.test.baseline > 0.75 && rep.test.model > 0.65, JSON.stringify(rep.test));
  assert.ok(rep.weights.model > 0 && rep.weights.baseline > 0, `both models carry signal: ${JSON.stringify(rep.weights)}`);
  // the stacker is fit on validation: there it is at least about as good as the better model
  assert.ok(rep.valid.stack >= Math.max(rep.valid.model, rep.valid.baseline) - 0.015, JSON.stringify(rep.valid));
  const text = runCli(["eval-classifier", "--model", out, "--data", dir, "--stack", "nbsvm"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /stacked with nbsvm/);
  assert.match(text.stdout, /stack: s = /);

  // a model with random weights: the stacker leans on NBSVM, and the stack is NBSVM's accuracy
  const data = await loadSentimentData({ path: dir });
  const trained = loadClassifier(out);
  manualSeed(3);
  const random = { ...trained, model: new SequenceClassifier({ ...trained.model.config as ConstructorParameters<typeof SequenceClassifier>[0] }).eval(), info: {} };
  const rr = stackWithBaseline(random, { labels: data.labels, train: data.train, dev: data.dev, test: data.test! });
  assert.ok(Math.abs(rr.test.stack - rr.test.baseline) < 0.01, `random model: stack ${rr.test.stack} vs nbsvm ${rr.test.baseline}`);
  assert.ok(Math.abs(rr.test.model - 0.5) < 0.1, `random model accuracy ${rr.test.model}`);
  // a ULMFiT classifier (LmClassifier) stacks the same way
  const lmc = { ...trained, model: new LmClassifier({ vocabSize: trained.vocab.size, embeddingDim: 8, hiddenSizes: [8, 6], numClasses: 2, headHidden: 4 }).eval(), info: {} };
  const rl = stackWithBaseline(lmc, { labels: data.labels, train: data.train, dev: data.dev, test: data.test! });
  assert.ok(Math.abs(rl.test.stack - rl.test.baseline) < 0.01, `LmClassifier: stack ${rl.test.stack} vs nbsvm ${rl.test.baseline}`);

  // several classifiers enter as their mean logit: twice the same model is that model; through the CLI as --model a,b
  const one = stackWithBaseline(trained, { labels: data.labels, train: data.train, dev: data.dev, test: data.test! });
  const twice = stackWithBaseline([trained, trained], { labels: data.labels, train: data.train, dev: data.dev, test: data.test! });
  assert.deepEqual(twice.test, one.test);
  assert.ok(Math.abs(twice.weights.model - one.weights.model) < 1e-9);
  const pair = runCli(["eval-classifier", "--model", `${out},${out}`, "--data", dir, "--stack", "nbsvm", "--json"]);
  assert.equal(pair.code, 0, pair.stderr);
  assert.deepEqual((JSON.parse(pair.stdout.trim().split("\n").at(-1)!) as ReturnType<typeof stackWithBaseline>).test, rep.test);
  // a second model trained with another seed is refused, and the error says which model
  assert.throws(() => stackWithBaseline([{ ...trained, info: {} }, { ...trained, info: { seed: 2 } }], { labels: data.labels, train: data.train, test: data.test! }, { seed: 1 }), /model 2 was trained with seed 2, got seed 1.*must share their training seed/);

  // the split must be the model's: fewer training examples than it was trained on is refused
  assert.throws(
    () => stackWithBaseline(trained, { labels: data.labels, train: data.train.slice(0, 5000), dev: data.dev, test: data.test! }),
    /trained on 6920 examples, this split has 5000/,
  );
  // labels the model does not have (or a model of another number of classes) are refused with a hint
  const vocab = new Vocabulary(["<pad>", "<unk>", "good"]);
  const three = { model: new SequenceClassifier({ vocabSize: 3, embeddingDim: 4, hiddenSize: 4, numClasses: 3 }), vocab, labels: ["a", "b", "c"], pipeline: trained.pipeline, info: {} };
  assert.throws(() => stackWithBaseline(three, { labels: data.labels, train: data.train, test: data.test! }), /the model's labels \(a, b, c\) must be the dataset's/);
  assert.throws(() => stackWithBaseline(trained, { labels: ["bad", "good"], train: data.train, test: data.test! }), /the model's labels \(.*\) must be the dataset's \(bad, good\)/);
});

test("train-classifier --stack: each cross-validation fold's model stacked with NBSVM on that fold's splits; 3 classes refused before training", async (t) => {
  const dir = sharedPath(t, "data", "rt-polarity");
  if (!dir) return;
  const r = await trainSentimentModel({ path: dir, epochs: 1, embeddingDim: 16, hiddenSize: 16, maxLen: 40, batchSize: 64, seed: 1, maxFolds: 2, stack: "nbsvm" });
  assert.equal(r.stacks?.length, 2);
  // a fold's test part is a tenth of 10,662 sentences; its training part (nine tenths) loses a tenth to validation
  for (const [i, s] of r.stacks!.entries()) {
    assert.ok(Math.abs(s.testExamples - 1066) <= 1 && Math.abs(s.validExamples - 960) <= 1 && s.trainExamples + s.validExamples + s.testExamples === 10662, JSON.stringify(s));
    assert.equal(r.folds[i]!.stackAccuracy, s.test.stack);
    assert.ok(s.test.baseline > 0.74, `NBSVM on a polarity fold: ${s.test.baseline}`);
    assert.ok(s.valid.stack >= Math.max(s.valid.model, s.valid.baseline) - 0.015, JSON.stringify(s.valid));
  }
  assert.ok(Math.abs(r.meanStackAccuracy! - (r.stacks![0]!.test.stack + r.stacks![1]!.test.stack) / 2) < 1e-12);
});

test("train-classifier --stack on three classes (Financial PhraseBank AllAgree): a conditional-logit stacker with a bias per class", async (t) => {
  const dir = sharedPath(t, "data", "financial-phrasebank");
  if (!dir) return;
  const r = await trainSentimentModel({ path: dir, agreement: "AllAgree", epochs: 2, embeddingDim: 16, hiddenSize: 16, maxLen: 60, batchSize: 32, seed: 1, maxFolds: 1, stack: "tfidf-lr" });
  assert.deepEqual(r.labels, ["negative", "neutral", "positive"]);
  const s = r.stacks![0]!;
  assert.ok(Math.abs(s.testExamples - 227) <= 1 && s.trainExamples + s.validExamples + s.testExamples === 2264, JSON.stringify(s));
  assert.equal(s.classBiases?.length, 3);
  assert.equal(s.classBiases![0], 0);
  assert.equal(s.weights.bias, 0);
  // TF-IDF + LR alone is a strong baseline on these sentences; both inputs carry signal and the stack, fit on
  // validation, is there about as good as the better of the two
  assert.ok(s.test.baseline > 0.8, `tfidf-lr on an AllAgree fold: ${s.test.baseline}`);
  assert.ok(s.weights.baseline > 0, JSON.stringify(s.weights));
  assert.ok(s.valid.stack >= Math.max(s.valid.model, s.valid.baseline) - 0.015, JSON.stringify(s.valid));
  assert.equal(r.folds[0]!.stackAccuracy, s.test.stack);
});

test("fitConditionalLogit recovers shared weights and per-class biases of a 3-class softmax model", () => {
  let state = 777;
  const uniform = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  const N = 30000, K = 3;
  const [a, c] = [0.8, 1.7];
  const b = [0, 0.5, -0.6];
  const m = new Float64Array(N * K), f = new Float64Array(N * K), y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const s: number[] = [];
    for (let k = 0; k < K; k++) {
      m[i * K + k] = -1 + 2 * normal(); // log-probability-like, with an offset
      f[i * K + k] = 0.3 * normal() + 0.05 * k; // one-vs-rest-score-like, small scale
      s.push(a * m[i * K + k]! + c * f[i * K + k]! + b[k]!);
    }
    const z = s.reduce((acc, v) => acc + Math.exp(v), 0);
    let u = uniform() * z;
    let k = 0;
    while (k < K - 1 && (u -= Math.exp(s[k]!)) > 0) k++;
    y[i] = k;
  }
  const w = fitConditionalLogit(m, f, y, K, 0);
  assert.ok(Math.abs(w.model - a) < 0.05, `model weight ${w.model}, want ${a}`);
  assert.ok(Math.abs(w.baseline - c) < 0.2, `baseline weight ${w.baseline}, want ${c}`);
  assert.ok(Math.abs(w.classBiases[1]! - b[1]!) < 0.08 && Math.abs(w.classBiases[2]! - b[2]!) < 0.08, `biases ${w.classBiases}, want ${b}`);
  // features that are the same for every class carry no information: they leave the fit unchanged
  const shifted = Float64Array.from(m, (v, j) => v + 5 * Math.floor(j / K));
  const w2 = fitConditionalLogit(shifted, f, y, K, 0);
  assert.ok(Math.abs(w2.model - w.model) < 1e-6 && Math.abs(w2.classBiases[2]! - w.classBiases[2]!) < 1e-6);
  assert.throws(() => fitConditionalLogit(m.subarray(0, 10), f, y, K), /features must be \[30000, 3\]/);
});
