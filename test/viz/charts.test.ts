import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { heatmap } from "../../src/viz/heatmap.js";
import { lineChart, type Point } from "../../src/viz/line-chart.js";
import { writeChart } from "../../src/viz/write.js";

// ---------------------------------------------------------------------------------------------
// A tiny strict XML reader: enough to prove the SVG is well-formed (balanced tags, one root,
// quoted unique attributes, no stray "<" or "&" in text) and to query the tree in the tests.

interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Decoded text directly inside this element. */
  text: string;
}

function decode(s: string, where: string): string {
  return s.replace(/&([^;]*);?/g, (m, ent: string) => {
    if (!m.endsWith(";")) throw new Error(`${where}: bare "&" in ${JSON.stringify(s.slice(0, 60))}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (ent in named) return named[ent]!;
    if (/^#[0-9]+$/.test(ent)) return String.fromCodePoint(Number(ent.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(ent)) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    throw new Error(`${where}: unknown entity &${ent};`);
  });
}

function parseXml(xml: string): XNode {
  const s = xml.replace(/^\s*<\?xml[^>]*\?>/, "");
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  const attrRe = /([A-Za-z_][\w:.-]*)\s*=\s*"([^"<]*)"/g;
  const root: XNode = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XNode[] = [root];
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const chunk = lt < 0 ? s.slice(i) : s.slice(i, lt);
    if (chunk.includes(">")) throw new Error(`stray ">" in text at ${i}`);
    stack[stack.length - 1]!.text += decode(chunk, `text at ${i}`);
    if (lt < 0) break;
    if (s.startsWith("<!--", lt)) {
      const end = s.indexOf("-->", lt);
      if (end < 0) throw new Error("unterminated comment");
      i = end + 3;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(s);
    if (!m) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(s.slice(lt, lt + 80))}`);
    const [, close, name, attrText, selfClose] = m as unknown as [string, string, string, string, string];
    if (close) {
      const top = stack.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> at ${lt} closes <${top?.name}>`);
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(attrRe)) {
        if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
        attrs[a[1]!] = decode(a[2]!, `attribute ${a[1]} of <${name}>`);
      }
      const node: XNode = { name, attrs, children: [], text: "" };
      stack[stack.length - 1]!.children.push(node);
      if (stack.length === 1 && root.children.length > 1) throw new Error("more than one root element");
      if (!selfClose) stack.push(node);
    }
    i = tag.lastIndex;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.text.trim() !== "") throw new Error("text outside the root element");
  assert.equal(root.children.length, 1, "exactly one root element");
  return root.children[0]!;
}

function all(n: XNode, pred: (x: XNode) => boolean, out: XNode[] = []): XNode[] {
  if (pred(n)) out.push(n);
  for (const c of n.children) all(c, pred, out);
  return out;
}
const byName = (n: XNode, name: string): XNode[] => all(n, (x) => x.name === name);
const byClass = (n: XNode, cls: string): XNode[] => all(n, (x) => (x.attrs.class ?? "").split(" ").includes(cls));
const texts = (n: XNode): string[] => byName(n, "text").map((t) => t.text);
const num = (n: XNode, a: string): number => {
  const v = Number(n.attrs[a]);
  assert.ok(Number.isFinite(v), `<${n.name}> ${a}=${n.attrs[a]} is not a number`);
  return v;
};

function plotArea(svg: XNode): { x0: number; x1: number; y0: number; y1: number } {
  const [r] = byClass(svg, "plot-area");
  assert.ok(r, "plot-area rect present");
  return { x0: num(r, "x"), x1: num(r, "x") + num(r, "width"), y0: num(r, "y"), y1: num(r, "y") + num(r, "height") };
}

/** All (x, y) pairs of a path made of M/L commands. */
function pathPoints(d: string): { x: number; y: number; move: boolean }[] {
  return [...d.matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)].map((m) => ({ x: Number(m[2]), y: Number(m[3]), move: m[1] === "M" }));
}

test("xml reader rejects broken documents (so the checks below can fail)", () => {
  assert.throws(() => parseXml("<svg><g></svg>"), /closes/);
  assert.throws(() => parseXml("<svg><text>a < b</text></svg>"), /malformed/);
  assert.throws(() => parseXml("<svg><text>a & b</text></svg>"), /bare "&"/);
  assert.throws(() => parseXml('<svg a="1" a="2"/>'), /duplicate/);
  assert.throws(() => parseXml("<svg><g>"), /unclosed/);
  assert.equal(parseXml('<svg x="&lt;&amp;"><t>&#39;q&gt;</t></svg>').children[0]!.text, "'q>");
});

// ---------------------------------------------------------------------------------------------
// lineChart

const curve = (n: number, f: (i: number) => number): Point[] => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

test("lineChart: well-formed SVG with title, axis labels and legend names", () => {
  const svg = lineChart({
    title: "Training loss",
    xLabel: "step",
    yLabel: "cross-entropy",
    series: [
      { name: "train", points: curve(200, (i) => 5 * Math.exp(-i / 40) + 1) },
      { name: "valid", points: curve(20, (i) => 5 * Math.exp(-i / 4) + 1.2) },
    ],
  });
  const root = parseXml(svg);
  assert.equal(root.name, "svg");
  assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
  assert.match(root.attrs.viewBox ?? "", /^0 0 \d+ \d+$/);
  const t = texts(root);
  for (const want of ["Training loss", "step", "cross-entropy", "train", "valid"]) assert.ok(t.includes(want), `text "${want}" missing; got ${JSON.stringify(t)}`);
  assert.equal(byName(root, "title")[0]!.text, "Training loss", "accessible <title> first");
  assert.equal(byClass(root, "legend-item").length, 2);
  // Each series has its own colour and the lines are distinguishable in greyscale too (dash).
  const paths = byClass(root, "line").map((g) => byName(g, "path")[0]!);
  assert.equal(paths.length, 2);
  assert.notEqual(paths[0]!.attrs.stroke, paths[1]!.attrs.stroke);
  assert.notEqual(paths[0]!.attrs["stroke-dasharray"] ?? "", paths[1]!.attrs["stroke-dasharray"] ?? "");
});

test("lineChart: points map into the plot area, up is bigger, fixed domains map exactly", () => {
  const svg = lineChart({ series: [{ name: "s", points: [{ x: 0, y: 0 }, { x: 5, y: 0.5 }, { x: 10, y: 1 }] }], xDomain: [0, 10], yDomain: [0, 1], markers: true });
  const root = parseXml(svg);
  const a = plotArea(root);
  const circles = byClass(byClass(root, "series")[0]!, "marker");
  assert.equal(circles.length, 3);
  const [c0, c1, c2] = circles.map((c) => ({ x: num(c, "cx"), y: num(c, "cy") })) as [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
  assert.ok(Math.abs(c0.x - a.x0) < 0.01 && Math.abs(c0.y - a.y1) < 0.01, "(0,0) is the bottom-left corner");
  assert.ok(Math.abs(c2.x - a.x1) < 0.01 && Math.abs(c2.y - a.y0) < 0.01, "(10,1) is the top-right corner");
  assert.ok(Math.abs(c1.x - (a.x0 + a.x1) / 2) < 0.01 && Math.abs(c1.y - (a.y0 + a.y1) / 2) < 0.01, "(5,0.5) is the centre");
  // Tooltips carry the data values.
  assert.equal(byName(circles[1]!, "title")[0]!.text, "s: (5, 0.5)");
});

test("lineChart: every path vertex of auto-scaled data lies inside the plot area", () => {
  const root = parseXml(lineChart({ series: [{ name: "a", points: curve(300, (i) => Math.sin(i / 10) * 3 + 7) }, { name: "b", points: curve(50, (i) => -i * 0.3) }] }));
  const a = plotArea(root);
  const pts = byClass(root, "line").flatMap((g) => pathPoints(byName(g, "path")[0]!.attrs.d!));
  assert.equal(pts.length, 350);
  for (const p of pts) assert.ok(p.x >= a.x0 - 0.01 && p.x <= a.x1 + 0.01 && p.y >= a.y0 - 0.01 && p.y <= a.y1 + 0.01, `vertex (${p.x}, ${p.y}) outside ${JSON.stringify(a)}`);
});

test("lineChart: log y ticks are labelled powers of ten, data spanning 9 decades", () => {
  const root = parseXml(lineChart({ yScale: "log", series: [{ name: "grad", points: curve(60, (t) => Math.exp(-0.35 * (59 - t))) }] }));
  const yLabels = byClass(byClass(root, "y-axis")[0]!, "tick-label").map((t) => t.text);
  assert.ok(yLabels.length >= 3, `labels: ${yLabels}`);
  const sup: Record<string, string> = { "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-" };
  for (const l of yLabels) {
    const m = /^10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(l);
    assert.ok(m, `"${l}" is not of the form 10ⁿ`);
    assert.ok(Number.isInteger(Number([...m[1]!].map((c) => sup[c]).join(""))));
  }
  assert.ok(yLabels.includes("10⁰") && yLabels.includes("10⁻⁴"), `labels: ${yLabels}`);
  // Labels run upwards: a higher power sits higher (smaller y).
  const ys = byClass(byClass(root, "y-axis")[0]!, "tick-label").map((t) => num(t, "y"));
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! < ys[i - 1]!, "ascending values from bottom to top");
});

test("lineChart: NaN, ±Infinity and ≤ 0 on a log axis are skipped, the line breaks there, and a note says so", () => {
  const pts = curve(10, (i) => i + 1);
  pts[3] = { x: 3, y: NaN };
  pts[6] = { x: 6, y: 0 };
  pts[8] = { x: Infinity, y: 2 };
  const root = parseXml(lineChart({ yScale: "log", series: [{ name: "s", points: pts }] }));
  const d = byName(byClass(root, "line")[0]!, "path")[0]!.attrs.d!;
  const vs = pathPoints(d);
  assert.equal(vs.length, 5, "runs [0-2] and [4-5] are lines; the lone points 7 and 9 only get markers");
  assert.equal(vs.filter((v) => v.move).length, 2, "the line breaks at the skipped point");
  assert.equal(byClass(root, "marker").length, 7 + 1, "a marker on each of the 7 good points, plus the legend's");
  const notes = byClass(root, "subtitle").map((n) => n.text).join(" | ");
  assert.match(notes, /2 non-finite/);
  assert.match(notes, /1 ≤ 0 on the log axis/);
  for (const v of vs) assert.ok(Number.isFinite(v.x) && Number.isFinite(v.y));
});

test("lineChart: text is XML-escaped everywhere", () => {
  const evil = `a<b & "c" 'd'> \u0001`;
  const root = parseXml(lineChart({ title: evil, xLabel: "<x>", yLabel: "&y", subtitle: "</svg>", series: [{ name: "<unk> & </g>", points: curve(3, (i) => i) }] }));
  const t = texts(root);
  assert.ok(t.includes(`a<b & "c" 'd'> \uFFFD`), JSON.stringify(t));
  for (const want of ["<x>", "&y", "</svg>", "<unk> & </g>"]) assert.ok(t.includes(want), want);
  assert.equal(byClass(root, "line")[0]!.attrs["data-series"], "<unk> & </g>");
});

test("lineChart: no series, empty series and constant data still give a valid chart", () => {
  for (const opts of [{ series: [] }, { series: [{ name: "empty", points: [] }] }, { series: [{ name: "flat", points: curve(5, () => 3) }], yScale: "log" as const }]) {
    const root = parseXml(lineChart(opts));
    assert.ok(byClass(root, "plot-area").length === 1);
  }
  const t = texts(parseXml(lineChart({ series: [{ name: "empty", points: [] }] })));
  assert.ok(t.includes("empty (no data)") && t.includes("no data to plot"), JSON.stringify(t));
});

test("lineChart: 100k points are thinned per pixel column but keep the extremes", () => {
  const pts = curve(100_000, (i) => Math.sin(i / 500));
  pts[50_000] = { x: 50_000, y: 30 }; // one spike
  const svg = lineChart({ series: [{ name: "long", points: pts }] });
  assert.ok(svg.length < 150_000, `svg is ${svg.length} bytes`);
  const root = parseXml(svg);
  const a = plotArea(root);
  const vs = pathPoints(byName(byClass(root, "line")[0]!, "path")[0]!.attrs.d!);
  assert.ok(vs.length < 5000, `${vs.length} vertices`);
  const top = Math.min(...vs.map((v) => v.y));
  assert.ok(Math.abs(top - a.y0) < 0.5 * (a.y1 - a.y0) * 0.2, "the spike is still drawn near the top");
});

test("lineChart: log x axis (accuracy vs distance) and markers by default for short series", () => {
  const root = parseXml(lineChart({ xScale: "log", yDomain: [0, 1], series: ["RNN", "LSTM", "GRU"].map((name, k) => ({ name, points: [1, 2, 5, 10, 20, 50, 100].map((d) => ({ x: d, y: 1 - d * 0.003 * (3 - k) })) })) }));
  const xLabels = byClass(byClass(root, "x-axis")[0]!, "tick-label").map((t) => t.text);
  assert.deepEqual(xLabels, ["1", "10", "100"]);
  assert.equal(byClass(root, "marker").length, 21 + 3, "7 markers per series plus one in each legend entry");
});

// ---------------------------------------------------------------------------------------------
// heatmap

const tokens = (n: number): string[] => Array.from({ length: n }, (_, i) => ["the", "whale", ",", " ", "Ishmael", "<unk>", "&", "\n"][i % 8]! + (i >= 8 ? String(i) : ""));
const grid = (r: number, c: number, f: (i: number, j: number) => number): number[][] => Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(i, j)));

function checkInside(root: XNode): void {
  const W = num(root, "width");
  const H = num(root, "height");
  for (const t of byName(root, "text")) {
    if (t.attrs.transform) continue;
    const x = num(t, "x");
    const y = num(t, "y");
    assert.ok(x >= 0 && x <= W && y >= 0 && y <= H, `text "${t.text}" at (${x}, ${y}) outside ${W}×${H}`);
  }
}

test("heatmap: 60 tokens × 4 gates keeps every label, cells carry value tooltips, colour bar has min/max", () => {
  const vals = grid(60, 4, (i, j) => (i * 4 + j) / 239);
  const root = parseXml(heatmap({ title: "Gates", values: vals, rowLabels: tokens(60), colLabels: ["input", "forget", "cell", "output"], domain: [0, 1], valueLabel: "activation" }));
  const cells = byName(byClass(root, "cells")[0]!, "rect");
  assert.equal(cells.length, 240);
  assert.equal(byName(cells[5]!, "title")[0]!.text, `whale · forget: ${Number((5 / 239).toPrecision(4))}`);
  const rowLabels = byClass(root, "row-label").map((t) => t.text);
  assert.equal(rowLabels.length, 60, "no thinning at 60 rows");
  assert.ok(rowLabels.includes("<unk>") && rowLabels.includes("&") && rowLabels.includes("␣") && rowLabels.includes("↵"), JSON.stringify(rowLabels.slice(0, 8)));
  assert.deepEqual(byClass(root, "col-label").map((t) => t.text), ["input", "forget", "cell", "output"]);
  const bar = byClass(root, "cbar-label").map((t) => t.text);
  assert.ok(bar.includes("0") && bar.includes("1"), JSON.stringify(bar));
  assert.ok(texts(root).includes("Gates") && texts(root).includes("activation"));
  // Row labels do not overlap: at least 8 px apart.
  const ys = byClass(root, "row-label").map((t) => num(t, "y"));
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! - ys[i - 1]! >= 8, `row labels ${i - 1},${i} are ${ys[i]! - ys[i - 1]!} px apart`);
  checkInside(root);
  // Sequential map: the smallest value is dark, the largest light.
  const lum = (hex: string): number => parseInt(hex.slice(1, 3), 16) + parseInt(hex.slice(3, 5), 16) + parseInt(hex.slice(5, 7), 16);
  assert.ok(lum(cells[0]!.attrs.fill!) < lum(cells[239]!.attrs.fill!));
});

test("heatmap: 60 tokens × 64 units thins column labels without overlap and stays inside the canvas", () => {
  const root = parseXml(heatmap({ values: grid(60, 64, (i, j) => Math.sin(i * 0.3 + j)), rowLabels: tokens(60), xLabel: "unit" }));
  assert.equal(byName(byClass(root, "cells")[0]!, "rect").length, 3840);
  const cols = byClass(root, "col-label");
  assert.ok(cols.length >= 8 && cols.length < 64, `${cols.length} column labels`);
  const xs = cols.map((c) => num(c, "x"));
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! - xs[i - 1]! >= 16, "column labels at least 16 px apart");
  assert.equal(byClass(root, "row-label").length, 60);
  checkInside(root);
  assert.ok(num(root, "width") < 1400 && num(root, "height") < 1400, `size ${root.attrs.width}×${root.attrs.height}`);
});

test("heatmap: signed data gets a diverging scale centred on white at 0; NaN cells are hatched and noted", () => {
  const vals = [[-2, 0, 1], [NaN, 0.5, -1]];
  const root = parseXml(heatmap({ values: vals, colLabels: ["a", "b", "c"] }));
  const cells = byName(byClass(root, "cells")[0]!, "rect");
  assert.equal(cells[1]!.attrs.fill, "#f7f7f7", "0 is the white centre");
  const rgb = (h: string): number[] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const [r0, , b0] = rgb(cells[0]!.attrs.fill!);
  const [r2, , b2] = rgb(cells[2]!.attrs.fill!);
  assert.ok(b0! > r0! && r2! > b2!, "negative is blue, positive is red");
  assert.match(cells[3]!.attrs.fill!, /^url\(#nan-/);
  assert.equal(byName(root, "pattern").length, 1);
  assert.ok(byClass(root, "subtitle").some((n) => /1 non-finite cell/.test(n.text)));
  assert.deepEqual(byClass(root, "cbar-label").map((t) => t.text).slice(0, 2), ["2", "-2"], "symmetric domain ±2");
});

test("heatmap: a flat {data, shape} buffer draws the same as nested rows; bad input says what is wrong", () => {
  const nested = grid(3, 5, (i, j) => i - j);
  const flat = { data: Float32Array.from(nested.flat()), shape: [3, 5] };
  assert.equal(heatmap({ values: flat, title: "t" }), heatmap({ values: nested, title: "t" }));
  assert.throws(() => heatmap({ values: [[1, 2], [3]] }), /row 1 has 1 values, expected 2/);
  assert.throws(() => heatmap({ values: nested, rowLabels: ["a"] }), /1 row labels for 3 rows/);
  assert.throws(() => heatmap({ values: { data: new Float32Array(6), shape: [2, 3, 1] } }), /\[rows, cols\]/);
});

test("heatmap: 200 × 128 shrinks cells, thins both label axes and stays well-formed", () => {
  const root = parseXml(heatmap({ values: grid(200, 128, (i, j) => (i * j) % 7), rowLabels: tokens(200) }));
  const rows = byClass(root, "row-label").length;
  assert.ok(rows > 20 && rows < 200, `${rows} row labels`);
  const cols = byClass(root, "col-label").length;
  assert.ok(cols > 8 && cols < 128, `${cols} column labels`);
  assert.ok(byClass(root, "subtitle").some((n) => /labels thinned/.test(n.text)));
});

// ---------------------------------------------------------------------------------------------
// writeChart

test("writeChart writes .svg as is and wraps several charts in an .html page", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-viz-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = lineChart({ title: "A", series: [{ name: "s", points: curve(3, (i) => i) }] });
  const b = heatmap({ title: "B", values: [[1, 2]] });
  writeChart(join(dir, "sub", "a.svg"), a);
  assert.equal(readFileSync(join(dir, "sub", "a.svg"), "utf8"), a);
  writeChart(join(dir, "all.html"), [a, b], { title: "<run 1>" });
  const html = readFileSync(join(dir, "all.html"), "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<title>&lt;run 1&gt;<\/title>/);
  assert.equal(html.split("<svg ").length - 1, 2);
  assert.throws(() => writeChart(join(dir, "x.png"), a), /\.svg or \.html/);
  assert.throws(() => writeChart(join(dir, "x.svg"), [a, b]), /exactly one chart/);
});
