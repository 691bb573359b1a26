import { type LanguageModel, type LmState, detachState } from "../models/language-model.js";
import { crossEntropy } from "../tensor/ops/nn-ops.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * ‖∂J(T)/∂h(t)‖ for every step t of a batch, by autodiff. The sequence is run one step at a
 * time so that every hidden state h(t) is its own node in the graph (retainGrad), and J(T) is the
 * cross-entropy of the LAST step only. In a vanilla RNN
 *   ∂J(T)/∂h(t) = ∂J(T)/∂h(T) · Π_{k=t+1..T} ∂h(k)/∂h(k−1),   ∂h(k)/∂h(k−1) = diag(1 − h(k)²) W_hh
 * a product of T − t Jacobians, which shrinks (or grows) geometrically with the distance; the
 * LSTM's additive cell path c(k) = f ⊙ c(k−1) + … keeps it alive. The model must have one layer.
 *
 * tokens, targets: int32 [T, B] (seq-first). Returns norms[d] for distance d = T−1−t (d = 0 is the
 * last step), each the mean over the batch of the per-sequence Euclidean norm.
 */
export function hiddenGradNorms(model: LanguageModel, tokens: Int32Array, targets: Int32Array, T: number, B: number): number[] {
  if (model.config.numLayers !== 1) throw new RangeError(`hiddenGradNorms: use a one-layer model (got ${model.config.numLayers} layers), so h(t) is one well-defined state`);
  if (tokens.length !== T * B || targets.length !== T * B) throw new RangeError(`hiddenGradNorms: tokens and targets must be [${T}, ${B}], got ${tokens.length} and ${targets.length} ids`);
  const H = model.config.hiddenSize;
  const wasTraining = model.training;
  model.eval(); // no dropout: the measurement must be deterministic
  const hs: Tensor[] = [];
  let state: LmState = model.initState(B);
  for (let t = 0; t < T; t++) {
    const emb = model.embedding.forward(new Tensor(tokens.subarray(t * B, (t + 1) * B), [1, B]));
    const r = model.rnn.forwardAll(emb, { h0: state.h, c0: state.c });
    state = { h: r.hN.retainGrad(), c: r.cN };
    hs.push(state.h);
  }
  const logits = model.decoder.forward(state.h.reshape([B, H]));
  crossEntropy(logits, new Tensor(targets.subarray((T - 1) * B, T * B), [B])).backward();
  model.train(wasTraining);
  for (const p of model.parameters()) p.grad = null;
  const norms: number[] = new Array<number>(T);
  hs.forEach((h, t) => {
    const g = h.grad?.f32 ?? new Float32Array(B * H);
    let mean = 0;
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let j = 0; j < H; j++) s += g[b * H + j]! ** 2;
      mean += Math.sqrt(s) / B;
    }
    norms[T - 1 - t] = mean;
  });
  return norms;
}

/**
 * The loss J(T) as a function of the hidden state at step t (cell state c(t) held fixed), for the
 * finite-difference cross-check of hiddenGradNorms: runs steps t+1 … T−1 from h(t) = h.
 */
export function lossFromState(model: LanguageModel, tokens: Int32Array, targets: Int32Array, T: number, B: number, t: number, h: Tensor, c: Tensor | null): number {
  const H = model.config.hiddenSize;
  let state: LmState = { h, c };
  for (let k = t + 1; k < T; k++) {
    const emb = model.embedding.forward(new Tensor(tokens.subarray(k * B, (k + 1) * B), [1, B]));
    const r = model.rnn.forwardAll(emb, { h0: state.h, c0: state.c });
    state = { h: r.hN, c: r.cN };
  }
  const logits = model.decoder.forward(state.h.reshape([B, H]));
  return crossEntropy(logits, new Tensor(targets.subarray((T - 1) * B, T * B), [B])).item();
}

/** The states (h(t), c(t)) after step t, computed without a graph. */
export function stateAt(model: LanguageModel, tokens: Int32Array, B: number, t: number): LmState {
  let state: LmState = model.initState(B);
  for (let k = 0; k <= t; k++) {
    const emb = model.embedding.forward(new Tensor(tokens.subarray(k * B, (k + 1) * B), [1, B]));
    const r = model.rnn.forwardAll(emb, { h0: state.h, c0: state.c });
    state = detachState({ h: r.hN, c: r.cN });
  }
  return state;
}
