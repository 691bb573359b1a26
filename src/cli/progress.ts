/**
 * Training progress for the CLI, in one of two modes (never both):
 * - "bar": a live single-line bar (cli-progress) with epoch, step/total, loss, perplexity or
 *   accuracy, throughput and ETA; `info`/`log` lines are printed cleanly above it. Used when the
 *   stream is a TTY and JSON output was not asked for.
 * - "json": one JSON object per line (`{"event":"step","epoch":1,"step":10,"total":500,"loss":…}`)
 *   for logs, pipes and other programs. Used with `--json` or whenever the stream is not a TTY.
 *
 *   const p = createProgress({ json: opts.json, total: epochs * stepsPerEpoch, label: "train" });
 *   p.update(step, { epoch, loss, ppl, tokPerSec });
 *   p.log({ event: "epoch", epoch, valLoss, valPpl });
 *   p.stop();   // always call it: the bar redraws on a timer until stopped
 *
 * Non-finite numbers (a diverged loss) become null in JSON lines and "NaN"/"inf" on the bar.
 */
import cliProgress from "cli-progress";

/** Where progress goes; process.stdout by default. Only `write` is needed, `isTTY`/`columns` are read. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Metrics shown for one step. Known keys get their own format; any other number is shown as key=value. */
export interface ProgressMetrics {
  epoch?: number;
  loss?: number;
  /** Perplexity exp(loss) for language models. */
  ppl?: number;
  /** Accuracy as a fraction in [0, 1] (shown as a percentage on the bar). */
  acc?: number;
  tokPerSec?: number;
  exPerSec?: number;
  lr?: number;
  [key: string]: number | undefined;
}

export interface ProgressOptions {
  /** Total number of steps the bar counts to (e.g. epochs × steps per epoch). */
  total: number;
  /** Name in front of the bar and in every JSON line ("train", "eval" …). */
  label?: string;
  /** Force JSON lines even on a TTY (the CLI's --json). */
  json?: boolean;
  /** Output stream (default process.stdout); injectable for tests. */
  stream?: ProgressStream;
  /** Number of epochs, to show "epoch 2/10" instead of "epoch 2". */
  epochs?: number;
  /** JSON mode: emit a step line only every N-th update (the final step is always emitted); default 1. */
  jsonEvery?: number;
  /** Bar redraws per second; default 10. */
  fps?: number;
}

export interface Progress {
  readonly mode: "bar" | "json";
  /** Record progress at `step` (1-based count of finished steps, ≤ total). */
  update(step: number, metrics?: ProgressMetrics): void;
  /** A structured event (epoch summary, checkpoint …): a JSON line, or "event: k=v …" above the bar. */
  log(obj: Readonly<Record<string, unknown>>): void;
  /** A human message: {"event":"info","message":…} or a plain line above the bar. */
  info(msg: string): void;
  /** Final redraw and newline (bar) or a {"event":"done"} line (JSON). Idempotent. */
  stop(): void;
}

/** Choose the mode and make a progress reporter. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stdout;
  if (!(opts.total >= 0) || !Number.isFinite(opts.total)) throw new RangeError(`createProgress: total must be a finite number ≥ 0, got ${opts.total}`);
  return opts.json === true || stream.isTTY !== true ? new JsonProgress(opts, stream) : new BarProgress(opts, stream);
}

/** Seconds as "42s", "3m05s", "1h02m"; "--" when unknown. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "--";
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Throughput with k/M suffixes: 950, 12.3k, 4.56M. */
export function formatRate(v: number): string {
  if (!Number.isFinite(v)) return "--";
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (v >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}

function num(v: number, digits: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return v.toFixed(digits);
}

function sig(v: number): string {
  if (!Number.isFinite(v)) return num(v, 0);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** The metric fields of the bar line, in a fixed order, leaving out what was not given. */
export function formatMetrics(m: ProgressMetrics): string[] {
  const out: string[] = [];
  if (m.loss !== undefined) out.push(`loss ${num(m.loss, 4)}`);
  if (m.ppl !== undefined) out.push(`ppl ${Number.isFinite(m.ppl) && m.ppl >= 1000 ? formatRate(m.ppl) : num(m.ppl, 2)}`);
  if (m.acc !== undefined) out.push(`acc ${num(m.acc * 100, 1)}%`);
  if (m.lr !== undefined) out.push(`lr ${Number.isFinite(m.lr) ? m.lr.toExponential(1) : num(m.lr, 0)}`);
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined || ["epoch", "loss", "ppl", "acc", "lr", "tokPerSec", "exPerSec"].includes(k)) continue;
    out.push(`${k} ${sig(v)}`);
  }
  if (m.tokPerSec !== undefined) out.push(`${formatRate(m.tokPerSec)} tok/s`);
  if (m.exPerSec !== undefined) out.push(`${formatRate(m.exPerSec)} ex/s`);
  return out;
}

