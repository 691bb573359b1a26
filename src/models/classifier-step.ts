/**
 * Inference for a SequenceClassifier without the autograd layers: embedding rows gathered
 * straight into the time-major layout the recurrent kernels read (no [B, T] ↔ [T, B] transposes),
 * each layer and direction one fused whole-sequence kernel call with the input projection inside
 * and nothing saved for backward, pooling over the valid steps, then the output layer and a
 * softmax. Same kernels and parameters as `model.forward(...).softmax(-1)`, so the probabilities
 * agree to float rounding; scratch comes from the buffer pool and goes back after each call.
 */
import type { Backend, F32 } from "../kernels/backend.js";
import { backend } from "../kernels/registry.js";
import { stepOutputRow } from "../kernels/ref/step.js";
import { giveF32, takeF32 } from "../tensor/buffer-pool.js";
import { SequenceClassifier } from "./sequence-classifier.js";

interface DirW {
  wIh: F32;
  wHh: F32;
  bIh: F32 | null;
  bHh: F32 | null;
}

/** The classifier's weights by layer and direction, or null when it is not the plain model this path knows. */
function weightsOf(model: SequenceClassifier): { emb: F32; dirs: DirW[][]; W: F32; b: F32 | null } | null {
  const c = model.config;
  const rnn = model.rnn;
  if (rnn.projSize > 0 || rnn.numLayers !== c.numLayers || rnn.bidirectional !== c.bidirectional) return null;
  const sd = model.stateDict();
  const D = c.bidirectional ? 2 : 1;
  const want = new Set(["embedding.weight", "classifier.weight", "classifier.bias"]);
  const dirs: DirW[][] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const row: DirW[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      for (const k of ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]) want.add(`rnn.${k}${sfx}`);
      const wIh = sd[`rnn.weight_ih${sfx}`]?.f32, wHh = sd[`rnn.weight_hh${sfx}`]?.f32;
      if (!wIh || !wHh) return null;
      row.push({ wIh, wHh, bIh: sd[`rnn.bias_ih${sfx}`]?.f32 ?? null, bHh: sd[`rnn.bias_hh${sfx}`]?.f32 ?? null });
    }
    dirs.push(row);
  }
  if (Object.keys(sd).some((k) => !want.has(k))) return null;
  const emb = sd["embedding.weight"]?.f32, W = sd["classifier.weight"]?.f32;
  if (!emb || !W) return null;
  return { emb, dirs, W, b: sd["classifier.bias"]?.f32 ?? null };
}

/** One direction of one layer over the whole batch, inference only: out [T, B, H], hN [B, H]. */
function direction(be: Backend, cell: SequenceClassifier["config"]["cell"], w: DirW, x: F32, I: number, T: number, B: number, H: number, lengths: Int32Array, reverse: boolean, out: F32, hN: F32): void {
  const G = cell === "LSTM" ? 4 : cell === "GRU" ? 3 : 1;
  const GH = G * H;
  // the bias folded into the input projection: b_ih + b_hh (LSTM, RNN); b_ih (GRU: b_hh is inside r ⊙ (·))
  let bias: F32 | null = null;
  if (w.bIh || (w.bHh && cell !== "GRU")) {
    bias = new Float32Array(GH);
    if (w.bIh) bias.set(w.bIh);
    if (w.bHh && cell !== "GRU") for (let j = 0; j < GH; j++) bias[j]! += w.bHh[j]!;
  }
  const xg = takeF32(T * B * GH, false); // scratch the kernels write whole (or leave unused)
  const h0 = new Float32Array(B * H);
  const dims = { T, B, H, lengths, reverse, xg, proj: { I, x, wIh: w.wIh, bias }, whh: w.wHh, h0, out, hN, saved: null };
  if (cell === "LSTM") be.lstmForward({ ...dims, P: H, whr: null, c0: new Float32Array(B * H), cN: new Float32Array(B * H) });
  else if (cell === "GRU") be.gruForward({ ...dims, bhh: w.bHh });
  else be.rnnForward({ ...dims, relu: cell === "RNN_RELU" });
  giveF32(xg);
}

