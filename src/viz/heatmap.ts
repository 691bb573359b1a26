/**
 * Heatmaps as standalone SVG text: a [rows × cols] matrix (e.g. tokens × gates, tokens × hidden
 * units) with row and column labels, a sequential (viridis) or diverging (RdBu, centred) colour
 * scale, a colour bar with its min/max, and every cell's value in a hover tooltip.
 *
 * Readability at any size: cells shrink with the matrix (down to 2 px), labels are thinned to
 * every k-th row/column when cells are smaller than the text, long labels are cut with "…", and
 * whitespace tokens are made visible ("␣", "↵", "⇥").
 */
import { type ColorMapName, colorAt, luminance } from "./palette.js";
import { formatValue, linearScale, niceStep } from "./scale.js";
import { INK, INK_MUTED, el, escapeXml, hashId, px, svgOpen, text, textWidth, truncate } from "./svg.js";

/** A matrix as nested rows, or as a flat row-major buffer with its [rows, cols] shape (a Tensor's data and shape). */
export type MatrixInput = readonly (readonly number[])[] | { data: ArrayLike<number>; shape: readonly number[] };

export interface HeatmapOptions {
  values: MatrixInput;
  /** One label per row (e.g. the tokens); default 0, 1, 2 … */
  rowLabels?: readonly string[];
  /** One label per column (e.g. "input", "forget", "cell", "output", or unit indices); default 0, 1, 2 … */
  colLabels?: readonly string[];
  title?: string;
  subtitle?: string;
  /** Axis titles: above the column labels / beside the row labels. */
  xLabel?: string;
  yLabel?: string;
  /**
   * "sequential" (viridis, low = dark purple, high = yellow) or "diverging" (RdBu: below centre
   * blue, centre white, above red). Default: diverging when the data has both signs, else sequential.
   */
  colorScale?: "sequential" | "diverging";
  /** Centre of a diverging scale; default 0. */
  center?: number;
  /** Fixed colour range [min, max], e.g. [0, 1] for sigmoid gates; values outside are clamped. */
  domain?: readonly [number, number];
  /** Caption of the colour bar (e.g. "activation"). */
  valueLabel?: string;
  /** Print each value inside its cell (only when cells are big enough). Default false. */
  showValues?: boolean;
  /** Cell size in px; default chosen from the matrix size. */
  cellWidth?: number;
  cellHeight?: number;
  /** Show whitespace in labels as ␣ ↵ ⇥; default true. */
  visibleWhitespace?: boolean;
}

const LABEL_FONT = 11;
const NAN_FILL = "#d0d0d0"; // under dark diagonal hatching, so NaN never reads as a colour of the scale

/** Make whitespace in a token label visible. */
export function visibleToken(s: string): string {
  return s.replace(/\n/g, "↵").replace(/\r/g, "␍").replace(/\t/g, "⇥").replace(/^ +| +$/g, (m) => "␣".repeat(m.length)) || "∅";
}

function toMatrix(v: MatrixInput): { rows: number; cols: number; at: (r: number, c: number) => number } {
  if (Array.isArray(v)) {
    const rows = v.length;
    const cols = rows === 0 ? 0 : (v[0] as readonly number[]).length;
    (v as readonly (readonly number[])[]).forEach((row, r) => {
      if (row.length !== cols) throw new RangeError(`heatmap: row ${r} has ${row.length} values, expected ${cols} (the length of row 0); hint: every row needs one value per column`);
    });
    return { rows, cols, at: (r, c) => (v as readonly (readonly number[])[])[r]![c]! };
  }
  const { data, shape } = v as { data: ArrayLike<number>; shape: readonly number[] };
  if (shape.length !== 2) throw new RangeError(`heatmap: values.shape must be [rows, cols], got [${shape.join(", ")}]; hint: select one batch row first, e.g. a [T, H] slice`);
  const [rows, cols] = shape as [number, number];
  if (data.length !== rows * cols) throw new RangeError(`heatmap: ${data.length} values do not fill shape [${rows}, ${cols}]`);
  return { rows, cols, at: (r, c) => data[r * cols + c]! };
}

