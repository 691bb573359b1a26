import { type StackReport, logit, meanLogProba, stackOnLogits } from "./stack.js";
import { loadExtraTraining } from "./extra-train.js";
import type { BaselineKind } from "../baselines/pipeline.js";
import { existsSync } from "node:fs";
import { BOOSTERS, boosterSwap } from "../data/sentiment/augment.js";
import { type NegationRules, negationPairs, positiveLabelIndex } from "../data/sentiment/negation.js";
import { encodeDataset, tokenizeAll, type EncodedDataset } from "../data/sentiment/batching.js";
import { checkTrainingLabels, encodeLabels } from "../data/sentiment/labels.js";
import { stratifiedKFold, trainValidationSplit } from "../data/sentiment/splits.js";
import type { Example } from "../data/sentiment/types.js";
import type { TruncateMode } from "../data/text/sequence.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import { Vocabulary } from "../data/text/vocabulary.js";
import { buildEmbeddingMatrix, type CoverageReport } from "../embeddings/matrix.js";
import { readEmbeddings } from "../embeddings/read.js";
import { trainWord2Vec } from "../embeddings/word2vec.js";
import type { WordVectors } from "../embeddings/word-vectors.js";
import type { ClassificationReport } from "../eval/metrics.js";
import { Embedding } from "../nn/embedding.js";
import type { CellType } from "../models/cell.js";
import { SequenceClassifier, type Pooling } from "../models/sequence-classifier.js";
import { type TextClassifier, describeClassifier } from "../models/text-classifier.js";
import { type GradualUnfreezingSchedule, gradualUnfreezing } from "../train/gradual-unfreezing.js";
import { type LmSource, classifierFromSource, loadLmSource, ulmfitDropouts } from "./from-lm.js";
import { Adam, AdamW } from "../optim/adam.js";
import { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import type { SnapshotReason, TrainerSnapshot } from "../train/loop.js";
import { type OutputLock, checkOutputPath, claimOutput } from "../train/output.js";
import { givenOptions, loadSnapshot, resumeNotes, saveSnapshot, trainingStatePath } from "../train/snapshot-file.js";
import { loadClassifier, saveClassifier, type TextPipeline } from "../io/checkpoint.js";
import { type SequenceBundle, asSequenceBundle, initArchitecture, initFromClassifier } from "./init-from.js";
import { type SentimentData, type SentimentDataOptions, loadSentimentData } from "./datasets.js";
import { predictProba, reportFromProba } from "./evaluate.js";
import { type ClsEpochInfo, type ClsStepInfo, type TrainClassifierResult, trainClassifier } from "./train.js";

/** Everything `rnnkit train-classifier` can be told; `trainSentimentModel` takes the same. */
export interface SentimentRunOptions extends SentimentDataOptions {
  cell?: CellType;
  bidirectional?: boolean;
  pooling?: Pooling;
  embeddingDim?: number;
  hiddenSize?: number;
  numLayers?: number;
  dropout?: number;
  maxVocab?: number;
  minFreq?: number;
  maxLen?: number;
  truncate?: TruncateMode;
  /** Pretrained vectors (GloVe / word2vec text or binary / fastText .vec). */
  embeddings?: string;
  /** Train word2vec (skip-gram, negative sampling) on the training texts and start from it. */
  word2vec?: boolean;
  /** Keep pretrained embeddings fixed (default: fine-tune). */
  freezeEmbeddings?: boolean;
  /**
   * With `embeddings`: add up to this many words of the vector file (in file order, i.e. most
   * frequent first for word2vec/GloVe) that the training texts do not have to the vocabulary, so
   * words met only at test time still get their pretrained vector instead of `<unk>`. The vector
   * file is external unlabelled data: the test texts are never consulted. 0/undefined = off.
   */
  vocabFromEmbeddings?: number;
  /**
   * Start from a trained classifier checkpoint (transfer learning, see `initFromClassifier`):
   * embedding rows by word, the recurrent layers, and the output layer when the labels correspond.
   * Unset embedding/hidden size and layers default to the checkpoint's.
   */
  initFrom?: string;
  /**
   * Build the classifier on a trained language model (ULMFiT; `rnnkit train-lm` on texts of the
   * task's kind, e.g. the IMDB training reviews): its tokenizer, vocabulary, embedding and LSTM
   * layers, a concat-pooling head, and fine-tuning with discriminative learning rates, slanted
   * triangular schedules and gradual unfreezing. A classifier built this way is accepted too.
   */
  fromLm?: string;
  /** With fromLm: "gradual" unfreezing (default) or "none". */
  unfreeze?: "gradual" | "none";
  /** With fromLm: each layer group learns at 1/decay of the rate of the group above (default 2.6). */
  layerLrDecay?: number;
  /** With fromLm: read texts in chunks of this many tokens with carried state (BPTT for classification; 0 = whole text). */
  bpttChunk?: number;
  /** With fromLm: multiplies ULMFiT's dropouts (default 0.5, as fastai's IMDB example). */
  dropMult?: number;
  /**
   * Booster swapping (`boosterSwap`, data/sentiment/augment.ts): during training each adverb of
   * degree before a content word ("terribly boring", "very good") is replaced by another one with
   * this probability, so boosters scale an opinion instead of carrying one. 0/undefined = off.
   */
  swapBoosters?: number;
  /**
   * Negation pairs (`negationPairs`, data/sentiment/negation.ts): this many minimal pairs from the
   * training texts ("the acting was awful ." negative, "the acting was not awful ." positive) are
   * added to the training set, so "not" flips the opinion word it precedes. Binary labels only.
   */
  negationPairs?: number;
  /** Which constructions the negation pairs negate (default "copula"; `NegationRules`). */
  negationRules?: NegationRules;
  /**
   * More labelled training data (`loadExtraTraining`, sentiment/extra-train.ts): a dataset name,
   * `phrasebank:50Agree` or a path. Added to every split's training part (model and `--stack`
   * baseline), never to validation or test; texts the dataset itself holds are dropped.
   */
  extraTrain?: string;
  lr?: number;
  batchSize?: number;
  epochs?: number;
  patience?: number;
  clip?: number;
  validFraction?: number;
  seed?: number;
  timeLimit?: number;
  /** Cross-validation folds to run when the dataset has no test split (default: all of them). */
  maxFolds?: number;
  /**
   * Train this many models per split (seeds seed, seed+1000, …; each with its own early stopping
   * on the same validation set) and predict with the mean of their class probabilities.
   * A seed ensemble removes part of the run-to-run variance of small datasets. Default 1.
   */
  ensemble?: number;
  /**
   * Also stack each split's model with a bag-of-words baseline (see stack.ts; K > 2 classes too): the
   * baseline fit on the split's training part, the stacker on its validation part, the split's test
   * part scored once. For cross-validation, per fold; the result's `stack` / folds' `stackAccuracy`.
   */
  stack?: BaselineKind;
  /** Checkpoint path (one run) — skipped for cross-validation. */
  out?: string;
  /** Continue the interrupted or killed run writing `out` (one model on a dataset with a test split). */
  resume?: boolean;
  /** Save the training state (for resume) also every `steps` steps and/or `seconds` seconds, not only after each epoch (one model with `out`). */
  checkpointEvery?: { steps?: number; seconds?: number };
}

export interface SentimentRunHooks {
  info?: (msg: string) => void;
  /** `startStep`: steps already done (a resumed run), of `epochs × steps`. */
  onStart?: (s: { fold: number | null; folds: number | null; train: number; valid: number; test: number; steps: number; epochs: number; startStep: number; vocab: number; params: number }) => void;
  onStep?: (s: ClsStepInfo) => void;
  onEpoch?: (e: ClsEpochInfo) => void;
  shouldStop?: () => boolean;
  /** After the training state (for --resume) was written: at epoch ends, periodically, on a stop. */
  onSaved?: (why: SnapshotReason) => void;
}

export interface SentimentRunResult {
  dataset: string;
  labels: string[];
  /** Test report (single split); null for cross-validation (see `folds`) and for a run stopped by an interrupt before its test pass (`meanAccuracy` is then NaN). */
  test: (ClassificationReport & { seconds: number; msPerExample: number }) | null;
  folds: Array<{ fold: number; accuracy: number; macroF1: number; validAccuracy: number; stackAccuracy?: number }>;
  /** With `stack`: the stacked model's test accuracy (single split) or its mean over folds, and each split's report. */
  meanStackAccuracy?: number;
  stacks?: StackReport[];
  /** Validation accuracy of the (ensembled) model: mean over folds for CV. */
  meanValidAccuracy: number;
  meanAccuracy: number;
  meanMacroF1: number;
  trainSeconds: number;
  coverage: CoverageReport | null;
  training: TrainClassifierResult[];
  /** The saved model (single split); null for cross-validation or an ensemble (see `members`). */
  checkpoint: string | null;
  /** With `ensemble` > 1 on a single split: the members' checkpoints (model.1.safetensors …). */
  members: string[];
}

const TOKENIZE: TokenizeOptions = { lowercase: true, stripHtml: true };

/** `vocab` followed by up to `max` words of `words` it lacks (specials and order kept; the new words count 0). */
export function extendVocabulary(vocab: Vocabulary, words: readonly string[], max = Infinity): Vocabulary {
  const extra: string[] = [];
  for (const w of words) {
    if (extra.length >= max) break;
    if (w !== "" && !vocab.has(w)) extra.push(w);
  }
  if (extra.length === 0) return vocab;
  const extraSet = new Set(extra);
  const uniq = [...extraSet];
  return new Vocabulary([...vocab.tokens, ...uniq], { counts: [...vocab.counts, ...uniq.map(() => 0)], totalTokens: vocab.totalTokens, numSpecials: vocab.numSpecials });
}

/**
 * Train and evaluate a sentiment classifier end to end: read the dataset in its own format,
 * carve validation from TRAIN, build the vocabulary on train only, encode with truncation,
 * optionally start from pretrained or freshly trained word2vec embeddings, train a (Bi)LSTM with
 * early stopping on validation accuracy, and report test metrics — or run k-fold
 * cross-validation for datasets without a test split (sentence polarity, Financial PhraseBank).
 */
export async function trainSentimentModel(o: SentimentRunOptions, hooks: SentimentRunHooks = {}): Promise<SentimentRunResult> {
  const info = hooks.info ?? (() => {});
  if (o.vocabFromEmbeddings && !o.embeddings) throw new Error("vocabFromEmbeddings (--vocab-from-embeddings) needs a vector file (--embeddings PATH)");
  if ((o.ensemble ?? 1) < 1 || !Number.isInteger(o.ensemble ?? 1)) throw new RangeError(`trainSentimentModel: ensemble must be a positive integer, got ${o.ensemble}`);
  if (o.out !== undefined) checkOutputPath(o.out);
  let lock: OutputLock | null = null;
  let resumed: Resumed | null = null;
  if (o.resume) {
    if (!o.out) throw new Error("--resume needs the --out of the run to continue");
    lock = claimOutput(o.out);
    try {
      const f = loadSnapshot(trainingStatePath(o.out));
      if (!f.snapshot || f.extra.kind !== "sequence-classifier") throw new Error(`--resume: ${trainingStatePath(o.out)} is not the training state of a classifier`);
      const given = givenOptions(o);
      resumed = { snapshot: f.snapshot, options: { ...(f.extra.options as SentimentRunOptions), ...given }, ...(given.lr !== undefined ? { lr: given.lr } : {}) };
      o = resumed.options;
    } catch (e) {
      lock.release();
      throw e;
    }
  }
  try {
    return await trainAll(o, hooks, info, (l) => (lock = l), resumed);
  } finally {
    (lock as OutputLock | null)?.release();
  }
}

/** `claim(lock)` hands a lock taken here to the caller, which releases it. */
async function trainAll(o: SentimentRunOptions, hooks: SentimentRunHooks, info: (m: string) => void, claim: (l: OutputLock) => void, resumed: Resumed | null): Promise<SentimentRunResult> {
  if (o.negationRules && !o.negationPairs) throw new Error(`train-classifier: --negation-rules ${o.negationRules} has nothing to do without --negation-pairs (hint: add --negation-pairs 4000)`);
  const data = await loadSentimentData(o);
  for (const n of data.notes) info(n);
  checkTrainingLabels(data.name, data.labels);
  const extra = o.extraTrain ? await loadExtraTraining(o.extraTrain, data, o) : null;
  if (extra)
    info(`--extra-train ${o.extraTrain}: ${extra.examples.length.toLocaleString()} of ${extra.read.toLocaleString()} ${extra.name} examples added to every training part (${extra.droppedShared.toLocaleString()} dropped as texts of ${data.name}, ${extra.droppedRepeats.toLocaleString()} as repeats)`);
  const extraEx = extra ? extra.examples : [];
  // before any tokenising or word2vec: a label set negation pairs cannot use fails now
  if (o.negationPairs) positiveLabelIndex(data.labels, "train-classifier --negation-pairs");
  info(`${data.name}: ${data.train.length.toLocaleString()} training examples${data.test ? `, ${data.test.length.toLocaleString()} test` : `, ${data.folds}-fold cross-validation`}; labels ${data.labels.join(", ")}`);
  if (o.fromLm && (o.initFrom || o.embeddings || o.word2vec)) throw new Error(`--from-lm takes the embedding from the language model: it cannot be combined with ${o.initFrom ? "--init-from" : o.embeddings ? "--embeddings" : "--word2vec"}`);
  const init = o.initFrom ? asSequenceBundle(loadClassifier(o.initFrom), o.initFrom) : null;
  const lmSource = o.fromLm ? loadLmSource(o.fromLm) : null;
  if (lmSource) info(`--from-lm ${o.fromLm}: ${lmSource.kind === "language-model" ? "language model" : "classifier built on a language model"}, vocabulary ${lmSource.vocab.size.toLocaleString()} words`);
  if (init) info(`--init-from ${o.initFrom}: ${init.model.config.cell} ${init.model.config.bidirectional ? "bidirectional " : ""}hidden ${init.model.config.hiddenSize}, embedding ${init.model.config.vocabSize.toLocaleString()} × ${init.model.config.embeddingDim}, labels ${init.labels.join(", ")}`);
  const t0 = Date.now();
  const runs: TrainClassifierResult[] = [];
  const folds: SentimentRunResult["folds"] = [];
  let test: SentimentRunResult["test"] = null;
  let coverage: CoverageReport | null = null;
  const validAccs: number[] = [];
  const stacks: StackReport[] = [];
  const saved: string[] = [];
  if (resumed && (!data.test || (o.ensemble ?? 1) > 1)) throw new Error("--resume continues one model trained on a dataset with a test split; cross-validation and ensembles start over (hint: run without --resume)");
  if (data.test) {
    // the run writes `out`: claim it (and check it can be written) before the first step
    if (o.out && !resumed) {
      const lock = claimOutput(o.out);
      claim(lock);
      if (lock.tookOver) info(`${o.out}: took over the lock of a run that is gone (${lock.tookOver})`);
    }
    const r = await runOne(data, data.train, data.dev, data.test, null, o, hooks, info, o.out ?? null, init, lmSource, resumed, extraEx);
    saved.push(...r.saved);
    runs.push(...r.training);
    if (r.report) validAccs.push(r.validAccuracy);
    if (r.stack) stacks.push(r.stack);
    test = r.report;
    coverage = r.coverage;
  } else {
    const k = data.folds ?? 10;
    const all = stratifiedKFold(data.train, k, o.seed ?? 1);
    for (const [i, f] of all.slice(0, o.maxFolds ?? k).entries()) {
      const r = await runOne(data, f.train, null, f.test, i, o, hooks, info, null, init, lmSource, null, extraEx);
      runs.push(...r.training);
      coverage = r.coverage;
      if (!r.report) break; // stopped inside this fold: the folds before it are the result
      validAccs.push(r.validAccuracy);
      if (r.stack) stacks.push(r.stack);
      folds.push({ fold: i, accuracy: r.report.accuracy, macroF1: r.report.macroF1, validAccuracy: r.validAccuracy, ...(r.stack ? { stackAccuracy: r.stack.test.stack } : {}) });
      info(`fold ${i + 1}/${k}: accuracy ${(100 * r.report.accuracy).toFixed(2)}%, macro-F1 ${(100 * r.report.macroF1).toFixed(2)}%${r.stack ? `; stacked with ${r.stack.baseline} ${(100 * r.stack.test.stack).toFixed(2)}% (${r.stack.baseline} alone ${(100 * r.stack.test.baseline).toFixed(2)}%)` : ""}`);
      if (hooks.shouldStop?.()) break;
    }
  }
  const accs = test ? [test.accuracy] : folds.map((f) => f.accuracy);
  const f1s = test ? [test.macroF1] : folds.map((f) => f.macroF1);
  // NaN when nothing was evaluated (stopped before the first test pass)
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const stacked = stacks.length > 0 ? { meanStackAccuracy: mean(stacks.map((r) => r.test.stack)), stacks } : {};
  return { ...stacked, dataset: data.name, labels: data.labels, test, folds, meanValidAccuracy: mean(validAccs), meanAccuracy: mean(accs), meanMacroF1: mean(f1s), trainSeconds: (Date.now() - t0) / 1000, coverage, training: runs, ...savedModels(saved, o.ensemble ?? 1) };
}

async function runOne(
  data: SentimentData,
  trainPool: Example[],
  dev: Example[] | null,
  testEx: Example[],
  fold: number | null,
  o: SentimentRunOptions,
  hooks: SentimentRunHooks,
  info: (m: string) => void,
  out: string | null,
  init: SequenceBundle | null,
  lmSource: LmSource | null,
  resumed: Resumed | null,
  extra: readonly Example[] = [],
): Promise<{ training: TrainClassifierResult[]; report: (ClassificationReport & { seconds: number; msPerExample: number }) | null; coverage: CoverageReport | null; validAccuracy: number; saved: string[]; stack: StackReport | null }> {
  const seed = (o.seed ?? 1) + (fold ?? 0);
  const carved = dev ? { train: trainPool, valid: dev } : trainValidationSplit(trainPool, { seed, validFraction: o.validFraction ?? 0.1 });
  // --extra-train: after the carving, so validation stays the dataset's own texts
  const split = extra.length ? { train: [...carved.train, ...extra], valid: carved.valid } : carved;
  const tokenizeOpts = lmSource?.tokenize ?? TOKENIZE;
  // a language model's classifier reads long texts in one pass (or chunks): keep much more of them
  const pipeline: TextPipeline = { tokenize: tokenizeOpts, maxLen: o.maxLen ?? (lmSource ? 1500 : 400), truncate: o.truncate ?? "head+tail" };
  // The token lists (millions of strings for IMDB) are dropped once encoded: locals of an async
  // function live as long as it does, and every full garbage collection during training would
  // otherwise walk them (on IMDB the GC threads used more CPU than the kernels).
  let trainTok: string[][] | null = tokenizeAll(split.train, tokenizeOpts);
  let vocab = lmSource ? lmSource.vocab : Vocabulary.build(trainTok, { maxVocab: o.maxVocab ?? 25000, minFreq: o.minFreq ?? 2 });

  const arch = init ? initArchitecture(init) : null;
  let vectors: WordVectors | null = null;
  if (o.embeddings) {
    const trainVocab = vocab;
    const r = await readEmbeddings(o.embeddings, o.vocabFromEmbeddings ? {} : { keep: (w) => trainVocab.has(w) || trainVocab.has(w.toLowerCase()) });
    vectors = r.vectors;
    info(`read ${r.rowsRead.toLocaleString()} ${r.format} vectors of dimension ${vectors.dim} from ${o.embeddings}`);
    if (o.vocabFromEmbeddings) {
      vocab = extendVocabulary(vocab, vectors.words, o.vocabFromEmbeddings);
      if (fold === null || fold === 0)
        info(`vocabulary: ${trainVocab.size.toLocaleString()} words from the training texts + ${(vocab.size - trainVocab.size).toLocaleString()} more that only the vectors know = ${vocab.size.toLocaleString()}`);
    }
  } else if (o.word2vec) {
    const w0 = Date.now();
    info(`training word2vec (skip-gram, negative sampling, 3 epochs) on ${trainTok.length.toLocaleString()} training texts…`);
    let shown = 0;
    const onProgress = (p: number): void => {
      if (p >= shown + 0.25) {
        shown = Math.floor(p * 4) / 4;
        info(`word2vec ${Math.round(100 * shown)}%`);
      }
    };
    vectors = trainWord2Vec(trainTok, { dim: o.embeddingDim ?? arch?.embeddingDim ?? 100, epochs: 3, minCount: o.minFreq ?? 2, seed, onProgress }).vectors;
    info(`trained word2vec (skip-gram, ${vectors.size.toLocaleString()} words × ${vectors.dim}) on the training texts in ${((Date.now() - w0) / 1000).toFixed(1)}s`);
  }
  const enc = (tok: string[][], ex: Example[]): EncodedDataset => encodeDataset(tok, encodeLabels(ex, data.labels), vocab, { maxLen: pipeline.maxLen, truncate: pipeline.truncate });
  let train = enc(trainTok, split.train);
  // the split's own training texts (what a stacker re-splitting the data must find); negation pairs come on top
  const splitTrainExamples = train.ids.length;
  if (o.negationPairs) {
    const posIdx = positiveLabelIndex(data.labels, "train-classifier --negation-pairs");
    const np = negationPairs(trainTok, { pairs: o.negationPairs, seed, ...(o.negationRules ? { rules: o.negationRules } : {}) });
    const extra = encodeDataset(np.tokens, Int32Array.from(np.positive, (p) => (p ? posIdx : 1 - posIdx)), vocab, { maxLen: pipeline.maxLen, truncate: pipeline.truncate });
    if (fold === null || fold === 0)
      info(`negation pairs: ${(np.tokens.length / 2).toLocaleString()} pairs (${np.tokens.length.toLocaleString()} short examples) added to ${train.ids.length.toLocaleString()} training texts, drawn from ${np.candidates.positive.toLocaleString()} positive- and ${np.candidates.negative.toLocaleString()} negative-opinion sentences (${Object.entries(np.candidatesByForm).map(([f, n]) => `${f} ${n.toLocaleString()}`).join(", ")})`);
    train = { ids: [...train.ids, ...extra.ids], labels: Int32Array.from([...train.labels, ...extra.labels]) };
  }
  trainTok = null;
  const valid = enc(tokenizeAll(split.valid, tokenizeOpts), split.valid);
  const test = enc(tokenizeAll(testEx, tokenizeOpts), testEx);
  const embeddingDim = vectors ? vectors.dim : (o.embeddingDim ?? arch?.embeddingDim ?? 100);
  const members = o.ensemble ?? 1;
  const B = o.batchSize ?? 64;
  const C = data.labels.length;
  const trainings: TrainClassifierResult[] = [];
  // Mean class probabilities of the members, [N, C], for the test and validation sets.
  const testP = new Float32Array(test.ids.length * C);
  const validP = new Float32Array(valid.ids.length * C);
  let coverage: CoverageReport | null = null;
  let testSeconds = 0;
  const saved: string[] = [];
  for (let m = 0; m < members; m++) {
    const mSeed = seed + 1000 * m;
    // each member's own streams: initialisation (as manualSeed(mSeed) gave before), dropout; the
    // batch order is drawn from (mSeed, epoch) by makeBatches
    const rng = { init: new Generator(mSeed), dropout: Generator.derive(mSeed, "dropout") };
    if (members > 1) info(`${fold !== null ? `fold ${fold + 1}: ` : ""}ensemble member ${m + 1}/${members} (seed ${mSeed})`);
    let model: TextClassifier;
    let schedule: GradualUnfreezingSchedule | null = null;
    const epochs = o.epochs ?? 5;
    const stepsPerEpoch = Math.ceil(train.ids.length / B);
    if (lmSource) {
      const built = classifierFromSource(lmSource, data.labels, { ...ulmfitDropouts(o.dropMult ?? 0.5), bpttChunk: o.bpttChunk ?? 0 }, { generator: rng.init });
      model = built.model;
      schedule = gradualUnfreezing({ groups: built.model.layerGroups(), lr: o.lr ?? 1e-3, decay: o.layerLrDecay ?? 2.6, unfreeze: o.unfreeze ?? "gradual", stepsPerEpoch, epochs });
      if ((fold === null || fold === 0) && m === 0) info(`${describeClassifier(model)}; head ${built.head}; ${schedule.stages} stage${schedule.stages > 1 ? "s" : ""} of gradual unfreezing`);
    } else {
      model = new SequenceClassifier({
        vocabSize: vocab.size,
        embeddingDim,
        hiddenSize: o.hiddenSize ?? arch?.hiddenSize ?? 128,
        numClasses: C,
        numLayers: o.numLayers ?? arch?.numLayers ?? 1,
        cell: o.cell ?? arch?.cell ?? "LSTM",
        bidirectional: o.bidirectional ?? arch?.bidirectional ?? true,
        pooling: o.pooling ?? "final",
        dropout: o.dropout ?? 0.3,
        paddingIdx: 0,
      }, { generator: rng.init });
    }
    model.useGenerator(rng.dropout);
    const augment = o.swapBoosters ? boosterSwap(vocab, { p: o.swapBoosters, seed: mSeed }) : null;
    if (o.swapBoosters && (fold === null || fold === 0) && m === 0) info(augment ? `booster swapping: p ${o.swapBoosters}, ${BOOSTERS.filter((w) => vocab.has(w)).length} of ${BOOSTERS.length} boosters in the vocabulary` : "booster swapping: off (fewer than two boosters in the vocabulary)");
    if (vectors && model instanceof SequenceClassifier) {
      const mat = buildEmbeddingMatrix(vocab, vectors, { seed: mSeed });
      mat.matrix.fill(0, 0, mat.D); // <pad> row
      coverage = mat.coverage;
      model.setEmbedding(Embedding.fromPretrained(new Tensor(mat.matrix, [mat.V, mat.D]), { freeze: o.freezeEmbeddings ?? false, paddingIdx: 0 }));
    }
    if (init && o.initFrom && model instanceof SequenceClassifier) {
      const r = initFromClassifier(model, vocab, data.labels, init, o.initFrom);
      if ((fold === null || fold === 0) && m === 0)
        info(`initialised from ${o.initFrom}: embedding rows of ${r.embeddingRows.toLocaleString()} of ${r.vocabSize.toLocaleString()} words, ${r.rnnTensors} recurrent tensors, output layer ${r.head}`);
    }
    const optimizer = schedule
      ? new AdamW(schedule.paramGroups, { lr: o.lr ?? 1e-3, betas: [0.8, 0.99], weightDecay: 0.01 })
      : new Adam(model.parameters().filter((p) => p.requiresGrad), { lr: o.lr ?? 2e-3 });
    hooks.onStart?.({ fold, folds: data.folds, train: train.ids.length, valid: valid.ids.length, test: test.ids.length, steps: stepsPerEpoch, epochs, startStep: resumed?.snapshot.state.position.globalStep ?? 0, vocab: vocab.size, params: model.numParameters() });
    // one model with a checkpoint path: snapshots beside it, so a stopped or killed run can resume
    const statePath = out && members === 1 ? trainingStatePath(out) : null;
    const resume = resumed?.snapshot ?? null;
    if (resume) for (const n of resumeNotes(out ?? "", resume.state, { bestName: "best validation accuracy", lr: resumed?.lr })) info(n);
    const training = await trainClassifier({
      model,
      optimizer,
      train,
      valid,
      batchSize: B,
      epochs,
      clip: o.clip ?? 5,
      // gradual unfreezing: the first stages train part of the model; let every stage run
      patience: o.patience ?? (schedule ? 0 : 2),
      ...(schedule
        ? {
            lrFactor: schedule.lrFactor,
            onEpochStart: (e: number) => {
              schedule.onEpochStart(e);
              if ((fold === null || fold === 0) && m === 0) info(`epoch ${e}: ${schedule.describe(e)}`);
            },
          }
        : {}),
      seed: mSeed,
      ...(augment ? { augment } : {}),
      generators: { dropout: rng.dropout },
      ...(resume ? { resume } : {}),
      // --resume --lr X: o.lr is X, so with gradual unfreezing the schedule's groups already hold X's discriminative rates
      ...(resume && resumed?.lr !== undefined ? { baseLrs: schedule ? schedule.paramGroups.map((g) => g.lr ?? resumed!.lr!) : [resumed.lr] } : {}),
      ...(statePath
        ? {
            onSnapshot: (s: TrainerSnapshot, why: SnapshotReason) => {
              saveSnapshot(statePath, s, { kind: "sequence-classifier", options: { ...o, resume: false } });
              hooks.onSaved?.(why);
            },
          }
        : {}),
      ...(statePath && o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
      ...(o.timeLimit ? { timeLimit: o.timeLimit } : {}),
      ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
      ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    });
    trainings.push(training);
    // A stop (Ctrl-C, SIGTERM) of a run that saved its training state is a pause: it ends here, and
    // the test set is looked at once, by the finished model after --resume (not by a half-trained
    // one, on time ulmfit's budget would be charged for). Without a state to resume from (compare,
    // cross-validation, ensembles) the stopped model is evaluated: that is all the run can give.
    if (training.stoppedBy === "interrupt" && statePath) return { training: trainings, report: null, coverage, validAccuracy: NaN, saved, stack: null };
    const t1 = Date.now();
    const memberP = predictProba(model, test, B);
    testSeconds += (Date.now() - t1) / 1000;
    addInto(testP, memberP, 1 / members);
    addInto(validP, predictProba(model, valid, B), 1 / members);
    if (training.stoppedBy === "nan" && !training.restoredBest) info(`${members > 1 ? `member ${m + 1}: ` : ""}no model saved: ${training.message}`);
    else if (out) {
      const path = members > 1 ? memberPath(out, m) : out;
      const memberReport = reportFromProba(memberP, test.labels, data.labels);
      saveClassifier(path, {
        model,
        vocab,
        labels: data.labels,
        pipeline,
        info: { dataset: data.name, testAccuracy: memberReport.accuracy, testMacroF1: memberReport.macroF1, bestEpoch: training.bestEpoch, validAccuracy: training.bestValidAcc, trainExamples: splitTrainExamples, seed, validFraction: dev ? null : (o.validFraction ?? 0.1), ...(augment ? { swapBoosters: o.swapBoosters } : {}), ...(o.negationPairs ? { negationPairs: o.negationPairs, negationRules: o.negationRules ?? "copula", negationExamples: train.ids.length - splitTrainExamples } : {}) },
      });
      saved.push(path);
      if (members > 1) info(`member ${m + 1}: ${path}`);
    }
    if (hooks.shouldStop?.()) break;
  }
  const report = { ...reportFromProba(testP, test.labels, data.labels), seconds: testSeconds, msPerExample: (1000 * testSeconds) / Math.max(1, test.ids.length) };
  // validFraction 0: no validation part (the epoch is then chosen by training accuracy)
  const validAccuracy = valid.ids.length ? reportFromProba(validP, valid.labels, data.labels).accuracy : NaN;
  if (members > 1) info(`${fold !== null ? `fold ${fold + 1}: ` : ""}ensemble of ${trainings.length}: validation accuracy ${(100 * validAccuracy).toFixed(2)}% (members ${trainings.map((t) => (100 * t.bestValidAcc).toFixed(2)).join(", ")})`);
  // --stack: the (ensembled) model's logits of the second label (two classes) or log-probabilities (K > 2)
  // on this split's validation and test parts
  const logitsOf = (P: Float32Array, n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => logit(P[i * C + 1]!));
  const stack = o.stack
    ? stackOnLogits(
        {
          labels: data.labels,
          train: split.train,
          valid: split.valid,
          test: testEx,
          validLogit: () => logitsOf(validP, split.valid.length),
          testLogit: () => logitsOf(testP, testEx.length),
          validLogProba: () => meanLogProba([validP]),
          testLogProba: () => meanLogProba([testP]),
        },
        { baseline: o.stack },
      )
    : null;
  return { training: trainings, report, coverage, validAccuracy, saved, stack };
}

/** A run to continue: its snapshot, its options, and a learning rate given anew (--resume --lr X). */
interface Resumed {
  snapshot: TrainerSnapshot;
  options: SentimentRunOptions;
  lr?: number;
}

/** What a single-split run saved: its model, or its ensemble members (only files that were written). */
function savedModels(saved: readonly string[], ensemble: number): { checkpoint: string | null; members: string[] } {
  const written = saved.filter((p) => existsSync(p));
  return ensemble > 1 ? { checkpoint: null, members: written } : { checkpoint: written[0] ?? null, members: [] };
}

/** `dst += w · src`, elementwise. */
function addInto(dst: Float32Array, src: Float32Array, w: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] = dst[i]! + w * src[i]!;
}

/** `runs/model.safetensors` → `runs/model.2.safetensors` for ensemble member index 1. */
export function memberPath(out: string, m: number): string {
  const dot = out.lastIndexOf(".");
  const slash = Math.max(out.lastIndexOf("/"), out.lastIndexOf("\\"));
  return dot > slash ? `${out.slice(0, dot)}.${m + 1}${out.slice(dot)}` : `${out}.${m + 1}`;
}