/** "event: k=v k=v" for log() above the bar. */
function formatEvent(obj: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === "event") continue;
    parts.push(`${k}=${typeof v === "number" ? sig(v) : typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return (typeof obj.event === "string" ? `${obj.event}: ` : "") + parts.join(" ");
}

class JsonProgress implements Progress {
  readonly mode = "json" as const;
  private readonly start = Date.now();
  private updates = 0;
  private lastStep = 0;
  private lastEmitted = -1;
  private lastMetrics: ProgressMetrics = {};
  private stopped = false;

  constructor(private readonly opts: ProgressOptions, private readonly stream: ProgressStream) {}

  private emit(obj: Record<string, unknown>): void {
    // JSON.stringify writes non-finite numbers as null, so every line stays valid JSON.
    this.stream.write(JSON.stringify(obj) + "\n");
  }

  private elapsed(): number {
    return Math.round(Date.now() - this.start) / 1000;
  }

  private stepLine(step: number, m: ProgressMetrics): void {
    const { epoch, ...rest } = m;
    this.emit({ event: "step", ...(this.opts.label ? { label: this.opts.label } : {}), ...(epoch !== undefined ? { epoch } : {}), step, total: this.opts.total, ...rest, elapsedSec: this.elapsed() });
    this.lastEmitted = step;
  }

  update(step: number, metrics: ProgressMetrics = {}): void {
    if (this.stopped) return;
    this.updates++;
    this.lastStep = step;
    this.lastMetrics = metrics;
    const every = Math.max(1, Math.floor(this.opts.jsonEvery ?? 1));
    if (this.updates % every === 0 || step >= this.opts.total) this.stepLine(step, metrics);
  }

  log(obj: Readonly<Record<string, unknown>>): void {
    this.emit({ event: "log", ...(this.opts.label ? { label: this.opts.label } : {}), ...obj });
  }

  info(msg: string): void {
    this.emit({ event: "info", ...(this.opts.label ? { label: this.opts.label } : {}), message: msg });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // The last step is always on record, even when jsonEvery skipped it.
    if (this.updates > 0 && this.lastEmitted !== this.lastStep) this.stepLine(this.lastStep, this.lastMetrics);
    this.emit({ event: "done", ...(this.opts.label ? { label: this.opts.label } : {}), step: this.lastStep, total: this.opts.total, elapsedSec: this.elapsed() });
  }
}

class BarProgress implements Progress {
  readonly mode = "bar" as const;
  private readonly multi: cliProgress.MultiBar;
  private readonly bar: cliProgress.SingleBar;
  private stopped = false;

  constructor(private readonly opts: ProgressOptions, private readonly stream: ProgressStream) {
    const label = opts.label ?? "";
    const epochs = opts.epochs;
    const format = (_o: cliProgress.Options, params: cliProgress.Params, payload: { metrics?: ProgressMetrics }): string => {
      const m = payload.metrics ?? {};
      const width = 24;
      const filled = Math.max(0, Math.min(width, Math.round(params.progress * width)));
      const pct = `${Math.floor(params.progress * 100)}%`.padStart(4);
      const fields: string[] = [];
      if (m.epoch !== undefined) fields.push(`epoch ${m.epoch}${epochs !== undefined ? `/${epochs}` : ""}`);
      fields.push(`step ${params.value}/${params.total}`);
      fields.push(...formatMetrics(m));
      const eta = typeof params.eta === "number" ? params.eta : NaN;
      fields.push(params.value >= params.total ? `took ${formatDuration((Date.now() - params.startTime) / 1000)}` : `ETA ${formatDuration(eta)}`);
      return `${label ? label + " " : ""}${"█".repeat(filled)}${"░".repeat(width - filled)} ${pct} │ ${fields.join(" │ ")}`;
    };
    this.multi = new cliProgress.MultiBar({
      stream: stream as unknown as NodeJS.WritableStream,
      format: format as cliProgress.GenericFormatter,
      fps: opts.fps ?? 10,
      etaBuffer: 50,
      hideCursor: false, // nothing to restore if the run is interrupted
      linewrap: true, // cut to the terminal width instead of switching wrapping off
      gracefulExit: false, // keep Ctrl-C's default behaviour (exit)
      clearOnComplete: false,
    });
    this.bar = this.multi.create(opts.total, 0, { metrics: {} });
  }

  update(step: number, metrics: ProgressMetrics = {}): void {
    if (this.stopped) return;
    this.bar.update(Math.min(step, this.opts.total), { metrics });
  }

  private line(s: string): void {
    if (this.stopped) {
      this.stream.write(s + "\n");
      return;
    }
    this.multi.log(s + "\n");
    this.multi.update(); // flush now (clears the bar line, prints, redraws the bar)
  }

  log(obj: Readonly<Record<string, unknown>>): void {
    this.line(formatEvent(obj));
  }

  info(msg: string): void {
    this.line(msg);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.multi.stop();
  }
}
