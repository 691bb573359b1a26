/**
 * The embedding matrix for a Vocabulary from pretrained vectors, with a coverage report.
 *
 * Lookup per vocabulary word w: exact `w`; then (lowercaseFallback) `lower(w)`; then the first
 * (= most frequent, files being frequency-sorted) pretrained word whose lower-case form is
 * `lower(w)` (so "apple" finds "Apple" in a cased file). Rows of words without a vector, and the
 * `<unk>` row, are drawn from N(0, σ²) with σ the standard deviation of the pretrained values used
 * (Kim 2014 style: random vectors on the scale of the pretrained ones); the `<pad>` row is zero.
 * Randomness: a Generator of its own, seeded `seed`.
 */
import { Generator } from "../tensor/random.js";
import { PAD_ID, type Vocabulary } from "../data/text/vocabulary.js";
import type { WordVectors } from "./word-vectors.js";

export interface EmbeddingMatrixOptions {
  /** Try lower-cased forms when the exact word is missing (default true). */
  lowercaseFallback?: boolean;
  /** Rows without a vector: "random" (default) or "zeros". */
  missing?: "random" | "zeros";
  /** Standard deviation of random rows (default: that of the pretrained values used). */
  std?: number;
  /** Seed of the random rows (default 0). */
  seed?: number;
  /** How many missing words to list (default 20). */
  topMissing?: number;
}

export interface CoverageReport {
  /** Vocabulary words, specials excluded. */
  vocabTypes: number;
  /** Of those, words that got a pretrained vector (exact + lower-case). */
  foundTypes: number;
  foundExact: number;
  foundLowercase: number;
  /** foundTypes / vocabTypes. */
  typeCoverage: number;
  /** Training tokens of vocabulary words (sum of their counts). */
  vocabTokens: number;
  /** Training tokens of words with a vector. */
  foundTokens: number;
  /** foundTokens / vocabTokens: share of the (in-vocabulary) training tokens covered. */
  tokenCoverage: number;
  /** foundTokens / all training tokens seen when building the vocabulary (OOV tokens count as missing). */
  allTokenCoverage: number;
  /** Most frequent vocabulary words without a vector. */
  topMissing: { word: string; count: number }[];
}

export interface EmbeddingMatrix {
  /** [V, D] row-major; row i is the vector of vocab id i. */
  matrix: Float32Array;
  V: number;
  D: number;
  /** 1 where the row came from the pretrained vectors. */
  pretrained: Uint8Array;
  coverage: CoverageReport;
}

/** Build the [V, D] matrix for `vocab` from `wv` (see the file comment). */
export function buildEmbeddingMatrix(vocab: Vocabulary, wv: WordVectors, opts: EmbeddingMatrixOptions = {}): EmbeddingMatrix {
  const V = vocab.size;
  const D = wv.dim;
  const fallback = opts.lowercaseFallback ?? true;
  const matrix = new Float32Array(V * D);
  const pretrained = new Uint8Array(V);
  let lowerIndex: Map<string, number> | null = null;
  const lowerOf = (): Map<string, number> => {
    if (lowerIndex !== null) return lowerIndex;
    lowerIndex = new Map();
    for (let i = 0; i < wv.size; i++) {
      const l = wv.words[i]!.toLowerCase();
      if (!lowerIndex.has(l)) lowerIndex.set(l, i);
    }
    return lowerIndex;
  };
  const firstWord = vocab.numSpecials;
  let foundExact = 0, foundLower = 0, vocabTokens = 0, foundTokens = 0;
  let sum = 0, sumSq = 0, nVals = 0;
  const missing: number[] = [];
  for (let id = firstWord; id < V; id++) {
    const w = vocab.tokens[id]!;
    const c = vocab.counts[id]!;
    vocabTokens += c;
    let row = wv.indexOf(w);
    if (row >= 0) foundExact++;
    else if (fallback) {
      const l = w.toLowerCase();
      row = wv.indexOf(l);
      if (row < 0) row = lowerOf().get(l) ?? -1;
      if (row >= 0) foundLower++;
    }
    if (row < 0) {
      missing.push(id);
      continue;
    }
    foundTokens += c;
    pretrained[id] = 1;
    const src = row * D, dst = id * D;
    for (let d = 0; d < D; d++) {
      const v = wv.vectors[src + d]!;
      matrix[dst + d] = v;
      sum += v;
      sumSq += v * v;
    }
    nVals += D;
  }
  const mean = nVals > 0 ? sum / nVals : 0;
  const std = opts.std ?? (nVals > 1 ? Math.sqrt(Math.max(0, sumSq / nVals - mean * mean)) : 0.1);
  // Random rows for <unk>, extra specials and missing words; <pad> stays zero.
  if ((opts.missing ?? "random") === "random") {
    const rng = new Generator(opts.seed ?? 0);
    for (let id = 0; id < V; id++) {
      if (id === PAD_ID || pretrained[id]) continue;
      for (let d = 0; d < D; d++) matrix[id * D + d] = std * rng.randn();
    }
  }
  const vocabTypes = V - firstWord;
  const foundTypes = foundExact + foundLower;
  missing.sort((a, b) => vocab.counts[b]! - vocab.counts[a]! || a - b);
  const coverage: CoverageReport = {
    vocabTypes,
    foundTypes,
    foundExact,
    foundLowercase: foundLower,
    typeCoverage: vocabTypes > 0 ? foundTypes / vocabTypes : 0,
    vocabTokens,
    foundTokens,
    tokenCoverage: vocabTokens > 0 ? foundTokens / vocabTokens : 0,
    allTokenCoverage: vocab.totalTokens > 0 ? foundTokens / vocab.totalTokens : 0,
    topMissing: missing.slice(0, opts.topMissing ?? 20).map((id) => ({ word: vocab.tokens[id]!, count: vocab.counts[id]! })),
  };
  return { matrix, V, D, pretrained, coverage };
}

/** A short human-readable coverage summary. */
export function formatCoverage(r: CoverageReport): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `vocabulary types with a vector: ${r.foundTypes} / ${r.vocabTypes} (${pct(r.typeCoverage)}; ${r.foundExact} exact, ${r.foundLowercase} via lower-case)`,
    `training tokens covered: ${pct(r.tokenCoverage)} of in-vocabulary tokens, ${pct(r.allTokenCoverage)} of all tokens`,
  ];
  if (r.topMissing.length > 0) lines.push(`most frequent missing: ${r.topMissing.map((m) => `${m.word} (${m.count})`).join(", ")}`);
  return lines.join("\n");
}
