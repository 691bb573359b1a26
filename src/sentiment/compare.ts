/**
 * One table for one dataset: how rnnkit's recurrent classifiers compare with simpler and bigger
 * models on the same data and the same split.
 *
 *   const r = await compareModels({ dataset: "sst2", transformer: "hf:test/fixtures/tiny-bert" });
 *   console.log(formatCompareTable(r));
 *
 * Rows (any subset via `models`):
 * - "lstm":       unidirectional LSTM, embeddings from random initialisation;
 * - "bilstm-emb": BiLSTM starting from word2vec trained on the training texts of the run
 *                 (skip-gram, negative sampling), or from `embeddings` (GloVe/word2vec/fastText);
 * - "tfidf-lr":   TF-IDF uni+bigrams + logistic regression (C = 3);
 * - "nbsvm":      NBSVM (Wang & Manning 2012);
 * - "transformer": a pretrained Hugging Face classifier (`transformer: "hf:…"`), not trained here.
 *
 * Protocol: the dataset's own test split when it has one (validation for early stopping is its
 * dev set or carved from train, never from test); otherwise stratified k-fold cross-validation
 * with the SAME folds for every model (stratifiedKFold(train, k, seed) — the folds
 * trainSentimentModel uses), optionally only the first `folds` of them. Accuracy and macro-F1 are
 * means over the folds run; "train s" is the wall time to fit one model (mean over folds;
 * tokenising, vocabulary and word2vec included); "ms/review" is prediction wall time per test text
 * (single process, batch inference).
 */
import { tokenizeAll } from "../data/sentiment/batching.js";
import { encodeLabels } from "../data/sentiment/labels.js";
import { stratifiedKFold } from "../data/sentiment/splits.js";
import type { Example } from "../data/sentiment/types.js";
import type { TokenizeOptions } from "../data/text/tokenize.js";
import { TextBaseline, type BaselineKind } from "../baselines/pipeline.js";
import { accuracy, macroF1 } from "../eval/metrics.js";
import { HfTextClassifier, type HfLoadOptions, type HfPredictOptions } from "../transformers/classifier.js";
import { evaluateHfClassifier } from "../transformers/evaluate.js";
import { mapLabels } from "../transformers/labels.js";
import { textTable } from "../viz/table.js";
import { type SentimentData, type SentimentDataOptions, loadSentimentData } from "./datasets.js";
import { type SentimentRunHooks, type SentimentRunOptions, trainSentimentModel } from "./session.js";

export type CompareModelKind = "lstm" | "bilstm-emb" | "tfidf-lr" | "nbsvm" | "transformer";
export const COMPARE_MODELS: readonly CompareModelKind[] = ["lstm", "bilstm-emb", "tfidf-lr", "nbsvm", "transformer"];

/** Options of the two recurrent rows that compare lets the caller override. */
export type NeuralOverrides = Pick<
  SentimentRunOptions,
  "embeddingDim" | "hiddenSize" | "numLayers" | "dropout" | "maxVocab" | "minFreq" | "maxLen" | "truncate" | "lr" | "batchSize" | "epochs" | "patience" | "timeLimit" | "freezeEmbeddings" | "pooling"
>;

export interface CompareOptions extends SentimentDataOptions {
  /** Rows to run (default: all, the transformer only when `transformer` is given). */
  models?: readonly CompareModelKind[];
  /** Cross-validation datasets: run only the first n folds (default: all). */
  folds?: number;
  /** Seed of the folds and of every model (default 1). */
  seed?: number;
  /** Overrides for both recurrent rows (defaults: see `neuralDefaults`). */
  neural?: NeuralOverrides;
  /** Pretrained vectors for the BiLSTM row instead of word2vec on the training texts. */
  embeddings?: string;
  /** A pretrained transformer: "hf:<hub id or folder>". */
  transformer?: string;
  transformerOptions?: HfPredictOptions & Pick<HfLoadOptions, "threads" | "allowDownload" | "cacheDir" | "dtype"> & { labelMap?: Readonly<Record<string, string>> };
}

export interface CompareRow {
  kind: CompareModelKind;
  /** Display name, e.g. "BiLSTM + word2vec". */
  model: string;
  accuracy: number;
  macroF1: number;
  /** Seconds to fit one model (mean over folds); null for a pretrained model. */
  trainSeconds: number | null;
  msPerReview: number;
  /** Folds (or 1 for a test split) the numbers average over. */
  folds: number;
  /** Per-fold accuracies (CV) — empty for a test split. */
  foldAccuracies: number[];
  note: string;
}

export interface CompareResult {
  dataset: string;
  labels: string[];
  /** "test split: train 6,920 → test 1,821" or "stratified 10-fold CV (seed 1), folds 1–2 of 10". */
  protocol: string;
  /** Folds run and total (null for a test split). */
  foldsRun: number | null;
  foldsTotal: number | null;
  rows: CompareRow[];
  notes: string[];
  seconds: number;
}

