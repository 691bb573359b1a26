/** Driving an inference stepper (Backend.createStepper) in the kernel tests. */
import type { Stepper, StepOutput, StepSpec } from "../../src/kernels/backend.js";

/**
 * Outputs of 5 steps (logits, probs at T = 0.8, logprobs, none, logits) of every stream of the
 * stepper `create(s)` makes, concatenated [5 · B · C] (the "none" step's slot stays zero); the
 * stepper is disposed after. `seen` gets the stepper before disposal (to read halfWeights).
 */
export function runStepper(create: (s: StepSpec) => Stepper, s: StepSpec, seen?: (st: Stepper) => void): Float32Array {
  const st = create(s);
  const modes: StepOutput[] = ["logits", "probs", "logprobs", "none", "logits"];
  const all = new Float32Array(modes.length * s.B * s.C);
  const out = new Float32Array(s.B * s.C);
  modes.forEach((m, t) => {
    const ids = Int32Array.from({ length: s.B }, (_, b) => (t * 131 + b * 17) % s.V);
    st.step(ids, m, t === 1 ? 0.8 : 1, m === "none" ? null : out);
    if (m !== "none") all.set(out, t * s.B * s.C);
  });
  seen?.(st);
  st.dispose();
  return all;
}
