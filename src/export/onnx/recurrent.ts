/**
 * A recurrent stack (nn.RNN / nn.LSTM / nn.GRU, stacked, optionally bidirectional, with lengths) as
 * ONNX nodes. Each layer without projection is one ONNX `LSTM` / `GRU` / `RNN` operator over the
 * whole sequence, which ONNX Runtime runs in its fused CPU kernels; the weights are re-ordered from
 * PyTorch's gate order to ONNX's:
 *
 *   LSTM  PyTorch i, f, g, o  →  ONNX i, o, f, c      (blocks [0, 3, 1, 2])
 *   GRU   PyTorch r, z, n     →  ONNX z, r, h         (blocks [1, 0, 2]), linear_before_reset = 1,
 *         since PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) applies r after the recurrent
 *         product (ONNX's default, linear_before_reset = 0, is r ⊙ h inside the product).
 *   RNN   one block, activations Tanh or Relu
 *
 * ONNX's W is [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] (input biases, then recurrent biases), Y
 * [T, D, B, H], Y_h [D, B, H]. `sequence_lens` (int32 [B], any order) gives packed-sequence
 * semantics: steps past a sequence's length are zero in Y and leave its state alone, and the
 * reverse direction starts at each sequence's own last step — what PyTorch's exporter loses when
 * it traces pack_padded_sequence.
 *
 * The ONNX LSTM has no projection (PyTorch's proj_size: h = W_hr (o ⊙ tanh c)). A projected layer
 * is written as a `Scan` over time whose body is the LSTM cell with the same math; a boolean mask
 * [T, B, 1] from the lengths freezes finished sequences, and `ReverseSequence` (within each length)
 * turns the reverse direction into a forward scan.
 */
import type { RecurrentBase } from "../../nn/recurrent.js";
import type { Tensor } from "../../tensor/tensor.js";
import { GraphBuilder, valueInfo } from "./graph.js";
import { DataType } from "./proto.js";

/** ONNX gate block k takes PyTorch block ORDER[mode][k]. */
const GATE_ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN_TANH: [0], RNN_RELU: [0] } as const;

/** Re-order the gate blocks (each `rows` rows of `cols` values) of a [G·rows, cols] matrix or [G·rows] vector. */
export function permuteGates(w: Float32Array, rows: number, cols: number, order: readonly number[]): Float32Array {
  const block = rows * cols;
  if (w.length !== order.length * block) throw new RangeError(`permuteGates: expected ${order.length}·${rows}·${cols} = ${order.length * block} values, got ${w.length}`);
  const out = new Float32Array(w.length);
  order.forEach((src, k) => out.set(w.subarray(src * block, (src + 1) * block), k * block));
  return out;
}

/** [rows, cols] → [cols, rows] (for MatMul, which multiplies by B rather than Bᵀ). */
function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

export interface StackInputs {
  /** [T, B, I] float. */
  x: string;
  /** True lengths, int64 [B] (any order), or absent when every sequence fills T. */
  lengths?: string | null;
  /** Initial states [L·D, B, P] and (LSTM) [L·D, B, H]; zeros when absent. */
  h0?: string | null;
  c0?: string | null;
}
export interface StackOutputs {
  /** The last layer's outputs [T, B, D·P] (zero past each length). */
  y: string;
  /** Final states [L·D, B, P] and [L·D, B, H] (LSTM), each sequence's own. */
  hN: string;
  cN: string | null;
}

