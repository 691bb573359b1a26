/**
 * Saving charts (Node only: this file imports node:fs, so browser bundles should import the chart
 * functions from their own modules, not this one).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { escapeXml } from "./svg.js";

/**
 * Write one or more charts to `path`, creating missing folders. A ".svg" path gets the SVG text
 * as is (exactly one chart); an ".html" path gets a small standalone page showing every chart in
 * order, which is the easy way to look at several charts at once in a browser.
 */
export function writeChart(path: string, svg: string | readonly string[], opts: { title?: string } = {}): void {
  const charts = typeof svg === "string" ? [svg] : [...svg];
  const lower = path.toLowerCase();
  let body: string;
  if (lower.endsWith(".html") || lower.endsWith(".htm")) {
    const title = escapeXml(opts.title ?? "rnnkit charts");
    body =
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>\n` +
      `<style>body{margin:24px;background:#f6f6f6;font-family:system-ui,sans-serif}figure{margin:0 0 24px;display:inline-block;background:#fff;box-shadow:0 1px 3px #0002}svg{display:block;max-width:100%;height:auto}</style>\n` +
      `</head><body>\n${charts.map((c) => `<figure>${c.trim()}</figure>`).join("\n")}\n</body></html>\n`;
  } else if (lower.endsWith(".svg")) {
    if (charts.length !== 1) throw new RangeError(`writeChart: ${path}: an .svg file holds exactly one chart, got ${charts.length}; hint: write an .html file to keep several charts on one page`);
    body = charts[0]!;
  } else {
    throw new RangeError(`writeChart: ${path}: expected a path ending in .svg or .html; hint: PNG is not produced here, open the SVG/HTML in a browser`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body, "utf8");
}
