/**
 * `loadCorpus`: from a path, an in-memory text, an embedded corpus or a named dataset to three
 * token streams (train / valid / test) plus the tokenizer spec that made them.
 *
 * Where the splits come from:
 * - a folder holding split files uses them as is, first match wins:
 *   `ptb.{train,valid,test}.txt` (Penn Treebank), `wiki.{train,valid,test}.tokens` (WikiText),
 *   `{train,valid,test}.txt` (PyTorch word_language_model layout; `val.txt` / `dev.txt` accepted
 *   for valid). The test file is optional (an empty test stream when absent).
 * - a review dataset folder (IMDB's aclImdb, original or packed): its training reviews only, word
 *   level, one `<eos>` per review, validation = the reviews `train-classifier` validates on (./reviews.ts);
 * - anything else (a file, a folder of `.txt` files concatenated in name order, `text`, an embedded
 *   corpus) is one stream split by position: `DEFAULT_SPLIT` (char 90/10/0, word 80/10/10) unless
 *   `split` says otherwise; see `split.ts`.
 *
 * Defaults: `level` is "word" for split-file layouts and the ptb / wikitext-2 datasets, "char"
 * otherwise; `wordStyle` is "ptb" for split files (already tokenised, `<eos>` per line) and "prose"
 * for a single text. Nothing given at all → the embedded Moby-Dick text, char level.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { type ResolveDatasetOptions, resolveDataset } from "../download/registry.js";
import { DataFormatError } from "../sentiment/errors.js";
import { EMBEDDED_CORPORA, type EmbeddedCorpusName, embeddedCorpus } from "./embedded.js";
import { DEFAULT_SPLIT, type SplitFractions, splitStream } from "./split.js";
import { isReviewFolder, loadReviewCorpus } from "./reviews.js";
import { readCorpusFile, readCorpusFolder } from "./text-file.js";
import { type LmLevel, type TokenizerSpec, type WordStyle, resolveTokenizer, tokenizeLm } from "../text/tokenize.js";

/** Datasets `loadCorpus` can name: embedded (offline) or downloadable (see `data/download`). */
export type CorpusDatasetName = EmbeddedCorpusName | "ptb" | "wikitext-2" | "tinyshakespeare";
export const CORPUS_DATASETS: readonly CorpusDatasetName[] = [...EMBEDDED_CORPORA, "ptb", "wikitext-2", "tinyshakespeare"];

export interface LoadCorpusOptions {
  /** A text file, or a folder (split files or `.txt` files). */
  path?: string;
  /** A named corpus: embedded ("moby-dick", "sotu") or downloaded on first use. */
  dataset?: CorpusDatasetName;
  /** The corpus itself, already in memory. */
  text?: string;
  level?: LmLevel;
  /** Word level: "ptb" (whitespace + `<eos>` per line) or "prose" (punctuation split, `<eos>` per paragraph). */
  wordStyle?: WordStyle;
  /** Lower-case first (default: true for prose, false otherwise). */
  lower?: boolean;
  /** End-of-sentence token (default "<eos>"). */
  eos?: string;
  /** Held-out fractions when one text is split (ignored for split files). */
  split?: Partial<SplitFractions>;
  /** Where / how to fetch a downloadable dataset (cache folder, mirror, progress). */
  download?: ResolveDatasetOptions;
}

export type CorpusOrigin =
  | { kind: "split-files"; train: string; valid: string; test: string | null }
  | { kind: "reviews"; dir: string; reviews: { train: number; valid: number; unlabelled: number } }
  | { kind: "single-text"; files: string[]; fractions: SplitFractions };

export interface Corpus {
  /** Display name: dataset name, or the file / folder name. */
  name: string;
  tokenizer: TokenizerSpec;
  train: string[];
  valid: string[];
  test: string[];
  origin: CorpusOrigin;
}

interface SplitLayout {
  train: string;
  valid: readonly string[];
  test: string;
}
const SPLIT_LAYOUTS: readonly SplitLayout[] = [
  { train: "ptb.train.txt", valid: ["ptb.valid.txt"], test: "ptb.test.txt" },
  { train: "wiki.train.tokens", valid: ["wiki.valid.tokens"], test: "wiki.test.tokens" },
  { train: "train.txt", valid: ["valid.txt", "val.txt", "dev.txt"], test: "test.txt" },
];

/** The split files of a folder, or null when it has none of the known layouts. */
export function findSplitFiles(dir: string): { train: string; valid: string; test: string | null } | null {
  for (const l of SPLIT_LAYOUTS) {
    const train = join(dir, l.train);
    if (!existsSync(train)) continue;
    const valid = l.valid.map((v) => join(dir, v)).find((v) => existsSync(v));
    if (valid === undefined) {
      throw new Error(`${dir}: found ${l.train} but no ${l.valid.join(" / ")} (hint: a split-file corpus needs train and valid files)`);
    }
    const test = join(dir, l.test);
    return { train, valid, test: existsSync(test) ? test : null };
  }
  return null;
}

