import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { hiddenGradNorms, lossFromState, stateAt } from "../../src/analysis/gradient-flow.js";
import { gradientFlowExperiment, normRatio } from "../../src/analysis/flow-experiment.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { CELL_TYPES } from "../../src/models/cell.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { ptbTokens, resolveTokenizer } from "../../src/data/text/tokenize.js";
import { manualSeed, random } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { sharedPath } from "../helpers/shared.js";

test("‖∂J(T)/∂h(t)‖ from autodiff equals the finite-difference norm, for every cell", () => {
  const T = 7, B = 1, V = 13;
  for (const cell of CELL_TYPES) {
    manualSeed(3);
    const model = new LanguageModel({ vocabSize: V, embeddingDim: 4, hiddenSize: 5, cell });
    const tokens = Int32Array.from({ length: T * B }, () => Math.floor(random() * V));
    const targets = Int32Array.from({ length: T * B }, () => Math.floor(random() * V));
    const norms = hiddenGradNorms(model, tokens, targets, T, B);
    model.eval();
    for (const t of [0, 3, T - 2]) {
      const { h, c } = stateAt(model, tokens, B, t);
      const eps = 1e-2;
      let sq = 0;
      for (let j = 0; j < h.size; j++) {
        const bump = (d: number): number => {
          const hd = Float32Array.from(h.f32);
          hd[j]! += d;
          return lossFromState(model, tokens, targets, T, B, t, new Tensor(hd, h.shape), c);
        };
        sq += ((bump(eps) - bump(-eps)) / (2 * eps)) ** 2;
      }
      const fd = Math.sqrt(sq);
      const ad = norms[T - 1 - t]!;
      assert.ok(Math.abs(fd - ad) <= 1e-3 + 2e-2 * fd, `${cell} t=${t}: autodiff ${ad} vs finite differences ${fd}`);
    }
  }
});

test("on Penn Treebank at initialisation, the RNN's gradient at distance 50 is far below the LSTM's", (t) => {
  const p = sharedPath(t, "data", "ptb", "ptb.valid.txt");
  if (!p) return;
  const spec = resolveTokenizer({ level: "word", wordStyle: "ptb" });
  const toks = ptbTokens(readFileSync(p, "utf8"));
  const vocab = Vocabulary.fromStream(toks, spec);
  const ids = vocab.encode(toks);
  const { rows } = gradientFlowExperiment({ ids, vocabSize: vocab.size, cells: ["RNN_TANH", "LSTM"], steps: 60, batchSize: 4, hiddenSize: 64, embeddingDim: 32, trainSteps: 0, seed: 1 });
  const r50 = normRatio(rows, "RNN_TANH", "LSTM", 50);
  const r5 = normRatio(rows, "RNN_TANH", "LSTM", 5);
  assert.ok(r50 < 1e-2, `RNN/LSTM ratio at distance 50 should be ≪ 1, got ${r50}`);
  assert.ok(r50 < r5, `the ratio should fall with distance (5: ${r5}, 50: ${r50})`);
  // the RNN's own norm decays geometrically with distance
  const rnn = rows.filter((r) => r.cell === "RNN_TANH");
  assert.ok(rnn[50]!.norm < 1e-3 * rnn[0]!.norm, `RNN norm at 50 (${rnn[50]!.norm}) vs at 0 (${rnn[0]!.norm})`);
});
