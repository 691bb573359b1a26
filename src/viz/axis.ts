/**
 * Drawing of axes, grids and tick labels for a plot rectangle, plus label thinning so tick labels
 * never overlap (majors keep their labels first, then minors fill the gaps).
 */
import { linearScale, logScale, type Scale, type ScaleType, type Tick } from "./scale.js";
import { FRAME, GRID, GRID_MINOR, INK, INK_MUTED, el, px, text, textWidth } from "./svg.js";

export interface PlotRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const TICK_FONT = 11;
export const LABEL_FONT = 13;

/** Build a linear or log scale for data [lo, hi] over a pixel range. */
export function makeScale(type: ScaleType, lo: number, hi: number, range: [number, number], count: number, nice = true): Scale {
  return type === "log" ? logScale(lo, hi, range, count) : linearScale(lo, hi, range, count, nice);
}

/**
 * Ticks whose label is kept: labels are placed in order of priority (majors, then minors) and
 * dropped when they would come closer than `gap` px to a kept one. `size(t)` is the label's
 * extent along the axis.
 */
export function thinLabels(ticks: readonly Tick[], scale: Scale, size: (label: string) => number, gap = 6): Set<Tick> {
  const kept: { lo: number; hi: number }[] = [];
  const out = new Set<Tick>();
  const [r0, r1] = scale.range;
  const rmin = Math.min(r0, r1) - 1;
  const rmax = Math.max(r0, r1) + 1;
  const byPriority = [...ticks.filter((t) => t.label !== null && t.major), ...ticks.filter((t) => t.label !== null && !t.major)];
  for (const t of byPriority) {
    const p = scale.map(t.value);
    if (p < rmin || p > rmax) continue;
    const half = size(t.label!) / 2;
    const lo = p - half;
    const hi = p + half;
    if (kept.some((k) => lo < k.hi + gap && hi > k.lo - gap)) continue;
    kept.push({ lo, hi });
    out.add(t);
  }
  return out;
}

/** Widest tick label of a scale in px (for the left margin). */
export function maxTickLabelWidth(scale: Scale): number {
  let w = 0;
  for (const t of scale.ticks) if (t.label !== null) w = Math.max(w, textWidth(t.label, TICK_FONT));
  return w;
}

/** Grid lines (behind the data) for both scales inside the plot rectangle. */
export function drawGrid(rect: PlotRect, xs: Scale, ys: Scale): string {
  let out = "";
  const inX = (v: number): boolean => v >= rect.x - 0.5 && v <= rect.x + rect.width + 0.5;
  const inY = (v: number): boolean => v >= rect.y - 0.5 && v <= rect.y + rect.height + 0.5;
  for (const t of xs.ticks) {
    const p = xs.map(t.value);
    if (!inX(p)) continue;
    out += el("line", { x1: p, x2: p, y1: rect.y, y2: rect.y + rect.height, stroke: t.major ? GRID : GRID_MINOR, "stroke-width": 1 });
  }
  for (const t of ys.ticks) {
    const p = ys.map(t.value);
    if (!inY(p)) continue;
    out += el("line", { x1: rect.x, x2: rect.x + rect.width, y1: p, y2: p, stroke: t.major ? GRID : GRID_MINOR, "stroke-width": 1 });
  }
  return el("g", { class: "grid" }, out);
}

/** Bottom x axis: line, tick marks, thinned labels and the axis title. */
export function drawXAxis(rect: PlotRect, xs: Scale, label: string | undefined): string {
  const y0 = rect.y + rect.height;
  let out = el("line", { x1: rect.x, x2: rect.x + rect.width, y1: y0, y2: y0, stroke: FRAME, "stroke-width": 1 });
  const keep = thinLabels(xs.ticks, xs, (s) => textWidth(s, TICK_FONT), 8);
  for (const t of xs.ticks) {
    const p = xs.map(t.value);
    if (p < rect.x - 0.5 || p > rect.x + rect.width + 0.5) continue;
    out += el("line", { x1: p, x2: p, y1: y0, y2: y0 + (t.major ? 5 : 3), stroke: FRAME, "stroke-width": 1 });
    if (keep.has(t)) out += text(p, y0 + 18, t.label!, { "font-size": TICK_FONT, "text-anchor": "middle", fill: INK_MUTED, class: "tick-label" });
  }
  if (label) out += text(rect.x + rect.width / 2, y0 + 40, label, { "font-size": LABEL_FONT, "text-anchor": "middle", fill: INK, class: "axis-label" });
  return el("g", { class: "x-axis" }, out);
}

/** Left y axis: line, tick marks, thinned labels and the rotated axis title at `labelX`. */
export function drawYAxis(rect: PlotRect, ys: Scale, label: string | undefined, labelX: number): string {
  const x0 = rect.x;
  let out = el("line", { x1: x0, x2: x0, y1: rect.y, y2: rect.y + rect.height, stroke: FRAME, "stroke-width": 1 });
  const keep = thinLabels(ys.ticks, ys, () => TICK_FONT, 4);
  for (const t of ys.ticks) {
    const p = ys.map(t.value);
    if (p < rect.y - 0.5 || p > rect.y + rect.height + 0.5) continue;
    out += el("line", { x1: x0 - (t.major ? 5 : 3), x2: x0, y1: p, y2: p, stroke: FRAME, "stroke-width": 1 });
    if (keep.has(t)) out += text(x0 - 8, p + TICK_FONT * 0.35, t.label!, { "font-size": TICK_FONT, "text-anchor": "end", fill: INK_MUTED, class: "tick-label" });
  }
  if (label) {
    const cy = rect.y + rect.height / 2;
    out += text(labelX, cy, label, { "font-size": LABEL_FONT, "text-anchor": "middle", fill: INK, transform: `rotate(-90 ${px(labelX)} ${px(cy)})`, class: "axis-label" });
  }
  return el("g", { class: "y-axis" }, out);
}