/** Render a heatmap to SVG text. */
export function heatmap(opts: HeatmapOptions): string {
  const m = toMatrix(opts.values);
  const { rows, cols } = m;
  const vis = opts.visibleWhitespace ?? true;
  const label = (ls: readonly string[] | undefined, n: number, what: string): string[] => {
    if (ls === undefined) return Array.from({ length: n }, (_, i) => String(i));
    if (ls.length !== n) throw new RangeError(`heatmap: ${ls.length} ${what} labels for ${n} ${what}s; hint: pass one label per ${what} or leave ${what}Labels out`);
    return ls.map((s) => (vis ? visibleToken(s) : s));
  };
  const rowLabels = label(opts.rowLabels, rows, "row");
  const colLabels = label(opts.colLabels, cols, "col");

  // Value range and colour mapping.
  let lo = Infinity;
  let hi = -Infinity;
  let nans = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const v = m.at(r, c);
    if (!Number.isFinite(v)) nans++;
    else {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo > hi) [lo, hi] = [0, 1];
  const center = opts.center ?? 0;
  const diverging = (opts.colorScale ?? (lo < center && hi > center ? "diverging" : "sequential")) === "diverging";
  let dmin: number;
  let dmax: number;
  // Automatic domains are widened to nice numbers (tanh outputs get ±1, not ±0.9865); the
  // exact data range is printed under the colour bar.
  if (opts.domain) [dmin, dmax] = [opts.domain[0], opts.domain[1]];
  else if (diverging) {
    const a = niceCeil(Math.max(Math.abs(lo - center), Math.abs(hi - center)) || 1);
    [dmin, dmax] = [center - a, center + a];
  } else [dmin, dmax] = linearScale(lo, hi, [0, 1], 5).domain;
  const cmap: ColorMapName = diverging ? "rdbu" : "viridis";
  const nanId = hashId("nan", `${opts.title ?? ""}|${rows}x${cols}`);
  const colorOf = (v: number): string => {
    if (!Number.isFinite(v)) return `url(#${nanId})`;
    if (diverging) {
      // Each side is scaled on its own so the centre stays white even for an asymmetric domain.
      const t = v >= center ? 0.5 + (0.5 * (v - center)) / Math.max(1e-30, dmax - center) : 0.5 - (0.5 * (center - v)) / Math.max(1e-30, center - dmin);
      return colorAt(cmap, t);
    }
    return colorAt(cmap, (v - dmin) / (dmax - dmin));
  };

  // Cell sizes and label thinning.
  const cw = opts.cellWidth ?? Math.max(2, Math.min(72, Math.floor(640 / Math.max(1, cols))));
  const ch = opts.cellHeight ?? Math.max(2, Math.min(22, Math.floor(800 / Math.max(1, rows))));
  const gridW = cw * cols;
  const gridH = ch * rows;
  // Rows: shrink the font down to 8 px before thinning, so ~60 tokens all keep their label; once
  // thinned, the labels get the room of several rows back.
  const rowStep = niceCount(Math.ceil(9 / ch));
  const rowFont = Math.min(LABEL_FONT, Math.max(8, rowStep * ch - 2));
  const rowTexts = rowLabels.map((s) => truncate(s, 150, rowFont));
  const rowLabelW = Math.max(0, ...rowTexts.filter((_, i) => i % rowStep === 0).map((s) => textWidth(s, rowFont)));
  const colW = Math.max(0, ...colLabels.map((s) => textWidth(s, LABEL_FONT)));
  // Column labels: horizontal when they fit in k cells (k ≤ 8, a "nice" step), else vertical.
  let colStep = [1, 2, 4, 5, 8, 10, 16].find((k) => k * cw >= colW + 10) ?? 0;
  const vertical = colStep === 0 || (colStep > 8 && cols > 1);
  if (vertical) colStep = niceCount(Math.ceil((LABEL_FONT + 2) / cw));
  const colTexts = colLabels.map((s) => (vertical ? truncate(s, 110, LABEL_FONT) : s));
  const colHeaderH = vertical ? Math.max(0, ...colTexts.filter((_, i) => i % colStep === 0).map((s) => textWidth(s, LABEL_FONT))) + 10 : LABEL_FONT + 8;

  // Layout.
  const notes: string[] = [];
  if (opts.subtitle) notes.push(opts.subtitle);
  if (rows * cols > nans && (lo !== dmin || hi !== dmax)) {
    const clamped = lo < dmin || hi > dmax ? " (values outside are clamped)" : "";
    notes.push(`data range ${formatValue(lo)} … ${formatValue(hi)}, colour scale ${formatValue(dmin)} … ${formatValue(dmax)}${clamped}`);
  }
  if (nans > 0) notes.push(`${nans} non-finite cell${nans === 1 ? "" : "s"} (NaN/±∞) shown hatched grey`);
  const thinned = [rowStep > 1 ? `every ${ordinal(rowStep)} row` : "", colStep > 1 && vertical ? `every ${ordinal(colStep)} column` : ""].filter((t) => t);
  if (thinned.length > 0) notes.push(`labels thinned (${thinned.join(", ")}); hover a cell for its label and value`);
  const titleH = 14 + (opts.title ? 24 : 0) + notes.length * 16;
  const xLabelH = opts.xLabel ? 22 : 0;
  const gx = 14 + (opts.yLabel ? 24 : 0) + rowLabelW + 8;
  const gy = titleH + 12 + xLabelH + colHeaderH;
  const barX = gx + gridW + 24;
  const barW = 14;
  const barH = Math.max(60, Math.min(gridH, 260));
  const fmt = (v: number): string => formatValue(v);
  const barScale = linearScale(dmin, dmax, [gy + barH, gy], Math.max(2, Math.round(barH / 50)), false);
  const barLabelW = Math.max(textWidth(fmt(dmax), LABEL_FONT), textWidth(fmt(dmin), LABEL_FONT), ...barScale.ticks.map((t) => textWidth(t.label ?? "", LABEL_FONT)));
  const titleW = Math.max(opts.title ? textWidth(opts.title, 16) : 0, ...notes.map((n) => textWidth(n, 12)));
  const width = Math.ceil(Math.max(barX + barW + 10 + barLabelW + (opts.valueLabel ? 24 : 0) + 14, 14 + titleW + 14));
  const height = Math.ceil(Math.max(gy + gridH, gy + barH) + 16);

  let out = svgOpen(width, height, opts.title ?? "heatmap");

  // Cells: one rect each, with the value in a tooltip.
  const small = cw < 6 || ch < 6;
  const gap = small ? 0 : 1;
  const showValues = (opts.showValues ?? false) && cw >= 28 && ch >= 12;
  let cells = "";
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = m.at(r, c);
      const fill = colorOf(v);
      // (luminance() below only runs for finite v, whose fill is always "#rrggbb".)
      const tip = el("title", {}, escapeXml(`${rowLabels[r]} · ${colLabels[c]}: ${formatValue(v)}`));
      cells += el("rect", { x: gx + c * cw, y: gy + r * ch, width: cw - gap, height: ch - gap, fill }, tip);
      if (showValues && Number.isFinite(v)) {
        const fs = Math.min(11, ch - 3);
        cells += text(gx + c * cw + (cw - gap) / 2, gy + r * ch + (ch - gap) / 2 + fs * 0.35, fmt(v), {
          "font-size": fs, "text-anchor": "middle", fill: luminance(fill) > 0.35 ? "#111111" : "#ffffff", "pointer-events": "none",
        });
      }
    }
  }
  out += el("g", { class: "cells", "shape-rendering": small ? "crispEdges" : undefined }, cells);

  // Row labels (thinned), right-aligned against the grid.
  let rl = "";
  for (let r = 0; r < rows; r += rowStep) {
    rl += text(gx - 6, gy + r * ch + ch / 2 + rowFont * 0.35, rowTexts[r]!, { "font-size": rowFont, "text-anchor": "end", fill: INK, class: "row-label" });
  }
  out += el("g", { class: "row-labels" }, rl);

  // Column labels (thinned), horizontal or vertical (reading bottom-up).
  let cl = "";
  for (let c = 0; c < cols; c += colStep) {
    const cx = gx + c * cw + (cw - gap) / 2;
    if (vertical) {
      const y = gy - 6;
      cl += text(cx + LABEL_FONT * 0.35, y, colTexts[c]!, { "font-size": LABEL_FONT, fill: INK, transform: `rotate(-90 ${px(cx + LABEL_FONT * 0.35)} ${px(y)})`, class: "col-label" });
    } else {
      cl += text(cx, gy - 7, colTexts[c]!, { "font-size": LABEL_FONT, "text-anchor": "middle", fill: INK, class: "col-label" });
    }
  }
  out += el("g", { class: "col-labels" }, cl);

  // Axis titles.
  if (opts.xLabel) out += text(gx + gridW / 2, titleH + 12 + 14, opts.xLabel, { "font-size": 13, "text-anchor": "middle", fill: INK, class: "axis-label" });
  if (opts.yLabel) {
    const lx = 14 + 13 * 0.5 + 4;
    const ly = gy + Math.min(gridH, 400) / 2;
    out += text(lx, ly, opts.yLabel, { "font-size": 13, "text-anchor": "middle", fill: INK, transform: `rotate(-90 ${px(lx)} ${px(ly)})`, class: "axis-label" });
  }

  // Colour bar: max at the top, min at the bottom, the centre marked on a diverging scale.
  const gid = hashId("cbar", `${opts.title ?? ""}|${rows}x${cols}|${dmin}|${dmax}`);
  let stops = "";
  for (let i = 0; i <= 20; i++) {
    const t = i / 20;
    stops += el("stop", { offset: `${px(t * 100)}%`, "stop-color": colorOf(dmax - t * (dmax - dmin)) });
  }
  let defs = el("linearGradient", { id: gid, x1: 0, y1: 0, x2: 0, y2: 1 }, stops);
  if (nans > 0) {
    defs += el("pattern", { id: nanId, width: 5, height: 5, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      el("rect", { x: 0, y: 0, width: 5, height: 5, fill: NAN_FILL }) + el("line", { x1: 0, y1: 0, x2: 0, y2: 5, stroke: "#707070", "stroke-width": 2 }));
  }
  out += el("defs", {}, defs);
  let bar = el("rect", { x: barX, y: gy, width: barW, height: barH, fill: `url(#${gid})`, stroke: "#888888", "stroke-width": 0.5 });
  const tick = (v: number, y: number): string =>
    el("line", { x1: barX + barW, x2: barX + barW + 4, y1: y, y2: y, stroke: "#888888" }) +
    text(barX + barW + 7, y + LABEL_FONT * 0.35, fmt(v), { "font-size": LABEL_FONT, fill: INK_MUTED, class: "cbar-label" });
  bar += tick(dmax, gy) + tick(dmin, gy + barH);
  // Nice ticks in between (the centre of a diverging scale is one of them), clear of the ends.
  for (const t of barScale.ticks) {
    const ty = barScale.map(t.value);
    if (ty - gy > 14 && gy + barH - ty > 14) bar += tick(t.value, ty);
  }
  if (opts.valueLabel) {
    const lx = barX + barW + 10 + barLabelW + 14;
    const ly = gy + barH / 2;
    bar += text(lx, ly, opts.valueLabel, { "font-size": 12, "text-anchor": "middle", fill: INK, transform: `rotate(-90 ${px(lx)} ${px(ly)})`, class: "cbar-caption" });
  }
  out += el("g", { class: "colorbar" }, bar);

  // Title block.
  let y = 14;
  if (opts.title) {
    y += 18;
    out += text(14, y, opts.title, { "font-size": 16, "font-weight": "bold", fill: INK, class: "title" });
    y += 6;
  }
  for (const n of notes) {
    y += 15;
    out += text(14, y, n, { "font-size": 12, fill: INK_MUTED, class: "subtitle" });
  }
  return out + "</svg>\n";
}

/** 1st, 2nd, 3rd, 4th … */
function ordinal(n: number): string {
  const t = n % 100;
  const suf = t >= 11 && t <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${suf}`;
}

/** Smallest value ≥ a on the grid of a tenth of its order of magnitude's nice step (0.9865 → 1, 3.7 → 4, 0.012 → 0.012). */
function niceCeil(a: number): number {
  const step = niceStep(a, 10);
  return Number((Math.ceil(a / step - 1e-9) * step).toPrecision(12));
}

/** The smallest of 1, 2, 5, 10, 20, 50 … that is ≥ n, so thinned numeric labels read 0, 5, 10 … */
function niceCount(n: number): number {
  for (let p = 1; ; p *= 10) for (const k of [1, 2, 5]) if (k * p >= n) return k * p;
}