type StyleOpts = Pick<LoadCorpusOptions, "level" | "wordStyle" | "lower" | "eos" | "split">;

function fromSplitFiles(name: string, files: { train: string; valid: string; test: string | null }, o: StyleOpts): Corpus {
  const tokenizer = resolveTokenizer({ level: o.level ?? "word", wordStyle: o.wordStyle ?? "ptb", lower: o.lower, eos: o.eos });
  const tok = (p: string): string[] => tokenizeLm(readCorpusFile(p), tokenizer);
  return {
    name,
    tokenizer,
    train: tok(files.train),
    valid: tok(files.valid),
    test: files.test === null ? [] : tok(files.test),
    origin: { kind: "split-files", ...files },
  };
}

function fromText(name: string, text: string, files: string[], o: StyleOpts): Corpus {
  const tokenizer = resolveTokenizer({ level: o.level ?? "char", wordStyle: o.wordStyle ?? "prose", lower: o.lower, eos: o.eos });
  const tokens = tokenizeLm(text, tokenizer);
  if (tokens.length === 0) throw new DataFormatError(name, 0, "the text gives no tokens (hint: is it empty or only whitespace?)");
  const fractions = { ...DEFAULT_SPLIT[tokenizer.level], ...o.split };
  const s = splitStream(tokens, fractions, tokenizer.level === "word" ? tokenizer.eos : undefined);
  return { name, tokenizer, ...s, origin: { kind: "single-text", files, fractions } };
}

/** `loadCorpus` for everything that needs no download (path, text, embedded corpora). */
export function loadCorpusSync(opts: Omit<LoadCorpusOptions, "download"> = {}): Corpus {
  const given = [opts.path, opts.dataset, opts.text].filter((x) => x !== undefined).length;
  if (given > 1) throw new TypeError("loadCorpus: pass only one of path, dataset, text");
  if (opts.text !== undefined) {
    if (opts.text.trim() === "") throw new Error("loadCorpus: the text is empty (hint: a corpus needs some text)");
    return fromText("text", opts.text, [], opts);
  }
  if (opts.path !== undefined) {
    const p = opts.path;
    if (!existsSync(p)) throw new Error(`${p}: no such file or folder`);
    if (statSync(p).isDirectory()) {
      if (isReviewFolder(p)) {
        // IMDB: the training reviews only, as a classifier reads them (see reviews.ts)
        if ((opts.level ?? "word") !== "word" || (opts.wordStyle ?? "prose") !== "prose")
          throw new Error(`${p}: a review dataset is read as word-level prose (review-text words, one <eos> per review) (hint: drop --level/--word-style)`);
        const r = loadReviewCorpus(p);
        return { name: r.name, tokenizer: r.tokenizer, train: r.train, valid: r.valid, test: r.test, origin: { kind: "reviews", dir: p, reviews: r.reviews } };
      }
      const split = findSplitFiles(p);
      if (split !== null) return fromSplitFiles(basename(p), split, opts);
      const { text, files } = readCorpusFolder(p);
      return fromText(basename(p), text, files, opts);
    }
    return fromText(basename(p), readCorpusFile(p), [p], opts);
  }
  const name = opts.dataset ?? "moby-dick";
  if ((EMBEDDED_CORPORA as readonly string[]).includes(name)) return fromText(name, embeddedCorpus(name as EmbeddedCorpusName), [], opts);
  if ((CORPUS_DATASETS as readonly string[]).includes(name)) {
    throw new Error(`loadCorpusSync: ${name} must be downloaded first (hint: use the async loadCorpus, or pass path to a local copy)`);
  }
  throw new RangeError(`loadCorpus: unknown dataset ${JSON.stringify(name)}, expected one of ${CORPUS_DATASETS.join(", ")}`);
}

/**
 * Load a corpus as train / valid / test token streams (rules in the file comment). Downloadable
 * datasets are fetched into the cache on first use (see `resolveDataset`).
 *   const c = await loadCorpus({ dataset: "ptb" });                  // word level, 929,589 train tokens
 *   const c = await loadCorpus({ path: "input.txt", level: "char" }); // 90% / 10% / 0%
 */
export async function loadCorpus(opts: LoadCorpusOptions = {}): Promise<Corpus> {
  const d = opts.dataset;
  if (d === undefined || (EMBEDDED_CORPORA as readonly string[]).includes(d)) return loadCorpusSync(opts);
  if (opts.path !== undefined || opts.text !== undefined) throw new TypeError("loadCorpus: pass only one of path, dataset, text");
  if (d !== "ptb" && d !== "wikitext-2" && d !== "tinyshakespeare") {
    throw new RangeError(`loadCorpus: unknown dataset ${JSON.stringify(d)}, expected one of ${CORPUS_DATASETS.join(", ")}`);
  }
  const { dir } = await resolveDataset(d, opts.download);
  const split = findSplitFiles(dir);
  if (split !== null) return fromSplitFiles(d, split, opts);
  // tinyshakespeare: one input.txt
  return fromText(d, readCorpusFile(join(dir, "input.txt")), [join(dir, "input.txt")], opts);
}
