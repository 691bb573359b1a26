/**
 * Truncated-BPTT batching, exactly the scheme of PyTorch's word_language_model example:
 *
 *   batchify:  nSteps = ⌊N / B⌋; the last N − nSteps·B ids are dropped; stream b is the contiguous
 *              slice ids[b·nSteps, (b+1)·nSteps), laid out sequence-first:
 *                data[t, b] = ids[b·nSteps + t]          data: [nSteps, B], row-major
 *   windows:   for i = 0, bptt, 2·bptt, … while i < nSteps − 1:
 *                T = min(bptt, nSteps − 1 − i)
 *                input  = data[i     : i + T]            [T, B]
 *                target = data[i + 1 : i + 1 + T]        [T, B]  (next token of each stream)
 *
 * The B streams are read in parallel, so the hidden state carried from one window to the next
 * (detached) continues the same text in every column. `input` / `target` are zero-copy views into
 * `data` (rows are contiguous in a sequence-first layout); do not write to them.
 */

export interface BatchedStream {
  /** [nSteps, B] sequence-first; column b is one contiguous piece of the corpus. */
  data: Int32Array;
  nSteps: number;
  B: number;
}

export interface BpttWindow {
  /** [T, B] token ids (view into the batch). */
  input: Int32Array;
  /** [T, B] the id that follows each input id (view into the batch). */
  target: Int32Array;
  T: number;
  /** First time step of the window in the batch (0, bptt, 2·bptt, …). */
  start: number;
  /** Window number (0, 1, 2, …). */
  index: number;
}

/**
 * Cut an id stream into B parallel streams.
 *   batchify(Int32Array.from([0,1,2,3,4,5,6]), 2) → { data: [0,3, 1,4, 2,5], nSteps: 3, B: 2 }  (6 dropped)
 */
export function batchify(ids: Int32Array, batchSize: number): BatchedStream {
  const B = batchSize;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`batchify: batchSize must be a positive integer, got ${B}`);
  const nSteps = Math.floor(ids.length / B);
  if (nSteps < 2) {
    throw new RangeError(
      `batchify: ${ids.length} tokens give ${nSteps} step(s) per stream with batchSize ${B}; need at least 2 (input + next-token target) (hint: use a smaller batch size or a larger split)`,
    );
  }
  const data = new Int32Array(nSteps * B);
  for (let b = 0; b < B; b++) {
    const src = b * nSteps;
    for (let t = 0; t < nSteps; t++) data[t * B + b] = ids[src + t]!;
  }
  return { data, nSteps, B };
}

function checkBptt(bptt: number): void {
  if (!Number.isInteger(bptt) || bptt < 1) throw new RangeError(`bpttWindows: bptt must be a positive integer, got ${bptt}`);
}

/** Number of windows `bpttWindows(batch, bptt)` yields: ⌈(nSteps − 1) / bptt⌉. */
export function countBpttWindows(batch: BatchedStream, bptt: number): number {
  checkBptt(bptt);
  return Math.ceil((batch.nSteps - 1) / bptt);
}

/**
 * The truncated-BPTT windows of a batch, in order (the last one may be shorter).
 *   for (const { input, target, T } of bpttWindows(batchify(train, 20), 35)) { ... }
 */
export function* bpttWindows(batch: BatchedStream, bptt: number): Generator<BpttWindow, void, undefined> {
  checkBptt(bptt);
  const { data, nSteps, B } = batch;
  if (data.length !== nSteps * B) throw new RangeError(`bpttWindows: data has ${data.length} ids, expected nSteps·B = ${nSteps}·${B} = ${nSteps * B}`);
  let index = 0;
  for (let i = 0; i < nSteps - 1; i += bptt) {
    const T = Math.min(bptt, nSteps - 1 - i);
    yield {
      input: data.subarray(i * B, (i + T) * B),
      target: data.subarray((i + 1) * B, (i + 1 + T) * B),
      T,
      start: i,
      index: index++,
    };
  }
}
