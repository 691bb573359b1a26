import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { readImdbFolder, readImdbTsv } from "../data/sentiment/imdb.js";
import { readPhraseBank, type PhraseBankAgreement } from "../data/sentiment/phrasebank.js";
import { readRtPolarity } from "../data/sentiment/polarity.js";
import { readSstSplits } from "../data/sentiment/sst.js";
import { readTabular, type TabularOptions } from "../data/sentiment/tabular.js";
import type { Example, TextDataset } from "../data/sentiment/types.js";
import { resolveDataset, type ResolveDatasetOptions } from "../data/download/registry.js";

export type SentimentDatasetName = "imdb" | "polarity" | "sst2" | "sst5" | "phrasebank";
export const SENTIMENT_DATASETS: readonly SentimentDatasetName[] = ["imdb", "polarity", "sst2", "sst5", "phrasebank"];

/**
 * A classification dataset as the training code needs it: a training pool (validation is always
 * carved from it), and either a test set or "use k-fold cross-validation" (the standard protocol
 * for sentence polarity and Financial PhraseBank, which ship without a split).
 */
export interface SentimentData {
  name: string;
  labels: string[];
  train: Example[];
  /** The official development set, when the dataset has one (SST); else validation is carved from train. */
  dev: Example[] | null;
  test: Example[] | null;
  /** Folds for cross-validation when there is no test set. */
  folds: number | null;
  notes: string[];
}

export interface SentimentDataOptions {
  /** A named dataset (found under $RNNKIT_DATA, or downloaded for imdb). */
  dataset?: SentimentDatasetName;
  /** A folder (aclImdb, rt-polarity, sst, FinancialPhraseBank) or a CSV/TSV/JSONL file or JSON array of objects. */
  path?: string;
  /** For a CSV/TSV/JSONL/JSON file: columns (fields), format. */
  table?: Partial<TabularOptions>;
  /** A separate test file (CSV/TSV/JSONL/JSON) for `path`. */
  testPath?: string;
  /** Financial PhraseBank agreement level (default AllAgree, the FinBERT paper's headline set). */
  agreement?: PhraseBankAgreement;
  download?: ResolveDatasetOptions;
}

const LOCAL_NAMES: Record<SentimentDatasetName, string[]> = {
  imdb: ["aclImdb"],
  polarity: ["rt-polarity", "rt-polaritydata"],
  sst2: ["sst-kim2014", "sst"],
  sst5: ["sst-kim2014", "sst"],
  phrasebank: ["financial-phrasebank", "FinancialPhraseBank-v1.0", "FinancialPhraseBank"],
};

/** Where a named dataset lives: $RNNKIT_DATA/<name>, or (imdb only) the download cache. */
async function locate(name: SentimentDatasetName, o: SentimentDataOptions): Promise<string> {
  const base = o.download?.dataDir ?? process.env.RNNKIT_DATA;
  if (base) for (const n of LOCAL_NAMES[name]) if (existsSync(join(base, n))) return join(base, n);
  if (name === "imdb") return (await resolveDataset("imdb", o.download ?? {})).dir;
  throw new Error(
    `dataset ${name}: not found${base ? ` under ${base}` : ""} (hint: set RNNKIT_DATA to the folder that holds ${LOCAL_NAMES[name][0]}/, or pass --data PATH to the files; it cannot be downloaded automatically)`,
  );
}

const fromDataset = (name: string, d: TextDataset, extra: Partial<SentimentData>): SentimentData => ({
  name,
  labels: d.labels,
  train: d.examples,
  dev: null,
  test: null,
  folds: null,
  notes: [...d.notes, ...(d.skippedEmptyLines ? [`${d.skippedEmptyLines} empty line(s) skipped in ${d.source}`] : [])],
  ...extra,
});

/** Load a sentiment dataset by name or path, in its original distribution format. */
export async function loadSentimentData(o: SentimentDataOptions): Promise<SentimentData> {
  if (o.dataset) {
    const dir = await locate(o.dataset, o);
    return readKnown(o.dataset, dir, o);
  }
  if (!o.path) throw new Error("sentiment data: give a dataset name (--dataset imdb|polarity|sst2|sst5|phrasebank) or a path (--data)");
  if (!existsSync(o.path)) throw new Error(`sentiment data: ${o.path} does not exist`);
  if (statSync(o.path).isDirectory()) {
    const kind = sniffFolder(o.path);
    if (!kind) throw new Error(`sentiment data: cannot tell what dataset the folder ${o.path} holds (expected aclImdb, rt-polarity.pos/.neg, stsa.binary.*, or Sentences_*.txt)`);
    return readKnown(kind, o.path, o);
  }
  // one Financial PhraseBank file as distributed (`sentence@label`, Latin-1), e.g. Sentences_50Agree.txt
  const fpb = /^Sentences_(50Agree|66Agree|75Agree|AllAgree)\.txt$/.exec(basename(o.path));
  if (fpb) return fromDataset(`phrasebank-${fpb[1]!}`, readPhraseBank(o.path), { folds: 10 });
  const table = { textColumn: o.table?.textColumn ?? "text", labelColumn: o.table?.labelColumn ?? "label", ...o.table } as TabularOptions;
  const train = readTabular(o.path, table);
  const test = o.testPath ? readTabular(o.testPath, { ...table, labels: train.labels }) : null;
  return fromDataset(o.path, train, { test: test ? test.examples : null, folds: test ? null : 10 });
}

function sniffFolder(dir: string): SentimentDatasetName | null {
  const has = (f: string): boolean => existsSync(join(dir, f));
  if (has("train.tsv") || has(join("train", "pos"))) return "imdb";
  if (has("rt-polarity.pos")) return "polarity";
  if (has("stsa.binary.train")) return "sst2";
  if (has("Sentences_AllAgree.txt")) return "phrasebank";
  return null;
}

function readKnown(name: SentimentDatasetName, dir: string, o: SentimentDataOptions): SentimentData {
  switch (name) {
    case "imdb": {
      const tsv = existsSync(join(dir, "train.tsv"));
      const train = tsv ? readImdbTsv(join(dir, "train.tsv")) : readImdbFolder(dir, "train");
      const test = tsv ? readImdbTsv(join(dir, "test.tsv")) : readImdbFolder(dir, "test");
      return fromDataset("imdb", train, { test: test.examples, notes: [...train.notes, ...test.notes] });
    }
    case "polarity":
      return fromDataset("polarity", readRtPolarity(dir), { folds: 10 });
    case "sst2":
    case "sst5": {
      const s = readSstSplits(dir, name === "sst2" ? "binary" : "fine");
      return fromDataset(name, s.train, { dev: s.dev.examples, test: s.test.examples });
    }
    case "phrasebank": {
      const agreement = o.agreement ?? "AllAgree";
      return fromDataset(`phrasebank-${agreement}`, readPhraseBank(dir, { agreement }), { folds: 10 });
    }
  }
}
