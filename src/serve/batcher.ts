/**
 * Request batching with a bounded queue. Requests wait in a FIFO queue of at most `maxQueue` items
 * (more → QueueFullError, which the server turns into 503 + Retry-After: memory never grows with
 * the load); a batch of up to `maxBatch` items is taken when the event loop is free, after waiting
 * up to `maxWaitMs` for the batch to fill. rnnkit's inference is synchronous, so while one batch
 * runs, new requests pile up in the sockets and the queue, and the next batch takes them together:
 * under load batches grow by themselves, at low load a request waits at most maxWaitMs.
 */

export class QueueFullError extends Error {
  override name = "QueueFullError";
  constructor(readonly queued: number, readonly retryAfterS: number) {
    super(`the server is busy: ${queued} requests are waiting (retry in ${retryAfterS} s)`);
  }
}

export interface BatcherOptions<I, O> {
  /** Items per batch (≥ 1). */
  maxBatch: number;
  /** Longest wait for a batch to fill, ms (0: take what is there when the loop is free). */
  maxWaitMs: number;
  /** Items that may wait; one more is rejected. */
  maxQueue: number;
  /** Weight of an item against maxBatch (e.g. the number of texts in a classify request); default 1. */
  size?: (item: I) => number;
  /** Run one batch; returns one output per item (or an Error for that item). */
  run: (items: I[]) => Array<O | Error>;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: Error) => void;
}

export interface BatcherStats {
  queued: number;
  batches: number;
  items: number;
  rejected: number;
  /** Exponential moving average of the seconds one batch takes (for Retry-After). */
  batchSeconds: number;
}

export class Batcher<I, O> {
  readonly #o: BatcherOptions<I, O>;
  readonly #queue: Pending<I, O>[] = [];
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** The pending timer is the maxWaitMs wait (not an immediate). */
  #waiting = false;
  #running = false;
  #idle: Array<() => void> = [];
  readonly stats: BatcherStats = { queued: 0, batches: 0, items: 0, rejected: 0, batchSeconds: 0 };
  /** Called after each batch with its size and duration (metrics). */
  onBatch: ((size: number, seconds: number) => void) | null = null;

  constructor(o: BatcherOptions<I, O>) {
    for (const k of ["maxBatch", "maxQueue"] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`Batcher: ${k} must be an integer ≥ 1, got ${o[k]}`);
    if (!(o.maxWaitMs >= 0)) throw new RangeError(`Batcher: maxWaitMs must be ≥ 0, got ${o.maxWaitMs}`);
    this.#o = o;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queue an item; resolves with its output. Throws QueueFullError at once when the queue is full. */
  submit(item: I): Promise<O> {
    if (this.#queue.length >= this.#o.maxQueue) {
      this.stats.rejected++;
      throw new QueueFullError(this.#queue.length, this.retryAfterS());
    }
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.stats.queued = this.#queue.length;
      this.#schedule();
    });
  }

  /** Seconds until the queue has likely drained (≥ 1): what Retry-After says. */
  retryAfterS(): number {
    const per = this.stats.batchSeconds || 0.05;
    return Math.max(1, Math.ceil((per * (this.#queue.length + 1)) / Math.max(1, this.#o.maxBatch)));
  }

  /** Resolves when nothing is queued or running (graceful shutdown). */
  drained(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #schedule(): void {
    if (this.#running) return;
    const full = this.#fill() >= this.#o.maxBatch;
    if (this.#timer && !(this.#waiting && full)) return;
    if (this.#timer) clearTimeout(this.#timer as NodeJS.Timeout); // a full batch need not wait
    this.#waiting = !full && this.#o.maxWaitMs > 0;
    this.#timer = this.#waiting ? setTimeout(() => this.#flush(), this.#o.maxWaitMs) : setImmediate(() => this.#flush());
  }

  #fill(): number {
    const size = this.#o.size ?? (() => 1);
    let n = 0;
    for (const p of this.#queue) n += size(p.item);
    return n;
  }

  #flush(): void {
    this.#timer = null;
    this.#waiting = false;
    if (this.#queue.length === 0) return this.#notifyIdle();
    const size = this.#o.size ?? (() => 1);
    // take items until the batch is full (always at least one, however large)
    let n = 0;
    let k = 0;
    while (k < this.#queue.length && (k === 0 || n + size(this.#queue[k]!.item) <= this.#o.maxBatch)) n += size(this.#queue[k++]!.item);
    const batch = this.#queue.splice(0, k);
    this.stats.queued = this.#queue.length;
    this.#running = true;
    const t0 = performance.now();
    let outs: Array<O | Error>;
    try {
      outs = this.#o.run(batch.map((p) => p.item));
      if (outs.length !== batch.length) throw new Error(`Batcher: run returned ${outs.length} outputs for ${batch.length} items`);
    } catch (e) {
      outs = batch.map(() => e as Error);
    }
    const dt = (performance.now() - t0) / 1e3;
    this.stats.batchSeconds = this.stats.batches === 0 ? dt : 0.8 * this.stats.batchSeconds + 0.2 * dt;
    this.stats.batches++;
    this.stats.items += batch.length;
    this.onBatch?.(n, dt);
    batch.forEach((p, i) => {
      const o = outs[i]!;
      if (o instanceof Error) p.reject(o);
      else p.resolve(o);
    });
    this.#running = false;
    // yield to the event loop (sockets, health checks) before the next batch
    if (this.#queue.length > 0) this.#timer = setImmediate(() => this.#flush());
    else this.#notifyIdle();
  }

  #notifyIdle(): void {
    const w = this.#idle.splice(0);
    for (const r of w) r();
  }
}
