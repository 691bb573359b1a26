/**
 * The input projection of a recurrent layer as plain kernel calls (InputProjection in
 * ./backend.ts), for backends that fuse nothing: the reference backend and the native one. The
 * arithmetic is the definition a fusing backend must match.
 */
import type { Backend, F32, GruBackwardArgs, GruForwardArgs, InputProjectionForward, InputProjectionGrads, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs, SeqDims } from "./backend.js";

/** xg [T·B, G·H] = x W_ihᵀ + bias (bias rows first, then one accumulating product). */
export function projectInput(gemm: Backend["gemm"], p: InputProjectionForward, TB: number, GH: number, xg: F32): void {
  if (p.bias) for (let r = 0; r < TB; r++) xg.set(p.bias.subarray(0, GH), r * GH);
  gemm(false, true, TB, GH, p.I, 1, p.x, p.wIh, p.bias ? 1 : 0, xg);
}

/** dx = dXg W_ih, dW_ih = dXgᵀ x, db = Σ_rows dXg, from dXg [T·B, G·H]. */
export function projectGrads(be: Pick<Backend, "gemm" | "sumAxis">, p: InputProjectionGrads, TB: number, GH: number, dXg: F32): void {
  if (p.dx) be.gemm(false, false, TB, p.I, GH, 1, dXg, p.wIh, 0, p.dx);
  if (p.dWih) be.gemm(true, false, GH, p.I, TB, 1, dXg, p.x, 0, p.dWih);
  if (p.db) be.sumAxis(dXg, 1, TB, GH, p.db);
}

/**
 * A recurrent kernel pair (forward, backward) with the input projection run around it: xg from
 * `proj` before the forward kernel, the projection's gradients from dXg after the backward one.
 * `gates`: G of the [T·B, G·H] pre-activations (LSTM 4, GRU 3, RNN 1).
 */
export function withProjection<Fw extends SeqDims & { xg: F32; proj?: InputProjectionForward | null }, Bw extends SeqDims & { dXg: F32; projGrads?: InputProjectionGrads | null }>(
  be: Pick<Backend, "gemm" | "sumAxis">,
  gates: number,
  forward: (a: Fw) => void,
  backward: (a: Bw) => void,
): { forward: (a: Fw) => void; backward: (a: Bw) => void } {
  return {
    forward(a) {
      if (a.proj) projectInput(be.gemm, a.proj, a.T * a.B, gates * a.H, a.xg);
      forward(a);
    },
    backward(a) {
      backward(a);
      if (a.projGrads) projectGrads(be, a.projGrads, a.T * a.B, gates * a.H, a.dXg);
    },
  };
}

type Pair<F, B> = readonly [(a: F) => void, (a: B) => void];
export type RecurrentEntries = Pick<Backend, "lstmForward" | "lstmBackward" | "gruForward" | "gruBackward" | "rnnForward" | "rnnBackward">;

/** A backend's six recurrent entries from its fused kernels, each with the input projection around it. */
export function recurrentEntries(
  be: Pick<Backend, "gemm" | "sumAxis">,
  k: { lstm: Pair<LstmForwardArgs, LstmBackwardArgs>; gru: Pair<GruForwardArgs, GruBackwardArgs>; rnn: Pair<RnnForwardArgs, RnnBackwardArgs> },
): RecurrentEntries {
  const lstm = withProjection(be, 4, ...k.lstm), gru = withProjection(be, 3, ...k.gru), rnn = withProjection(be, 1, ...k.rnn);
  return { lstmForward: lstm.forward, lstmBackward: lstm.backward, gruForward: gru.forward, gruBackward: gru.backward, rnnForward: rnn.forward, rnnBackward: rnn.backward };
}
