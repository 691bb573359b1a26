import type { Module } from "../nn/module.js";
import type { CrossEntropyOptions } from "../tensor/ops/nn-ops.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * What the language-model tools (training loop, evaluation, prediction, checkpoints) need from a
 * model: LanguageModel and AwdLstm both satisfy it. S is the recurrent state carried between
 * windows (LanguageModel: stacked h/c; AwdLstm: one h/c per layer, since layer sizes differ).
 */
export interface RecurrentLm<S = unknown> extends Module {
  readonly config: { readonly vocabSize: number };
  /** Zero state for B streams. */
  initState(B: number): S;
  /** The state cut from the graph (truncated BPTT). */
  detachState(s: S): S;
  /** The state as named tensors (what a training snapshot stores mid-epoch) … */
  stateTensors(s: S): Record<string, Tensor>;
  /** … and back; throws when a tensor is missing or mis-shaped. */
  stateFromTensors(t: Record<string, Tensor>): S;
  /** tokens int32 [T, B] → logits [T, B, V] (or log-probabilities) and the next state. */
  forward(tokens: Tensor, state?: S | null): { logits: Tensor; state: S };
  /** Cross-entropy of the next tokens (plus the model's own regularisers while training). */
  loss(tokens: Tensor, targets: Tensor, state?: S | null, opts?: CrossEntropyOptions): { loss: Tensor; state: S };
}
