/**
 * Axis scales and ticks for the charts.
 *
 * Linear ticks are "nice": the step is 1, 2 or 5 × 10^k, chosen so that about `count` ticks cover
 * the domain, and the domain is widened to whole steps (Heckbert's "nice numbers").
 * Log ticks: major ticks at powers of ten, minor ticks at 2…9 × 10^k; when the domain holds fewer
 * than two powers of ten some minor ticks get labels too (so a loss curve from 1.5 to 8 on a log
 * axis is still readable); over many decades majors are thinned to every m-th power.
 */

export type ScaleType = "linear" | "log";

export interface Tick {
  value: number;
  /** Text to draw, or null for an unlabelled (minor) tick. */
  label: string | null;
  /** Major ticks get a grid line and, usually, a label; minor ticks a fainter line. */
  major: boolean;
}

export interface Scale {
  type: ScaleType;
  /** Data domain after widening to nice bounds, [lo, hi] with lo < hi (both > 0 for log). */
  domain: [number, number];
  /** Pixel range [start, end] (end < start is fine: y axes run upwards). */
  range: [number, number];
  /** Data value → pixel. */
  map(v: number): number;
  ticks: Tick[];
}

const SUPERSCRIPT: Record<string, string> = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻" };

/** 10^e written as "10³" / "10⁻⁴". */
export function powerOfTenLabel(e: number): string {
  return "10" + [...String(e)].map((c) => SUPERSCRIPT[c] ?? c).join("");
}

/** The nice step (1, 2, 5 or 10 × 10^k) closest to span / count. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nf * mag;
}

/**
 * Format a tick value given the tick step: enough decimals to tell neighbours apart, SI suffixes
 * for large values (12k, 1.5M) and exponent form for tiny ones (2e-5).
 */
export function formatTick(v: number, step: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 && step >= 1) {
    const [div, suf] = a >= 1e9 ? [1e9, "G"] : a >= 1e6 ? [1e6, "M"] : [1e3, "k"];
    const dec = Math.max(0, Math.min(3, -Math.floor(Math.log10(step / div) + 1e-9)));
    return trimZeros((v / div).toFixed(dec)) + suf;
  }
  if (step < 1e-3 || a < 1e-3) {
    const digits = Math.max(0, Math.min(6, Math.floor(Math.log10(a) + 1e-9) - Math.floor(Math.log10(step) + 1e-9)));
    return v.toExponential(digits).replace(/\.?0+e/, "e").replace("e+", "e");
  }
  const dec = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return trimZeros(v.toFixed(dec));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** Short general-purpose number format for legends, tooltips and tables (4 significant digits). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  return trimZeros(v.toPrecision(4));
}

/**
 * Linear scale over [lo, hi] (padded when lo == hi) onto `range`, with about `count` nice ticks.
 * With `nice` (default) the domain is widened to the outermost ticks.
 */
export function linearScale(lo: number, hi: number, range: [number, number], count: number, nice = true): Scale {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  if (nice) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  const ticks: Tick[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let i = first; i <= last; i++) {
    const v = i * step;
    const clean = Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12));
    ticks.push({ value: clean, label: formatTick(clean, step), major: true });
  }
  const [r0, r1] = range;
  const map = (v: number): number => r0 + ((v - lo) / (hi - lo)) * (r1 - r0);
  return { type: "linear", domain: [lo, hi], range, map, ticks };
}

/**
 * Log10 scale over [lo, hi] (both > 0) onto `range`. The domain is padded by 2% of its log span
 * and, when it already spans at least one decade, widened to whole powers of ten whenever that
 * costs less than half a decade on each side. `count` caps the number of labelled majors.
 */
export function logScale(lo: number, hi: number, range: [number, number], count: number): Scale {
  if (!(lo > 0) || !(hi > 0)) throw new RangeError(`logScale: domain must be > 0, got [${lo}, ${hi}]; hint: drop non-positive values before building a log axis`);
  let l0 = Math.log10(lo);
  let l1 = Math.log10(hi);
  if (!(l1 > l0)) {
    l0 -= 0.5;
    l1 += 0.5;
  }
  const pad = (l1 - l0) * 0.02;
  l0 -= pad;
  l1 += pad;
  if (l1 - l0 >= 1) {
    if (l0 - Math.floor(l0) < 0.5) l0 = Math.floor(l0);
    if (Math.ceil(l1) - l1 < 0.5) l1 = Math.ceil(l1);
  }
  const e0 = Math.ceil(l0 - 1e-9);
  const e1 = Math.floor(l1 + 1e-9);
  const decades = l1 - l0;
  const every = Math.max(1, Math.ceil((e1 - e0 + 1) / Math.max(2, count)));
  const plain = 10 ** Math.floor(l0) >= 1e-3 && 10 ** Math.ceil(l1) <= 1e4;
  const ticks: Tick[] = [];
  const majorsInside = e1 - e0 + 1;
  // Label a few minors when there are fewer than two powers of ten to read the axis by.
  // (Label thinning at draw time drops the ones that would collide.)
  const labelledMinors = majorsInside >= 2 ? [] : decades > 1.5 ? [2, 5] : decades > 1 ? [2, 3, 5] : [1.5, 2, 3, 4, 5, 6, 7, 8, 9];
  const minors = decades <= 8 ? [2, 3, 4, 5, 6, 7, 8, 9] : [];
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
    const p = 10 ** e;
    // Thinned majors keep the exponents that are multiples of `every` (10⁰, 10⁻³, 10⁻⁶ …).
    if (e >= e0 && e <= e1 && e % every === 0) {
      ticks.push({ value: p, label: plain ? formatTick(p, p) : powerOfTenLabel(e), major: true });
    } else if (e >= e0 && e <= e1) {
      ticks.push({ value: p, label: null, major: true });
    }
    const ms = new Set([...minors, ...labelledMinors]);
    for (const m of [...ms].sort((a, b) => a - b)) {
      const v = m * p;
      const lv = Math.log10(v);
      if (lv < l0 - 1e-9 || lv > l1 + 1e-9) continue;
      const label = labelledMinors.includes(m) ? formatTick(v, Math.min(v, p) / (labelledMinors.includes(1.5) ? 10 : 1)) : null;
      ticks.push({ value: Number(v.toPrecision(12)), label, major: false });
    }
  }
  const [r0, r1] = range;
  const map = (v: number): number => r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0);
  return { type: "log", domain: [10 ** l0, 10 ** l1], range, map, ticks };
}
