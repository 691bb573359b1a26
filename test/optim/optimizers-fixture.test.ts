/** Every optimizer run in shared/fixtures/recurrent/optimizers.json (PyTorch 1.13, float64). */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as safetensors from "../../src/io/safetensors.js";
import { Adam, AdamW, type Optimizer, type OptimizerStateDict, SGD, clipGradNorm } from "../../src/optim/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { assertClose } from "../helpers/close.js";
import { type FixtureTensor, readJson, sharedPath } from "../helpers/shared.js";

type Params = Record<"p" | "q", FixtureTensor>;
interface Run {
  optimizer: "Adam" | "AdamW" | "SGD";
  options: { lr: number; betas?: [number, number]; eps?: number; weight_decay: number; momentum?: number };
  clip_grad_norm: number | null;
  total_norms_before_clip: number[];
  after_each_step: Params[];
}
interface Fixture {
  initial: Params;
  grads_each_step: Params[];
  runs: Run[];
}

const NAMES = ["p", "q"] as const;
const leaf = (t: FixtureTensor): Tensor => new Tensor(Float32Array.from(t.data), t.shape, true);

function makeOptimizer(run: Run, params: Tensor[]): Optimizer {
  const o = run.options;
  if (run.optimizer === "SGD") return new SGD(params, { lr: o.lr, momentum: o.momentum ?? 0, weightDecay: o.weight_decay });
  const opts = { lr: o.lr, betas: o.betas!, eps: o.eps!, weightDecay: o.weight_decay };
  return run.optimizer === "Adam" ? new Adam(params, opts) : new AdamW(params, opts);
}

/** Set the fixture gradients of step s, clip if the run does, step, and compare with PyTorch. */
function runStep(fx: Fixture, run: Run, opt: Optimizer, params: Tensor[], s: number, label: string): void {
  NAMES.forEach((n, k) => (params[k]!.grad = new Tensor(Float32Array.from(fx.grads_each_step[s]![n].data), fx.grads_each_step[s]![n].shape)));
  if (run.clip_grad_norm !== null) {
    const norm = clipGradNorm(params, run.clip_grad_norm);
    assertClose([norm], [run.total_norms_before_clip[s]!], `${label} step ${s + 1}: total norm`);
  }
  opt.step();
  NAMES.forEach((n, k) => assertClose(params[k]!.f32, run.after_each_step[s]![n].data, `${label} step ${s + 1}: ${n}`));
}

const label = (run: Run): string => `${run.optimizer} ${JSON.stringify(run.options)}${run.clip_grad_norm !== null ? ` clip ${run.clip_grad_norm}` : ""}`;

test("optimizers.json: every run matches PyTorch after every step", (t) => {
  const path = sharedPath(t, "fixtures", "recurrent", "optimizers.json");
  if (!path) return;
  const fx = readJson<Fixture>(path);
  assert.equal(fx.runs.length, 10);
  for (const run of fx.runs) {
    const params = NAMES.map((n) => leaf(fx.initial[n]));
    const opt = makeOptimizer(run, params);
    for (let s = 0; s < fx.grads_each_step.length; s++) runStep(fx, run, opt, params, s, label(run));
  }
});

test("optimizers.json: resuming from a stateDict saved as safetensors + JSON after step 2 gives the same trajectory", (t) => {
  const path = sharedPath(t, "fixtures", "recurrent", "optimizers.json");
  if (!path) return;
  const fx = readJson<Fixture>(path);
  for (const run of fx.runs) {
    const params = NAMES.map((n) => leaf(fx.initial[n]));
    const opt = makeOptimizer(run, params);
    for (let s = 0; s < 2; s++) runStep(fx, run, opt, params, s, label(run));
    const state = opt.stateDict();
    // a checkpoint: buffers in a safetensors file, meta as JSON in its metadata
    const bytes = safetensors.save(state.tensors, { optimizer: JSON.stringify(state.meta) });
    const loaded = safetensors.load(bytes);
    const restored: OptimizerStateDict = { tensors: loaded.tensors, meta: JSON.parse(loaded.metadata.optimizer!) as OptimizerStateDict["meta"] };
    // fresh parameters at the step-2 values, fresh optimizer with different hyperparameters
    const params2 = params.map((p) => new Tensor(p.f32.slice(), p.shape, true));
    const opt2 = makeOptimizer({ ...run, options: { ...run.options, lr: 123 } }, params2);
    opt2.loadStateDict(restored);
    assert.equal(opt2.lr, run.options.lr);
    for (let s = 2; s < fx.grads_each_step.length; s++) runStep(fx, run, opt2, params2, s, `${label(run)} (resumed)`);
  }
});