export interface CompareHooks {
  info?: (msg: string) => void;
  /** A row starts / is done (for progress displays). */
  onRowStart?: (kind: CompareModelKind, model: string) => void;
  onRow?: (row: CompareRow) => void;
  /** Passed through to trainSentimentModel for the recurrent rows. */
  neural?: Omit<SentimentRunHooks, "info">;
}

/** The tokenisation the recurrent rows use (session.ts), shared by the baselines. */
const TOKENIZE: TokenizeOptions = { lowercase: true, stripHtml: true };

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Recurrent-row defaults from the data: maxLen = the 98th percentile of training text lengths in
 * tokens (rounded up to a multiple of 8, within [16, 400]) — short sentences get short sequences;
 * small datasets (< 20k texts) get batch 32 and keep every word (minFreq 1); very small ones
 * (< 5k texts, e.g. PhraseBank AllAgree) up to 10 epochs with patience 3 instead of 5 and 2.
 */
export function neuralDefaults(train: readonly Example[]): NeuralOverrides {
  const lens = tokenizeAll(train, TOKENIZE)
    .map((t) => t.length)
    .sort((a, b) => a - b);
  const p98 = lens[Math.min(lens.length - 1, Math.floor(0.98 * lens.length))] ?? 64;
  const maxLen = Math.min(400, Math.max(16, Math.ceil(p98 / 8) * 8));
  const small = train.length < 20000;
  const tiny = train.length < 5000;
  return { maxLen, batchSize: small ? 32 : 64, minFreq: small ? 1 : 2, epochs: tiny ? 10 : 5, patience: tiny ? 3 : 2 };
}

const NAMES: Record<Exclude<CompareModelKind, "bilstm-emb" | "transformer">, string> = { lstm: "LSTM (random init)", "tfidf-lr": "TF-IDF + LR", nbsvm: "NBSVM" };

/** Run the comparison (see the file comment). */
export async function compareModels(o: CompareOptions, hooks: CompareHooks = {}): Promise<CompareResult> {
  const t0 = Date.now();
  const info = hooks.info ?? (() => {});
  const seed = o.seed ?? 1;
  const wanted = o.models ?? COMPARE_MODELS.filter((m) => m !== "transformer" || o.transformer !== undefined);
  for (const m of wanted) if (!COMPARE_MODELS.includes(m)) throw new Error(`compare: unknown model "${m}" (expected ${COMPARE_MODELS.join(", ")})`);
  if (wanted.includes("transformer") && !o.transformer) throw new Error('compare: the transformer row needs a model: --model hf:<hub id or folder> (e.g. hf:test/fixtures/tiny-bert)');
  const data = await loadSentimentData(o);
  for (const n of data.notes) info(n);
  const splits = makeSplits(data, seed, o.folds);
  const k = data.test ? null : (data.folds ?? 10);
  const protocol = data.test
    ? `test split: train ${data.train.length.toLocaleString()}${data.dev ? ` (+ dev ${data.dev.length.toLocaleString()} for early stopping)` : ""} → test ${data.test.length.toLocaleString()}`
    : `stratified ${k}-fold CV (seed ${seed}), ${splits.length === k ? "all folds" : `first ${splits.length} of ${k} folds`} (~${splits[0]!.train.length.toLocaleString()} train / ${splits[0]!.test.length.toLocaleString()} test each)`;
  info(`${data.name}: ${protocol}; labels ${data.labels.join(", ")}`);
  const rows = new Map<CompareModelKind, CompareRow>();
  const notes: string[] = [];
  const add = (r: CompareRow): void => {
    rows.set(r.kind, r);
    hooks.onRow?.(r);
  };

  // Load the transformer first (a bad path or label map fails before any training), then the
  // fast rows (baselines, transformer), then the recurrent networks.
  const hf = wanted.includes("transformer") && o.transformer ? await HfTextClassifier.load(o.transformer, { ...o.transformerOptions, info }) : null;
  try {
    if (hf) mapLabels(hf.labels, data.labels, o.transformerOptions?.labelMap);
    for (const kind of ["tfidf-lr", "nbsvm"] as const) {
      if (!wanted.includes(kind)) continue;
      hooks.onRowStart?.(kind, NAMES[kind]);
      add(baselineRow(kind, data.labels, splits));
    }
    if (hf && o.transformer) {
      hooks.onRowStart?.("transformer", o.transformer);
      const r = await transformerRow(hf, o.transformer, o, data.labels, splits);
      notes.push(...r.notes);
      add(r.row);
    }
  } finally {
    await hf?.dispose();
  }
  const recurrent = (["lstm", "bilstm-emb"] as const).filter((k) => wanted.includes(k));
  const defaults = recurrent.length > 0 ? { ...neuralDefaults(data.train), ...o.neural } : {};
  const shared: SentimentRunOptions = { ...dataOptionsOf(o), ...defaults, seed, ...(o.folds !== undefined ? { maxFolds: o.folds } : {}) };
  for (const kind of recurrent) {
    const name = kind === "lstm" ? NAMES.lstm : `BiLSTM + ${o.embeddings ? "pretrained vectors" : "word2vec"}`;
    hooks.onRowStart?.(kind, name);
    const run: SentimentRunOptions =
      kind === "lstm" ? { ...shared, bidirectional: false, word2vec: false } : { ...shared, bidirectional: true, ...(o.embeddings ? { embeddings: o.embeddings } : { word2vec: true }) };
    add(await neuralRow(kind, name, run, splits, hooks, info));
  }
  if (recurrent.length > 0) notes.unshift(`recurrent rows: maxLen ${defaults.maxLen}, batch ${defaults.batchSize}, min word count ${defaults.minFreq}, ≤ ${defaults.epochs} epochs (early stopping on validation, patience ${defaults.patience})${defaults.timeLimit ? `, time limit ${defaults.timeLimit}s per model` : ""}`);
  return {
    dataset: data.name,
    labels: data.labels,
    protocol,
    foldsRun: k === null ? null : splits.length,
    foldsTotal: k,
    rows: COMPARE_MODELS.flatMap((m) => rows.get(m) ?? []),
    notes,
    seconds: (Date.now() - t0) / 1000,
  };
}

