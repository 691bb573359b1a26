/**
 * AwdLstm against a plain-PyTorch AWD-LSTM (scripts/fixtures/make_awd_fixtures.py: nn.Embedding,
 * 1-layer nn.LSTMs, salesforce's regularisers with the same masks): training loss with AR/TAR,
 * evaluation loss, final states and every gradient; finite differences; state-dict names.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AwdLstm, type AwdLstmConfig, type AwdMasks, detachAwdState } from "../../src/models/awd-lstm.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { type FixtureTensor, ft, readAwd } from "../helpers/awd-fixtures.js";
import { testBackends, withBackend } from "../helpers/backends.js";
import { assertClose } from "../helpers/close.js";
import { gradcheck } from "../helpers/gradcheck.js";

interface AwdFixture {
  config: { vocab_size: number; embedding_dim: number; hidden_sizes: number[]; tie_weights: boolean; projection: "linear" | "lstm" | null; adaptive: { cutoffs: number[]; div_value: number; head_bias: boolean } | null };
  dropout: { emb: number; inp: number; hid: number; out: number; w: number };
  alpha: number;
  beta: number;
  params: Record<string, FixtureTensor>;
  ids: number[][];
  targets: number[][];
  h0: FixtureTensor[];
  c0: FixtureTensor[];
  keep: { embedding: FixtureTensor; input: FixtureTensor; hidden: FixtureTensor[]; output: FixtureTensor; weights: FixtureTensor[] };
  loss: number;
  lm_loss: number;
  eval_loss: number;
  h_n: FixtureTensor[];
  c_n: FixtureTensor[];
  grads: Record<string, FixtureTensor>;
}

const ids2 = (rows: number[][]): Tensor => new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0]!.length]);

function configOf(fx: AwdFixture): AwdLstmConfig {
  const c = fx.config;
  return {
    vocabSize: c.vocab_size, embeddingDim: c.embedding_dim, hiddenSizes: c.hidden_sizes, tieWeights: c.tie_weights,
    ...(c.projection ? { projection: c.projection } : {}),
    adaptiveSoftmax: c.adaptive ? { cutoffs: c.adaptive.cutoffs, divValue: c.adaptive.div_value, headBias: c.adaptive.head_bias } : null,
    dropoutEmb: fx.dropout.emb, dropoutInp: fx.dropout.inp, dropoutHid: fx.dropout.hid, dropoutOut: fx.dropout.out, weightDrop: fx.dropout.w, alpha: fx.alpha, beta: fx.beta,
  };
}

for (const name of ["awd_tied_linear_proj", "awd_tied_lstm_proj", "awd_tied_same_size", "awd_adaptive"]) {
  test(`${name}: training loss (CE + AR + TAR, PyTorch's masks), eval loss, final states and every gradient match PyTorch, on every backend`, () => {
    const fx = readAwd<AwdFixture>(name);
    for (const be of testBackends())
      withBackend(be, () => {
        const m = new AwdLstm(configOf(fx));
        assert.deepEqual(Object.keys(m.stateDict()).sort(), Object.keys(fx.params).sort(), "PyTorch's state-dict names");
        m.loadStateDict(Object.fromEntries(Object.entries(fx.params).map(([k, v]) => [k, ft(v)])));
        const masks: AwdMasks = {
          embedding: fx.keep.embedding.data, input: fx.keep.input.data, hidden: fx.keep.hidden.map((k) => k.data), output: fx.keep.output.data,
          weights: fx.keep.weights.map((k) => ({ weight_hh_l0: k.data })),
        };
        const state = { h: fx.h0.map((t) => ft(t)), c: fx.c0.map((t) => ft(t)) };
        const r = m.loss(ids2(fx.ids), ids2(fx.targets), state, { masks });
        assertClose([r.loss.item()], [fx.loss], "loss");
        assertClose([r.lmLoss.item()], [fx.lm_loss], "lm loss");
        r.state.h.forEach((h, l) => assertClose(h.f32, fx.h_n[l]!.data, `h_n[${l}]`));
        r.state.c.forEach((c, l) => assertClose(c.f32, fx.c_n[l]!.data, `c_n[${l}]`));
        r.loss.backward();
        const named = m.namedParameters();
        assert.deepEqual(named.map(([n]) => n).sort(), Object.keys(fx.grads).sort());
        for (const [n, p] of named) assertClose(p.grad!.f32, fx.grads[n]!.data, `d${n}`);
        m.eval();
        const ev = m.loss(ids2(fx.ids), ids2(fx.targets), state);
        assertClose([ev.loss.item()], [fx.eval_loss], "eval loss (no dropout, no AR/TAR)");
        assert.equal(ev.ar + ev.tar, 0);
        const summed = m.loss(ids2(fx.ids), ids2(fx.targets), state, { reduction: "sum" }).loss.item();
        assertClose([summed], [fx.eval_loss * fx.targets.flat().length], "eval loss, reduction sum");
        // forward's logits give the same cross-entropy in eval mode
        const { logits } = m.forward(ids2(fx.ids), state);
        const lp = logits.reshape([-1, fx.config.vocab_size]).logSoftmax(1).f32;
        const y = fx.targets.flat();
        const ce = -y.reduce((s, t, n) => s + lp[n * fx.config.vocab_size + t]!, 0) / y.length;
        assertClose([ce], [fx.eval_loss], "forward() cross-entropy");
      });
  });
}

test("AwdLstm: finite differences of the training loss with random masks (tied + linear projection, and adaptive)", () => {
  manualSeed(3);
  for (const cfg of [
    { vocabSize: 11, embeddingDim: 4, hiddenSizes: [5, 3], dropoutEmb: 0.2, dropoutInp: 0.2, dropoutHid: 0.2, dropoutOut: 0.2, weightDrop: 0.3 },
    { vocabSize: 13, embeddingDim: 4, hiddenSizes: [6, 5], tieWeights: false, adaptiveSoftmax: { cutoffs: [5, 9], divValue: 2 }, weightDrop: 0.3 },
  ] satisfies AwdLstmConfig[]) {
    const m = new AwdLstm(cfg);
    const tokens = new Tensor(Int32Array.from([1, 4, 7, 2, 9, 0, 3, 8]), [4, 2]);
    const targets = new Tensor(Int32Array.from([4, 7, 2, 9, 10, 3, 8, 5]), [4, 2]);
    const state = m.initState(2);
    state.h[0]!.f32.fill(0.3);
    gradcheck("AwdLstm.loss", () => m.loss(tokens, targets, state).loss.reshape([1]), m.parameters(), { maxPoints: 12, eps: 5e-3 });
  }
});

test("AwdLstm: the AWD default sizes, state carried and detached, errors", () => {
  const m = new AwdLstm({ vocabSize: 30, embeddingDim: 8, hiddenSize: 12, numLayers: 3 });
  assert.deepEqual(m.config.hiddenSizes, [12, 12, 8], "top layer = embeddingDim when tied");
  assert.equal(m.proj, null);
  assert.equal(m.stateDict()["decoder.weight"], m.encoder.weight, "tied");
  const s0 = m.initState(2);
  assert.deepEqual(s0.h.map((h) => h.shape), [[1, 2, 12], [1, 2, 12], [1, 2, 8]]);
  const tok = new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
  const r = m.loss(tok, tok, s0);
  assert.ok(r.ar > 0 && r.tar > 0);
  const d = detachAwdState(r.state);
  assert.ok(d.h.every((h) => !h.requiresGrad));
  m.loss(tok, tok, d).loss.backward();
  assert.throws(() => m.loss(tok, tok, m.initState(3)), /state must hold 3 layers of batch 2, got 3 of batch 3/);
  assert.throws(() => new AwdLstm({ vocabSize: 30, embeddingDim: 8, adaptiveSoftmax: { cutoffs: [10] }, tieWeights: true }), /tieWeights cannot be used with adaptiveSoftmax/);
  assert.throws(() => new AwdLstm({ vocabSize: 30, embeddingDim: 8, hiddenSizes: [6], projection: "lstm" }), /projection "lstm" needs the top layer's hiddenSize \(6\) > embeddingDim \(8\)/);
  assert.throws(() => new AwdLstm({ vocabSize: 30, embeddingDim: 8, dropoutInp: 1 }), /dropoutInp must be in \[0, 1\), got 1/);
});

test("AwdLstm.encode with lengths: each right-padded sequence is encoded as if alone (eval mode)", () => {
  manualSeed(8);
  const m = new AwdLstm({ vocabSize: 20, embeddingDim: 5, hiddenSizes: [7, 5] }).eval();
  const seqs = [[3, 4, 5, 6], [7, 8], [9, 10, 11]];
  const T = 4;
  const ids = new Int32Array(T * seqs.length); // [T, B], padded with 0
  seqs.forEach((s, b) => s.forEach((v, t) => (ids[t * seqs.length + b] = v)));
  const e = m.encode(new Tensor(ids, [T, seqs.length]), null, { lengths: seqs.map((s) => s.length) });
  seqs.forEach((s, b) => {
    const one = m.encode(new Tensor(Int32Array.from(s), [s.length, 1]), null);
    for (let l = 0; l < 2; l++) {
      const P = one.raw[l]!.shape[2]!;
      const got = e.raw[l]!.f32;
      for (let t = 0; t < T; t++)
        for (let j = 0; j < P; j++) {
          const want = t < s.length ? one.raw[l]!.f32[t * P + j]! : 0;
          assert.ok(Math.abs(got[(t * seqs.length + b) * P + j]! - want) < 1e-6, `layer ${l}, sequence ${b}, step ${t}`);
        }
      assertClose(e.state.h[l]!.f32.subarray(b * P, (b + 1) * P), one.state.h[l]!.f32, `final h of layer ${l}, sequence ${b}`);
    }
  });
});
