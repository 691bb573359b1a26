import { backend } from "../../kernels/registry.js";
import { takeF32 } from "../buffer-pool.js";
import { fmtShape } from "../shape.js";
import { Tensor, makeOutput } from "../tensor.js";

/**
 * Matrix product. a [..., M, K] · b [K, N] → [..., M, N] (leading dimensions of a flattened into
 * M, the case every layer needs), or a [M, K] · b [K, N].
 *   da = g bᵀ,  db = aᵀ g
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 1 || b.ndim !== 2) throw new RangeError(`matmul: expected a [..., M, K] and b [K, N], got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const K = a.shape[a.ndim - 1]!;
  const [Kb, N] = b.shape as [number, number];
  if (K !== Kb) throw new RangeError(`matmul: inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)} (hint: a's last dimension must equal b's first)`);
  const M = a.size / K;
  const out = takeF32(M * N, false); // written whole (beta 0)
  const be = backend();
  be.gemm(false, false, M, N, K, 1, a.f32, b.f32, 0, out);
  const shape = [...a.shape.slice(0, -1), N];
  return makeOutput(out, shape, [a, b], (g) => {
    let da: Float32Array | null = null;
    let db: Float32Array | null = null;
    if (a.requiresGrad) {
      da = takeF32(M * K, false);
      be.gemm(false, true, M, K, N, 1, g, b.f32, 0, da);
    }
    if (b.requiresGrad) {
      db = takeF32(K * N, false);
      be.gemm(true, false, K, N, M, 1, a.f32, g, 0, db);
    }
    return [da, db];
  });
}

/**
 * y = x Wᵀ + b written into a caller's buffer, for inference (no autograd): x [..., in], W [out, in],
 * b [out], out [rows · out]. Why: linear()'s result escapes to the caller, so each call maps a fresh
 * array; for a language model's 20 × 35 × 5000 logits (14 MB) the page faults cost as much as the
 * gemm. A buffer the caller reuses is written in place.
 */
export function linearInto(x: Tensor, w: Tensor, b: Tensor | null, out: Float32Array, where = "linearInto"): void {
  const [O, I] = w.shape as [number, number];
  if (w.ndim !== 2 || x.shape[x.ndim - 1] !== I) throw new RangeError(`${where}: input must be [..., ${I}], got ${fmtShape(x.shape)} (weight is ${fmtShape(w.shape)})`);
  const M = x.size / I;
  if (out.length !== M * O) throw new RangeError(`${where}: out must hold ${M} × ${O} = ${M * O} floats, got ${out.length} (hint: allocate new Float32Array(T * B * vocabSize) once and reuse it)`);
  if (b) for (let r = 0; r < M; r++) out.set(b.f32, r * O);
  backend().gemm(false, true, M, O, I, 1, x.f32, w.f32, b ? 1 : 0, out);
}

/**
 * Fused affine map as nn.Linear: y = x Wᵀ + b with x [..., in], W [out, in], b [out].
 *   dx = g W,  dW = gᵀ x,  db = Σ_rows g
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [O, I] = w.shape as [number, number];
  const K = x.shape[x.ndim - 1];
  if (w.ndim !== 2 || K !== I) throw new RangeError(`linear: input must be [..., ${I}], got ${fmtShape(x.shape)} (weight is ${fmtShape(w.shape)})`);
  if (b && (b.ndim !== 1 || b.shape[0] !== O)) throw new RangeError(`linear: bias must be [${O}], got ${fmtShape(b.shape)}`);
  const M = x.size / I;
  const out = takeF32(M * O, false); // written whole: bias rows, or beta 0
  const be = backend();
  if (b) for (let r = 0; r < M; r++) out.set(b.f32, r * O);
  be.gemm(false, true, M, O, I, 1, x.f32, w.f32, b ? 1 : 0, out);
  const parents = b ? [x, w, b] : [x, w];
  return makeOutput(out, [...x.shape.slice(0, -1), O], parents, (g) => {
    let dx: Float32Array | null = null;
    let dw: Float32Array | null = null;
    let db: Float32Array | null = null;
    if (x.requiresGrad) {
      dx = takeF32(M * I, false);
      be.gemm(false, false, M, I, O, 1, g, w.f32, 0, dx);
    }
    if (w.requiresGrad) {
      dw = takeF32(O * I, false);
      be.gemm(true, false, O, I, M, 1, g, x.f32, 0, dw);
    }
    if (b?.requiresGrad) {
      db = new Float32Array(O);
      be.sumAxis(g, 1, M, O, db);
    }
    return b ? [dx, dw, db] : [dx, dw];
  });
}
