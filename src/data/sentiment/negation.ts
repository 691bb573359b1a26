/**
 * Negation pairs: extra training examples that teach a binary sentiment classifier what "not"
 * does to the opinion word it stands before.
 *
 * Why: in IMDB reviews negated opinions are rare and skewed — "not bad" stands in 90 negative and
 * 63 positive training reviews (faint praise in a pan), "not bad at all" in 13 in all — so a
 * classifier learns "bad" as negative whatever precedes it and reads "The movie was not bad at
 * all." as negative. Here every training sentence of the form `… <copula> <opinion adjective> …`
 * with no other opinion adjective and no negator in it gives a minimal pair:
 *
 *   "the acting was awful ."      → label negative (the adjective's polarity)
 *   "the acting was not awful ."  → label positive (negation flips it)
 *
 * Only the adjective lists and the copula rule are linguistic; nothing was fitted to an evaluation
 * set. The sentences come from the training texts only (never validation or test), are drawn with
 * a seeded generator, half from positive and half from negative adjectives (the class prior stays),
 * and are the same in every epoch.
 */
import { Generator } from "../../tensor/random.js";

/** Common evaluative adjectives of reviews, positive. */
export const POSITIVE_ADJECTIVES: readonly string[] = [
  "good", "great", "excellent", "wonderful", "amazing", "brilliant", "enjoyable", "entertaining", "fun", "funny",
  "interesting", "exciting", "beautiful", "impressive", "clever", "charming", "delightful", "superb", "fantastic",
  "terrific", "outstanding", "engaging", "gripping", "touching", "compelling", "fascinating", "memorable", "solid",
  "smart", "perfect", "nice", "pleasant", "likable", "believable", "original", "watchable", "worthwhile", "strong",
];

/** Common evaluative adjectives of reviews, negative. */
export const NEGATIVE_ADJECTIVES: readonly string[] = [
  "bad", "terrible", "awful", "horrible", "boring", "dull", "poor", "weak", "stupid", "annoying", "pointless",
  "predictable", "disappointing", "mediocre", "lame", "silly", "tedious", "bland", "forgettable", "unwatchable",
  "painful", "dreadful", "atrocious", "ridiculous", "pathetic", "laughable", "unfunny", "uninteresting", "slow",
  "confusing", "pretentious", "cheap", "awkward", "unbearable", "unconvincing", "flat", "dumb", "worse",
];

/** Forms of "be" and linking verbs after which the adjective is the sentence's predicate. */
const COPULAS = new Set(["is", "was", "are", "were", "be", "been", "seems", "seemed", "looks", "looked", "feels", "felt", "remains", "remained"]);

/** Words that already negate: a sentence holding one is not used (no double negation). */
const NEGATORS = new Set(["not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "hardly", "barely", "scarcely", "without", "cannot", "n't"]);
const isNegator = (w: string): boolean => NEGATORS.has(w) || w.endsWith("n't") || w.endsWith("n’t");

/** A sentence ends at one of these tokens. */
const isSentenceEnd = (w: string): boolean => /^[.!?]+$/.test(w);

export interface NegationPairsOptions {
  /** Minimal pairs to make (each gives two examples); half from positive, half from negative adjectives. */
  pairs: number;
  /** Seed of the draw. */
  seed: number;
  /** Longest sentence used, in tokens (default 30). */
  maxLen?: number;
}

export interface NegationPairs {
  /** Token sequences: original, negated, original, negated, … */
  tokens: string[][];
  /** 1 where the example is positive, 0 where negative (same order as tokens). */
  positive: Uint8Array;
  /** Sentences that qualified, by the polarity of their adjective (before the draw). */
  candidates: { positive: number; negative: number };
}

/**
 * Minimal negation pairs from tokenised training texts (lower-cased tokens, punctuation as its own
 * tokens: `tokenizeAll`'s output). Throws when `pairs` is not a positive integer.
 */
export function negationPairs(texts: readonly (readonly string[])[], o: NegationPairsOptions): NegationPairs {
  if (!(Number.isInteger(o.pairs) && o.pairs > 0)) throw new RangeError(`negationPairs: pairs must be a positive integer, got ${o.pairs} (hint: 4000)`);
  const maxLen = o.maxLen ?? 30;
  const polarity = new Map<string, 0 | 1>();
  for (const w of POSITIVE_ADJECTIVES) polarity.set(w, 1);
  for (const w of NEGATIVE_ADJECTIVES) polarity.set(w, 0);
  // candidates as [sentence tokens, index of the adjective]
  const found: [string[], number][][] = [[], []];
  for (const toks of texts) {
    let start = 0;
    for (let i = 0; i <= toks.length; i++) {
      if (i < toks.length && !isSentenceEnd(toks[i]!)) continue;
      const s = toks.slice(start, Math.min(i + 1, toks.length));
      start = i + 1;
      if (s.length < 3 || s.length > maxLen) continue;
      let adj = -1;
      let ok = true;
      for (let t = 0; t < s.length && ok; t++) {
        const w = s[t]!;
        if (isNegator(w)) ok = false;
        else if (polarity.has(w)) {
          if (adj >= 0 || t === 0 || !COPULAS.has(s[t - 1]!)) ok = false; // one opinion adjective, as the predicate
          else adj = t;
        }
      }
      if (ok && adj > 0) found[polarity.get(s[adj]!)!]!.push([s, adj]);
    }
  }
  const g = new Generator(o.seed);
  const tokens: string[][] = [];
  const positive: number[] = [];
  // half the pairs from each polarity (an odd pair goes to the negative side); fewer if fewer qualified
  const want = [Math.ceil(o.pairs / 2), Math.floor(o.pairs / 2)];
  for (const pol of [0, 1] as const) {
    const pool = found[pol]!;
    // partial Fisher–Yates: the first k of a seeded shuffle
    const k = Math.min(want[pol]!, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(g.random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      const [s, adj] = pool[i]!;
      tokens.push(s, [...s.slice(0, adj), "not", ...s.slice(adj)]);
      positive.push(pol, 1 - pol);
    }
  }
  return { tokens, positive: Uint8Array.from(positive), candidates: { positive: found[1]!.length, negative: found[0]!.length } };
}

/**
 * Which of a binary label set is positive: "pos"/"positive"/"1" against "neg"/"negative"/"0"
 * (any case); throws otherwise, naming the labels.
 */
export function positiveLabelIndex(labels: readonly string[], where: string): number {
  const pos = labels.findIndex((l) => /^(pos|positive|1)$/i.test(l));
  const neg = labels.findIndex((l) => /^(neg|negative|0)$/i.test(l));
  if (labels.length !== 2 || pos < 0 || neg < 0) throw new Error(`${where}: negation pairs need two labels, one positive and one negative ("pos"/"neg", "positive"/"negative" or "1"/"0"), got ${JSON.stringify(labels)}`);
  return pos;
}
