import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadClassifier } from "../../io/checkpoint.js";
import { classifyTexts } from "../../sentiment/classify.js";
import { SENTIMENT_DATASETS, type SentimentDatasetName, loadSentimentData } from "../../sentiment/datasets.js";
import { type SentimentRunOptions, trainSentimentModel } from "../../sentiment/session.js";
import { evaluateExamples } from "../../sentiment/evaluate-examples.js";
import { stackWithBaseline } from "../../sentiment/stack.js";
import { baselinePredictor, classifierPredictor, evaluatePairs, formatPairReport, pairLabels } from "../../sentiment/evaluate-pairs.js";
import { readMinimalPairs } from "../../data/sentiment/pairs.js";
import type { BaselineKind } from "../../baselines/pipeline.js";
import { mapLabels, parseLabelMap } from "../../transformers/labels.js";
import { formatReport } from "../../eval/metrics.js";
import { formatCoverage } from "../../embeddings/matrix.js";
import { textTable } from "../../viz/table.js";
import { textLines } from "../../data/sentiment/read-file.js";
import { action, choiceArg, intArg, numArg } from "../common.js";
import { trainingConsole } from "../training-console.js";
import { MODEL_OPTIONS, type OptionSpec, type OptionUse, TRAINING_OPTIONS, optionValues, overriding, withOptions } from "../options.js";
import { DEFAULT_CLASSIFIER_PATH, shippedModelPath } from "../../sentiment/shipped.js";
import { HfTextClassifier } from "../../transformers/classifier.js";
import { isHfSpec } from "../../transformers/resolve.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

/** The labelled-data options of train-classifier, eval-classifier and compare. */
export const LABELLED_DATA: Record<string, OptionSpec> = {
  dataset: { flags: "--dataset <name>", help: `${SENTIMENT_DATASETS.join(", ")} (looked up under $RNNKIT_DATA; imdb downloads)`, parse: choiceArg("--dataset", SENTIMENT_DATASETS) },
  data: { flags: "--data <path>", help: "dataset folder in its original layout, or a CSV/TSV/JSONL file or JSON array of objects" },
  testData: { flags: "--test-data <path>", help: "separate test file for --data (CSV/TSV/JSONL/JSON)" },
  agreement: { flags: "--agreement <level>", help: "Financial PhraseBank subset: 50Agree, 66Agree, 75Agree, AllAgree" },
};
const LABELLED_DATA_OPTIONS: OptionUse[] = ["dataset", "data", "testData", ["textCol", { default: "text" }], ["labelCol", { default: "label" }], ["agreement", { default: "AllAgree" }]];

export function addDataOptions(cmd: Command): Command {
  return withOptions(cmd, LABELLED_DATA_OPTIONS, LABELLED_DATA);
}

