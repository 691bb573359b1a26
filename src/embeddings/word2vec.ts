/**
 * word2vec skip-gram with negative sampling (Mikolov et al. 2013), following the original C tool
 * (word2vec.c, `-cbow 0 -hs 0`) step for step, single-threaded, over Float32Arrays:
 *
 * - vocabulary: words with count ≥ minCount, sorted by count (ties by code-unit order);
 * - subsampling: a word with count c is kept with probability (√(c / (s·N)) + 1) · (s·N) / c,
 *   N = training words, s = `sample` (the C tool's formula; kept always when that is ≥ 1);
 * - negatives from a unigram table filled proportionally to count^0.75;
 * - window: for every centre word a shrink b ∈ [0, window) is drawn and contexts within
 *   window − b are used (closer words are sampled more often);
 * - for each (centre w, context c): l1 = syn0[c]; for the positive target w and `negative` samples
 *   t ≠ w:  g = (label − σ(l1·syn1[t])) · α;  e += g·syn1[t];  syn1[t] += g·l1;  then syn0[c] += e,
 *   with σ from a 1000-entry table over [−6, 6] and g = (label − 0/1)·α outside it;
 * - α decays linearly from `alpha` to alpha·1e-4 over epochs × N words (updated every 10k words);
 * - syn0 starts uniform in [−0.5/D, 0.5/D), syn1 at zero.
 *
 * Randomness: an inline xorshift32 stream seeded from `seed` (this is a hot loop; the global
 * generator is neither used nor disturbed). Same seed + same corpus = same vectors.
 */
import { countTokens } from "../data/text/vocabulary.js";
import { WordVectors } from "./word-vectors.js";

export interface Word2VecOptions {
  /** Vector size (default 100). */
  dim?: number;
  /** Maximum context distance (default 5). */
  window?: number;
  /** Negative samples per positive (default 5). */
  negative?: number;
  /** Discard words seen fewer times (default 5). */
  minCount?: number;
  /** Keep at most this many most frequent words (default unlimited). */
  maxVocab?: number;
  /** Subsampling threshold s (default 1e-3; 0 disables). */
  sample?: number;
  /** Starting learning rate (default 0.025, the C tool's skip-gram default). */
  alpha?: number;
  /** Passes over the corpus (default 5). */
  epochs?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Unigram table entries (default min(1e7, max(1e6, 100 · vocabulary size))). */
  tableSize?: number;
  /** Called every ~100k words with progress in [0, 1] and the current α. */
  onProgress?: (progress: number, alpha: number) => void;
}

export interface Word2VecResult {
  /** The input vectors syn0 (what word2vec.c saves). */
  vectors: WordVectors;
  /** The output (context) vectors syn1neg, row-aligned with `vectors.words`. */
  contextVectors: Float32Array;
  /** Training count of each word, row-aligned. */
  counts: Float64Array;
  /** Words in the training corpus that are in the vocabulary (N above). */
  trainWords: number;
  /** Centre words actually used after subsampling, summed over epochs. */
  wordsProcessed: number;
}

