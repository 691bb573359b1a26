/**
 * TokenSampler (top-k / top-p without sorting the vocabulary) against a brute-force sampler that
 * sorts everything: the same kept sets (ties ranked by id), the same draw for the same uniform
 * number, exclusions honoured, and the kept set's frequencies as the probabilities say.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenSampler, sampleToken, samplingDefaults } from "../../src/lm/sampling.js";
import { manualSeed } from "../../src/tensor/random.js";

/** The definition: rank by (p desc, id asc), cut top-k, then the shortest prefix with mass ≥ topP · (mass of non-excluded). */
function keptByBruteForce(p: Float32Array, o: { topK?: number; topP?: number; exclude?: number[] }): Set<number> {
  const ex = new Set(o.exclude ?? []);
  const ids = [...p.keys()].filter((i) => !ex.has(i)).sort((a, b) => p[b]! - p[a]! || a - b);
  const total = ids.reduce((s, i) => s + p[i]!, 0);
  let kept = o.topK ? ids.slice(0, o.topK) : ids;
  if ((o.topP ?? 1) < 1) {
    let acc = 0;
    const cut = kept.findIndex((i) => (acc += p[i]!) >= o.topP! * total);
    kept = kept.slice(0, cut < 0 ? kept.length : cut + 1);
  }
  return new Set(kept);
}

/** The draw of the definition: kept ids in id order, the first whose running mass exceeds u · (kept mass). */
function drawByBruteForce(p: Float32Array, kept: Set<number>, u: number): number {
  const order = [...kept].sort((a, b) => a - b);
  let r = u * order.reduce((s, i) => s + p[i]!, 0);
  for (const i of order) if ((r -= p[i]!) < 0) return i;
  return order[order.length - 1]!;
}

function randomProbs(C: number, seed: number, ties: boolean): Float32Array {
  let s = seed;
  const r = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const p = new Float32Array(C);
  let sum = 0;
  // heavy-tailed, and with ties: values from a few levels
  for (let i = 0; i < C; i++) sum += p[i] = ties ? [0.5, 1, 2, 4][Math.floor(r() * 4)]! : Math.exp(6 * r());
  for (let i = 0; i < C; i++) p[i]! /= sum;
  return p;
}

test("TokenSampler keeps the same sets and draws the same ids as sorting the whole vocabulary", () => {
  for (const C of [1, 2, 7, 100, 5000]) {
    const s = new TokenSampler(C);
    for (const ties of [false, true]) {
      const p = randomProbs(C, C * 7 + (ties ? 1 : 0), ties);
      for (const o of [{}, { topK: 1 }, { topK: 5 }, { topP: 0.9 }, { topP: 0.3 }, { topP: 0.999 }, { topK: 40, topP: 0.6 }, { topK: 3, exclude: [0, 2] }, { topP: 0.5, exclude: [1] }]) {
        const kept = keptByBruteForce(p, o);
        if (kept.size === 0) {
          assert.throws(() => s.draw(p, o), /every token id is excluded/);
          continue;
        }
        for (const u of [0, 0.1, 0.37, 0.5, 0.93, 0.999999]) {
          const got = s.draw(p, o, () => u);
          const want = drawByBruteForce(p, kept, u);
          assert.equal(got, want, `C ${C} ties ${ties} ${JSON.stringify(o)} u ${u}`);
        }
        // the kept set itself, exactly
        assert.deepEqual(s.kept(p, o), [...kept].sort((a, b) => a - b), `C ${C} ties ${ties} ${JSON.stringify(o)}: kept set`);
      }
      const best = s.best(p, 5, [0]);
      const want = [...keptByBruteForce(p, { topK: 5, exclude: [0] })].sort((a, b) => p[b]! - p[a]! || a - b);
      assert.deepEqual(best, want, `best(5) C ${C}`);
    }
  }
});

test("TokenSampler draws at the probabilities' frequencies; greedy is the arg-max without excluded ids", () => {
  const p = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
  const s = new TokenSampler(4);
  manualSeed(3);
  const counts = [0, 0, 0, 0];
  const N = 20000;
  for (let i = 0; i < N; i++) counts[s.draw(p, {})]!++;
  counts.forEach((c, i) => assert.ok(Math.abs(c / N - p[i]!) < 0.015, `id ${i}: ${c / N} vs ${p[i]}`));
  assert.equal(s.greedy(p), 3);
  assert.equal(s.greedy(p, [3]), 2);
  assert.equal(s.greedy(Float32Array.from([1, 5, 5, 2])), 1, "ties go to the lower id");
  assert.throws(() => s.draw(p, { exclude: [0, 1, 2, 3] }), /every token id is excluded/);
});

test("sampleToken: top-p keeps the smallest set reaching p, excluded ids never appear; options are checked", () => {
  manualSeed(4);
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
  const seen = new Set<number>();
  for (let i = 0; i < 400; i++) seen.add(sampleToken(logits, { topP: 0.75 }));
  assert.deepEqual([...seen].sort(), [0, 1]);
  for (let i = 0; i < 200; i++) assert.notEqual(sampleToken(logits, { exclude: [0] }), 0);
  assert.equal(sampleToken(logits, { temperature: 0, exclude: [0] }), 1);
  assert.throws(() => samplingDefaults({ topP: 0 }), /topP/);
  assert.throws(() => samplingDefaults({ temperature: -1 }), /temperature/);
  assert.throws(() => samplingDefaults({ topK: 1.5 }), /topK/);
});
