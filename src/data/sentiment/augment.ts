/**
 * Booster swapping: a training-time augmentation that teaches a classifier that an adverb of
 * degree changes how strong an opinion is, not which way it goes.
 *
 * Why: in IMDB reviews "terribly" precedes "bad", "boring", "written" 2.5× more often in negative
 * reviews than in positive ones (194 vs 80 occurrences in the train split), so a model learns
 * "terribly" as a negative word and reads "The movie was terribly exciting!" as negative, while
 * "very exciting" is read as positive. Swapping the boosters of Quirk et al. (1985) among
 * themselves wherever one stands before a content word ("terribly boring" → "very boring",
 * "very good" → "terribly good", …) spreads each booster's contexts over both labels; the label
 * never changes, since a booster only scales the opinion of the word it modifies.
 *
 * Only the position rule is linguistic; nothing here was fitted to any evaluation set.
 * A booster followed by punctuation or a function word is a manner adverb or ends a clause
 * ("acted terribly .", "terribly and …") and is left alone.
 *
 * Randomness: per epoch its own Generator (`Generator.derive(deriveSeed(seed, epoch), "boosters")`),
 * applied to the epoch's whole batch list at once, so a resumed run swaps exactly the same words.
 */
import { Generator, deriveSeed } from "../../tensor/random.js";
import type { Vocabulary } from "../text/vocabulary.js";
import type { Batch } from "./batching.js";

/** Adverbs of degree that amplify ("boosters", Quirk et al. 1985 §7.56), as lower-case tokens. */
export const BOOSTERS: readonly string[] = [
  "very", "really", "extremely", "incredibly", "terribly", "awfully", "remarkably", "exceptionally",
  "immensely", "tremendously", "enormously", "hugely", "insanely", "ridiculously", "unbelievably",
  "exceedingly", "truly", "amazingly", "wildly", "seriously",
];

/** Words after which a booster is not modifying a content word (it ends a phrase instead). */
const FUNCTION_WORDS = new Set([
  "and", "or", "but", "nor", "so", "yet", "the", "a", "an", "to", "of", "in", "on", "at", "for", "with", "by", "from",
  "that", "this", "these", "those", "it", "its", "as", "is", "was", "are", "were", "be", "been", "i", "you", "he",
  "she", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "their", "our", "if", "when", "than",
]);

/** A batch-list transformation applied once per epoch (before the epoch starts). */
export type BatchAugment = (batches: readonly Batch[], epoch: number) => Batch[];

export interface BoosterSwapOptions {
  /** Probability that a booster in modifying position is replaced (default 0.5). */
  p?: number;
  /** Seed of the swaps (epoch e draws from `deriveSeed(seed, e)`). */
  seed: number;
  /** The booster list (default BOOSTERS). */
  boosters?: readonly string[];
}

/**
 * Booster swapping over a vocabulary: returns the augmentation, or null when the vocabulary holds
 * fewer than two of the boosters (nothing to swap with). A batch is copied only if a word changes.
 */
export function boosterSwap(vocab: Vocabulary, o: BoosterSwapOptions): BatchAugment | null {
  const p = o.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`boosterSwap: p must be in [0, 1], got ${p} (hint: 0.5 swaps half of the boosters)`);
  const ids = [...new Set((o.boosters ?? BOOSTERS).map((w) => vocab.get(w)).filter((id): id is number => id !== undefined && id >= 0))];
  if (ids.length < 2 || p === 0) return null;
  const V = vocab.size;
  const isBooster = new Uint8Array(V);
  for (const id of ids) isBooster[id] = 1;
  // content word: alphabetic, not a function word, not <pad>/<unk>/specials (those hold '<')
  const isContent = new Uint8Array(V);
  for (let id = 0; id < V; id++) {
    const w = vocab.token(id);
    if (w !== undefined && /^[a-z][a-z'-]*$/.test(w) && !FUNCTION_WORDS.has(w)) isContent[id] = 1;
  }
  return (batches, epoch) => {
    const g = Generator.derive(deriveSeed(o.seed, epoch), "boosters");
    return batches.map((b) => {
      let ids2: Int32Array | null = null;
      for (let r = 0; r < b.B; r++) {
        const row = r * b.T;
        const L = b.lengths[r]!;
        for (let t = 0; t + 1 < L; t++) {
          const id = b.ids[row + t]!;
          if (isBooster[id] !== 1 || isContent[b.ids[row + t + 1]!] !== 1) continue;
          if (g.random() >= p) continue;
          // a different booster, uniformly
          let k = Math.floor(g.random() * (ids.length - 1));
          if (ids[k] === id) k = ids.length - 1;
          ids2 ??= b.ids.slice();
          ids2[row + t] = ids[k]!;
        }
      }
      return ids2 ? { ...b, ids: ids2 } : b;
    });
  };
}
