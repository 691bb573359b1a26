/**
 * Every recurrent-layer case in shared/fixtures/recurrent: outputs, final states and the gradient
 * of every input and parameter match PyTorch to 1e-5 absolute + 1e-4 relative.
 */
import { existsSync } from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import { GRU, LSTM, RNN, type RecurrentBase } from "../../src/nn/recurrent.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { testBackends, withBackend } from "../helpers/backends.js";
import { assertClose } from "../helpers/close.js";
import { type LayerCase, fixtureFiles, readFixture, toTensor } from "../helpers/fixtures.js";
import { FIXTURES, REPO_ROOT, readJson, sharedPath } from "../helpers/shared.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function build(c: LayerCase): RecurrentBase & { forwardAll: RecurrentBase["forwardAll"] } {
  const m = c.module;
  const o = { inputSize: m.input_size, hiddenSize: m.hidden_size, numLayers: m.num_layers, bidirectional: m.bidirectional, batchFirst: m.batch_first, bias: m.bias };
  if (m.type === "LSTM") return new LSTM({ ...o, projSize: m.proj_size ?? 0 });
  if (m.type === "GRU") return new GRU(o);
  return new RNN({ ...o, nonlinearity: m.nonlinearity ?? "tanh" });
}

const layerFiles = existsSync(FIXTURES) ? fixtureFiles().filter((f) => /^(rnn|lstm|gru)_/.test(f)) : [];

test("recurrent fixtures are present", (t) => {
  if (!sharedPath(t, "fixtures", "recurrent")) return;
  assert.ok(layerFiles.length >= 10, `expected the layer fixtures, found ${layerFiles.length}`);
});

// our own extra cases (scripts/fixtures/make_extra_fixtures.py), shapes/options not in shared/
const EXTRA = join(REPO_ROOT, "test", "fixtures", "extra");
const extraFiles = readdirSync(EXTRA).filter((f) => f.endsWith(".json")).sort();

test("extra fixtures are present", () => assert.ok(extraFiles.length >= 6));

const cases: Array<[string, () => LayerCase]> = [
  ...layerFiles.map((f): [string, () => LayerCase] => [f, () => readFixture<LayerCase>(f)]),
  ...extraFiles.map((f): [string, () => LayerCase] => [`extra/${f}`, () => readJson<LayerCase>(join(EXTRA, f))]),
];

for (const be of testBackends())
for (const [file, read] of cases) {
  test(`PyTorch fixture ${file} [${be.name}]`, () => withBackend(be, () => {
    const c = read();
    const layer = build(c);
    layer.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, toTensor(v)])));
    const sd = layer.stateDict();
    const x = toTensor(c.inputs.x, true);
    const h0 = c.inputs.h0 ? toTensor(c.inputs.h0, true) : null;
    const c0 = c.inputs.c0 ? toTensor(c.inputs.c0, true) : null;
    const { output, hN, cN } = layer.forwardAll(x, { h0, c0, lengths: c.inputs.lengths ?? null });
    assert.deepEqual([...output.shape], c.outputs.output.shape);
    assertClose(output.data, c.outputs.output.data, `${file} output`);
    assertClose(hN.data, c.outputs.h_n.data, `${file} h_n`);
    if (c.outputs.c_n) assertClose(cN!.data, c.outputs.c_n.data, `${file} c_n`);

    // loss = Σ output·gO + Σ h_n·gH (+ Σ c_n·gC)
    let loss: Tensor = output.mul(toTensor(c.upstream.grad_output)).sum().add(hN.mul(toTensor(c.upstream.grad_h_n)).sum());
    if (c.upstream.grad_c_n) loss = loss.add(cN!.mul(toTensor(c.upstream.grad_c_n)).sum());
    if (c.loss_value !== undefined) assertClose([loss.item()], [c.loss_value], `${file} loss`);
    loss.backward();

    const got: Record<string, Tensor | null> = { x: x.grad, h0: h0?.grad ?? null, c0: c0?.grad ?? null };
    for (const [k, p] of Object.entries(sd)) got[k] = p.grad;
    for (const [k, g] of Object.entries(c.grads)) {
      const mine = got[k];
      assert.ok(mine, `${file}: no gradient computed for ${k}`);
      assertClose(mine.data, g.data, `${file} grad ${k}`);
    }
  }));
}