const EXP_TABLE_SIZE = 1000;
const MAX_EXP = 6;
const SIGMOID = (() => {
  const t = new Float32Array(EXP_TABLE_SIZE);
  for (let i = 0; i < EXP_TABLE_SIZE; i++) {
    const e = Math.exp(((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP);
    t[i] = e / (e + 1);
  }
  return t;
})();

/**
 * Train skip-gram vectors on tokenised sentences (contexts never cross a sentence boundary).
 *   const { vectors } = trainWord2Vec(lines.map((l) => l.split(" ")), { dim: 100, epochs: 5 });
 *   vectors.nearestNeighbors("stock", 5);
 */
export function trainWord2Vec(sentences: readonly (readonly string[])[], opts: Word2VecOptions = {}): Word2VecResult {
  const D = opts.dim ?? 100;
  const window = opts.window ?? 5;
  const negative = opts.negative ?? 5;
  const minCount = opts.minCount ?? 5;
  const sample = opts.sample ?? 1e-3;
  const alpha0 = opts.alpha ?? 0.025;
  const epochs = opts.epochs ?? 5;
  for (const [k, v] of Object.entries({ dim: D, window, epochs }) as [string, number][]) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`trainWord2Vec: ${k} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(negative) || negative < 1) throw new RangeError(`trainWord2Vec: negative must be a positive integer, got ${negative} (hierarchical softmax is not implemented)`);

  // Vocabulary.
  const counted = [...countTokens(sentences)].filter(([, c]) => c >= minCount);
  counted.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (opts.maxVocab !== undefined) counted.length = Math.min(counted.length, opts.maxVocab);
  const V = counted.length;
  if (V < 2) throw new RangeError(`trainWord2Vec: only ${V} words occur at least minCount=${minCount} times (hint: lower minCount or pass more text)`);
  const words = counted.map((w) => w[0]);
  const counts = Float64Array.from(counted, (w) => w[1]);
  const index = new Map(words.map((w, i) => [w, i] as const));

  // Corpus as ids (OOV words dropped, as the C tool does) with sentence ends.
  let total = 0;
  for (const s of sentences) total += s.length;
  const corpus = new Int32Array(total);
  const ends: number[] = [];
  let n = 0;
  for (const s of sentences) {
    for (const w of s) {
      const id = index.get(w);
      if (id !== undefined) corpus[n++] = id;
    }
    if (ends.length === 0 || ends[ends.length - 1] !== n) ends.push(n);
  }
  const trainWords = n;

  // Unigram^0.75 table.
  const tableSize = opts.tableSize ?? Math.min(1e7, Math.max(1e6, 100 * V));
  const table = new Int32Array(tableSize);
  {
    let powSum = 0;
    for (let i = 0; i < V; i++) powSum += counts[i]! ** 0.75;
    let i = 0;
    let d1 = counts[0]! ** 0.75 / powSum;
    for (let a = 0; a < tableSize; a++) {
      table[a] = i;
      if (a / tableSize > d1 && i < V - 1) {
        i++;
        d1 += counts[i]! ** 0.75 / powSum;
      }
    }
  }

  // Keep probabilities (subsampling), as 32-bit thresholds.
  const keepBelow = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    const c = counts[i]!;
    const p = sample > 0 ? (Math.sqrt(c / (sample * trainWords)) + 1) * ((sample * trainWords) / c) : 1;
    keepBelow[i] = Math.min(1, p) * 4294967296;
  }

  // Seeded xorshift32.
  let rs = (Math.imul((opts.seed ?? 1) ^ 0x5bd1e995, 0x9e3779b1) ^ 0x2545f491) >>> 0;
  if (rs === 0) rs = 1;
  const next = (): number => {
    rs ^= rs << 13;
    rs ^= rs >>> 17;
    rs ^= rs << 5;
    return (rs >>>= 0);
  };

  const syn0 = new Float32Array(V * D);
  for (let i = 0; i < syn0.length; i++) syn0[i] = (next() / 4294967296 - 0.5) / D;
  const syn1 = new Float32Array(V * D);
  const neu1e = new Float32Array(D);
  let longest = 1;
  for (let k = 0; k < ends.length; k++) longest = Math.max(longest, ends[k]! - (k > 0 ? ends[k - 1]! : 0));
  const sen = new Int32Array(longest);

  const totalWords = epochs * trainWords + 1;
  let alpha = alpha0;
  let seen = 0; // words read, for the learning-rate schedule
  let lastUpdate = 0;
  let lastReport = 0;
  let processed = 0;
  const sigScale = EXP_TABLE_SIZE / MAX_EXP / 2;

  for (let ep = 0; ep < epochs; ep++) {
    let start = 0;
    for (const end of ends) {
      // Read a sentence, subsampling frequent words.
      let L = 0;
      for (let p = start; p < end; p++) {
        const w = corpus[p]!;
        if (next() < keepBelow[w]!) sen[L++] = w;
      }
      seen += end - start;
      start = end;
      if (seen - lastUpdate > 10000) {
        lastUpdate = seen;
        alpha = Math.max(alpha0 * 1e-4, alpha0 * (1 - seen / totalWords));
        if (opts.onProgress && seen - lastReport > 100000) {
          lastReport = seen;
          opts.onProgress(seen / totalWords, alpha);
        }
      }
      processed += L;
      for (let pos = 0; pos < L; pos++) {
        const word = sen[pos]!;
        const b = next() % window;
        for (let a = b; a < window * 2 + 1 - b; a++) {
          if (a === window) continue;
          const c = pos - window + a;
          if (c < 0 || c >= L) continue;
          const l1 = sen[c]! * D;
          neu1e.fill(0);
          for (let k = 0; k <= negative; k++) {
            let target: number, label: number;
            if (k === 0) {
              target = word;
              label = 1;
            } else {
              target = table[next() % tableSize]!;
              if (target === word) continue;
              label = 0;
            }
            const l2 = target * D;
            let f = 0;
            for (let d = 0; d < D; d++) f += syn0[l1 + d]! * syn1[l2 + d]!;
            let g: number;
            if (f > MAX_EXP) g = (label - 1) * alpha;
            else if (f < -MAX_EXP) g = label * alpha;
            else g = (label - SIGMOID[((f + MAX_EXP) * sigScale) | 0]!) * alpha;
            for (let d = 0; d < D; d++) {
              neu1e[d]! += g * syn1[l2 + d]!;
              syn1[l2 + d]! += g * syn0[l1 + d]!;
            }
          }
          for (let d = 0; d < D; d++) syn0[l1 + d]! += neu1e[d]!;
        }
      }
    }
  }
  return { vectors: new WordVectors(words, syn0, D), contextVectors: syn1, counts, trainWords, wordsProcessed: processed };
}