/** The options only train-classifier takes. */
const CLASSIFIER_ONLY: Record<string, OptionSpec> = {
  unidirectional: { flags: "--unidirectional", help: "one direction only (default: bidirectional)" },
  pooling: { flags: "--pooling <how>", help: "final (last states of both directions), mean or max", parse: choiceArg("--pooling", ["final", "mean", "max"] as const) },
  truncate: { flags: "--truncate <mode>", help: "head, tail or head+tail", parse: choiceArg("--truncate", ["head", "tail", "head+tail"] as const) },
  word2vec: { flags: "--word2vec", help: "train word2vec on the training texts and start from it" },
  freezeEmbeddings: { flags: "--freeze-embeddings", help: "keep the pretrained embeddings fixed" },
  vocabFromEmbeddings: { flags: "--vocab-from-embeddings <n>", help: "with --embeddings: add up to n words the vector file has but the training texts lack to the vocabulary (test-only words then keep their vector instead of <unk>)", parse: intArg("--vocab-from-embeddings", 1) },
  initFrom: { flags: "--init-from <checkpoint>", help: "start from a trained classifier (e.g. models/imdb-bilstm/model.safetensors): embedding rows by word, recurrent layers, output layer if the labels correspond; --cell/--emb/--hidden/--layers default to its" },
  ensemble: { flags: "--ensemble <n>", help: "train n models per split (seeds seed, seed+1000, …) and average their probabilities", parse: intArg("--ensemble", 1) },
  fromLm: { flags: "--from-lm <checkpoint>", help: "build the classifier on a trained word-level language model (ULMFiT: e.g. train-lm --data ../shared/data/aclImdb first): its vocabulary, embedding and LSTMs, concat pooling, gradual unfreezing" },
  unfreeze: { flags: "--unfreeze <how>", help: "with --from-lm: gradual (head first, one layer more per epoch) or none", parse: choiceArg("--unfreeze", ["gradual", "none"] as const) },
  layerLrDecay: { flags: "--layer-lr-decay <f>", help: "with --from-lm: each layer group learns at 1/f of the rate of the group above (default 2.6)", parse: numArg("--layer-lr-decay", 1) },
  bpttChunk: { flags: "--bptt-chunk <n>", help: "with --from-lm: read texts in chunks of n tokens with carried state (BPTT for classification; default 0 = whole text at once)", parse: intArg("--bptt-chunk", 0) },
  stack: { flags: "--stack <kind>", help: "also stack the model with a bag-of-words baseline (nbsvm or tfidf-lr): baseline fit on the training part, stacker on the validation part, the test part (each fold's, for cross-validation) scored once", parse: choiceArg("--stack", ["nbsvm", "tfidf-lr"] as const) },
  swapBoosters: { flags: "--swap-boosters <p>", help: "augment training: replace each adverb of degree before a content word (very, really, terribly, …) by another with probability p, so \"terribly exciting\" reads like \"very exciting\" (e.g. 0.5)", parse: numArg("--swap-boosters", 0, 1) },
  negationPairs: { flags: "--negation-pairs <n>", help: "augment training with n minimal pairs from the training texts (\"the acting was awful .\" neg / \"the acting was not awful .\" pos; with --negation-rules extended also \"i liked it .\" pos / \"i did not like it .\" neg), so \"not bad\" reads positive (binary labels; e.g. 4000)", parse: intArg("--negation-pairs", 1) },
  negationRules: { flags: "--negation-rules <set>", help: "with --negation-pairs: copula (default: a copula before an opinion adjective) or extended (also degree adverbs, \"is not a dull movie\", \"i did not like it\", \"i would not recommend it\")", parse: choiceArg("--negation-rules", ["copula", "extended"] as const) },
  extraTrain: { flags: "--extra-train <data>", help: "more labelled training data: a dataset name, phrasebank:50Agree (Financial PhraseBank's majority-label sentences) or a path; added to every training part (never validation or test), texts of the dataset itself dropped" },
  dropMult: { flags: "--drop-mult <f>", help: "with --from-lm: multiply ULMFiT's dropouts by f (default 0.5)", parse: numArg("--drop-mult", 0, 1.99) },
};
const TRAIN_CLASSIFIER_OPTIONS: OptionUse[] = [
  ...MODEL_OPTIONS,
  "unidirectional",
  "pooling",
  ["maxVocab", { help: "vocabulary size" }],
  ["minFreq", { help: "minimum word count" }],
  "maxLen",
  "truncate",
  "embeddings",
  "word2vec",
  "freezeEmbeddings",
  "vocabFromEmbeddings",
  "initFrom",
  "fromLm",
  "unfreeze",
  "layerLrDecay",
  "bpttChunk",
  "dropMult",
  "swapBoosters",
  "negationPairs",
  "negationRules",
  "extraTrain",
  "stack",
  ...overriding(TRAINING_OPTIONS, "lr", { help: "Adam learning rate (default 0.002; with --from-lm the head's in the last stage, default 0.001)" }),
  ["folds", { help: "run only the first n cross-validation folds" }],
  "ensemble",
  ["out", { default: DEFAULT_CLASSIFIER_PATH }],
];

export function dataOptions(opts: Record<string, unknown>): SentimentRunOptions {
  return {
    ...(opts.dataset ? { dataset: opts.dataset as SentimentDatasetName } : {}),
    ...(opts.data ? { path: String(opts.data) } : {}),
    ...(opts.testData ? { testPath: String(opts.testData) } : {}),
    table: { textColumn: String(opts.textCol ?? "text"), labelColumn: String(opts.labelCol ?? "label") },
    agreement: String(opts.agreement ?? "AllAgree") as SentimentRunOptions["agreement"] & string,
  };
}

