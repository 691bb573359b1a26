import assert from "node:assert/strict";
import { test } from "node:test";
import { colorAt, luminance, seriesStyle } from "../../src/viz/palette.js";
import { formatTick, formatValue, linearScale, logScale, niceStep, powerOfTenLabel } from "../../src/viz/scale.js";
import { escapeXml, textWidth, truncate } from "../../src/viz/svg.js";

test("niceStep picks 1, 2 or 5 × 10^k", () => {
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(100, 5), 20);
  assert.equal(niceStep(7, 5), 1);
  assert.equal(niceStep(0.03, 3), 0.01);
  assert.equal(niceStep(3500, 4), 1000);
  for (const span of [0.0013, 0.7, 3, 42, 999, 1e6 + 3]) {
    const s = niceStep(span, 5);
    const m = s / 10 ** Math.floor(Math.log10(s) + 1e-9);
    assert.ok([1, 2, 5, 10].some((k) => Math.abs(m - k) < 1e-9), `step ${s} for span ${span}`);
  }
});

test("linearScale: nice domain, ticks cover it evenly, map is affine onto the range", () => {
  const s = linearScale(0.13, 0.91, [100, 500], 5);
  assert.deepEqual(s.domain, [0, 1]);
  assert.deepEqual(s.ticks.map((t) => t.value), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(s.ticks.map((t) => t.label), ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
  assert.equal(s.map(0), 100);
  assert.equal(s.map(1), 500);
  assert.equal(s.map(0.5), 300);
  const y = linearScale(1.2, 5.1, [400, 40], 8); // y axis: range runs upwards
  assert.ok(y.map(y.domain[0]) === 400 && y.map(y.domain[1]) === 40);
  assert.deepEqual(y.ticks.map((t) => t.label), ["1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "5.5"]);
  // Degenerate data still gives a usable axis.
  const flat = linearScale(3, 3, [0, 100], 5);
  assert.ok(flat.domain[0] < 3 && flat.domain[1] > 3 && flat.ticks.length >= 2);
  // No float noise in labels.
  for (const t of linearScale(0, 0.3, [0, 1], 3).ticks) assert.ok(t.label!.length <= 4, t.label!);
});

test("formatTick: SI suffixes for big steps, exponents for tiny values", () => {
  assert.equal(formatTick(20000, 5000), "20k");
  assert.equal(formatTick(1500000, 500000), "1.5M");
  assert.equal(formatTick(2e-5, 1e-5), "2e-5");
  assert.equal(formatTick(0.25, 0.05), "0.25");
  assert.equal(formatTick(-3, 1), "-3");
  assert.equal(formatTick(0, 0.1), "0");
  assert.equal(formatValue(NaN), "NaN");
  assert.equal(formatValue(-Infinity), "-∞");
  assert.equal(formatValue(0.047428), "0.04743");
  assert.equal(formatValue(1234567), "1.235e6");
});

test("logScale: majors are exactly the powers of ten in the domain, minors k·10ⁿ, labels 10ⁿ", () => {
  const s = logScale(3e-7, 2, [400, 0], 10);
  const majors = s.ticks.filter((t) => t.major);
  assert.ok(majors.length >= 7);
  for (const t of majors) assert.ok(Number.isInteger(Math.log10(t.value)) && Math.abs(10 ** Math.round(Math.log10(t.value)) - t.value) < 1e-12 * t.value, `${t.value}`);
  for (const t of s.ticks.filter((t) => !t.major)) {
    const k = t.value / 10 ** Math.floor(Math.log10(t.value) + 1e-9);
    assert.ok([2, 3, 4, 5, 6, 7, 8, 9].some((m) => Math.abs(k - m) < 1e-6), `minor ${t.value}`);
  }
  assert.ok(majors.some((t) => t.label === "10⁻⁶") && majors.some((t) => t.label === "10⁰"));
  assert.ok(s.ticks.filter((t) => !t.major).every((t) => t.label === null), "minors unlabelled when there are enough majors");
  // map: log-linear, monotone, domain ends on the range ends.
  assert.ok(Math.abs(s.map(s.domain[0]) - 400) < 1e-9 && Math.abs(s.map(s.domain[1])) < 1e-9);
  const d = s.map(1e-3) - s.map(1e-4);
  assert.ok(Math.abs(s.map(1e-2) - s.map(1e-3) - d) < 1e-9, "equal steps per decade");
  assert.ok(d < 0, "values grow upwards");
  assert.equal(powerOfTenLabel(-12), "10⁻¹²");
});

test("logScale: a range inside one decade labels minor ticks so the axis is readable", () => {
  const s = logScale(1.3, 7.2, [300, 0], 6);
  const labels = s.ticks.filter((t) => t.label !== null).map((t) => t.label);
  assert.ok(labels.length >= 4, JSON.stringify(labels));
  for (const l of ["2", "3", "5"]) assert.ok(labels.includes(l), `${l} in ${JSON.stringify(labels)}`);
  // Whole decades get labelled majors when available, thinned over very wide ranges.
  const wide = logScale(1e-30, 1, [0, 200], 4);
  const lab = wide.ticks.filter((t) => t.label !== null);
  assert.ok(lab.length >= 2 && lab.length <= 8, `${lab.length} labels over 30 decades`);
  assert.ok(lab.every((t) => t.major));
  assert.throws(() => logScale(0, 1, [0, 1], 5), /> 0/);
});

test("palette: distinct colours and dashes, colour maps end on their end colours", () => {
  const styles = Array.from({ length: 8 }, (_, i) => seriesStyle(i));
  assert.equal(new Set(styles.map((s) => s.color)).size, 8);
  assert.notEqual(styles[0]!.dash, styles[1]!.dash);
  assert.equal(colorAt("viridis", 0), "#440154");
  assert.equal(colorAt("viridis", 1), "#fde725");
  assert.equal(colorAt("rdbu", 0.5), "#f7f7f7");
  assert.equal(colorAt("rdbu", -3), colorAt("rdbu", 0), "clamped");
  assert.ok(luminance("#ffffff") > 0.99 && luminance("#000000") < 0.01);
  // viridis lightness rises monotonically (what makes it readable in greyscale).
  let prev = -1;
  for (let t = 0; t <= 1; t += 0.05) {
    const l = luminance(colorAt("viridis", t));
    assert.ok(l > prev - 1e-3, `luminance drops at t=${t}`);
    prev = l;
  }
});

test("escapeXml / text helpers", () => {
  assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  assert.equal(escapeXml("ok\u0000\u0008\ttab\nnl"), "ok\uFFFD\uFFFD\ttab\nnl");
  assert.equal(escapeXml("😀 é"), "😀 é");
  assert.ok(textWidth("WWW", 10) > textWidth("iii", 10));
  const cut = truncate("a very long token label indeed", 60, 11);
  assert.ok(cut.endsWith("…") && textWidth(cut, 11) <= 60);
  assert.equal(truncate("short", 100, 11), "short");
});
