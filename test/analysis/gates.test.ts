import { test } from "node:test";
import assert from "node:assert/strict";
import { lstmGates, rowMeans } from "../../src/analysis/gates.js";
import { gateCharts, gateSummary } from "../../src/analysis/gates-chart.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { manualSeed, randint } from "../../src/tensor/random.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";

/**
 * The LSTM step computed directly from the weights in float64, one step at a time (the
 * definition): gates [T, 4H] (i, f, g, o), cell [T, H] and hidden [T, H] of one layer, given its
 * input rows x [T, I].
 */
function direct(model: LanguageModel, layer: number, x: ArrayLike<number>, T: number): { gates: Float64Array; cell: Float64Array; hidden: Float64Array } {
  const sd = model.rnn.stateDict();
  const H = model.rnn.hiddenSize;
  const wIh = sd[`weight_ih_l${layer}`]!.f32;
  const wHh = sd[`weight_hh_l${layer}`]!.f32;
  const bIh = sd[`bias_ih_l${layer}`]!.f32;
  const bHh = sd[`bias_hh_l${layer}`]!.f32;
  const I = x.length / T;
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const gates = new Float64Array(T * 4 * H);
  const cell = new Float64Array(T * H);
  const hidden = new Float64Array(T * H);
  let h = new Float64Array(H);
  let c = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    const a = new Float64Array(4 * H);
    for (let j = 0; j < 4 * H; j++) {
      let s = bIh[j]! + bHh[j]!;
      for (let k = 0; k < I; k++) s += wIh[j * I + k]! * x[t * I + k]!;
      for (let k = 0; k < H; k++) s += wHh[j * H + k]! * h[k]!;
      a[j] = s;
    }
    const c2 = new Float64Array(H);
    const h2 = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      const i = sig(a[j]!), f = sig(a[H + j]!), g = Math.tanh(a[2 * H + j]!), o = sig(a[3 * H + j]!);
      gates[t * 4 * H + j] = i;
      gates[t * 4 * H + H + j] = f;
      gates[t * 4 * H + 2 * H + j] = g;
      gates[t * 4 * H + 3 * H + j] = o;
      c2[j] = f * c[j]! + i * g;
      h2[j] = o * Math.tanh(c2[j]!);
    }
    cell.set(c2, t * H);
    hidden.set(h2, t * H);
    h = h2;
    c = c2;
  }
  return { gates, cell, hidden };
}

function assertNear(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test("lstmGates equals a direct per-step computation from the weights, layer by layer", () => {
  manualSeed(7);
  const model = new LanguageModel({ vocabSize: 17, embeddingDim: 5, hiddenSize: 6, numLayers: 2, cell: "LSTM" });
  // make the biases non-trivial so every gate block is exercised
  noGrad(() => model.rnn.stateDict()["bias_ih_l0"]!.f32.forEach((_, i, a) => (a[i] = Math.sin(i))));
  const T = 9;
  const ids = Array.from({ length: T }, () => randint(17));
  const layers = lstmGates(model, ids);
  assert.equal(layers.length, 2);
  let x: ArrayLike<number> = model.embedding.forward(new Tensor(Int32Array.from(ids), [T])).f32;
  const H = 6;
  for (const g of layers) {
    const d = direct(model, g.layer, x, T);
    const block = (k: number): number[] => Array.from({ length: T * H }, (_, n) => d.gates[Math.floor(n / H) * 4 * H + k * H + (n % H)]!);
    assertNear(g.input, block(0), 1e-5, `layer ${g.layer} input`);
    assertNear(g.forget, block(1), 1e-5, `layer ${g.layer} forget`);
    assertNear(g.candidate, block(2), 1e-5, `layer ${g.layer} candidate`);
    assertNear(g.output, block(3), 1e-5, `layer ${g.layer} output`);
    assertNear(g.cell, d.cell, 1e-5, `layer ${g.layer} cell`);
    assertNear(g.hidden, d.hidden, 1e-5, `layer ${g.layer} hidden`);
    x = d.hidden;
  }
  // and the last hidden state is what the model's own forward pass gives
  const hN = noGrad(() => model.eval().forward(new Tensor(Int32Array.from(ids), [T, 1])).state.h).f32; // [2, 1, 6]
  assertNear(layers[1]!.hidden.subarray((T - 1) * H), hN.subarray(H, 2 * H), 1e-5, "hN");
});

test("sigmoid gates lie in [0, 1]; summaries are the per-token means; charts name the gates", () => {
  manualSeed(3);
  const model = new LanguageModel({ vocabSize: 30, embeddingDim: 8, hiddenSize: 12, cell: "LSTM" });
  const ids = Array.from({ length: 20 }, () => randint(30));
  const [g] = lstmGates(model, ids);
  for (const m of [g!.input, g!.forget, g!.output]) for (const v of m) assert.ok(v >= 0 && v <= 1, `gate value ${v}`);
  for (const v of g!.candidate) assert.ok(v >= -1 && v <= 1);
  const tokens = ids.map((i) => `w${i}`);
  const rows = gateSummary(tokens, g!);
  assert.equal(rows.length, 20);
  assert.ok(Math.abs(rows[4]!.forget - rowMeans(g!.forget, 20)[4]!) < 1e-12);
  assert.ok(Math.abs(rows[4]!.forget - g!.forget.subarray(4 * 12, 5 * 12).reduce((a, b) => a + b, 0) / 12) < 1e-6);
  const charts = gateCharts(tokens, g!, "input");
  for (const s of [charts.means, charts.units, charts.cell]) assert.ok(s.startsWith("<svg"), "an SVG");
  assert.match(charts.means, /forget f/);
  assert.match(charts.units, /input gate per unit/);
  assert.match(charts.cell, /cell state/);
});

test("lstmGates refuses a GRU model with a hint", () => {
  const model = new LanguageModel({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4, cell: "GRU" });
  assert.throws(() => lstmGates(model, [1, 2]), /not LSTM/);
  const lstm = new LanguageModel({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4, cell: "LSTM" });
  assert.throws(() => lstmGates(lstm, []), /no tokens/);
});
