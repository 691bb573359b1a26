/**
 * Truncation and padding of id sequences.
 */
import { PAD_ID } from "./vocabulary.js";

/**
 * How to cut a sequence longer than maxLen:
 * - "head": keep the first maxLen ids;
 * - "tail": keep the last maxLen ids;
 * - "head+tail": keep the first `headLength` and the last maxLen − headLength ids (Sun et al. 2019,
 *   "How to Fine-Tune BERT for Text Classification": the start and the end of a review carry most
 *   of its sentiment). headLength defaults to ⌊maxLen / 4⌋.
 */
export type TruncateMode = "head" | "tail" | "head+tail";

export interface TruncateOptions {
  mode?: TruncateMode;
  /** Ids kept from the start in "head+tail" mode (default ⌊maxLen / 4⌋). */
  headLength?: number;
}

/** A view or copy of `ids` no longer than maxLen (returned unchanged when it already fits). */
export function truncateIds(ids: Int32Array, maxLen: number, opts: TruncateOptions = {}): Int32Array {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`truncateIds: maxLen must be a positive integer, got ${maxLen}`);
  if (ids.length <= maxLen) return ids;
  const mode = opts.mode ?? "head";
  if (mode === "head") return ids.subarray(0, maxLen);
  if (mode === "tail") return ids.subarray(ids.length - maxLen);
  const head = opts.headLength ?? Math.floor(maxLen / 4);
  if (!Number.isInteger(head) || head < 0 || head > maxLen) throw new RangeError(`truncateIds: headLength must be an integer in [0, ${maxLen}], got ${head}`);
  const out = new Int32Array(maxLen);
  out.set(ids.subarray(0, head), 0);
  out.set(ids.subarray(ids.length - (maxLen - head)), head);
  return out;
}

/**
 * Stack sequences into a batch-first, right-padded matrix.
 * @returns ids [B, T] (row b = seqs[b] then padId), lengths [B], T = max length (or the given T,
 *   in which case longer sequences are cut at T).
 */
export function padSequences(seqs: readonly Int32Array[], opts: { T?: number; padId?: number } = {}): { ids: Int32Array; lengths: Int32Array; T: number } {
  const padId = opts.padId ?? PAD_ID;
  let T = opts.T ?? 0;
  if (opts.T === undefined) for (const s of seqs) T = Math.max(T, s.length);
  const B = seqs.length;
  const ids = new Int32Array(B * T);
  if (padId !== 0) ids.fill(padId);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const s = seqs[b]!;
    const L = Math.min(s.length, T);
    ids.set(L === s.length ? s : s.subarray(0, L), b * T);
    lengths[b] = L;
  }
  return { ids, lengths, T };
}
