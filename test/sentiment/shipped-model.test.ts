/**
 * The classifier that ships in models/imdb-bilstm keeps the promises of its model card: the lecture's
 * "The movie was terribly exciting!" is positive (≥ 0.7), negation ("not good at all", "not bad at all")
 * and "expected …, but" contrast are read, and on the 126-pair negation/contrast probe it stays at its
 * measured level (69.0 % of pairs, negation 75 %, negated negatives 61 %, intensifiers 90 %). These are
 * behaviours of one fixed file, so the floors sit just under what it measured.
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

test("shipped model: 'The movie was terribly exciting!' is positive with probability ≥ 0.7 (measured 0.989)", () => {
  const p = probOf("The movie was terribly exciting!", "pos");
  assert.ok(p >= 0.7, `P(pos) = ${p.toFixed(3)}`);
  // the booster is neutral both ways: "terribly boring" stays negative
  assert.ok(probOf("The movie was terribly boring!", "neg") >= 0.7);
});

test("shipped model: negation and contrast it gets right (and the card says which it does not)", () => {
  const cases: Array<[string, string, number]> = [
    ["The movie was not good at all.", "neg", 0.9], // measured 0.998
    ["The movie was not bad at all.", "pos", 0.9], // measured 0.993 (0.17 before --negation-pairs)
    ["The movie was not exciting at all.", "neg", 0.9], // measured 0.998
    ["The movie was good.", "pos", 0.9], // measured 0.989
    ["I expected to hate it, but I loved it.", "pos", 0.9], // measured 0.988
    ["I wanted to like it, but it was dull and far too long.", "neg", 0.9], // measured 0.998
    ["The first hour is slow, but the ending is wonderful.", "pos", 0.9], // measured 0.967
  ];
  for (const [text, label, floor] of cases) {
    const p = probOf(text, label);
    assert.ok(p > floor, `${text}: P(${label}) = ${p.toFixed(3)}, want > ${floor}`);
  }
});

test("shipped model on the minimal-pair probe: pairs ≥ 65 % (measured 69.0 %), negation ≥ 70 % (75.0), negated negatives ≥ 55 % (61.1), intensifiers ≥ 85 % (90.0)", () => {
  const pairs = readMinimalPairs(join(REPO_ROOT, "test", "fixtures", "probes", "minimal-pairs.jsonl"));
  const r = evaluatePairs(pairs, (texts) => classifyTexts(model, texts).map((p) => p.label));
  assert.ok(r.pairAccuracy >= 0.65, `pair accuracy ${r.pairAccuracy}`);
  const floors: Record<string, number> = { negation: 0.7, "negated negative": 0.55, intensifier: 0.85, contrast: 0.75 };
  for (const [c, floor] of Object.entries(floors)) assert.ok(r.byCategory[c]!.pairAccuracy >= floor, `${c} ${r.byCategory[c]!.pairAccuracy}, want ≥ ${floor}`);
});
