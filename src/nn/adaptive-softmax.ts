import type { Generator } from "../tensor/random.js";
import { gatherRows, scatterRows } from "../tensor/ops/gather.js";
import { linearCrossEntropy } from "../tensor/ops/linear-ce.js";
import { concat } from "../tensor/ops/shape-ops.js";
import { fmtShape } from "../tensor/shape.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { ModuleList, Sequential } from "./container.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

export interface AdaptiveLogSoftmaxOptions {
  inFeatures: number;
  nClasses: number;
  /** Increasing class indices splitting the vocabulary into a shortlist and tail clusters, e.g. [2000, 10000]. */
  cutoffs: readonly number[];
  /** Cluster i's projection has inFeatures / divValue^(i+1) units (PyTorch default 4). */
  divValue?: number;
  /** The head has a bias (PyTorch default false). */
  headBias?: boolean;
  /** Draws the initial weights (default: the default generator). */
  generator?: Generator;
}

/** forward(): log-probability of each target [N] and the mean negative log-likelihood. */
export interface AdaptiveOutput {
  output: Tensor;
  loss: Tensor;
}

/** How a batch of targets splits: head targets (class or cluster token) and each cluster's rows. */
interface Split {
  headTargets: Int32Array;
  clusters: Array<{ rows: Int32Array; targets: Int32Array } | null>;
}

