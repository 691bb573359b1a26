/**
 * The language models (LSTM, tied LSTM, RNN) and the padded BiLSTM classifier of
 * shared/fixtures/recurrent: logits, loss and every parameter gradient match PyTorch.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { parseCell } from "../../src/models/cell.js";
import { crossEntropy } from "../../src/tensor/ops/nn-ops.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { assertClose } from "../helpers/close.js";
import { readFixture, toIds, toTensor } from "../helpers/fixtures.js";
import type { FixtureTensor } from "../helpers/shared.js";
import { sharedPath } from "../helpers/shared.js";
import { testBackends, withBackend } from "../helpers/backends.js";

interface LmCase {
  module: { rnn: string; vocab_size: number; embedding_dim: number; hidden_size: number; num_layers: number; tie_weights: boolean };
  params: Record<string, FixtureTensor>;
  inputs: { tokens: number[][]; targets: number[][] };
  outputs: { logits: FixtureTensor; loss: number; perplexity: number };
  grads: Record<string, FixtureTensor>;
}

const loadParams = (p: Record<string, FixtureTensor>): Record<string, Tensor> => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, toTensor(v)]));

for (const be of testBackends())
for (const file of ["lm_lstm.json", "lm_lstm_tied.json", "lm_rnn.json"]) {
  test(`PyTorch fixture ${file} [${be.name}]`, (t) => withBackend(be, () => {
    if (!sharedPath(t, "fixtures", "recurrent", file)) return;
    const c = readFixture<LmCase>(file);
    const m = c.module;
    const lm = new LanguageModel({ vocabSize: m.vocab_size, embeddingDim: m.embedding_dim, hiddenSize: m.hidden_size, numLayers: m.num_layers, cell: parseCell(m.rnn), tieWeights: m.tie_weights });
    lm.loadStateDict(loadParams(c.params));
    const tokens = toIds(c.inputs.tokens);
    const targets = toIds(c.inputs.targets);
    const { logits } = lm.forward(tokens);
    assert.deepEqual([...logits.shape], c.outputs.logits.shape);
    assertClose(logits.data, c.outputs.logits.data, `${file} logits`);
    const loss = crossEntropy(logits.reshape([-1, m.vocab_size]), targets.reshape([-1]));
    assertClose([loss.item()], [c.outputs.loss], `${file} loss`);
    assertClose([Math.exp(loss.item())], [c.outputs.perplexity], `${file} perplexity`);
    loss.backward();
    const named = Object.fromEntries(lm.namedParameters());
    assert.deepEqual(Object.keys(named).sort(), Object.keys(c.grads).sort(), `${file}: parameter names`);
    for (const [k, g] of Object.entries(c.grads)) assertClose(named[k]!.grad!.data, g.data, `${file} grad ${k}`);
    // the training path: decoder and loss fused (LanguageModel.loss → linearCrossEntropy)
    for (const p of lm.parameters()) p.grad = null;
    const fused = lm.loss(tokens, targets).loss;
    assertClose([fused.item()], [c.outputs.loss], `${file} fused loss`);
    fused.backward();
    for (const [k, g] of Object.entries(c.grads)) assertClose(named[k]!.grad!.data, g.data, `${file} fused grad ${k}`);
  }));
}

interface ClsCase {
  module: { vocab_size: number; embedding_dim: number; hidden_size: number; num_classes: number; padding_idx: number };
  params: Record<string, FixtureTensor>;
  inputs: { tokens: number[][]; lengths: number[]; labels: number[] };
  outputs: { logits: FixtureTensor; loss: number };
  grads: Record<string, FixtureTensor>;
}

for (const be of testBackends())
test(`PyTorch fixture classifier_bilstm.json (padded, unsorted lengths) [${be.name}]`, (t) => withBackend(be, () => {
  if (!sharedPath(t, "fixtures", "recurrent", "classifier_bilstm.json")) return;
  const c = readFixture<ClsCase>("classifier_bilstm.json");
  const m = c.module;
  const clf = new SequenceClassifier({ vocabSize: m.vocab_size, embeddingDim: m.embedding_dim, hiddenSize: m.hidden_size, numClasses: m.num_classes, paddingIdx: m.padding_idx, bidirectional: true, pooling: "final" });
  clf.loadStateDict(loadParams(c.params));
  const logits = clf.forward(toIds(c.inputs.tokens), c.inputs.lengths);
  assertClose(logits.data, c.outputs.logits.data, "classifier logits");
  const loss = crossEntropy(logits, new Tensor(Int32Array.from(c.inputs.labels), [c.inputs.labels.length]));
  assertClose([loss.item()], [c.outputs.loss], "classifier loss");
  loss.backward();
  const named = Object.fromEntries(clf.namedParameters());
  for (const [k, g] of Object.entries(c.grads)) assertClose(named[k]!.grad!.data, g.data, `classifier grad ${k}`);
  // padding row of the embedding never receives a gradient
  const E = m.embedding_dim;
  assert.ok(Array.from(named["embedding.weight"]!.grad!.data.subarray(0, E)).every((v) => v === 0));
}));

// The same LM weights saved by PyTorch as safetensors in three dtypes reproduce the logits, to
// the precision of the dtype (the weights are rounded, so the logits move by about that much).
import { readFileSync } from "node:fs";
import { load as loadSafetensors } from "../../src/io/safetensors.js";
for (const [dtype, tol] of [["F32", 1e-5], ["F16", 5e-3], ["BF16", 4e-2]] as const) {
  test(`lm_lstm.${dtype}.safetensors loads into the LanguageModel and reproduces the logits`, (t) => {
    const p = sharedPath(t, "fixtures", "recurrent", `lm_lstm.${dtype}.safetensors`);
    if (!p) return;
    const c = readFixture<LmCase>("lm_lstm.json");
    const m = c.module;
    const lm = new LanguageModel({ vocabSize: m.vocab_size, embeddingDim: m.embedding_dim, hiddenSize: m.hidden_size, numLayers: m.num_layers, cell: parseCell(m.rnn) });
    lm.loadStateDict(loadSafetensors(readFileSync(p)).tensors);
    const { logits } = lm.forward(toIds(c.inputs.tokens));
    assertClose(logits.data, c.outputs.logits.data, `${dtype} logits`, tol, tol);
  });
}
