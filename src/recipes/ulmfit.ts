/**
 * ULMFiT end to end (Howard & Ruder 2018) on a review dataset, as one resumable call:
 *
 *   1. a language model on the dataset's TRAINING reviews only (an AWD-LSTM: weight drop, locked and
 *      embedding dropout, AR/TAR, adaptive softmax; `train-lm --data <folder> --awd …`). The test
 *      reviews are never read, and its validation reviews are the ones the classifier validates on;
 *   2. a classifier fine-tuned from it (`train-classifier --from-lm`): the LM's vocabulary, embedding
 *      and LSTMs under a concat-pooling head, discriminative learning rates, slanted triangular
 *      schedules, gradual unfreezing;
 *   3. the test set, once, at the end (the classifier's report);
 *   4. optionally (`stack`), the classifier stacked with a bag-of-words baseline: the baseline fit on
 *      the training reviews, the stacker on the validation reviews, the test set scored once.
 *
 * Budget: minutes for the whole recipe (the language model gets `lmShare` of them, the classifier
 * the rest: each stage stops at its time limit and keeps its best checkpoint so far), or epochs
 * per stage. Progress is kept in `<out>/recipe.json`; a second call with `resume` continues the
 * stage that was interrupted (each stage resumes from its own training state) and skips the
 * finished ones.
 *
 *   const r = await ulmfit({ data: "../shared/data/aclImdb", out: "runs/ulmfit", budget: { minutes: 240 } });
 *   r.result?.accuracy  // test accuracy
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BaselineKind } from "../baselines/pipeline.js";
import { loadClassifier } from "../io/checkpoint.js";
import { type LmRunHooks, type LmRunOptions, trainLanguageModel } from "../lm/session.js";
import { loadSentimentData } from "../sentiment/datasets.js";
import { type SentimentRunHooks, type SentimentRunOptions, trainSentimentModel } from "../sentiment/session.js";
import { type StackReport, stackWithBaseline } from "../sentiment/stack.js";
import { trainingStatePath } from "../train/snapshot-file.js";
import { writeFileAtomic } from "../io/checkpoint.js";

export type UlmfitBudget = { minutes: number } | { epochs: number };

export interface UlmfitOptions {
  /** A review dataset folder: IMDB's aclImdb in its original layout, or packed (train.tsv, test.tsv). */
  data: string;
  /** Folder for lm.safetensors, classifier.safetensors, their training states and recipe.json. */
  out: string;
  /** Whole-recipe wall time, or epochs of each stage. Default: 3 LM epochs, 4 classifier epochs. */
  budget?: UlmfitBudget;
  /** With a time budget: the language model's share (default 0.55). */
  lmShare?: number;
  /** Language-model options over ULMFIT_LM_DEFAULTS (e.g. smaller sizes for a quick look). */
  lm?: LmRunOptions;
  /** Classifier options over the --from-lm defaults (maxLen, batchSize, lr, dropMult …). */
  classifier?: SentimentRunOptions;
  seed?: number;
  /**
   * Also stack the classifier with a bag-of-words baseline (logistic regression on the classifier's
   * logit and the baseline's score, fit on the validation reviews; the test set scored once). Given
   * on a finished recipe with `resume`, only the stack runs.
   */
  stack?: BaselineKind;
  /** Continue the recipe in `out` (the stage that was stopped resumes from its training state). */
  resume?: boolean;
  checkpointEvery?: { steps?: number; seconds?: number };
}

export interface UlmfitHooks {
  /** A line about the recipe itself (stage starts, skips, budget). */
  info?: (msg: string) => void;
  lm?: LmRunHooks;
  classifier?: SentimentRunHooks;
}

type StageState = "pending" | "started" | "done";

/** `<out>/recipe.json`: where a recipe stands. */
export interface UlmfitState {
  format: "rnnkit.ulmfit";
  version: 1;
  data: string;
  lm: StageState;
  classifier: StageState;
  /** Wall seconds spent in each stage so far (over all calls). */
  seconds: { lm: number; classifier: number };
  lmValidPerplexity: number | null;
  result: UlmfitResultSummary | null;
  /** With `stack`: the stacked classifier (absent in recipes from before stacking). */
  stack?: UlmfitStackSummary | null;
}

/** Validation and test accuracy of the classifier, the baseline alone and their stack. */
export interface UlmfitStackSummary {
  baseline: BaselineKind;
  valid: { model: number; baseline: number; stack: number };
  test: { model: number; baseline: number; stack: number };
  seconds: number;
}

export interface UlmfitResultSummary {
  accuracy: number;
  macroF1: number;
  validAccuracy: number;
  testExamples: number;
}

