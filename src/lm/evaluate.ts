import { Tensor, noGrad } from "../tensor/tensor.js";
import type { RecurrentLm } from "../models/recurrent-lm.js";
import { batchify, bpttWindows } from "../data/corpus/batchify.js";

export interface LmEvalResult {
  /** Mean cross-entropy per token, in nats. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
  /** loss / ln 2: bits per token (bits per character for char models). */
  bitsPerToken: number;
  tokens: number;
}

/**
 * Perplexity of a token stream under the model, read as B streams in windows of bptt steps with
 * the state carried across windows (the standard LM evaluation). Puts the model in eval mode.
 */
export function evaluateLm(model: RecurrentLm, ids: Int32Array, opts: { batchSize?: number; bptt?: number } = {}): LmEvalResult {
  const B = Math.max(1, Math.min(opts.batchSize ?? 10, Math.floor(ids.length / 2)));
  const s = batchify(ids, B);
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  let count = 0;
  noGrad(() => {
    let state = model.initState(B);
    for (const w of bpttWindows(s, opts.bptt ?? 35)) {
      const { loss, state: next } = model.loss(new Tensor(w.input, [w.T, B]), new Tensor(w.target, [w.T, B]), state, { reduction: "sum" });
      state = next;
      sum += loss.item();
      count += w.T * B;
    }
  });
  model.train(wasTraining);
  const loss = sum / count;
  return { loss, perplexity: Math.exp(loss), bitsPerToken: loss / Math.LN2, tokens: count };
}