/**
 * Efficient softmax approximation for large vocabularies (Grave et al. 2017), exactly
 * torch.nn.AdaptiveLogSoftmaxWithLoss. Classes [0, c₀) form the shortlist; the head scores them
 * plus one token per tail cluster [cᵢ, cᵢ₊₁); a class in cluster i is scored through a low-rank
 * tail (in → in/div^(i+1) → cluster size):
 *   log p(y | h) = log softmax(W_head h + b)[y]                                  (y in the shortlist)
 *   log p(y | h) = log softmax(W_head h + b)[c₀ + i] + log softmax(W_i,1 W_i,0 h)[y − cᵢ]   (y in cluster i)
 * Parameters carry PyTorch's names (`head.weight`, `head.bias`, `tail.0.0.weight`,
 * `tail.0.1.weight`, …), so weights load both ways. loss() is the training path: the head and
 * every cluster's output layer run through the fused linear cross-entropy, so no logits are
 * kept; forward() also returns the per-target log-probabilities.
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs with nClasses appended, as PyTorch stores them. */
  readonly cutoffs: readonly number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  readonly head: Linear;
  readonly tail: ModuleList<Sequential>;

  constructor(o: AdaptiveLogSoftmaxOptions) {
    super();
    const where = "AdaptiveLogSoftmaxWithLoss";
    if (!Number.isInteger(o.inFeatures) || o.inFeatures <= 0) throw new RangeError(`${where}: inFeatures must be a positive integer, got ${o.inFeatures}`);
    if (!Number.isInteger(o.nClasses) || o.nClasses < 2) throw new RangeError(`${where}: nClasses must be an integer ≥ 2, got ${o.nClasses}`);
    const c = [...(o.cutoffs ?? [])];
    const bad = c.length === 0 || c.some((v, i) => !Number.isInteger(v) || v <= 0 || v > o.nClasses - 1 || (i > 0 && v <= c[i - 1]!));
    if (bad) throw new RangeError(`${where}: cutoffs must be unique positive integers in increasing order, each between 1 and nClasses − 1 = ${o.nClasses - 1}, got [${c.join(", ")}]`);
    this.inFeatures = o.inFeatures;
    this.nClasses = o.nClasses;
    this.cutoffs = [...c, o.nClasses];
    this.divValue = o.divValue ?? 4;
    if (!(this.divValue > 0) || !Number.isFinite(this.divValue)) throw new RangeError(`${where}: divValue must be a positive number, got ${o.divValue}`);
    this.headBias = o.headBias ?? false;
    this.shortlistSize = c[0]!;
    this.nClusters = c.length;
    this.headSize = this.shortlistSize + this.nClusters;
    this.head = this.registerModule("head", new Linear({ inFeatures: this.inFeatures, outFeatures: this.headSize, bias: this.headBias, ...(o.generator ? { generator: o.generator } : {}) }));
    const tails: Sequential[] = [];
    for (let i = 0; i < this.nClusters; i++) {
      const hsz = Math.floor(this.inFeatures / this.divValue ** (i + 1));
      const osz = this.cutoffs[i + 1]! - this.cutoffs[i]!;
      if (hsz < 1) throw new RangeError(`${where}: cluster ${i}'s projection would have ${this.inFeatures} / ${this.divValue}^${i + 1} < 1 units (hint: a smaller divValue or fewer cutoffs)`);
      tails.push(new Sequential([new Linear({ inFeatures: this.inFeatures, outFeatures: hsz, bias: false, ...(o.generator ? { generator: o.generator } : {}) }), new Linear({ inFeatures: hsz, outFeatures: osz, bias: false, ...(o.generator ? { generator: o.generator } : {}) })]));
    }
    this.tail = this.registerModule("tail", new ModuleList(tails));
  }

  /**
   * input [N, inFeatures] (or [inFeatures]), target int32 [N] (or a scalar) → output [N], the
   * log-probability of each target, and loss = mean(−output). Both differentiable.
   */
  forward(input: Tensor, target: Tensor): AdaptiveOutput {
    const { x, y, unbatched } = this.#check("forward", input, target);
    const N = x.shape[0]!;
    const s = this.#split(y);
    let out = gatherRows(this.head.forward(x).logSoftmax(1), s.headTargets); // [N]
    s.clusters.forEach((cl, i) => {
      if (!cl) return;
      const lp = this.tail.at(i).forward(x.indexSelect(0, cl.rows)).logSoftmax(1); // [n_i, cluster size]
      out = out.add(scatterRows(gatherRows(lp, cl.targets), cl.rows, N));
    });
    const loss = out.mean().neg();
    return { output: unbatched ? out.reshape([]) : out, loss };
  }

  /**
   * The mean negative log-likelihood alone, = forward(input, target).loss, with the head and each
   * cluster's output layer fused into their cross-entropy (tensor/ops/linear-ce.ts).
   */
  loss(input: Tensor, target: Tensor): Tensor {
    const { x, y } = this.#check("loss", input, target);
    const N = x.shape[0]!;
    const s = this.#split(y);
    const sum = { reduction: "sum" } as const;
    let total = linearCrossEntropy(x, this.head.weight, this.head.bias, new Tensor(s.headTargets, [N]), sum);
    s.clusters.forEach((cl, i) => {
      if (!cl) return;
      const [proj, out] = this.tail.at(i).items as [Linear, Linear];
      const h = proj.forward(x.indexSelect(0, cl.rows)); // [n_i, hsz]
      total = total.add(linearCrossEntropy(h, out.weight, null, new Tensor(cl.targets, [cl.rows.length]), sum));
    });
    return total.mul(1 / N);
  }

  /** Log-probabilities of every class: input [N, inFeatures] → [N, nClasses] (differentiable). */
  logProb(input: Tensor): Tensor {
    const x = this.#checkInput("logProb", input);
    const headLp = this.head.forward(x).logSoftmax(1); // [N, headSize]
    const S = this.shortlistSize;
    const parts = [headLp.slice(1, 0, S)];
    for (let i = 0; i < this.nClusters; i++) {
      const clusterLp = headLp.slice(1, S + i, S + i + 1); // [N, 1]
      parts.push(this.tail.at(i).forward(x).logSoftmax(1).add(clusterLp));
    }
    const lp = concat(parts, 1);
    return input.ndim === 1 ? lp.reshape([this.nClasses]) : lp;
  }

  /** The most likely class of each row: input [N, inFeatures] → int32 [N]. */
  predict(input: Tensor): Int32Array {
    const lp = noGrad(() => this.logProb(input.ndim === 1 ? input.reshape([1, this.inFeatures]) : input));
    const [N, V] = lp.shape as [number, number];
    const d = lp.f32;
    const out = new Int32Array(N);
    for (let n = 0; n < N; n++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (d[n * V + v]! > d[n * V + best]!) best = v;
      out[n] = best;
    }
    return out;
  }

  #checkInput(where: string, input: Tensor): Tensor {
    const K = this.inFeatures;
    if (input.dtype !== "float32" || (input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== K)
      throw new RangeError(`AdaptiveLogSoftmaxWithLoss.${where}: input must be [N, ${K}] (or [${K}]), got ${input.dtype === "int32" ? "int32 " : ""}${fmtShape(input.shape)}`);
    return input.ndim === 1 ? input.reshape([1, K]) : input;
  }

  #check(where: string, input: Tensor, target: Tensor): { x: Tensor; y: Int32Array; unbatched: boolean } {
    const x = this.#checkInput(where, input);
    const N = x.shape[0]!;
    if (target.dtype !== "int32" || target.size !== N || target.ndim !== input.ndim - 1)
      throw new RangeError(`AdaptiveLogSoftmaxWithLoss.${where}: target must be int32 ${input.ndim === 1 ? "[] (a scalar)" : `[${N}]`} to match the input ${fmtShape(input.shape)}, got ${target.toString()}`);
    const y = target.i32;
    for (let n = 0; n < N; n++) {
      const t = y[n]!;
      if (t < 0 || t >= this.nClasses) throw new RangeError(`AdaptiveLogSoftmaxWithLoss.${where}: target ${t} at position ${n} is outside [0, ${this.nClasses - 1}] (hint: nClasses must cover the vocabulary)`);
    }
    return { x, y, unbatched: input.ndim === 1 };
  }

  #split(y: Int32Array): Split {
    const N = y.length;
    const S = this.shortlistSize;
    const headTargets = new Int32Array(N);
    const counts = new Int32Array(this.nClusters);
    const clusterOf = new Int32Array(N).fill(-1);
    for (let n = 0; n < N; n++) {
      const t = y[n]!;
      if (t < S) {
        headTargets[n] = t;
        continue;
      }
      let i = 0;
      while (t >= this.cutoffs[i + 1]!) i++;
      clusterOf[n] = i;
      headTargets[n] = S + i;
      counts[i]!++;
    }
    const clusters = Array.from(counts, (c) => (c > 0 ? { rows: new Int32Array(c), targets: new Int32Array(c) } : null));
    const fill = new Int32Array(this.nClusters);
    for (let n = 0; n < N; n++) {
      const i = clusterOf[n]!;
      if (i < 0) continue;
      const cl = clusters[i]!;
      const k = fill[i]!++;
      cl.rows[k] = n;
      cl.targets[k] = y[n]! - this.cutoffs[i]!;
    }
    return { headTargets, clusters };
  }
}
