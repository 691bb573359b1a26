/**
 * Colours for the charts, all chosen to stay distinguishable with the common colour-vision
 * deficiencies:
 * - series: the Okabe–Ito palette (Okabe & Ito 2008), paired with dash patterns and marker shapes
 *   so lines stay apart even in greyscale print;
 * - sequential maps: viridis (perceptually uniform, monotone lightness);
 * - diverging maps: ColorBrewer RdBu (blue = negative, white = centre, red = positive).
 */

/** Okabe–Ito, reordered so the first colours are the most distinct (yellow, the faintest, last). */
export const SERIES_COLORS: readonly string[] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#F0E442"];

/** Dash patterns (stroke-dasharray), "" = solid; cycles more slowly than the colours. */
export const SERIES_DASHES: readonly string[] = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4"];

export type MarkerShape = "circle" | "square" | "triangle" | "diamond" | "cross" | "plus";
export const SERIES_MARKERS: readonly MarkerShape[] = ["circle", "square", "triangle", "diamond", "cross", "plus"];

/** Colour, dash and marker of the i-th series: colours cycle first, dashes change every 8 series too. */
export function seriesStyle(i: number): { color: string; dash: string; marker: MarkerShape } {
  const n = SERIES_COLORS.length;
  return {
    color: SERIES_COLORS[i % n]!,
    // Series 0..n-1 differ by colour AND dash; beyond n the dash offset shifts so pairs differ.
    dash: SERIES_DASHES[(i + Math.floor(i / n)) % SERIES_DASHES.length]!,
    marker: SERIES_MARKERS[i % SERIES_MARKERS.length]!,
  };
}

type RGB = [number, number, number];

const VIRIDIS: readonly RGB[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

const RDBU: readonly RGB[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240],
  [247, 247, 247], [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

export type ColorMapName = "viridis" | "rdbu";

function hex(c: RGB): string {
  return "#" + c.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, "0")).join("");
}

/** Colour at t ∈ [0, 1] of a map (piecewise-linear in RGB between the control colours); t is clamped. */
export function colorAt(map: ColorMapName, t: number): string {
  const stops = map === "viridis" ? VIRIDIS : RDBU;
  const tt = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0.5;
  const f = tt * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const a = stops[i]!;
  const b = stops[i + 1]!;
  const u = f - i;
  return hex([a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u]);
}

/** Relative luminance (sRGB, WCAG) of "#rrggbb"; used to pick black or white text on a cell. */
export function luminance(color: string): number {
  const ch = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * ch[0]! + 0.7152 * ch[1]! + 0.0722 * ch[2]!;
}
