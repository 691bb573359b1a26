/**
 * Line charts as standalone SVG text (training curves, gradient norms per time step, accuracy
 * against distance): several named series, linear or log10 axes with nice ticks, a legend, and
 * colour-blind-safe colours paired with dash patterns and optional markers.
 *
 * Points that cannot be drawn (NaN, ±Infinity, or ≤ 0 on a log axis) are skipped, the line is
 * broken there, and the chart says how many were skipped under the title.
 */
import { type PlotRect, LABEL_FONT, drawGrid, drawXAxis, drawYAxis, makeScale, maxTickLabelWidth } from "./axis.js";
import { type MarkerShape, seriesStyle } from "./palette.js";
import { type Scale, type ScaleType, formatValue } from "./scale.js";
import { INK, INK_MUTED, el, escapeXml, hashId, px, svgOpen, text, textWidth, truncate } from "./svg.js";

export interface Point {
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  points: readonly Point[];
  /** Override the palette colour ("#rrggbb" or any SVG colour). */
  color?: string;
  /** Override the dash pattern (SVG stroke-dasharray, "" = solid). */
  dash?: string;
  /** Override the marker shape, or "none". */
  marker?: MarkerShape | "none";
}

export interface LineChartOptions {
  series: readonly LineSeries[];
  title?: string;
  /** Extra line under the title (the skipped-points note is appended to it). */
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  /** Axis types; default "linear". */
  xScale?: ScaleType;
  yScale?: ScaleType;
  /** Fixed data ranges (e.g. [0, 1] for accuracy); points outside are clipped. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** true = markers on every point, false = none, "auto" (default) = only for series with ≤ 40 points. */
  markers?: boolean | "auto";
  /** Total size in px; default 760 × 460. */
  width?: number;
  height?: number;
}

interface Prepared {
  name: string;
  color: string;
  dash: string;
  marker: MarkerShape | "none";
  /** Drawable points split into runs at skipped points. */
  runs: Point[][];
  count: number;
}

