/**
 * AWD-LSTM regularisers: locked dropout, embedding dropout, weight drop, AR/TAR — PyTorch goldens
 * (scripts/fixtures/make_awd_fixtures.py, masks given as keep flags), finite-difference checks with
 * random masks, and the properties that make each what it is.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Embedding } from "../../src/nn/embedding.js";
import { EmbeddingDropout } from "../../src/nn/embedding-dropout.js";
import { LockedDropout } from "../../src/nn/locked-dropout.js";
import { LSTM } from "../../src/nn/recurrent.js";
import { activationRegularization, temporalActivationRegularization } from "../../src/tensor/ops/activation-reg.js";
import { embeddingDropout } from "../../src/tensor/ops/embedding-dropout.js";
import { lockedDropout } from "../../src/tensor/ops/locked-dropout.js";
import { concat } from "../../src/tensor/ops/shape-ops.js";
import { weightDrop } from "../../src/tensor/ops/weight-drop.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { type FixtureTensor, ft, readAwd } from "../helpers/awd-fixtures.js";
import { assertClose } from "../helpers/close.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";
import { testBackends, withBackend } from "../helpers/backends.js";

manualSeed(21);

test("AR and TAR match PyTorch (awd-lstm main.py), [T, B, F] and batch-first", () => {
  const fx = readAwd<{ alpha: number; beta: number; h: FixtureTensor; ar: number; grad_ar: FixtureTensor; tar: number; grad_tar: FixtureTensor; h_bf: FixtureTensor; tar_bf: number; grad_tar_bf: FixtureTensor }>("ar_tar");
  const h = ft(fx.h, true);
  const ar = activationRegularization(h, fx.alpha);
  assertClose([ar.item()], [fx.ar], "AR");
  ar.backward();
  assertClose(h.grad!.f32, fx.grad_ar.data, "dAR/dh");
  h.grad = null;
  const tar = temporalActivationRegularization(h, fx.beta);
  assertClose([tar.item()], [fx.tar], "TAR");
  tar.backward();
  assertClose(h.grad!.f32, fx.grad_tar.data, "dTAR/dh");
  const hb = ft(fx.h_bf, true);
  const tarBf = temporalActivationRegularization(hb, fx.beta, 1);
  assertClose([tarBf.item()], [fx.tar_bf], "TAR batch-first");
  tarBf.backward();
  assertClose(hb.grad!.f32, fx.grad_tar_bf.data, "dTAR/dh batch-first");
});

test("AR/TAR: finite differences (distinct sizes), TAR of one step is 0", () => {
  const h = leaf([4, 3, 5]);
  gradcheck("AR", () => activationRegularization(h, 1.7), [h]);
  gradcheck("TAR", () => temporalActivationRegularization(h, 0.9), [h]);
  gradcheck("TAR time dim 1", () => temporalActivationRegularization(h, 0.9, 1), [h]);
  assert.equal(temporalActivationRegularization(leaf([1, 3, 2]), 2).item(), 0);
});

test("lockedDropout matches PyTorch's LockedDropout with the same mask", () => {
  const fx = readAwd<{ p: number; x: FixtureTensor; keep: FixtureTensor; output: FixtureTensor; upstream: FixtureTensor; grad_x: FixtureTensor }>("locked_dropout");
  const x = ft(fx.x, true);
  const y = new LockedDropout({ p: fx.p }).forward(x, fx.keep.data);
  assertClose(y.f32, fx.output.data, "output");
  y.backward(ft(fx.upstream));
  assertClose(x.grad!.f32, fx.grad_x.data, "dx");
  // the same in batch-first layout: transpose in, transpose out
  const xb = ft(fx.x).transpose(0, 1);
  const yb = lockedDropout(xb, fx.p, true, { batchFirst: true, mask: fx.keep.data });
  assertClose(yb.transpose(0, 1).f32, fx.output.data, "batch-first output");
});

test("lockedDropout: one mask per sequence shared over time; eval and p = 0 are identity; finite differences", () => {
  const [T, B, F] = [6, 4, 7];
  const x = new Tensor(new Float32Array(T * B * F).fill(1), [T, B, F]);
  for (const bf of [false, true]) {
    const y = lockedDropout(bf ? x.reshape([B, T, F]) : x, 0.5, true, { batchFirst: bf }).f32;
    let zeros = 0;
    for (let b = 0; b < B; b++)
      for (let f = 0; f < F; f++) {
        const at = (t: number): number => y[(bf ? b * T + t : t * B + b) * F + f]!;
        for (let t = 1; t < T; t++) assert.equal(at(t), at(0), `(b ${b}, f ${f}) differs between steps 0 and ${t}`);
        assert.ok(at(0) === 0 || at(0) === 2);
        if (at(0) === 0) zeros++;
      }
    assert.ok(zeros > 0 && zeros < B * F, `some but not all of the ${B * F} (b, f) pairs dropped, got ${zeros}`);
  }
  assert.equal(lockedDropout(x, 0.5, false), x);
  assert.equal(new LockedDropout({ p: 0.3 }).eval().forward(x), x);
  const xl = leaf([T, B, F]);
  gradcheck("lockedDropout", () => lockedDropout(xl, 0.35, true), [xl]);
  gradcheck("lockedDropout bf", () => lockedDropout(xl, 0.35, true, { batchFirst: true }), [xl]);
  assert.throws(() => lockedDropout(leaf([3, 4]), 0.2, true), /input must be \[T, B, F\], got \[3, 4\]/);
  assert.throws(() => lockedDropout(xl, 0.2, true, { mask: [1, 0] }), /mask must have 28 entries, got 2/);
});

test("embeddingDropout matches PyTorch's embedded_dropout with the same mask", () => {
  const fx = readAwd<{ p: number; weight: FixtureTensor; ids: number[][]; keep: FixtureTensor; output: FixtureTensor; upstream: FixtureTensor; grad_weight: FixtureTensor }>("embedding_dropout");
  const [V, D] = fx.weight.shape as [number, number];
  const emb = new Embedding({ numEmbeddings: V, embeddingDim: D }, ft(fx.weight, true));
  const ids = new Tensor(Int32Array.from(fx.ids.flat()), [fx.ids.length, fx.ids[0]!.length]);
  const y = new EmbeddingDropout(emb, { p: fx.p }).forward(ids, fx.keep.data);
  assertClose(y.f32, fx.output.data, "output");
  y.backward(ft(fx.upstream));
  assertClose(emb.weight.grad!.f32, fx.grad_weight.data, "dW");
});

test("embeddingDropout: a dropped word is zero everywhere; padding row gets no gradient; eval is the plain lookup; finite differences", () => {
  const [V, D] = [11, 3];
  const W = leaf([V, D]);
  const ids = new Tensor(Int32Array.from({ length: 40 }, (_, i) => i % V), [8, 5]);
  const y = embeddingDropout(ids, W, 0.5, true).f32;
  const dropped = new Set<number>();
  ids.i32.forEach((v, n) => {
    const row = y.subarray(n * D, (n + 1) * D);
    if (row.every((z) => z === 0)) dropped.add(v);
    else for (let j = 0; j < D; j++) assert.ok(Math.abs(row[j]! - 2 * W.f32[v * D + j]!) < 1e-6, `kept word ${v} scaled by 1/(1 − p)`);
  });
  ids.i32.forEach((v, n) => assert.equal(dropped.has(v), y.subarray(n * D, (n + 1) * D).every((z) => z === 0), `word ${v} dropped at some positions but not at ${n}`));
  assert.ok(dropped.size > 0 && dropped.size < V, `some words dropped, got ${dropped.size}`);
  assertClose(embeddingDropout(ids, W, 0.5, false).f32, ids.toArray().flatMap((v) => Array.from(W.f32.subarray(v * D, v * D + D))), "eval lookup");
  gradcheck("embeddingDropout", () => embeddingDropout(ids, W, 0.3, true), [W]);
  const out = embeddingDropout(ids, W, 0.3, true, { paddingIdx: 2, mask: new Array(V).fill(1) });
  W.grad = null;
  out.sum().backward();
  assert.deepEqual(Array.from(W.grad!.f32.subarray(2 * D, 3 * D)), [0, 0, 0]);
  assert.throws(() => embeddingDropout(new Tensor(Int32Array.from([0, 11]), [2]), W, 0.1, true), /token id 11 at position 1 is out of range \[0, 11\)/);
});

interface WeightDropFixture {
  p: number;
  module: { input_size: number; hidden_size: number; num_layers: number; bidirectional: boolean };
  params: Record<string, FixtureTensor>;
  keep: Record<string, FixtureTensor>;
  inputs: { x: FixtureTensor; h0: FixtureTensor; c0: FixtureTensor };
  outputs: { output: FixtureTensor; h_n: FixtureTensor; c_n: FixtureTensor };
  upstream: { grad_output: FixtureTensor; grad_h_n: FixtureTensor; grad_c_n: FixtureTensor };
  grads: Record<string, FixtureTensor>;
}

test("weight drop: an LSTM with DropConnect on weight_hh matches PyTorch (2 layers, bidirectional), gradients reach the raw weights, on every backend", () => {
  const fx = readAwd<WeightDropFixture>("weight_drop_lstm");
  for (const be of testBackends()) withBackend(be, () => weightDropCase(fx));
});

function weightDropCase(fx: WeightDropFixture): void {
  const m = fx.module;
  const lstm = new LSTM({ inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers, bidirectional: m.bidirectional, weightDrop: fx.p });
  lstm.loadStateDict(Object.fromEntries(Object.entries(fx.params).map(([k, v]) => [k, ft(v)])));
  const x = ft(fx.inputs.x, true);
  const masks = Object.fromEntries(Object.entries(fx.keep).map(([k, v]) => [k, v.data]));
  assert.deepEqual(Object.keys(masks).sort(), ["weight_hh_l0", "weight_hh_l0_reverse", "weight_hh_l1", "weight_hh_l1_reverse"]);
  const r = lstm.forward(x, { h0: ft(fx.inputs.h0), c0: ft(fx.inputs.c0), weightDropMasks: masks });
  assertClose(r.output.f32, fx.outputs.output.data, "output");
  assertClose(r.hN.f32, fx.outputs.h_n.data, "h_n");
  assertClose(r.cN.f32, fx.outputs.c_n.data, "c_n");
  const loss = r.output.mul(ft(fx.upstream.grad_output)).sum().add(r.hN.mul(ft(fx.upstream.grad_h_n)).sum()).add(r.cN.mul(ft(fx.upstream.grad_c_n)).sum());
  loss.backward();
  assertClose(x.grad!.f32, fx.grads.x!.data, "dx");
  for (const [name, p] of lstm.namedParameters()) assertClose(p.grad!.f32, fx.grads[name]!.data, `d${name}`);
  // the state dict keeps PyTorch's plain names: it loads into a plain LSTM (strict) and back
  assert.deepEqual(Object.keys(lstm.stateDict()), Object.keys(fx.params));
  const plain = new LSTM({ inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers, bidirectional: m.bidirectional });
  plain.loadStateDict(lstm.stateDict());
  // eval mode: no drop, the plain LSTM's result
  lstm.eval();
  const a = lstm.forward(x).output.f32;
  assertClose(a, plain.forward(x).output.f32, "eval = plain LSTM", 0, 0);
}

test("weight drop: fresh mask per forward while training, finite differences w.r.t. the raw weights", () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, weightDrop: 0.4 });
  const x = leaf([4, 2, 3]);
  const a = lstm.forward(x).output.f32;
  const b = lstm.forward(x).output.f32;
  assert.ok(a.some((v, i) => v !== b[i]), "two training forwards draw two masks");
  gradcheck("LSTM weightDrop", () => {
    const r = lstm.forward(x);
    return concat([r.output.reshape([-1]), r.cN.reshape([-1])], 0);
  }, [x, ...lstm.parameters()], { maxPoints: 24 });
  const w = leaf([6, 4]);
  gradcheck("weightDrop op", () => weightDrop(w, 0.5, true), [w]);
  assert.throws(() => new LSTM({ inputSize: 3, hiddenSize: 5, weightDrop: 1 }), /LSTM: weightDrop must be in \[0, 1\), got 1/);
});
