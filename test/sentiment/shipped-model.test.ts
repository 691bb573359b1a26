/**
 * The classifier that ships in models/imdb-bilstm keeps the promises of its model card: the lecture's
 * "The movie was terribly exciting!" is positive (≥ 0.7), plain negation and "expected …, but" contrast are
 * read, and on the 126-pair negation/contrast probe it stays at its measured level (48.4 % of pairs,
 * intensifiers 95 %). These are behaviours of one fixed file, so the floors sit just under what it measured.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { readMinimalPairs } from "../../src/data/sentiment/pairs.js";
import { loadClassifier } from "../../src/io/checkpoint.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { evaluatePairs } from "../../src/sentiment/evaluate-pairs.js";
import { SHIPPED_MODEL } from "../../src/sentiment/shipped.js";
import { REPO_ROOT } from "../helpers/shared.js";

const model = loadClassifier(SHIPPED_MODEL);
const probOf = (text: string, label: string): number => classifyTexts(model, [text])[0]!.probs[label]!;

test("shipped model: 'The movie was terribly exciting!' is positive with probability ≥ 0.7 (measured 0.96)", () => {
  const p = probOf("The movie was terribly exciting!", "pos");
  assert.ok(p >= 0.7, `P(pos) = ${p.toFixed(3)}`);
  // the booster is neutral both ways: "terribly boring" stays negative
  assert.ok(probOf("The movie was terribly boring!", "neg") >= 0.7);
});

test("shipped model: negation and contrast it gets right (and the card says which it does not)", () => {
  const cases: Array<[string, string, number]> = [
    ["The movie was not good at all.", "neg", 0.5], // measured 0.57
    ["The movie was good.", "pos", 0.5],
    ["I expected to hate it, but I loved it.", "pos", 0.9], // measured 0.998
    ["I wanted to like it, but it was dull and far too long.", "neg", 0.9], // measured 0.998
    ["The first hour is slow, but the ending is wonderful.", "pos", 0.9], // measured 0.995
  ];
  for (const [text, label, floor] of cases) {
    const p = probOf(text, label);
    assert.ok(p > floor, `${text}: P(${label}) = ${p.toFixed(3)}, want > ${floor}`);
  }
});

test("shipped model on the minimal-pair probe: pair accuracy ≥ 45 % (measured 48.4 %), intensifiers ≥ 90 % (95 %)", () => {
  const pairs = readMinimalPairs(join(REPO_ROOT, "test", "fixtures", "probes", "minimal-pairs.jsonl"));
  const r = evaluatePairs(pairs, (texts) => classifyTexts(model, texts).map((p) => p.label));
  assert.ok(r.pairAccuracy >= 0.45, `pair accuracy ${r.pairAccuracy}`);
  assert.ok(r.byCategory["intensifier"]!.pairAccuracy >= 0.9, `intensifier ${r.byCategory["intensifier"]!.pairAccuracy}`);
});
