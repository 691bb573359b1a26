/**
 * Truncated-BPTT batching, as PyTorch's word_language_model example: the token stream is cut
 * into B contiguous streams (column b holds tokens [b·n, (b+1)·n)), and windows of `bptt` rows
 * are read in order, so the hidden state after window k is the right start for window k+1.
 */
export interface Streams {
  data: Int32Array; // [n, B] seq-first
  n: number;
  B: number;
}

export function toStreams(ids: Int32Array, B: number): Streams {
  const n = Math.floor(ids.length / B);
  if (n < 2) throw new RangeError(`toStreams: ${ids.length} tokens are too few for ${B} streams (need at least ${2 * B}; hint: lower --batch-size or use a larger corpus)`);
  const data = new Int32Array(n * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) data[t * B + b] = ids[b * n + t]!;
  return { data, n, B };
}

/** Windows of up to bptt steps: input rows [i, i+T), target rows [i+1, i+T+1). */
export function* windows(s: Streams, bptt: number): Generator<{ input: Int32Array; target: Int32Array; T: number; start: number }> {
  for (let i = 0; i < s.n - 1; i += bptt) {
    const T = Math.min(bptt, s.n - 1 - i);
    yield { input: s.data.subarray(i * s.B, (i + T) * s.B), target: s.data.subarray((i + 1) * s.B, (i + T + 1) * s.B), T, start: i };
  }
}

export const windowCount = (s: Streams, bptt: number): number => Math.ceil((s.n - 1) / bptt);