export interface UlmfitResult {
  /** "done", or the stage that stopped early ("interrupt": run again with resume). */
  stoppedBy: "done" | "interrupt";
  lmCheckpoint: string;
  classifierCheckpoint: string;
  state: UlmfitState;
  result: UlmfitResultSummary | null;
}

/**
 * The language model the recipe trains unless told otherwise: an AWD-LSTM sized for two cores
 * (embedding 256, LSTMs 512/512/256, ~30k words through an adaptive softmax) with AWD-LSTM's
 * regularisers at lighter settings (a few epochs underfit before they overfit), trained with Adam.
 */
export const ULMFIT_LM_DEFAULTS: Readonly<LmRunOptions> = {
  awd: true,
  embeddingDim: 256,
  hiddenSizes: [512, 512, 256],
  adaptiveSoftmax: [2000, 10000],
  maxVocab: 30000,
  optimizer: "adam",
  lr: 3e-3,
  lrDecay: 0.4,
  decayAfter: 1,
  dropoutEmb: 0.05,
  dropoutInp: 0.25,
  dropoutHid: 0.15,
  dropoutOut: 0.15,
  weightDrop: 0.2,
  clip: 0.5,
  batchSize: 32,
  bptt: 70,
  sampleEvery: 0,
};

const STATE_FILE = "recipe.json";

export function ulmfitPaths(out: string): { lm: string; classifier: string; state: string } {
  return { lm: join(out, "lm.safetensors"), classifier: join(out, "classifier.safetensors"), state: join(out, STATE_FILE) };
}

function readState(path: string): UlmfitState {
  let s: unknown;
  try {
    s = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`ulmfit: cannot read ${path} (${(e as Error).message}); hint: remove the folder or pick another --out to start over`);
  }
  const st = s as Partial<UlmfitState> | null;
  if (!st || st.format !== "rnnkit.ulmfit" || st.version !== 1) throw new Error(`ulmfit: ${path} is not an rnnkit ULMFiT recipe state (format rnnkit.ulmfit, version 1)`);
  return st as UlmfitState;
}

const stackSummary = (r: StackReport): UlmfitStackSummary => ({ baseline: r.baseline, valid: r.valid, test: r.test, seconds: r.seconds });

const saveState = (path: string, s: UlmfitState): void => writeFileAtomic(path, `${JSON.stringify(s, null, 2)}\n`);

/**
 * A stage's clock: each call sets `state.seconds[stage]` to what it held at the start plus the wall
 * time since, and writes the state. Called whenever the stage saves its training state, so after a
 * kill that gave no chance to clean up (SIGKILL, power) the budget left is counted from the last
 * save, the point a resumed run continues from.
 */
function stageClock(state: UlmfitState, stage: "lm" | "classifier", path: string): () => void {
  const before = state.seconds[stage];
  const t0 = Date.now();
  return () => {
    state.seconds[stage] = before + (Date.now() - t0) / 1000;
    saveState(path, state);
  };
}