interface Split {
  train: Example[];
  test: Example[];
}

/** The test split, or the first `folds` stratified CV folds (the ones trainSentimentModel uses). */
function makeSplits(data: SentimentData, seed: number, folds: number | undefined): Split[] {
  if (data.test) return [{ train: data.train, test: data.test }];
  const k = data.folds ?? 10;
  if (folds !== undefined && (!Number.isInteger(folds) || folds < 1)) throw new RangeError(`compare: folds must be a positive integer, got ${folds}`);
  return stratifiedKFold(data.train, k, seed).slice(0, Math.min(k, folds ?? k));
}

function dataOptionsOf(o: CompareOptions): SentimentDataOptions {
  const d: SentimentDataOptions = {};
  if (o.dataset) d.dataset = o.dataset;
  if (o.path) d.path = o.path;
  if (o.table) d.table = o.table;
  if (o.testPath) d.testPath = o.testPath;
  if (o.agreement) d.agreement = o.agreement;
  if (o.download) d.download = o.download;
  return d;
}

function baselineRow(kind: BaselineKind, labels: readonly string[], splits: readonly Split[]): CompareRow {
  const accs: number[] = [];
  const f1s: number[] = [];
  const trainS: number[] = [];
  let predMs = 0;
  let nTest = 0;
  for (const s of splits) {
    const a = performance.now();
    const model = new TextBaseline(kind).fit(tokenizeAll(s.train, TOKENIZE), encodeLabels(s.train, labels), labels.length);
    const b = performance.now();
    const pred = model.predict(tokenizeAll(s.test, TOKENIZE));
    predMs += performance.now() - b;
    nTest += s.test.length;
    trainS.push((b - a) / 1000);
    const y = encodeLabels(s.test, labels);
    accs.push(accuracy(y, pred));
    f1s.push(macroF1(y, pred, labels.length));
  }
  return {
    kind,
    model: NAMES[kind === "tfidf-lr" ? "tfidf-lr" : "nbsvm"],
    accuracy: mean(accs),
    macroF1: mean(f1s),
    trainSeconds: mean(trainS),
    msPerReview: predMs / Math.max(1, nTest),
    folds: splits.length,
    foldAccuracies: splits.length > 1 ? accs : [],
    note: kind === "tfidf-lr" ? "uni+bigrams, sublinear tf, C = 3" : "binary uni+bigrams, α = 1, β = 0.25, C = 1",
  };
}

async function transformerRow(clf: HfTextClassifier, spec: string, o: CompareOptions, labels: readonly string[], splits: readonly Split[]): Promise<{ row: CompareRow; notes: string[] }> {
  const to = o.transformerOptions ?? {};
  const accs: number[] = [];
  const f1s: number[] = [];
  let seconds = 0;
  let n = 0;
  let longTexts = 0;
  let mappingText = "";
  const notes: string[] = [];
  for (const s of splits) {
    const r = await evaluateHfClassifier(clf, s.test, labels, to);
    accs.push(r.accuracy);
    f1s.push(r.macroF1);
    seconds += r.seconds;
    n += s.test.length;
    longTexts += r.stats.longTexts;
    if (!mappingText) {
      mappingText = r.mapping.description;
      notes.push(...r.mapping.notes.map((x) => `${spec}: ${x}`));
    }
  }
  notes.push(`${spec}: labels ${mappingText}; ${clf.describeLongText(to)} (${longTexts.toLocaleString()} of ${n.toLocaleString()} test texts were longer)`);
  return {
    row: {
      kind: "transformer",
      model: spec,
      accuracy: mean(accs),
      macroF1: mean(f1s),
      trainSeconds: null,
      msPerReview: (1000 * seconds) / Math.max(1, n),
      folds: splits.length,
      foldAccuracies: splits.length > 1 ? accs : [],
      note: `pretrained, not trained here; ${clf.windowSpec(to).mode === "chunk" ? "long texts chunked" : "long texts truncated"}`,
    },
    notes,
  };
}

