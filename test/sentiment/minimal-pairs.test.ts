import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { DataFormatError } from "../../src/data/sentiment/errors.js";
import { looksLikePairs, parseMinimalPairs, readMinimalPairs } from "../../src/data/sentiment/pairs.js";
import { evaluatePairs, formatPairReport } from "../../src/sentiment/evaluate-pairs.js";
import { REPO_ROOT } from "../helpers/shared.js";

const PROBE = join(REPO_ROOT, "test", "fixtures", "probes", "minimal-pairs.jsonl");
const line = (o: unknown): string => JSON.stringify(o);

test("the shipped negation/contrast probe: ≥ 100 pairs, every pair flips pos ↔ neg with a small edit", () => {
  const pairs = readMinimalPairs(PROBE);
  assert.ok(pairs.length >= 100, `${pairs.length} pairs`);
  const cats = new Set(pairs.map((p) => p.category));
  for (const c of ["negation", "negated negative", "intensifier", "contrast", "expectation"]) assert.ok(cats.has(c), `category ${c}`);
  for (const p of pairs) {
    assert.deepEqual([p.a.label, p.b.label].sort(), ["neg", "pos"], `pair ${p.id}`);
    assert.notEqual(p.a.text, p.b.text);
    // "small edit": the two sides share most of their words
    const wa = new Set(p.a.text.toLowerCase().match(/[a-z']+/g));
    const wb = p.b.text.toLowerCase().match(/[a-z']+/g)!;
    const shared = wb.filter((w) => wa.has(w)).length / wb.length;
    assert.ok(shared >= 0.3, `pair ${p.id} shares only ${(100 * shared).toFixed(0)} % of its words: ${p.a.text} / ${p.b.text}`);
  }
  assert.ok(pairs.some((p) => p.a.text === "The movie was terribly exciting!" && p.a.label === "pos"));
});

test("minimal pairs: malformed lines are errors naming file and line", () => {
  const ok = line({ id: 1, category: "negation", a: { text: "good", label: "pos" }, b: { text: "not good", label: "neg" } });
  const cases: [string, number, RegExp][] = [
    [`${ok}\n{oops`, 2, /not valid JSON/],
    [`${ok}\n[1, 2]`, 2, /expected a JSON object/],
    [`${ok}\n${line({ a: { text: "x", label: "pos" } })}`, 2, /"b" must be/],
    [line({ a: { text: "x", label: "pos" }, b: { text: "y", label: "pos" } }), 1, /both sides are labelled "pos"/],
    [line({ a: { text: " ", label: "pos" }, b: { text: "y", label: "neg" } }), 1, /"a.text" is empty/],
    [`${ok}\n${ok}`, 2, /duplicate id "1"/],
  ];
  for (const [text, at, re] of cases)
    assert.throws(
      () => parseMinimalPairs(text, "p.jsonl"),
      (e: unknown) => e instanceof DataFormatError && e.line === at && re.test(e.message) && e.message.startsWith(`p.jsonl:${at}: `),
      text,
    );
  assert.throws(() => parseMinimalPairs("\n\n", "p.jsonl"), /no pairs found/);
  assert.equal(looksLikePairs(ok), true);
  assert.equal(looksLikePairs(line({ text: "good", label: "pos" })), false);
});

test("evaluatePairs: a pair counts only when both sides are right; per side and per category", () => {
  const pairs = parseMinimalPairs(
    [
      line({ id: "n1", category: "negation", a: { text: "good", label: "pos" }, b: { text: "not good", label: "neg" } }),
      line({ id: "n2", category: "negation", a: { text: "fun", label: "pos" }, b: { text: "not fun", label: "neg" } }),
      line({ id: "c1", category: "contrast", a: { text: "slow but great", label: "pos" }, b: { text: "great but slow", label: "neg" } }),
    ].join("\n"),
    "p.jsonl",
  );
  // a bag of words that ignores "not" and word order: says pos whenever a positive word occurs
  const bow = (texts: string[]): string[] => texts.map((t) => (/good|fun|great/.test(t) ? "pos" : "neg"));
  const r = evaluatePairs(pairs, bow);
  assert.equal(r.pairs, 3);
  assert.equal(r.pairAccuracy, 0);
  assert.equal(r.aAccuracy, 1);
  assert.equal(r.bAccuracy, 0);
  assert.equal(r.textAccuracy, 0.5);
  assert.equal(r.failures.length, 3);
  assert.equal(r.failures[0]!.b.predicted, "pos");
  // an oracle gets everything; one that reads "not" gets the negation pairs only
  const readsNot = (texts: string[]): string[] => texts.map((t) => (t.startsWith("not") || t.endsWith("slow") ? "neg" : "pos"));
  const r2 = evaluatePairs(pairs, readsNot);
  assert.equal(r2.pairAccuracy, 1);
  const r3 = evaluatePairs(pairs, (t) => t.map((x) => (x.startsWith("not") ? "neg" : "pos")));
  assert.deepEqual([r3.byCategory["negation"]!.pairAccuracy, r3.byCategory["contrast"]!.pairAccuracy], [1, 0]);
  assert.equal(r3.pairAccuracy, 2 / 3);
  assert.match(formatPairReport(r3), /negation\s+2\s+100\.0/);
  assert.throws(() => evaluatePairs(pairs, () => ["pos"]), /returned 1 labels for 6 texts/);
});
