/**
 * The benchmark workloads in rnnkit, built exactly like torch_lstm.py's models: embedding →
 * (Bi)LSTM → linear, cross-entropy, Adam(lr 1e-3); one training step = forward + backward + step.
 * Time-major [T, B] ids (PyTorch's script is batch-first; the arithmetic is the same).
 */
import type { BenchConfig } from "./configs.js";
import { Embedding, LSTM, Linear, functional as F } from "../src/nn/index.js";
import { Adam } from "../src/optim/index.js";
import { Tensor, concat, manualSeed, noGrad, randint } from "../src/tensor/index.js";

export interface Workload {
  trainStep(): number; // returns the loss
  infer(): void; // batched forward, no grad
  params: number;
}

export function rnnkitWorkload(c: BenchConfig): Workload {
  manualSeed(0);
  const { vocab: V, emb: E, hidden: H, layers: L, seq: T, batch: B } = c;
  const emb = new Embedding({ numEmbeddings: V, embeddingDim: E });
  const rnn = new LSTM({ inputSize: E, hiddenSize: H, numLayers: L, bidirectional: c.bidirectional });
  const D = c.bidirectional ? 2 : 1;
  const classes = c.task === "lm" ? V : (c.classes ?? 2);
  const out = new Linear({ inFeatures: c.task === "lm" ? H : D * H, outFeatures: classes });
  const params = [...emb.parameters(), ...rnn.parameters(), ...out.parameters()];
  const opt = new Adam(params, { lr: 1e-3 });
  const ids = (n: number, hi: number): Int32Array => Int32Array.from({ length: n }, () => randint(hi));
  const x = new Tensor(ids(T * B, V), [T, B]);
  const y = new Tensor(ids(c.task === "lm" ? T * B : B, classes), [c.task === "lm" ? T * B : B]);

  const logitsOf = (): Tensor => {
    const e = emb.forward(x); // [T, B, E]
    if (c.task === "lm") return out.forward(rnn.forward(e).output).reshape([T * B, V]);
    const { hN } = rnn.forward(e); // [L·D, B, H]
    const last = c.bidirectional ? concat([hN.select(0, hN.shape[0]! - 2), hN.select(0, hN.shape[0]! - 1)], 1) : hN.select(0, hN.shape[0]! - 1);
    return out.forward(last); // [B, classes]
  };
  return {
    params: params.reduce((s, p) => s + p.size, 0),
    trainStep() {
      opt.zeroGrad();
      // the LM trains as `rnnkit train-lm` does: decoder and loss fused (LanguageModel.loss)
      const loss = c.task === "lm" ? F.linearCrossEntropy(rnn.forward(emb.forward(x)).output.reshape([T * B, H]), out.weight, out.bias, y) : F.crossEntropy(logitsOf(), y);
      loss.backward();
      opt.step();
      return loss.item();
    },
    infer() {
      noGrad(() => logitsOf());
    },
  };
}
