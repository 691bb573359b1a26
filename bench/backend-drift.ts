/**
 * Where do two backends part ways in training? Runs the long-range recall experiment's training
 * loop (the same model, batches and Adam steps as `runLongRange`) on several backends in lockstep,
 * in one process, and after every step compares each backend's parameters, gradients and loss with
 * the first backend's (the reference, by default).
 *
 *   node dist/bench/backend-drift.js --backends ref,native,wasm --cell LSTM --k 100 --steps 600 --seed 1
 *
 * Prints, per backend, the first step where a gradient or a parameter differs from the reference
 * by more than --tol (relative to the tensor's largest magnitude), the tensor, and then every
 * `--every` steps the largest relative parameter difference and the two losses. `--cross` also
 * evaluates, at the first diverging step, every backend's kernels on the *reference's* parameters
 * and batch, so a difference that is one kernel's (not accumulated rounding) shows up op by op.
 */
import { type CellType } from "../src/models/cell.js";
import { SequenceClassifier } from "../src/models/sequence-classifier.js";
import { recallBatch, setGateBias, DEFAULT_GATE_BIAS } from "../src/analysis/long-range.js";
import type { Backend } from "../src/kernels/backend.js";
import { backend, setBackend } from "../src/kernels/registry.js";
import { type BackendName, tryBackend } from "../src/kernels/select.js";
import { Adam } from "../src/optim/adam.js";
import { clipGradNorm } from "../src/optim/clip.js";
import { crossEntropy } from "../src/tensor/ops/nn-ops.js";
import { manualSeed } from "../src/tensor/random.js";
import { Tensor } from "../src/tensor/tensor.js";

interface Args {
  backends: BackendName[];
  cell: CellType;
  k: number;
  steps: number;
  seed: number;
  hidden: number;
  batch: number;
  lr: number;
  clip: number;
  tol: number;
  every: number;
  /** 1: before every step, copy the reference's parameters and Adam state into the others (one step's kernel differences, nothing accumulated). */
  sync: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { backends: ["ref", "native", "wasm"], cell: "LSTM", k: 100, steps: 600, seed: 1, hidden: 64, batch: 32, lr: 3e-3, clip: 1, tol: 1e-6, every: 50, sync: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.replace(/^--/, "");
    const v = argv[i + 1] ?? "";
    if (key === "backends") a.backends = v.split(",") as BackendName[];
    else if (key === "cell") a.cell = v.toUpperCase() === "RNN" ? "RNN_TANH" : (v.toUpperCase() as CellType);
    else if (key in a) (a as unknown as Record<string, number>)[key] = Number(v);
    else throw new Error(`backend-drift: unknown option --${key}`);
  }
  return a;
}

interface Run {
  name: string;
  be: Backend;
  model: SequenceClassifier;
  params: Tensor[];
  names: string[];
  opt: Adam;
  loss: number;
  gradNorm: number;
}

function on<T>(b: Backend, fn: () => T): T {
  const prev = backend();
  setBackend(b);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}

/** Move every element one float32 ulp up or down (a fixed pattern, not the model's random stream). */
function oneUlp(a: Float32Array): void {
  const bits = new Int32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) bits[i]! += (i * 2654435761) % 7 < 3 ? 1 : -1;
}

/** Largest |a − b| over the tensor, relative to max |a| (so tiny entries do not dominate). */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(a[i]!));
  }
  return Number.isNaN(d) ? Infinity : d / (m || 1);
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const S = 8;
  const seed = o.seed * 1000 + o.k; // as runLongRange
  const runs: Run[] = o.backends.map((name) => {
    // "ref~": the reference with every initial weight moved by one float32 ulp up or down (a
    // control: how far does rounding-sized noise alone carry one backend from itself?)
    const jitter = name.endsWith("~");
    const be = tryBackend(name.replace(/~$/, "") as BackendName);
    if (be instanceof Error) throw new Error(`backend-drift: ${name} unavailable: ${be.message}`);
    return on(be, () => {
      manualSeed(seed);
      const model = new SequenceClassifier({ vocabSize: S + 8 + 1, embeddingDim: 16, hiddenSize: o.hidden, numClasses: S, cell: o.cell, bidirectional: false, pooling: "final" });
      setGateBias(model.rnn, DEFAULT_GATE_BIAS);
      const sd = model.stateDict();
      if (jitter) for (const t of Object.values(sd)) oneUlp(t.f32);
      const names = Object.keys(sd);
      const params = names.map((n) => sd[n]!);
      return { name, be, model, params, names, opt: new Adam(params, { lr: o.lr }), loss: NaN, gradNorm: NaN };
    });
  });
  // every model drew the same init from the same seed, so the random stream is where runLongRange's
  // first batch starts; each batch is drawn once and fed to every backend
  const first = new Map<string, string>();
  const B = o.batch;
  for (let s = 0; s < o.steps; s++) {
    const { ids, y } = recallBatch(B, o.k, S, "noise");
    const grads: Float32Array[][] = [];
    if (o.sync)
      for (const r of runs.slice(1))
        on(r.be, () => {
          r.params.forEach((p, i) => p.f32.set(runs[0]!.params[i]!.f32));
          if (s > 0) r.opt.loadStateDict(runs[0]!.opt.stateDict());
        });
    for (const r of runs)
      on(r.be, () => {
        const loss = crossEntropy(r.model.forward(new Tensor(ids, [B, o.k + 1]), new Int32Array(B).fill(o.k + 1)), new Tensor(y, [B]));
        r.opt.zeroGrad();
        loss.backward();
        grads.push(r.params.map((p) => Float32Array.from(p.grad!.f32)));
        r.gradNorm = o.clip > 0 ? clipGradNorm(r.params, o.clip) : NaN;
        r.opt.step();
        r.loss = loss.item();
      });
    const ref = runs[0]!;
    runs.slice(1).forEach((r, j) => {
      let worstP = 0;
      let worstName = "";
      let worstG = 0;
      let worstGName = "";
      r.params.forEach((p, i) => {
        const dg = relDiff(grads[0]![i]!, grads[j + 1]![i]!);
        const dp = relDiff(ref.params[i]!.f32, p.f32);
        if (!first.has(r.name + "g") && dg > o.tol * 10) {
          first.set(r.name + "g", `${r.name}: first gradient difference > ${o.tol * 10} at step ${s}: ${r.names[i]} (${dg.toExponential(2)})`);
          console.log(first.get(r.name + "g"));
        }
        if (!first.has(r.name + "p") && dp > o.tol) {
          first.set(r.name + "p", `${r.name}: first parameter difference > ${o.tol} after step ${s}: ${r.names[i]} (${dp.toExponential(2)}; gradient ${dg.toExponential(2)})`);
          console.log(first.get(r.name + "p"));
        }
        if (dp > worstP) [worstP, worstName] = [dp, r.names[i]!];
        if (dg > worstG) [worstG, worstGName] = [dg, r.names[i]!];
      });
      if (s % o.every === 0 || s === o.steps - 1)
        console.log(`step ${s}: ${r.name} max rel grad diff ${worstG.toExponential(2)} (${worstGName}), param diff ${worstP.toExponential(2)} (${worstName}); loss ${ref.name} ${ref.loss.toFixed(6)} ${r.name} ${r.loss.toFixed(6)}; ‖g‖ ${ref.gradNorm.toExponential(4)} vs ${r.gradNorm.toExponential(4)}`);
    });
  }
}

main();
