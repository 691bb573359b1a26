/**
 * The reference inference stepper (Backend.createStepper): one time step of embedding → stacked
 * cells → decoder → (log-)softmax in plain TypeScript loops, the definition of the fast
 * steppers' numbers. Same cell math as the whole-sequence kernels of this folder:
 *   LSTM  G = W_ih x + b_ih + W_hh h + b_hh;  i, f, o = σ(G_i, G_f, G_o), g = tanh(G_g);
 *         c = f ⊙ c + i ⊙ g;  h = o ⊙ tanh(c)
 *   GRU   r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));
 *         h = (1 − z) ⊙ n + z ⊙ h
 *   RNN   h = act(W_ih x + b_ih + W_hh h + b_hh)
 * then z = h_L W_dᵀ + b_d and the requested output of it (StepOutput).
 */
import type { F32, I32, StepOutput, StepSpec, Stepper } from "../backend.js";
import { checkStepSpec, stepGates } from "../step.js";
import { sigmoid } from "./elementwise.js";

/** y[n] = base[n] + Σ_k W[n, k] x[k] for n < N (W row-major [N, K]); base may be null (0). */
function matvec(W: F32, x: F32, N: number, K: number, base: F32 | null, y: F32): void {
  for (let n = 0; n < N; n++) {
    const o = n * K;
    let s = 0;
    for (let k = 0; k < K; k++) s += W[o + k]! * x[k]!;
    y[n] = (base ? base[n]! : 0) + s;
  }
}

/**
 * One row of step output from logits z [C]: z itself, softmax(z / temperature) or log_softmax(z)
 * (max subtracted first; float64 sums). The fast backends' float32 versions match it to rounding.
 */
export function stepOutputRow(z: F32, C: number, output: StepOutput, temperature: number, out: F32): void {
  if (output === "logits") {
    out.set(z.subarray(0, C));
    return;
  }
  let mx = -Infinity;
  for (let c = 0; c < C; c++) if (z[c]! > mx) mx = z[c]!;
  if (output === "probs") {
    const inv = 1 / temperature;
    let s = 0;
    for (let c = 0; c < C; c++) s += out[c] = Math.exp((z[c]! - mx) * inv);
    const r = 1 / s;
    for (let c = 0; c < C; c++) out[c]! *= r;
    return;
  }
  let s = 0;
  for (let c = 0; c < C; c++) s += Math.exp(z[c]! - mx);
  const lse = mx + Math.log(s);
  for (let c = 0; c < C; c++) out[c] = z[c]! - lse;
}

export function createRefStepper(spec: StepSpec): Stepper {
  checkStepSpec(spec, "createStepper");
  const { cell, H, B, E, C, layers } = spec;
  const L = layers.length;
  const GH = stepGates(cell) * H;
  const lstm = cell === "lstm";
  const h = new Float32Array(L * B * H);
  const c = lstm ? new Float32Array(L * B * H) : null;
  const x = new Float32Array(Math.max(E, H));
  const g = new Float32Array(GH); // W_ih x + biases
  const hg = new Float32Array(GH); // W_hh h (+ b_hh for the GRU)
  const z = new Float32Array(C);
  // b_ih + b_hh once (LSTM, RNN); the GRU keeps b_hh apart, inside r ⊙ (W_hn h + b_hn)
  const bias = layers.map((l) => {
    const b = new Float32Array(GH);
    if (l.bIh) b.set(l.bIh.subarray(0, GH));
    if (cell !== "gru" && l.bHh) for (let j = 0; j < GH; j++) b[j]! += l.bHh[j]!;
    return b;
  });

  function cellStep(l: number, b: number): void {
    const ly = layers[l]!;
    const so = (l * B + b) * H;
    const hl = h.subarray(so, so + H);
    matvec(ly.wIh, x, GH, ly.I, bias[l]!, g);
    matvec(ly.wHh, hl, GH, H, cell === "gru" ? ly.bHh : null, hg);
    if (lstm) {
      const cl = c!.subarray(so, so + H);
      for (let j = 0; j < H; j++) {
        const ig = sigmoid(g[j]! + hg[j]!);
        const fg = sigmoid(g[H + j]! + hg[H + j]!);
        const gg = Math.tanh(g[2 * H + j]! + hg[2 * H + j]!);
        const og = sigmoid(g[3 * H + j]! + hg[3 * H + j]!);
        const cn = fg * cl[j]! + ig * gg;
        cl[j] = cn;
        hl[j] = og * Math.tanh(cn);
      }
    } else if (cell === "gru") {
      for (let j = 0; j < H; j++) {
        const r = sigmoid(g[j]! + hg[j]!);
        const u = sigmoid(g[H + j]! + hg[H + j]!);
        const n = Math.tanh(g[2 * H + j]! + r * hg[2 * H + j]!);
        hl[j] = (1 - u) * n + u * hl[j]!;
      }
    } else {
      const relu = cell === "rnn_relu";
      for (let j = 0; j < H; j++) {
        const v = g[j]! + hg[j]!;
        hl[j] = relu ? (v > 0 ? v : 0) : Math.tanh(v);
      }
    }
    x.set(hl);
  }

  return {
    getState(hOut, cOut) {
      hOut.set(h);
      if (cOut && c) cOut.set(c);
    },
    setState(hIn, cIn) {
      if (hIn) h.set(hIn.subarray(0, h.length));
      else h.fill(0);
      if (c) {
        if (cIn) c.set(cIn.subarray(0, c.length));
        else c.fill(0);
      }
    },
    step(ids: I32, output: StepOutput, temperature: number, out: F32 | null) {
      for (let b = 0; b < B; b++) {
        const row = ids[b]! * E;
        x.set(spec.embedding.subarray(row, row + E));
        for (let l = 0; l < L; l++) cellStep(l, b);
        if (output === "none" || !out) continue;
        matvec(spec.decoder, x, C, H, spec.decoderBias, z);
        stepOutputRow(z, C, output, temperature, out.subarray(b * C, (b + 1) * C));
      }
    },
    dispose() {},
  };
}
