/**
 * Plain-text tables and bar lists for the terminal (`rnnkit compare`, `rnnkit eval` …).
 * Numbers are right-aligned with a shared number of decimals per column so the decimal points line
 * up; text is left-aligned; widths count wide (CJK, emoji) characters as two cells and ignore ANSI
 * colour codes.
 */

export type Cell = string | number | boolean | null | undefined;

export interface TextTableOptions {
  /** Decimals per column (index = column); default: chosen per column from its magnitude. */
  decimals?: readonly (number | undefined)[];
  /** Use "-" and "|"-free ASCII for the rule under the header instead of "─". Default false. */
  ascii?: boolean;
  /** Spaces between columns; default 2. */
  gap?: number;
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Terminal cell width of a string: ANSI codes are 0 wide, East Asian wide characters and emoji 2. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, "")) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue; // controls, combining marks, ZWJ, variation selectors
    const wide =
      (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/** Decimals that show a column of numbers to about 4 significant digits of its largest value. */
function autoDecimals(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.every((v) => Number.isInteger(v))) return 0;
  const maxAbs = Math.max(...finite.map((v) => Math.abs(v)));
  if (maxAbs === 0) return 1;
  return Math.max(1, Math.min(6, 3 - Math.floor(Math.log10(maxAbs))));
}

function formatNumber(v: number, decimals: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Math.abs(v) >= 1e15) return v.toExponential(3);
  return v.toFixed(decimals);
}

/**
 * Format rows under headers as an aligned table:
 *
 *   model  params    loss    ppl
 *   ─────  ──────  ──────  ─────
 *   lstm   199936  4.1234  61.80
 *   gru    150016  4.2000  66.69
 *
 * A column whose cells are all numbers (or empty) is numeric: right-aligned, header included.
 * Returns the table without a trailing newline.
 */
export function textTable(rows: readonly (readonly Cell[])[], headers: readonly string[], opts: TextTableOptions = {}): string {
  const ncol = Math.max(headers.length, ...rows.map((r) => r.length));
  const gap = " ".repeat(opts.gap ?? 2);
  const numeric: boolean[] = [];
  const text: string[][] = rows.map(() => []);
  for (let c = 0; c < ncol; c++) {
    const col = rows.map((r) => r[c]);
    const isNum = col.some((v) => typeof v === "number") && col.every((v) => typeof v === "number" || v === null || v === undefined || v === "");
    numeric.push(isNum);
    const dec = opts.decimals?.[c] ?? (isNum ? autoDecimals(col.filter((v): v is number => typeof v === "number")) : 0);
    col.forEach((v, r) => {
      text[r]![c] = v === null || v === undefined ? "" : typeof v === "number" ? formatNumber(v, dec) : String(v);
    });
  }
  const widths = Array.from({ length: ncol }, (_, c) => Math.max(displayWidth(headers[c] ?? ""), ...text.map((r) => displayWidth(r[c] ?? ""))));
  const line = (cells: readonly string[]): string => cells.map((s, c) => pad(s, widths[c]!, numeric[c]!)).join(gap).replace(/\s+$/, "");
  const rule = widths.map((w) => (opts.ascii ? "-" : "─").repeat(w)).join(gap);
  return [line(Array.from({ length: ncol }, (_, c) => headers[c] ?? "")), rule, ...text.map((r) => line(Array.from({ length: ncol }, (_, c) => r[c] ?? "")))].join("\n");
}

export interface BarTableOptions {
  /** Width of the longest bar in terminal cells; default 30. */
  width?: number;
  /** Value formatter; default 4 significant digits. */
  format?: (v: number) => string;
  /** Bar extent: 0 … max (default) or this fixed maximum (e.g. 1 for accuracy). */
  max?: number;
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/**
 * A horizontal bar chart in text, one line per item (bars in 1/8-cell steps; a negative or
 * non-finite value gets no bar):
 *
 *   lstm  ████████████████████████▌     0.8211
 *   gru   ██████████████████████        0.7342
 */
export function barTable(items: readonly { label: string; value: number }[], opts: BarTableOptions = {}): string {
  const width = opts.width ?? 30;
  const fmt = opts.format ?? ((v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v)));
  const finite = items.map((i) => i.value).filter((v) => Number.isFinite(v) && v > 0);
  const max = opts.max ?? (finite.length > 0 ? Math.max(...finite) : 1);
  const labelW = Math.max(0, ...items.map((i) => displayWidth(i.label)));
  const values = items.map((i) => fmt(i.value));
  const valueW = Math.max(0, ...values.map(displayWidth));
  return items
    .map((it, k) => {
      const frac = Number.isFinite(it.value) && it.value > 0 && max > 0 ? Math.min(1, it.value / max) : 0;
      const eighths = Math.round(frac * width * 8);
      const bar = "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
      return `${pad(it.label, labelW, false)}  ${pad(bar, width, false)}  ${pad(values[k]!, valueW, true)}`;
    })
    .join("\n");
}