/** Values derived from the input once and shared by the layers: T, B, the int32 lengths, the mask. */
class Derived {
  #lens32: string | null = null;
  #lens64: string | null = null;
  #mask: string | null = null;
  #B: string | null = null;
  constructor(private readonly g: GraphBuilder, private readonly x: string, private readonly lengths: string | null) {}
  /** [B] as a 1-element int64 tensor. */
  get batch(): string {
    return (this.#B ??= this.g.op1("Shape", [this.x], { start: { i: 1 }, end: { i: 2 } }, "batch_size"));
  }
  /** int32 [B] for the operators' sequence_lens, or "" (absent). */
  get lens32(): string {
    if (!this.lengths) return "";
    return (this.#lens32 ??= this.g.op1("Cast", [this.lengths], { to: { i: DataType.INT32 } }, "lengths_i32"));
  }
  /** int64 [B], T for every sequence when no lengths were given. */
  get lens64(): string {
    if (this.lengths) return this.lengths;
    return (this.#lens64 ??= this.g.op1("Expand", [this.g.op1("Shape", [this.x], { start: { i: 0 }, end: { i: 1 } }), this.batch], {}, "full_lengths"));
  }
  /** bool [T, B, 1]: step t of sequence b is within its length. */
  get mask(): string {
    return (this.#mask ??= timeMask(this.g, this.x, 0, this.lens64));
  }
}

/**
 * bool [T, B, 1] (time axis `timeAxis` of `x`): t < lengths[b]. Built from Range over the dynamic
 * time size, so the graph works for any T.
 */
export function timeMask(g: GraphBuilder, x: string, timeAxis: number, lens64: string): string {
  const T = g.op1("Squeeze", [g.op1("Shape", [x], { start: { i: timeAxis }, end: { i: timeAxis + 1 } })], {}, "time_size");
  const steps = g.op1("Range", [g.ints([0], []), T, g.ints([1], [])], {}, "steps"); // [T]
  const less = g.op1("Less", [g.op1("Unsqueeze", [steps, g.ints([1])]), g.op1("Unsqueeze", [lens64, g.ints([0])])], {}, "valid"); // [T, B]
  return g.op1("Unsqueeze", [less, g.ints([2])], {}, "time_mask"); // [T, B, 1]
}

/** Append the stack's nodes to `g`; see the file comment for the layouts. */
export function recurrentStack(g: GraphBuilder, rnn: RecurrentBase, inp: StackInputs, prefix = "rnn"): StackOutputs {
  const L = rnn.numLayers;
  const D = rnn.numDirections;
  const H = rnn.hiddenSize;
  const P = rnn.outSize;
  const mode = rnn.mode;
  const G = GATE_ORDER[mode].length;
  const sd = rnn.stateDict();
  const derived = new Derived(g, inp.x, inp.lengths ?? null);
  const rows = (t: string | null | undefined, l: number): string => (t ? g.op1("Slice", [t, g.ints([l * D]), g.ints([(l + 1) * D]), g.ints([0])]) : "");
  const param = (n: string): Float32Array | null => (sd[n] ? (sd[n] as Tensor).f32 : null);

  let x = inp.x;
  let inSize = rnn.inputSize;
  const hNs: string[] = [];
  const cNs: string[] = [];
  for (let l = 0; l < L; l++) {
    const sfx = (d: number): string => `_l${l}${d === 1 ? "_reverse" : ""}`;
    const h0 = rows(inp.h0, l);
    const c0 = mode === "LSTM" ? rows(inp.c0, l) : "";
    let out: { y: string; hN: string; cN: string | null };
    if (rnn.projSize > 0) out = projectedLstmLayer(g, { x, inSize, H, P, D, l, prefix, param, sfx, h0, c0, derived });
    else {
      const gather = (kind: "ih" | "hh", cols: number): Float32Array => {
        const w = new Float32Array(D * G * H * cols);
        for (let d = 0; d < D; d++) w.set(permuteGates(param(`weight_${kind}${sfx(d)}`)!, H, cols, GATE_ORDER[mode]), d * G * H * cols);
        return w;
      };
      const W = g.floats(`${prefix}.W_l${l}`, gather("ih", inSize), [D, G * H, inSize]);
      const R = g.floats(`${prefix}.R_l${l}`, gather("hh", H), [D, G * H, H]);
      let B = "";
      if (rnn.bias) {
        const b = new Float32Array(D * 2 * G * H);
        for (let d = 0; d < D; d++) {
          b.set(permuteGates(param(`bias_ih${sfx(d)}`)!, H, 1, GATE_ORDER[mode]), d * 2 * G * H);
          b.set(permuteGates(param(`bias_hh${sfx(d)}`)!, H, 1, GATE_ORDER[mode]), d * 2 * G * H + G * H);
        }
        B = g.floats(`${prefix}.B_l${l}`, b, [D, 2 * G * H]);
      }
      const attrs: Record<string, import("./graph.js").Attr> = { hidden_size: { i: H }, direction: { s: D === 2 ? "bidirectional" : "forward" } };
      if (mode === "GRU") attrs.linear_before_reset = { i: 1 };
      if (mode === "RNN_TANH" || mode === "RNN_RELU") attrs.activations = { strings: Array<string>(D).fill(mode === "RNN_TANH" ? "Tanh" : "Relu") };
      const opType = mode === "LSTM" ? "LSTM" : mode === "GRU" ? "GRU" : "RNN";
      const ins = [x, W, R, B, derived.lens32, h0];
      if (mode === "LSTM") ins.push(c0);
      while (ins.length && ins[ins.length - 1] === "") ins.pop(); // trailing absent optionals
      const outs = g.op(opType, ins, attrs, mode === "LSTM" ? [`${prefix}_y_l${l}`, `${prefix}_h_l${l}`, `${prefix}_c_l${l}`] : [`${prefix}_y_l${l}`, `${prefix}_h_l${l}`]);
      // Y [T, D, B, H] → [T, B, D·H]: direction d's features at [d·H, (d+1)·H), as PyTorch concatenates them
      const y = D === 1 ? g.op1("Squeeze", [outs[0]!, g.ints([1])]) : g.op1("Reshape", [g.op1("Transpose", [outs[0]!], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, 0, -1])]);
      out = { y, hN: outs[1]!, cN: mode === "LSTM" ? outs[2]! : null };
    }
    hNs.push(out.hN);
    if (out.cN) cNs.push(out.cN);
    x = out.y;
    inSize = D * P;
  }
  const cat = (xs: string[], name: string): string => (xs.length === 1 ? xs[0]! : g.op1("Concat", xs, { axis: { i: 0 } }, name));
  return { y: x, hN: cat(hNs, `${prefix}_h_n`), cN: cNs.length ? cat(cNs, `${prefix}_c_n`) : null };
}

interface ProjectedLayer {
  x: string;
  inSize: number;
  H: number;
  P: number;
  D: number;
  l: number;
  prefix: string;
  param: (n: string) => Float32Array | null;
  sfx: (d: number) => string;
  h0: string;
  c0: string;
  derived: Derived;
}

/**
 * One LSTM layer with projection as a Scan per direction. Per step (gate order i, f, g, o):
 *   [i f g o] = xg_t + h W_hhᵀ   (xg = x W_ihᵀ + b_ih + b_hh, computed for all steps before the scan)
 *   c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),   h' = (σ(o) ⊙ tanh(c')) W_hrᵀ
 *   state ← mask_t ? (h', c') : (h, c),   y_t = mask_t ? h' : 0
 */
function projectedLstmLayer(g: GraphBuilder, o: ProjectedLayer): { y: string; hN: string; cN: string } {
  const { H, P, D, l, prefix, param, sfx, derived } = o;
  const ys: string[] = [];
  const hs: string[] = [];
  const cs: string[] = [];
  for (let d = 0; d < D; d++) {
    const k = `${prefix}_l${l}${d === 1 ? "_reverse" : ""}`;
    const wIh = g.floats(`${k}.W_ih_t`, transpose2d(param(`weight_ih${sfx(d)}`)!, 4 * H, o.inSize), [o.inSize, 4 * H]);
    const wHh = g.floats(`${k}.W_hh_t`, transpose2d(param(`weight_hh${sfx(d)}`)!, 4 * H, P), [P, 4 * H]);
    const wHr = g.floats(`${k}.W_hr_t`, transpose2d(param(`weight_hr${sfx(d)}`)!, P, H), [H, P]);
    let xg = g.op1("MatMul", [o.x, wIh]); // [T, B, 4H]
    const bIh = param(`bias_ih${sfx(d)}`);
    const bHh = param(`bias_hh${sfx(d)}`);
    if (bIh && bHh) xg = g.op1("Add", [xg, g.floats(`${k}.b`, bIh.map((v, i) => v + bHh[i]!), [4 * H])]);
    if (d === 1) xg = g.op1("ReverseSequence", [xg, derived.lens64], { batch_axis: { i: 1 }, time_axis: { i: 0 } });
    // initial states of this direction: [B, P] and [B, H]
    const init = (s: string, size: number): string =>
      s ? g.op1("Squeeze", [g.op1("Slice", [s, g.ints([d]), g.ints([d + 1]), g.ints([0])]), g.ints([0])]) : g.op1("ConstantOfShape", [g.op1("Concat", [derived.batch, g.ints([size])], { axis: { i: 0 } })], {});
    const h0 = init(o.h0, P);
    const c0 = init(o.c0, H);

    const body = new GraphBuilder(`${k}_step`, g);
    const hIn = body.fresh("h_prev");
    const cIn = body.fresh("c_prev");
    const xIn = body.fresh("xg_t");
    const mIn = body.fresh("mask_t");
    body.inputs.push(valueInfo(hIn, DataType.FLOAT, ["batch", P]), valueInfo(cIn, DataType.FLOAT, ["batch", H]), valueInfo(xIn, DataType.FLOAT, ["batch", 4 * H]), valueInfo(mIn, DataType.BOOL, ["batch", 1]));
    const gates = body.op1("Add", [xIn, body.op1("MatMul", [hIn, wHh])]);
    const [gi, gf, gg, go] = body.op("Split", [gates], { axis: { i: 1 } }, 4) as [string, string, string, string];
    const c1 = body.op1("Add", [body.op1("Mul", [body.op1("Sigmoid", [gf]), cIn]), body.op1("Mul", [body.op1("Sigmoid", [gi]), body.op1("Tanh", [gg])])]);
    const h1 = body.op1("MatMul", [body.op1("Mul", [body.op1("Sigmoid", [go]), body.op1("Tanh", [c1])]), wHr]);
    const hOut = body.op1("Where", [mIn, h1, hIn], {}, "h_next");
    const cOut = body.op1("Where", [mIn, c1, cIn], {}, "c_next");
    const yOut = body.op1("Mul", [h1, body.op1("Cast", [mIn], { to: { i: DataType.FLOAT } })], {}, "y_t");
    body.outputs.push(valueInfo(hOut, DataType.FLOAT, ["batch", P]), valueInfo(cOut, DataType.FLOAT, ["batch", H]), valueInfo(yOut, DataType.FLOAT, ["batch", P]));

    const [hN, cN, yRaw] = g.op("Scan", [h0, c0, xg, derived.mask], { body: { g: body.toGraph() }, num_scan_inputs: { i: 2 } }, [`${k}_h_n`, `${k}_c_n`, `${k}_y`]) as [string, string, string];
    ys.push(d === 1 ? g.op1("ReverseSequence", [yRaw, derived.lens64], { batch_axis: { i: 1 }, time_axis: { i: 0 } }) : yRaw);
    hs.push(g.op1("Unsqueeze", [hN, g.ints([0])]));
    cs.push(g.op1("Unsqueeze", [cN, g.ints([0])]));
  }
  const cat = (xs: string[], axis: number): string => (xs.length === 1 ? xs[0]! : g.op1("Concat", xs, { axis: { i: axis } }));
  return { y: cat(ys, 2), hN: cat(hs, 0), cN: cat(cs, 0) };
}
