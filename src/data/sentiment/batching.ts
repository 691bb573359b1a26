/**
 * From labelled texts to padded id batches for a recurrent classifier:
 *
 *   const tok = tokenizeAll(train.examples);                       // string[][]
 *   const vocab = Vocabulary.build(tok, { maxVocab: 25_000 });     // training texts only
 *   const data = encodeDataset(tok, encodeLabels(train.examples, train.labels), vocab, { maxLen: 400 });
 *   for (const b of makeBatches(data, { batchSize: 32, seed: 1, epoch })) model.step(b.ids, b.lengths, b.labels);
 *
 * Length bucketing: per epoch the examples are shuffled, cut into pools of `poolBatches` batches,
 * each pool is sorted by length (longest first) and cut into batches, and the batch order is
 * shuffled. Batches then hold similar lengths (little padding) while the epoch stays random.
 * Randomness: a Generator of its own per epoch, seeded deriveSeed(seed, epoch) (nothing else is drawn from it).
 */
import { tokenize, type TokenizeOptions } from "../text/tokenize.js";
import { truncateIds, type TruncateMode } from "../text/sequence.js";
import { PAD_ID, UNK_ID, type Vocabulary } from "../text/vocabulary.js";
import { Generator, deriveSeed } from "../../tensor/random.js";
import type { Example } from "./types.js";

/** Tokenise every example's text (default: `tokenize` with its defaults). */
export function tokenizeAll(examples: readonly Example[], tokenizer: TokenizeOptions | ((text: string) => string[]) = {}): string[][] {
  const fn = typeof tokenizer === "function" ? tokenizer : (t: string) => tokenize(t, tokenizer);
  return examples.map((e) => fn(e.text));
}

/** Id sequences and class ids, aligned. */
export interface EncodedDataset {
  /** One id sequence per example (length ≥ 1). */
  ids: Int32Array[];
  /** Class id per example. */
  labels: Int32Array;
}

export interface EncodeOptions {
  /** Truncate longer sequences to this many ids (default: no limit). */
  maxLen?: number;
  /** Which part to keep when truncating (default "head"). */
  truncate?: TruncateMode;
  /** Ids kept from the start in "head+tail" mode (default ⌊maxLen / 4⌋). */
  headLength?: number;
}

/** Encode tokenised texts with a vocabulary; an empty text becomes the single id of `<unk>`. */
export function encodeDataset(tokens: readonly (readonly string[])[], labels: Int32Array, vocab: Vocabulary, opts: EncodeOptions = {}): EncodedDataset {
  if (tokens.length !== labels.length) throw new RangeError(`encodeDataset: ${tokens.length} texts but ${labels.length} labels`);
  const ids = tokens.map((t) => {
    let s = t.length === 0 ? Int32Array.of(vocab.unkId >= 0 ? vocab.unkId : UNK_ID) : vocab.encode(t);
    if (opts.maxLen !== undefined) s = truncateIds(s, opts.maxLen, { mode: opts.truncate ?? "head", ...(opts.headLength !== undefined ? { headLength: opts.headLength } : {}) });
    return s;
  });
  return { ids, labels };
}

/** A padded batch, batch-first. */
export interface Batch {
  /** [B, T] token ids, row b right-padded with 0 (`<pad>`) after lengths[b]. */
  ids: Int32Array;
  /** [B] true lengths (1 ≤ lengths[b] ≤ T). */
  lengths: Int32Array;
  /** [B] class ids. */
  labels: Int32Array;
  /** Rows. */
  B: number;
  /** Time steps = the longest length in the batch. */
  T: number;
  /** [B] positions of the rows in the EncodedDataset (to put predictions back in order). */
  indices: Int32Array;
}

export interface BatchOptions {
  batchSize: number;
  /** Seed of the shuffling; epoch e uses deriveSeed(seed, e). Default 0. */
  seed?: number;
  epoch?: number;
  /** Shuffle the examples and the batch order (default true; use false for evaluation). */
  shuffle?: boolean;
  /** Group similar lengths (default true). */
  bucket?: boolean;
  /** Batches per sorting pool when bucketing (default 50). */
  poolBatches?: number;
  /** Drop the final smaller batch (default false). */
  dropLast?: boolean;
}

/** Build one epoch of batches (see the file comment for the bucketing scheme). */
export function makeBatches(data: EncodedDataset, opts: BatchOptions): Batch[] {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`makeBatches: batchSize must be a positive integer, got ${batchSize}`);
  const N = data.ids.length;
  if (data.labels.length !== N) throw new RangeError(`makeBatches: ${N} sequences but ${data.labels.length} labels`);
  const doShuffle = opts.shuffle ?? true;
  const bucket = opts.bucket ?? true;
  const pool = batchSize * (opts.poolBatches ?? 50);
  const lenOf = (i: number): number => data.ids[i]!.length;

  const rng = new Generator(deriveSeed(opts.seed ?? 0, opts.epoch ?? 0));
  const order = Array.from({ length: N }, (_, i) => i);
  if (doShuffle) rng.shuffle(order);
  const groups: number[][] = [];
  for (let p = 0; p < N; p += bucket ? pool : N) {
    const chunk = order.slice(p, bucket ? p + pool : N);
    if (bucket) chunk.sort((a, b) => lenOf(b) - lenOf(a) || a - b);
    for (let s = 0; s < chunk.length; s += batchSize) groups.push(chunk.slice(s, s + batchSize));
  }
  if (opts.dropLast && groups.length > 0) {
    const small = groups.findIndex((g) => g.length < batchSize);
    if (small >= 0) groups.splice(small, 1);
  }
  if (doShuffle && bucket) rng.shuffle(groups);
  return groups.map((g) => collate(data, g));
}

/** Pad the given rows of a dataset into one batch. */
export function collate(data: EncodedDataset, rows: readonly number[]): Batch {
  const B = rows.length;
  let T = 1;
  for (const r of rows) T = Math.max(T, data.ids[r]!.length);
  const ids = new Int32Array(B * T);
  if (PAD_ID !== 0) ids.fill(PAD_ID);
  const lengths = new Int32Array(B);
  const labels = new Int32Array(B);
  const indices = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const r = rows[b]!;
    const s = data.ids[r]!;
    ids.set(s, b * T);
    lengths[b] = Math.max(1, s.length);
    labels[b] = data.labels[r]!;
    indices[b] = r;
  }
  return { ids, lengths, labels, B, T, indices };
}
