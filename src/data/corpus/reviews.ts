/**
 * A language-model corpus from the TRAINING texts of a review dataset (ULMFiT's target-task
 * language model): IMDB's `aclImdb` in its original layout (`train/{pos,neg}/*.txt`, and the 50,000
 * unlabelled `train/unsup/*.txt` when present) or packed (`train.tsv`). The test reviews are never
 * read. Each review is cut as a classifier cuts it (review-text words, lower-cased, HTML removed)
 * and followed by `<eos>`.
 *
 * Validation: 10 % of the labelled training reviews, carved exactly as `train-classifier` carves its
 * validation set (stratified, seed 1: `trainValidationSplit`), so a classifier fine-tuned from this
 * language model with the default seed is validated on reviews the language model never trained on.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { readImdbFolder, readImdbTsv } from "../sentiment/imdb.js";
import { readTextFile } from "../sentiment/read-file.js";
import { trainValidationSplit } from "../sentiment/splits.js";
import type { Example } from "../sentiment/types.js";
import { type TokenizerSpec, resolveTokenizer, tokenize } from "../text/tokenize.js";

/** The validation carve shared with `train-classifier`'s default (seed 1, 10 %). */
export const REVIEW_VALID = { seed: 1, validFraction: 0.1 } as const;

/** True when `dir` holds IMDB's training reviews (packed TSV or the original folders). */
export function isReviewFolder(dir: string): boolean {
  return existsSync(join(dir, "train.tsv")) || existsSync(join(dir, "train", "pos"));
}

export interface ReviewCorpus {
  name: string;
  tokenizer: TokenizerSpec;
  train: string[];
  valid: string[];
  test: string[];
  /** Reviews in each stream (unlabelled ones included in train). */
  reviews: { train: number; valid: number; unlabelled: number };
}

/** Tokens of review texts, each followed by `eos` (the classifier's word rules, HTML stripped). */
export function reviewStream(texts: Iterable<string>, spec: TokenizerSpec): string[] {
  const out: string[] = [];
  for (const t of texts) {
    for (const w of tokenize(t, { lowercase: spec.lower, stripHtml: true })) out.push(w);
    out.push(spec.eos);
  }
  return out;
}

/** Read the training reviews of an IMDB folder as a language-model corpus (see the file comment). */
export function loadReviewCorpus(dir: string): ReviewCorpus {
  const packed = existsSync(join(dir, "train.tsv"));
  const labelled: Example[] = packed ? readImdbTsv(join(dir, "train.tsv")).examples : readImdbFolder(dir, "train").examples;
  const unsupDir = join(dir, "train", "unsup");
  const unlabelled: string[] = [];
  if (existsSync(unsupDir)) for (const f of readdirSync(unsupDir).filter((n) => n.endsWith(".txt")).sort()) unlabelled.push(readTextFile(join(unsupDir, f)).text);
  const split = trainValidationSplit(labelled, REVIEW_VALID);
  const tokenizer = resolveTokenizer({ level: "word", wordStyle: "prose", lower: true });
  return {
    name: `${basename(dir)} (training reviews)`,
    tokenizer,
    train: reviewStream([...split.train.map((e) => e.text), ...unlabelled], tokenizer),
    valid: reviewStream(split.valid.map((e) => e.text), tokenizer),
    test: [],
    reviews: { train: split.train.length + unlabelled.length, valid: split.valid.length, unlabelled: unlabelled.length },
  };
}
