/**
 * Timing as /work/shared/bench/torch_lstm.py does it, so numbers compare: `warmup` calls, then
 * reps calibrated so one sample takes ≥ minTime seconds, then `samples` samples; the median
 * per-call time is reported (plus min/max).
 */
export interface TimingOptions {
  warmup: number;
  samples: number;
  minTime: number; // seconds
}
export const DEFAULT_TIMING: TimingOptions = { warmup: 3, samples: 5, minTime: 1.0 };
/** For steps that take seconds (ref backend, tfjs): one warm-up, then 3 single calls. */
export const QUICK_TIMING: TimingOptions = { warmup: 1, samples: 3, minTime: 0 };

export interface Timing {
  stepMs: number; // median seconds per call × 1e3
  minMs: number;
  maxMs: number;
  reps: number;
  samples: number;
}

const now = (): number => performance.now() / 1e3;

/** A first call slower than this switches to QUICK_TIMING (tfjs, ref: seconds per step). */
const SLOW_S = 2;

export function timed(fn: () => void, o: TimingOptions = DEFAULT_TIMING): Timing {
  const t0 = now();
  fn();
  if (now() - t0 > SLOW_S) o = QUICK_TIMING;
  for (let i = 1; i < o.warmup; i++) fn();
  let reps = 1;
  while (o.minTime > 0) {
    const t0 = now();
    for (let i = 0; i < reps; i++) fn();
    const dt = now() - t0;
    if (dt >= o.minTime) break;
    reps = Math.max(reps * 2, Math.floor(((reps * o.minTime) / Math.max(dt, 1e-6)) * 1.1));
  }
  const res: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    const t0 = now();
    for (let i = 0; i < reps; i++) fn();
    res.push((now() - t0) / reps);
  }
  res.sort((a, b) => a - b);
  const med = res[Math.floor(res.length / 2)]!;
  return { stepMs: med * 1e3, minMs: res[0]! * 1e3, maxMs: res[res.length - 1]! * 1e3, reps, samples: o.samples };
}

/** Peak resident set size of this process so far, MiB. */
export const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

/** timed() for an async step (tfjs's trainOnBatch). */
export async function timedAsync(fn: () => Promise<unknown>, o: TimingOptions = DEFAULT_TIMING): Promise<Timing> {
  const t0 = now();
  await fn();
  if (now() - t0 > SLOW_S) o = QUICK_TIMING;
  for (let i = 1; i < o.warmup; i++) await fn();
  let reps = 1;
  while (o.minTime > 0) {
    const t0 = now();
    for (let i = 0; i < reps; i++) await fn();
    const dt = now() - t0;
    if (dt >= o.minTime) break;
    reps = Math.max(reps * 2, Math.floor(((reps * o.minTime) / Math.max(dt, 1e-6)) * 1.1));
  }
  const res: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    const t0 = now();
    for (let i = 0; i < reps; i++) await fn();
    res.push((now() - t0) / reps);
  }
  res.sort((a, b) => a - b);
  const med = res[Math.floor(res.length / 2)]!;
  return { stepMs: med * 1e3, minMs: res[0]! * 1e3, maxMs: res[res.length - 1]! * 1e3, reps, samples: o.samples };
}
