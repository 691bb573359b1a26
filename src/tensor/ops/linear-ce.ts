import type { Backend, F32, LinearCrossEntropyArgs } from "../../kernels/backend.js";
import { backend } from "../../kernels/registry.js";
import { giveF32, takeF32 } from "../buffer-pool.js";
import { fmtShape } from "../shape.js";
import { Tensor, isGradEnabled, makeOutput } from "../tensor.js";
import type { CrossEntropyOptions } from "./nn-ops.js";

/**
 * Output layer and cross-entropy in one op, as `crossEntropy(linear(x, W, b), y)`:
 *   z = x Wᵀ + b,  loss = (1/|kept|) Σ_n −log softmax(z_n)[y_n]
 * with x [N, K], W [C, K], b [C], y int32 [N]. A language model's decoder makes [N, C] logits
 * (700 × 10,000 floats for Zaremba's small model): the fused op never hands them to JavaScript.
 *
 * When gradients are wanted, the forward call computes them at once (dz = softmax(z) − onehot(y),
 * dx = dz W, dW = dzᵀ x, db = Σ_n dz_n, all / |kept|) while dz is still in the kernel's memory,
 * and backward only multiplies them by the upstream gradient — the loss is a scalar at the end
 * of the graph, so nothing is lost by computing early (Liger's fused linear cross-entropy does
 * the same). A second backward recomputes them.
 */
export function linearCrossEntropy(x: Tensor, weight: Tensor, bias: Tensor | null, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const reduction = opts.reduction ?? "mean";
  if (weight.ndim !== 2) throw new RangeError(`linearCrossEntropy: weight must be [classes, features], got ${fmtShape(weight.shape)}`);
  const [C, K] = weight.shape as [number, number];
  if (x.ndim !== 2 || x.shape[1] !== K) throw new RangeError(`linearCrossEntropy: input must be [N, ${K}], got ${fmtShape(x.shape)} (hint: reshape to [-1, ${K}])`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== C)) throw new RangeError(`linearCrossEntropy: bias must be [${C}], got ${fmtShape(bias.shape)}`);
  const N = x.shape[0]!;
  const y = targets.i32;
  if (y.length !== N) throw new RangeError(`linearCrossEntropy: targets must be [${N}] to match the input ${fmtShape(x.shape)}, got ${fmtShape(targets.shape)}`);
  let count = 0;
  for (let r = 0; r < N; r++) {
    const t = y[r]!;
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= C) throw new RangeError(`linearCrossEntropy: target at row ${r} is ${t}, expected a class index in [0, ${C}) or ignoreIndex ${ignoreIndex}`);
    count++;
  }
  const denom = reduction === "mean" ? count : 1;
  const parents = bias ? [x, weight, bias] : [x, weight];
  const wantGrad = isGradEnabled() && parents.some((p) => p.requiresGrad);

  const run = (withGrads: boolean): { lossSum: number; dx: F32 | null; dw: F32 | null; db: F32 | null } => {
    const dx = withGrads && x.requiresGrad ? takeF32(N * K, false) : null;
    const dw = withGrads && weight.requiresGrad ? takeF32(C * K, false) : null;
    const db = withGrads && bias?.requiresGrad ? new Float32Array(C) : null;
    const a: LinearCrossEntropyArgs = {
      N, K, C, x: x.f32, w: weight.f32, b: bias ? bias.f32 : null, targets: y, ignoreIndex,
      grads: withGrads ? { scale: denom > 0 ? 1 / denom : 0, dx, dw, db } : null,
    };
    const be = backend();
    const { lossSum } = be.linearCrossEntropy ? be.linearCrossEntropy(a) : linearCrossEntropyComposite(be, a);
    return { lossSum, dx, dw, db };
  };

  const first = run(wantGrad);
  const loss = new Float32Array([denom > 0 ? first.lossSum / denom : NaN]);
  let pending: ReturnType<typeof run> | null = wantGrad ? first : null;
  return makeOutput(loss, [], parents, (g) => {
    const r = pending ?? run(true);
    pending = null; // the buffers now belong to autograd
    const s = g[0]!;
    if (s !== 1) for (const d of [r.dx, r.dw, r.db]) if (d) backend().scale(d, s, d.length);
    return bias ? [r.dx, r.dw, r.db] : [r.dx, r.dw];
  });
}

/**
 * The composition every backend can run (and the reference): the same kernel calls, in the same
 * order, as `crossEntropy(linear(x, W, b), y).backward()`, so results are bit-identical to it.
 * Logits and probabilities live in recycled scratch buffers.
 */
export function linearCrossEntropyComposite(be: Backend, a: LinearCrossEntropyArgs): { lossSum: number; count: number } {
  const { N, K, C, x, w, b, targets: y, ignoreIndex, grads } = a;
  const logits = takeF32(N * C, false); // written whole: bias rows, or beta 0
  if (b) for (let r = 0; r < N; r++) logits.set(b, r * C);
  be.gemm(false, true, N, C, K, 1, x, w, b ? 1 : 0, logits);
  const probs = takeF32(N * C, false);
  const res = be.softmaxCrossEntropy(logits, y, N, C, ignoreIndex, probs);
  giveF32(logits);
  if (grads) {
    const { scale, dx, dw, db } = grads;
    be.scale(probs, scale, N * C); // dz = scale · softmax(z) …
    for (let r = 0; r < N; r++) {
      const t = y[r]!;
      if (t === ignoreIndex) probs.fill(0, r * C, (r + 1) * C); // ignored rows get no gradient
      else probs[r * C + t]! -= scale; // … − scale · onehot(y)
    }
    if (dx) be.gemm(false, false, N, K, C, 1, probs, w, 0, dx);
    if (dw) be.gemm(true, false, C, K, N, 1, probs, x, 0, dw);
    if (db) be.sumAxis(probs, 1, N, C, db);
  }
  giveF32(probs);
  return res;
}