/** Render a line chart to SVG text. */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 460;
  const xType = opts.xScale ?? "linear";
  const yType = opts.yScale ?? "linear";

  // 1. Clean the data: split each series into runs of drawable points.
  let nonFinite = 0;
  let nonPositive = 0;
  const prepared: Prepared[] = opts.series.map((s, i) => {
    const st = seriesStyle(i);
    const runs: Point[][] = [];
    let run: Point[] = [];
    let count = 0;
    for (const p of s.points) {
      let ok = Number.isFinite(p.x) && Number.isFinite(p.y);
      if (!ok) nonFinite++;
      else if ((xType === "log" && p.x <= 0) || (yType === "log" && p.y <= 0)) {
        ok = false;
        nonPositive++;
      }
      if (ok) {
        run.push({ x: p.x, y: p.y });
        count++;
      } else if (run.length > 0) {
        runs.push(run);
        run = [];
      }
    }
    if (run.length > 0) runs.push(run);
    const showMarkers = opts.markers === true || ((opts.markers ?? "auto") === "auto" && count <= 40);
    const marker = s.marker ?? (showMarkers ? st.marker : "none");
    return { name: s.name, color: s.color ?? st.color, dash: s.dash ?? st.dash, marker, runs, count };
  });

  // 2. Data extent (or the fixed domains).
  const ext = (key: "x" | "y", fixed: readonly [number, number] | undefined, type: ScaleType): [number, number] => {
    if (fixed) return [fixed[0], fixed[1]];
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of prepared) for (const r of s.runs) for (const p of r) {
      lo = Math.min(lo, p[key]);
      hi = Math.max(hi, p[key]);
    }
    if (lo > hi) return type === "log" ? [1, 10] : [0, 1];
    return [lo, hi];
  };
  const [xlo, xhi] = ext("x", opts.xDomain, xType);
  const [ylo, yhi] = ext("y", opts.yDomain, yType);

  // 3. Layout: title block, legend on the right, margins from the tick label widths.
  const notes: string[] = [];
  if (opts.subtitle) notes.push(opts.subtitle);
  const skipped: string[] = [];
  if (nonFinite > 0) skipped.push(`${nonFinite} non-finite (NaN/±∞)`);
  if (nonPositive > 0) skipped.push(`${nonPositive} ≤ 0 on the log axis`);
  if (skipped.length > 0) notes.push(`skipped points: ${skipped.join(", ")}`);
  if (prepared.every((s) => s.count === 0)) notes.push("no data to plot");
  const top = 14 + (opts.title ? 26 : 0) + notes.length * 17 + 16;

  const legendFont = 12;
  const legendNameMax = Math.min(190, width * 0.22); // long names are cut ("…"), full name on hover
  const legendNames = prepared.map((s) => truncate(s.name + (s.count === 0 ? " (no data)" : ""), legendNameMax, legendFont));
  const legendW = prepared.length === 0 ? 0 : 16 + 30 + 8 + Math.max(...legendNames.map((n) => textWidth(n, legendFont)));
  const right = 20 + legendW;
  const bottom = opts.xLabel ? 54 : 32;
  const yLabelW = opts.yLabel ? 26 : 0;

  // The y tick labels decide the left margin, and so the plot width.
  const plotH = Math.max(60, height - top - bottom);
  const ys = makeScale(yType, ylo, yhi, [top + plotH, top], Math.max(3, Math.round(plotH / 45)), opts.yDomain === undefined);
  const left = 14 + yLabelW + maxTickLabelWidth(ys) + 10;
  const plotW = Math.max(60, width - left - right);
  const xs = makeScale(xType, xlo, xhi, [left, left + plotW], Math.max(3, Math.round(plotW / 90)), opts.xDomain === undefined);
  const rect: PlotRect = { x: left, y: top, width: plotW, height: plotH };

  // 4. Draw.
  const clipId = hashId("clip", `${opts.title ?? ""}|${prepared.map((s) => s.name + s.count).join("|")}|${width}x${height}`);
  let out = svgOpen(width, height, opts.title ?? "line chart");
  out += el("defs", {}, el("clipPath", { id: clipId }, el("rect", { x: rect.x - 4, y: rect.y - 4, width: rect.width + 8, height: rect.height + 8 })));
  out += el("rect", { class: "plot-area", x: rect.x, y: rect.y, width: rect.width, height: rect.height, fill: "#ffffff" });
  out += drawGrid(rect, xs, ys);
  out += drawXAxis(rect, xs, opts.xLabel);
  out += drawYAxis(rect, ys, opts.yLabel, 14 + LABEL_FONT * 0.5);

  let data = "";
  for (const s of prepared) data += drawSeries(s, xs, ys, plotW);
  out += el("g", { class: "series", "clip-path": `url(#${clipId})` }, data);

  let y = 14;
  if (opts.title) {
    y += 18;
    out += text(left, y, opts.title, { "font-size": 16, "font-weight": "bold", fill: INK, class: "title" });
    y += 8;
  }
  for (const n of notes) {
    y += 15;
    out += text(left, y, n, { "font-size": 12, fill: INK_MUTED, class: "subtitle" });
  }

  if (prepared.length > 0) out += drawLegend(prepared, legendNames, width - right + 16, top + 4, legendFont);
  return out + "</svg>\n";
}

/** One series: a path (broken at skipped points), then its markers. */
function drawSeries(s: Prepared, xs: Scale, ys: Scale, plotW: number): string {
  let d = "";
  let markers = "";
  for (const run of s.runs) {
    // A lone point has no line (it gets a marker or a dot below).
    const pix = run.length < 2 ? [] : decimate(run.map((p) => [xs.map(p.x), ys.map(p.y)] as [number, number]), plotW);
    pix.forEach(([x, y], i) => {
      d += `${i === 0 ? "M" : "L"}${px(x)} ${px(y)}`;
    });
    if (s.marker !== "none") for (const p of run) markers += marker(s.marker, xs.map(p.x), ys.map(p.y), 3.5, s.color, `${s.name}: (${formatValue(p.x)}, ${formatValue(p.y)})`);
  }
  let g = "";
  // Without markers a lone point would be invisible, so give it a dot.
  const lonely = s.runs.filter((r) => r.length === 1);
  if (d) g += el("path", { d, fill: "none", stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash || undefined, "stroke-linejoin": "round", "stroke-linecap": "round" });
  if (s.marker === "none") for (const r of lonely) g += el("circle", { cx: xs.map(r[0]!.x), cy: ys.map(r[0]!.y), r: 2.5, fill: s.color });
  g += markers;
  return el("g", { class: "line", "data-series": s.name }, g);
}