export function registerSentimentCommands(program: Command): void {
  withOptions(
    addDataOptions(
      program
        .command("train-classifier")
        .alias("train-sentiment")
        .description("train a (Bi)LSTM/GRU/RNN text classifier (sentiment of reviews, financial news …) and report test metrics"),
    ),
    TRAIN_CLASSIFIER_OPTIONS,
    CLASSIFIER_ONLY,
  )
    .action(
      action(async (opts: Record<string, unknown>) => {
        const con = trainingConsole(Boolean(opts.json));
        try {
          const v = optionValues(opts, TRAIN_CLASSIFIER_OPTIONS, CLASSIFIER_ONLY);
          const { unidirectional, folds, ...rest } = v;
          const r = await trainSentimentModel(
            { ...dataOptions(opts), ...(rest as SentimentRunOptions), ...(unidirectional ? { bidirectional: false } : {}), ...(folds !== undefined ? { maxFolds: folds as number } : {}), out: String(opts.out) },
            {
              info: con.log,
              onStart: (s) => {
                con.stop();
                con.log(`${s.fold !== null ? `fold ${s.fold + 1}/${s.folds}: ` : ""}${s.train} train / ${s.valid} validation / ${s.test} test; vocabulary ${s.vocab}; ${s.params.toLocaleString()} parameters`);
                con.start({ label: "train", epochs: s.epochs, stepsPerEpoch: s.steps, startStep: s.startStep });
              },
              onStep: (s) => con.step(s.globalStep, { epoch: s.epoch, loss: s.loss, acc: s.acc, exPerSec: s.examplesPerSec }),
              onEpoch: (e) => con.event({ event: "epoch", epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, validLoss: e.validLoss ?? NaN, validAcc: e.validAcc ?? NaN, seconds: e.seconds }),
              shouldStop: () => con.stopRequested,
            },
          );
          con.stop();
          const failed = r.training.find((t) => t.stoppedBy === "nan");
          if (failed) process.exitCode = 1;
          else if (r.training.some((t) => t.stoppedBy === "interrupt")) process.exitCode = con.interruptExitCode;
          // paused: the training state is saved, nothing was evaluated (see trainSentimentModel)
          const paused = !r.test && r.folds.length === 0 ? r.training.find((t) => t.stoppedBy === "interrupt") : undefined;
          const resumeHint = `training state saved: continue with rnnkit train-classifier --resume --out ${String(opts.out)}`;
          if (con.json && paused) return say(JSON.stringify({ event: "result", dataset: r.dataset, stoppedBy: "interrupt", message: paused.message, accuracy: null, checkpoint: null, resume: resumeHint }));
          if (paused) return say(`${paused.message}; not evaluated (the test set is scored once, by the finished model)\n${resumeHint}`);
          if (con.json) return say(JSON.stringify({ event: "result", dataset: r.dataset, accuracy: r.meanAccuracy, macroF1: r.meanMacroF1, validAccuracy: r.meanValidAccuracy, folds: r.folds, rocAuc: r.test?.rocAuc ?? null, trainSeconds: r.trainSeconds, checkpoint: r.checkpoint, members: r.members, ...(r.stacks ? { stackAccuracy: r.meanStackAccuracy, stacks: r.stacks } : {}) }));
          if (r.coverage) say(formatCoverage(r.coverage));
          if (r.test) say(formatReport(r.test));
          else say(textTable(r.folds.map((f) => [f.fold + 1, (100 * f.validAccuracy).toFixed(2), (100 * f.accuracy).toFixed(2), (100 * f.macroF1).toFixed(2)]), ["fold", "validation %", "accuracy %", "macro-F1 %"]));
          say(`${r.dataset}: accuracy ${(100 * r.meanAccuracy).toFixed(2)}%, macro-F1 ${(100 * r.meanMacroF1).toFixed(2)}%${r.folds.length ? ` (mean of ${r.folds.length} folds)` : ""}; trained in ${r.trainSeconds.toFixed(0)}s`);
          if (r.stacks) say(`stacked with ${r.stacks[0]!.baseline}: accuracy ${(100 * r.meanStackAccuracy!).toFixed(2)}%${r.folds.length ? ` (mean of ${r.stacks.length} folds)` : ""}; ${r.stacks[0]!.baseline} alone ${(100 * r.stacks.reduce((a, s) => a + s.test.baseline, 0) / r.stacks.length).toFixed(2)}%`);
          if (failed) say(`training stopped: ${failed.message}`);
          if (r.checkpoint) say(`checkpoint: ${r.checkpoint}`);
          if (r.members.length) say(`ensemble members: ${r.members.join(", ")}`);
        } finally {
          con.dispose();
        }
      }),
    );

  withOptions(addDataOptions(program.command("eval-classifier").description("evaluate a classifier checkpoint on a dataset's test split (or on every example of a file without one), or on minimal pairs (--pairs)")), [["model", { default: DEFAULT_CLASSIFIER_PATH }], ["labelMap", { help: "model labels → dataset labels, e.g. neg=0,pos=1 (default: by name, then by polarity: neg↔0, pos↔1 for 0/1 labels)" }], "json", ["seed", { help: "with --stack: the --seed the model was trained with, which chose its validation split (default 1)" }]])
    .option("--pairs <file>", "minimal pairs (JSONL: {category, a: {text, label}, b: {text, label}}), e.g. test/fixtures/probes/minimal-pairs.jsonl: pair accuracy (both sides right), per side and per category")
    .option("--baseline <kind>", "with --pairs: evaluate a bag-of-words baseline (nbsvm or tfidf-lr) trained on the training split of --data/--dataset instead of --model", choiceArg("--baseline", ["nbsvm", "tfidf-lr"] as const))
    .option("--stack <kind>", "also fit a bag-of-words baseline (nbsvm or tfidf-lr) on the model's training split and stack both by logistic regression on its validation split; report the test accuracy of each and of the stack; --model a,b stacks the mean logit of several classifiers trained on the same split", choiceArg("--stack", ["nbsvm", "tfidf-lr"] as const))
    .action(
      action(async (opts: Record<string, unknown>) => {
        if (opts.pairs) return evalPairs(opts);
        if (opts.stack) return evalStack(opts);
        if (opts.baseline) throw new Error("--baseline evaluates minimal pairs: give --pairs FILE too (for a dataset's test split, see rnnkit compare)");
        const b = loadClassifier(String(opts.model));
        const data = await loadSentimentData(dataOptions(opts));
        for (const n of data.notes) say(n);
        const examples = data.test ?? data.train;
        const r = evaluateExamples(b, examples, opts.labelMap ? { labelMap: parseLabelMap(String(opts.labelMap)) } : {});
        if (opts.json) return say(JSON.stringify({ ...r.report, labels: r.labels, mapping: r.mapping, examples: examples.length }));
        say(`${data.name} (${data.test ? "test split" : "all examples"}, ${examples.length})`);
        if (r.mapping) say(`model labels → dataset labels: ${r.mapping}`);
        for (const n of r.notes) say(n);
        say(formatReport(r.report));
        say(`${r.report.msPerExample.toFixed(3)} ms per example`);
      }),
    );

  withOptions(
    program
      .command("classify")
      .description('label + probability for texts: arguments, --file (one per line) or stdin, e.g. classify "The movie was terribly exciting!"')
      .argument("[texts...]", "texts to classify"),
    [["model", { help: "checkpoint, or hf:<hub id or folder> for a transformer (default: your trained one if present, else the shipped IMDB model)" }], ["json", { help: "JSON lines" }]],
  )
    .option("--file <path>", "one text per line")
    .action(
      action(async (texts: string[], opts: { model?: string; file?: string; json?: boolean }) => {
        let inputs = texts;
        if (opts.file) inputs = textLines(readFileSync(opts.file), opts.file);
        else if (inputs.length === 0 && !process.stdin.isTTY) inputs = textLines(await readStdin(), "stdin");
        if (inputs.length === 0) throw new Error('nothing to classify: pass texts as arguments, --file PATH, or pipe lines on stdin (e.g. rnnkit classify "great film")');
        if (opts.model && isHfSpec(opts.model)) {
          // a Hugging Face model (hf:<hub id or folder>) through @huggingface/transformers
          const clf = await HfTextClassifier.load(opts.model);
          const { probs } = await clf.predictProba(inputs);
          const C = clf.labels.length;
          const rows = inputs.map((text, i) => {
            let a = 0;
            for (let c = 1; c < C; c++) if (probs[i * C + c]! > probs[i * C + a]!) a = c;
            return { text, label: clf.labels[a]!, prob: probs[i * C + a]!, probs: Object.fromEntries(clf.labels.map((l, c) => [l, probs[i * C + c]!])) };
          });
          await clf.dispose();
          if (opts.json) return rows.forEach((p) => say(JSON.stringify(p)));
          return say(textTable(rows.map((p) => [p.label, p.prob.toFixed(3), p.text.length > 70 ? `${p.text.slice(0, 67)}…` : p.text]), ["label", "prob", "text"]));
        }
        const b = loadClassifier(opts.model ?? shippedModelPath());
        const preds = classifyTexts(b, inputs);
        if (opts.json) return preds.forEach((p) => say(JSON.stringify(p)));
        say(textTable(preds.map((p) => [p.label, p.prob.toFixed(3), p.known < 0.5 ? `${(100 * p.known).toFixed(0)}% known words` : "", p.text.length > 70 ? `${p.text.slice(0, 67)}…` : p.text]), ["label", "prob", "note", "text"]));
      }),
    );
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** eval-classifier --stack: the model, a baseline and their stack on the test split. */
async function evalStack(opts: Record<string, unknown>): Promise<void> {
  // --model a,b: an ensemble whose mean logit is the stacker's model feature
  const paths = String(opts.model).split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const b = paths.map((p) => loadClassifier(p));
  const data = await loadSentimentData(dataOptions(opts));
  for (const n of data.notes) say(n);
  if (!data.test) throw new Error(`--stack needs a dataset with a test split; ${data.name} has none (cross-validation datasets: hint: use rnnkit train-classifier, which reports each fold)`);
  const info = opts.json ? undefined : (m: string): void => say(m);
  const seed = opts.seed === undefined ? 1 : Number(opts.seed);
  const r = stackWithBaseline(b, { labels: data.labels, train: data.train, dev: data.dev ?? null, test: data.test }, { baseline: opts.stack as BaselineKind, seed, ...(info ? { info } : {}) });
  if (opts.json) return say(JSON.stringify({ model: String(opts.model), dataset: data.name, ...r }));
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  say(`${data.name}: ${String(opts.model)} stacked with ${r.baseline} (trained on ${r.trainExamples.toLocaleString()} examples; stacker fit on ${r.validExamples.toLocaleString()} validation examples)`);
  say(textTable([
    ["model", pct(r.valid.model), pct(r.test.model)],
    [r.baseline, pct(r.valid.baseline), pct(r.test.baseline)],
    ["stack", pct(r.valid.stack), pct(r.test.stack)],
  ], ["", "validation", `test (${r.testExamples.toLocaleString()})`]));
  if (r.classBiases) say(`stack: s_k = ${r.weights.model.toFixed(4)} · log p_model(k) + ${r.weights.baseline.toFixed(4)} · ${r.baseline} score(k) + b_k, b = (${r.classBiases.map((b, k) => `${data.labels[k]} ${b.toFixed(4)}`).join(", ")})   (${r.seconds.toFixed(1)} s)`);
  else say(`stack: s = ${r.weights.model.toFixed(4)} · logit p_model + ${r.weights.baseline.toFixed(4)} · ${r.baseline} score + ${r.weights.bias.toFixed(4)}   (${r.seconds.toFixed(1)} s)`);
}

/** eval-classifier --pairs: pair accuracy of a checkpoint or of a baseline trained on a dataset. */
async function evalPairs(opts: Record<string, unknown>): Promise<void> {
  const pairs = readMinimalPairs(String(opts.pairs));
  const labels = pairLabels(pairs);
  let name: string;
  let predict: (texts: string[]) => readonly string[];
  if (opts.baseline) {
    const kind = opts.baseline as BaselineKind;
    const data = await loadSentimentData(dataOptions(opts));
    name = `${kind} trained on ${data.name} (${data.train.length.toLocaleString()} examples)`;
    const inner = baselinePredictor(kind, data.train, data.labels);
    const mapping = mapLabels(data.labels, labels, opts.labelMap ? parseLabelMap(String(opts.labelMap)) : {});
    predict = (texts) => inner(texts).map((l) => labels[mapping.target[data.labels.indexOf(l)]!] ?? l);
  } else {
    const b = loadClassifier(String(opts.model));
    name = String(opts.model);
    predict = classifierPredictor(b, labels, opts.labelMap ? parseLabelMap(String(opts.labelMap)) : {});
  }
  const r = evaluatePairs(pairs, predict);
  if (opts.json) return say(JSON.stringify({ model: name, file: String(opts.pairs), ...r }));
  say(formatPairReport(r, `${name} on ${String(opts.pairs)}`));
  const show = r.failures.slice(0, 10);
  if (show.length) {
    say(`\n${r.failures.length} pair(s) with a wrong side; the first ${show.length}:`);
    for (const f of show) say(`  [${f.category}] ${f.a.predicted === f.a.label ? "ok " : "BAD"} ${JSON.stringify(f.a.text)} → ${f.a.predicted} | ${f.b.predicted === f.b.label ? "ok " : "BAD"} ${JSON.stringify(f.b.text)} → ${f.b.predicted}`);
  }
}