/**
 * A recurrent row through trainSentimentModel. Timing per fold comes from its hooks: training ends
 * at the last epoch callback; evaluation on the fold's test part ends at its "fold i/k" message
 * (or, for a test split, the session's own msPerExample is used).
 */
async function neuralRow(kind: CompareModelKind, model: string, run: SentimentRunOptions, splits: readonly Split[], hooks: CompareHooks, info: (m: string) => void): Promise<CompareRow> {
  let segStart = Date.now();
  let lastEpoch = segStart;
  let testSize = 0;
  const trainS: number[] = [];
  const evalMs: number[] = [];
  const h = hooks.neural ?? {};
  const r = await trainSentimentModel(run, {
    ...h,
    info: (m) => {
      if (/^fold \d+\/\d+:/.test(m)) {
        const now = Date.now();
        trainS.push((lastEpoch - segStart) / 1000);
        evalMs.push((now - lastEpoch) / Math.max(1, testSize));
        segStart = now;
      }
      info(`${model}: ${m}`);
    },
    onStart: (s) => {
      testSize = s.test;
      h.onStart?.(s);
    },
    onEpoch: (e) => {
      lastEpoch = Date.now();
      h.onEpoch?.(e);
    },
  });
  const folds = r.test ? 1 : r.folds.length;
  const fromSession = r.folds.map((f) => (f as { msPerExample?: number }).msPerExample).filter((x): x is number => typeof x === "number");
  const ms = r.test ? r.test.msPerExample : fromSession.length === folds ? mean(fromSession) : evalMs.length === folds ? mean(evalMs) : NaN;
  const train = r.test ? (lastEpoch - segStart) / 1000 : trainS.length === folds ? mean(trainS) : r.trainSeconds / Math.max(1, folds);
  if (!r.test && r.folds.length !== splits.length) info(`${model}: ran ${r.folds.length} of ${splits.length} folds (stopped early)`);
  const epochs = r.training.map((t) => t.bestEpoch);
  return {
    kind,
    model,
    accuracy: r.meanAccuracy,
    macroF1: r.meanMacroF1,
    trainSeconds: train,
    msPerReview: ms,
    folds,
    foldAccuracies: r.test ? [] : r.folds.map((f) => f.accuracy),
    note: `${run.bidirectional ? "bidirectional" : "unidirectional"}, best epoch ${epochs.join("/")}${r.coverage ? `, embeddings cover ${(100 * r.coverage.tokenCoverage).toFixed(0)}% of tokens` : ""}`,
  };
}

export interface CompareFormatOptions {
  /** GitHub markdown table instead of an aligned text table. */
  markdown?: boolean;
}

/** The comparison as one table (text or markdown) followed by the protocol and notes. */
export function formatCompareTable(r: CompareResult, opts: CompareFormatOptions = {}): string {
  const pct = (x: number): string => (100 * x).toFixed(2);
  const cv = r.foldsRun !== null;
  const header = ["model", "accuracy %", "macro-F1 %", cv ? "train s (per fold)" : "train s", "ms/review", "note"];
  const cells = r.rows.map((row) => [
    row.model,
    pct(row.accuracy),
    pct(row.macroF1),
    row.trainSeconds === null ? "—" : row.trainSeconds.toFixed(1),
    Number.isFinite(row.msPerReview) ? (row.msPerReview < 0.1 ? row.msPerReview.toFixed(3) : row.msPerReview.toFixed(2)) : "?",
    row.note,
  ]);
  const foot = [`${r.dataset}: ${r.protocol}.`, ...r.notes.map((n) => `- ${n}`)];
  if (opts.markdown) {
    const line = (c: readonly string[]): string => `| ${c.map((x) => x.replace(/\|/g, "\\|")).join(" | ")} |`;
    const align = header.map((_, i) => (i >= 1 && i <= 4 ? "---:" : "---"));
    return [line(header), `| ${align.join(" | ")} |`, ...cells.map(line), "", ...foot].join("\n");
  }
  return [textTable(cells, header), "", ...foot].join("\n");
}