/**
 * Keep long runs (training logs with 10⁵ steps) small: when there are more than 4 points per
 * pixel column, keep per column the first, lowest, highest and last point, in order, which keeps
 * the envelope and spikes of the curve exactly.
 */
function decimate(pts: [number, number][], plotW: number): [number, number][] {
  if (pts.length <= 4 * plotW) return pts;
  const out: [number, number][] = [];
  let col = NaN;
  let bucket: [number, number][] = [];
  const flush = (): void => {
    if (bucket.length === 0) return;
    let lo = bucket[0]!;
    let hi = bucket[0]!;
    for (const p of bucket) {
      if (p[1] < lo[1]) lo = p;
      if (p[1] > hi[1]) hi = p;
    }
    const keep = new Set([bucket[0]!, lo, hi, bucket[bucket.length - 1]!]);
    for (const p of bucket) if (keep.has(p)) out.push(p);
    bucket = [];
  };
  for (const p of pts) {
    const c = Math.floor(p[0]);
    if (c !== col) {
      flush();
      col = c;
    }
    bucket.push(p);
  }
  flush();
  return out;
}

/** A marker shape centred at (x, y) with a hover tooltip. */
function marker(shape: MarkerShape, x: number, y: number, r: number, color: string, tip: string | null): string {
  const t = tip === null ? undefined : el("title", {}, escapeXml(tip));
  const common = { fill: color, stroke: "#ffffff", "stroke-width": 0.8, class: "marker" };
  switch (shape) {
    case "circle":
      return el("circle", { cx: x, cy: y, r, ...common }, t);
    case "square":
      return el("rect", { x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8, ...common }, t);
    case "triangle":
      return el("path", { d: `M${px(x)} ${px(y - r * 1.15)}L${px(x + r)} ${px(y + r * 0.75)}L${px(x - r)} ${px(y + r * 0.75)}Z`, ...common }, t);
    case "diamond":
      return el("path", { d: `M${px(x)} ${px(y - r * 1.2)}L${px(x + r)} ${px(y)}L${px(x)} ${px(y + r * 1.2)}L${px(x - r)} ${px(y)}Z`, ...common }, t);
    case "cross":
      return el("path", { d: `M${px(x - r)} ${px(y - r)}L${px(x + r)} ${px(y + r)}M${px(x - r)} ${px(y + r)}L${px(x + r)} ${px(y - r)}`, fill: "none", stroke: color, "stroke-width": 2, class: "marker" }, t);
    case "plus":
      return el("path", { d: `M${px(x - r)} ${px(y)}L${px(x + r)} ${px(y)}M${px(x)} ${px(y - r)}L${px(x)} ${px(y + r)}`, fill: "none", stroke: color, "stroke-width": 2, class: "marker" }, t);
  }
}

function drawLegend(series: readonly Prepared[], names: readonly string[], x: number, y: number, font: number): string {
  let out = "";
  series.forEach((s, i) => {
    const cy = y + 10 + i * 20;
    let row = el("line", { x1: x, x2: x + 30, y1: cy, y2: cy, stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash || undefined });
    if (s.marker !== "none") row += marker(s.marker, x + 15, cy, 3.5, s.color, null);
    row += text(x + 38, cy + font * 0.35, names[i]!, { "font-size": font, fill: INK, class: "legend-label" });
    if (names[i] !== s.name) row = el("title", {}, escapeXml(s.name)) + row; // full name on hover when truncated
    out += el("g", { class: "legend-item" }, row);
  });
  return el("g", { class: "legend" }, out);
}
