/**
 * What every backend's inference stepper (Backend.createStepper) shares: the gate count of a
 * cell, the output codes the fast kernels take, and the check of a StepSpec's shapes, so that a
 * wrong array fails here with its name and shape instead of reading past its end in a kernel.
 */
import type { F32, StepCell, StepOutput, StepSpec } from "./backend.js";

/** Gate blocks of a cell: LSTM i, f, g, o; GRU r, z, n; RNN one. */
export const stepGates = (cell: StepCell): number => (cell === "lstm" ? 4 : cell === "gru" ? 3 : 1);

/** StepOutput as the number the wasm and native kernels take. */
export const OUTPUT_CODE: Readonly<Record<StepOutput, number>> = { none: 0, logits: 1, probs: 2, logprobs: 3 };

/** StepCell as the number the wasm and native kernels take. */
export const CELL_CODE: Readonly<Record<StepCell, number>> = { lstm: 0, gru: 1, rnn_tanh: 2, rnn_relu: 3 };

/** Throws a RangeError naming the first array or size of `s` that does not fit the others. */
export function checkStepSpec(s: StepSpec, where: string): void {
  const int = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${what} must be a positive integer, got ${v}`);
  };
  int(s.H, "H");
  int(s.B, "B");
  int(s.V, "V");
  int(s.E, "E");
  int(s.C, "C");
  if (!(s.cell in CELL_CODE)) throw new RangeError(`${where}: cell must be one of ${Object.keys(CELL_CODE).join(", ")}, got ${String(s.cell)}`);
  if (s.layers.length < 1) throw new RangeError(`${where}: a stepper needs at least one recurrent layer`);
  const need = (a: F32 | null, n: number, what: string, shape: string): void => {
    if (a !== null && a.length < n) throw new RangeError(`${where}: ${what} must be ${shape} (${n} floats), got ${a.length} floats`);
  };
  need(s.embedding, s.V * s.E, "the embedding", `[${s.V}, ${s.E}]`);
  need(s.decoder, s.C * s.H, "the decoder weight", `[${s.C}, ${s.H}]`);
  need(s.decoderBias, s.C, "the decoder bias", `[${s.C}]`);
  const GH = stepGates(s.cell) * s.H;
  s.layers.forEach((l, i) => {
    const I = i === 0 ? s.E : s.H;
    if (l.I !== I) throw new RangeError(`${where}: layer ${i} must take ${I} input features (${i === 0 ? "the embedding width" : "the hidden size"}), got I = ${l.I}`);
    need(l.wIh, GH * I, `weight_ih_l${i}`, `[${GH}, ${I}]`);
    need(l.wHh, GH * s.H, `weight_hh_l${i}`, `[${GH}, ${s.H}]`);
    need(l.bIh, GH, `bias_ih_l${i}`, `[${GH}]`);
    need(l.bHh, GH, `bias_hh_l${i}`, `[${GH}]`);
  });
}