/**
 * Class probabilities [B, numClasses] of right-padded ids [B, T] (batch-first, as
 * SequenceClassifier.forward takes them) with their true lengths; null when the model is not the
 * plain embedding → (Bi)RNN/LSTM/GRU → pooling → linear this path knows (use model.forward).
 */
export function classifierProba(model: SequenceClassifier, ids: Int32Array, B: number, T: number, lengths: Int32Array): Float32Array | null {
  if (!(model instanceof SequenceClassifier)) return null;
  const wts = weightsOf(model);
  if (!wts) return null;
  if (ids.length !== B * T || lengths.length !== B) throw new RangeError(`classifierProba: ids must be [${B}, ${T}] and lengths [${B}], got ${ids.length} ids and ${lengths.length} lengths`);
  const c = model.config;
  const { embeddingDim: E, hiddenSize: H, numClasses: C, cell, pooling } = c;
  const V = c.vocabSize;
  const D = c.bidirectional ? 2 : 1;
  for (let b = 0; b < B; b++) if (!(lengths[b]! >= 1 && lengths[b]! <= T)) throw new RangeError(`classifierProba: lengths[${b}] = ${lengths[b]} is outside [1, ${T}]`);
  const be = backend();
  // time-major ids [T, B] → embedding rows [T, B, E]
  const idx = new Int32Array(T * B);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const id = ids[b * T + t]!;
      if (!(id >= 0 && id < V)) throw new RangeError(`classifierProba: token id ${id} at [${b}, ${t}] is outside [0, ${V})`);
      idx[t * B + b] = id;
    }
  let x = takeF32(T * B * E, false);
  be.embeddingForward(wts.emb, idx, T * B, E, x);
  let I = E;
  const hN = Array.from({ length: D }, () => new Float32Array(B * H));
  for (let l = 0; l < c.numLayers; l++) {
    // [T, B, D·H]: the directions side by side, as the next layer and the pooling read them
    const y = takeF32(T * B * D * H, false);
    const outD = D === 1 ? y : takeF32(T * B * H, false);
    for (let d = 0; d < D; d++) {
      direction(be, cell, wts.dirs[l]![d]!, x, I, T, B, H, lengths, d === 1, outD, hN[d]!);
      if (D === 2) for (let r = 0; r < T * B; r++) y.set(outD.subarray(r * H, (r + 1) * H), (r * 2 + d) * H);
    }
    if (D === 2) giveF32(outD);
    giveF32(x);
    x = y;
    I = D * H;
  }
  const F = D * H;
  const pooled = new Float32Array(B * F);
  if (pooling === "final") {
    for (let d = 0; d < D; d++) for (let b = 0; b < B; b++) pooled.set(hN[d]!.subarray(b * H, (b + 1) * H), b * F + d * H);
  } else {
    // padded steps' outputs are exactly zero; mean divides the sum by the length, max skips them
    for (let b = 0; b < B; b++) {
      const p = pooled.subarray(b * F, (b + 1) * F);
      const len = lengths[b]!;
      if (pooling === "max") p.set(x.subarray(b * F, (b + 1) * F));
      for (let t = pooling === "max" ? 1 : 0; t < len; t++) {
        const o = (t * B + b) * F;
        if (pooling === "max") for (let j = 0; j < F; j++) p[j] = Math.max(p[j]!, x[o + j]!);
        else for (let j = 0; j < F; j++) p[j]! += x[o + j]!;
      }
      if (pooling === "mean") for (let j = 0; j < F; j++) p[j] = p[j]! * (1 / len);
    }
  }
  giveF32(x);
  const z = new Float32Array(B * C);
  if (wts.b) for (let b = 0; b < B; b++) z.set(wts.b.subarray(0, C), b * C);
  be.gemm(false, true, B, C, F, 1, pooled, wts.W, wts.b ? 1 : 0, z);
  const probs = new Float32Array(B * C);
  for (let b = 0; b < B; b++) stepOutputRow(z.subarray(b * C, (b + 1) * C), C, "probs", 1, probs.subarray(b * C, (b + 1) * C));
  return probs;
}
