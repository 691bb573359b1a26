/**
 * Dependency-free SVG string building shared by the charts: XML escaping, compact coordinates,
 * element helpers and a text-width estimate for layout (no DOM, no canvas, works in Node and in
 * browsers).
 */

/** Font stack used by every chart; browsers pick the system UI font, rsvg falls back to DejaVu Sans. */
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/** Text colours and the light greys of grids and frames. */
export const INK = "#222222";
export const INK_MUTED = "#555555";
export const GRID = "#e3e3e3";
export const GRID_MINOR = "#f1f1f1";
export const FRAME = "#999999";

/**
 * Escape text for XML content and attribute values (& < > " ') and drop characters XML 1.0
 * forbids (C0 controls other than tab/newline/CR, lone surrogates, U+FFFE/U+FFFF), so a token
 * like "\u0000" or "<unk>" can never break the document.
 */
export function escapeXml(s: string): string {
  let out = "";
  for (const ch of String(s)) {
    const c = ch.codePointAt(0)!;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&#39;";
    else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out += "\uFFFD";
    else out += ch;
  }
  return out;
}

/** A coordinate with at most 2 decimals and no trailing zeros (keeps big SVGs small). */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

export type Attrs = Record<string, string | number | undefined | null | false>;

/** Attribute list ` a="1" b="x"`; undefined/null/false values are left out, strings are escaped. */
export function attrs(a: Attrs): string {
  let out = "";
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${typeof v === "number" ? px(v) : escapeXml(v)}"`;
  }
  return out;
}

/** `<name attrs/>` or `<name attrs>children</name>` (children are already-built markup). */
export function el(name: string, a: Attrs, children?: string): string {
  return children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

/** A text element with escaped content. */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el("text", { x, y, ...a }, escapeXml(content));
}

/**
 * Approximate rendered width of `s` in px at `fontSize` for a sans-serif font. Deliberately a
 * little generous (DejaVu Sans, the usual fallback, is wide) so labels never overlap.
 */
export function textWidth(s: string, fontSize: number): number {
  let w = 0;
  for (const ch of s) {
    if ("il.,:;|!'`".includes(ch)) w += 0.3;
    else if ("fjrt()[]{} -".includes(ch)) w += 0.4;
    else if ("mwMW@%".includes(ch)) w += 0.9;
    else if (ch >= "A" && ch <= "Z") w += 0.7;
    else if ((ch.codePointAt(0) ?? 0) > 0x2e80) w += 1.0; // CJK and other wide scripts
    else w += 0.6;
  }
  return w * fontSize;
}

/** Shorten `s` to at most `maxWidth` px (estimated), ending in "…" when cut. */
export function truncate(s: string, maxWidth: number, fontSize: number): string {
  if (textWidth(s, fontSize) <= maxWidth) return s;
  const chars = [...s];
  while (chars.length > 1 && textWidth(chars.join("") + "…", fontSize) > maxWidth) chars.pop();
  return chars.join("") + "…";
}

/** Opening tag of a standalone SVG document of the given size, with an accessible title. */
export function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ width, height, viewBox: `0 0 ${px(width)} ${px(height)}`, role: "img", "font-family": FONT_FAMILY })}>` +
    el("title", {}, escapeXml(title)) +
    el("rect", { x: 0, y: 0, width, height, fill: "#ffffff" })
  );
}

/** Short stable id from a string (FNV-1a), so several charts can share one HTML page without clashing ids. */
export function hashId(prefix: string, s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${prefix}-${(h >>> 0).toString(36)}`;
}