export async function ulmfit(o: UlmfitOptions, hooks: UlmfitHooks = {}): Promise<UlmfitResult> {
  const info = hooks.info ?? (() => {});
  const paths = ulmfitPaths(o.out);
  const share = o.lmShare ?? 0.55;
  if (!(share > 0 && share < 1)) throw new RangeError(`ulmfit: lmShare must be in (0, 1), got ${share}`);
  const budget = o.budget ?? { epochs: 0 };
  if ("minutes" in budget && !(budget.minutes > 0)) throw new RangeError(`ulmfit: budget.minutes must be positive, got ${budget.minutes}`);
  if ("epochs" in budget && !(Number.isInteger(budget.epochs) && budget.epochs >= 0)) throw new RangeError(`ulmfit: budget.epochs must be a whole number, got ${budget.epochs}`);

  let state: UlmfitState;
  if (existsSync(paths.state)) {
    state = readState(paths.state);
    if (!o.resume) throw new Error(`ulmfit: ${o.out} already holds a recipe (${STATE_FILE}: language model ${state.lm}, classifier ${state.classifier}); hint: add --resume to continue it, or pick another --out`);
    if (state.data !== o.data) info(`note: the recipe in ${o.out} was started on ${state.data}; continuing on ${o.data}`);
  } else {
    if (o.resume) info(`nothing to resume in ${o.out}: starting the recipe`);
    mkdirSync(o.out, { recursive: true });
    state = { format: "rnnkit.ulmfit", version: 1, data: o.data, lm: "pending", classifier: "pending", seconds: { lm: 0, classifier: 0 }, lmValidPerplexity: null, result: null };
    saveState(paths.state, state);
  }
  const seed = o.seed ?? 1;
  const minutes = "minutes" in budget ? budget.minutes : null;
  const epochs = "epochs" in budget && budget.epochs > 0 ? budget.epochs : null;
  const stopped = (): UlmfitResult => ({ stoppedBy: "interrupt", lmCheckpoint: paths.lm, classifierCheckpoint: paths.classifier, state, result: state.result });

  // 1. The language model on the training reviews.
  if (state.lm === "done") info(`language model: done (${paths.lm}), skipped`);
  else {
    const timeLimit = minutes !== null ? Math.max(1, Math.round(minutes * 60 * share - state.seconds.lm)) : undefined;
    const resume = state.lm === "started" && existsSync(trainingStatePath(paths.lm));
    info(`stage 1/2: language model on the training reviews of ${o.data}${timeLimit ? `, ${Math.round(timeLimit / 60)} min` : ""}${resume ? " (resumed)" : ""}`);
    state.lm = "started";
    saveState(paths.state, state);
    const spentLm = stageClock(state, "lm", paths.state);
    const r = await trainLanguageModel(
      { ...ULMFIT_LM_DEFAULTS, ...(epochs !== null ? { epochs } : { epochs: 3 }), ...o.lm, data: o.data, seed, out: paths.lm, resume, ...(timeLimit ? { timeLimit } : {}), ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}) },
      { ...hooks.lm, onSaved: (why) => (spentLm(), hooks.lm?.onSaved?.(why)) },
    );
    spentLm();
    state.lmValidPerplexity = r.valid?.perplexity ?? state.lmValidPerplexity;
    if (r.stoppedBy === "interrupt") return stopped();
    if (r.stoppedBy === "nan") throw new Error(`ulmfit: the language model diverged (${r.message}); hint: lower lm.lr or raise the clip`);
    if (!r.checkpoint || !existsSync(paths.lm)) throw new Error(`ulmfit: the language model stopped (${r.message}) before its first validated epoch, so there is no checkpoint to fine-tune; hint: a larger budget or smaller lm sizes`);
    state.lm = "done";
    saveState(paths.state, state);
  }

  // 2. The classifier fine-tuned from it; 3. its test report.
  if (state.classifier === "done") info(`classifier: done (${paths.classifier}), skipped`);
  else {
    const spent = state.seconds.lm + state.seconds.classifier;
    const timeLimit = minutes !== null ? Math.max(1, Math.round(minutes * 60 - spent)) : undefined;
    const resume = state.classifier === "started" && existsSync(trainingStatePath(paths.classifier));
    info(`stage 2/2: classifier fine-tuned from ${paths.lm}${timeLimit ? `, ${Math.round(timeLimit / 60)} min` : ""}${resume ? " (resumed)" : ""}`);
    state.classifier = "started";
    saveState(paths.state, state);
    const spentClassifier = stageClock(state, "classifier", paths.state);
    const r = await trainSentimentModel(
      { ...(epochs !== null ? { epochs: Math.max(epochs, 4) } : { epochs: 4 }), ...o.classifier, ...(o.stack ? { stack: o.stack } : {}), path: o.data, fromLm: paths.lm, seed, out: paths.classifier, resume, ...(timeLimit ? { timeLimit } : {}), ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}) },
      { ...hooks.classifier, onSaved: (why) => (spentClassifier(), hooks.classifier?.onSaved?.(why)) },
    );
    spentClassifier();
    if (r.training.some((t) => t.stoppedBy === "interrupt")) return stopped();
    const failed = r.training.find((t) => t.stoppedBy === "nan");
    if (failed) throw new Error(`ulmfit: the classifier diverged (${failed.message}); hint: lower classifier.lr`);
    state.result = { accuracy: r.meanAccuracy, macroF1: r.meanMacroF1, validAccuracy: r.meanValidAccuracy, testExamples: r.test?.n ?? 0 };
    const stacked = r.stacks?.[0];
    if (stacked) state.stack = stackSummary(stacked);
    state.classifier = "done";
    saveState(paths.state, state);
  }

  // 4. The stack, when asked for after the classifier finished without it.
  if (o.stack && state.stack?.baseline !== o.stack) {
    info(`stacking ${paths.classifier} with ${o.stack} (baseline on the training reviews, stacker on the validation reviews, test once)`);
    const data = await loadSentimentData({ path: o.data });
    if (!data.test) throw new Error(`ulmfit: --stack needs the test reviews of ${o.data}`);
    const report = stackWithBaseline(loadClassifier(paths.classifier), { labels: data.labels, train: data.train, dev: data.dev ?? null, test: data.test }, { baseline: o.stack, seed, info });
    state.stack = stackSummary(report);
    saveState(paths.state, state);
  }
  return { stoppedBy: "done", lmCheckpoint: paths.lm, classifierCheckpoint: paths.classifier, state, result: state.result };
}
