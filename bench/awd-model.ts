/**
 * rnnkit side of the AWD-LSTM benchmark: one training step of the configuration (see
 * awd-configs.ts), built from the library's public pieces.
 */
import { AwdLstm } from "../src/models/awd-lstm.js";
import { Linear } from "../src/nn/linear.js";
import { Module } from "../src/nn/module.js";
import { Adam } from "../src/optim/adam.js";
import { ASGD } from "../src/optim/asgd.js";
import { clipGradNorm } from "../src/optim/clip.js";
import { crossEntropy } from "../src/tensor/ops/nn-ops.js";
import { concat } from "../src/tensor/ops/shape-ops.js";
import { manualSeed } from "../src/tensor/random.js";
import { Tensor } from "../src/tensor/tensor.js";
import { AR_ALPHA, AWD_DROPOUT, type AwdBenchConfig, CLIP, LM_LR, TAR_BETA } from "./awd-configs.js";

/** ULMFiT's classifier head on concat pooling [last, max, mean] of the top layer: 3E → 50 → 2. */
class PoolingHead extends Module {
  readonly l1: Linear;
  readonly l2: Linear;
  constructor(E: number) {
    super();
    this.l1 = this.registerModule("l1", new Linear({ inFeatures: 3 * E, outFeatures: 50 }));
    this.l2 = this.registerModule("l2", new Linear({ inFeatures: 50, outFeatures: 2 }));
  }
  forward(h: Tensor): Tensor {
    const T = h.shape[0]!;
    const pooled = concat([h.select(0, T - 1), h.max(0), h.mean(0)], 1); // [B, 3E]
    return this.l2.forward(this.l1.forward(pooled).relu());
  }
}

export function awdStep(c: AwdBenchConfig, ids: Int32Array): () => void {
  manualSeed(1);
  const half = c.kind === "classifier" ? 0.5 : 1;
  const model = new AwdLstm({
    vocabSize: c.vocab, embeddingDim: c.emb, hiddenSizes: c.hidden, tieWeights: !c.cutoffs,
    adaptiveSoftmax: c.cutoffs ? { cutoffs: c.cutoffs, divValue: c.divValue ?? 4 } : null,
    dropoutEmb: AWD_DROPOUT.emb * half, dropoutInp: AWD_DROPOUT.inp * half, dropoutHid: AWD_DROPOUT.hid * half, dropoutOut: AWD_DROPOUT.out * half, weightDrop: AWD_DROPOUT.w * half,
    alpha: AR_ALPHA, beta: TAR_BETA,
  });
  const { batch: B, bptt: T } = c;
  const n = T * B;
  let at = 0;
  const window = (): { x: Tensor; y: Tensor } => {
    if (at + n + 1 > ids.length) at = 0;
    const x = new Tensor(ids.slice(at, at + n), [T, B]);
    const y = new Tensor(ids.slice(at + 1, at + n + 1), [T, B]);
    at += n;
    return { x, y };
  };
  if (c.kind === "lm") {
    const params = model.parameters();
    const opt = new ASGD(params, { lr: LM_LR, t0: 0, lambd: 0, weightDecay: 1.2e-6 });
    let state = model.initState(B);
    return () => {
      const { x, y } = window();
      const r = model.loss(x, y, model.detachState(state));
      state = r.state;
      opt.zeroGrad();
      r.loss.backward();
      clipGradNorm(params, CLIP);
      opt.step();
    };
  }
  const head = new PoolingHead(c.emb);
  const params = [...model.parameters().filter((p) => !isDecoder(model, p)), ...head.parameters()];
  const opt = new Adam(params, { lr: 1e-3 });
  const labels = new Tensor(Int32Array.from({ length: B }, (_, b) => b % 2), [B]);
  return () => {
    const { x } = window();
    const e = model.encode(x, null);
    const loss = crossEntropy(head.forward(e.raw[e.raw.length - 1]!), labels);
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(params, CLIP);
    opt.step();
  };
}

/** The decoder's own parameters (bias; weight when untied): a classifier has no decoder. */
function isDecoder(m: AwdLstm, p: Tensor): boolean {
  return m.decoder.parameters().includes(p) && p !== m.encoder.weight;
}
