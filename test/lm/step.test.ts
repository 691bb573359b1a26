/**
 * The inference stepper (Backend.createStepper, LmStepper) against the sequence path
 * (LanguageModel.forward: the whole-sequence kernels), on every backend: the same logits,
 * probabilities and log-probabilities step by step to 1e-5, the same carried state, the same
 * sampled sequence for the same seed, and predictNext / scoreText / generate unchanged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { StepOutput } from "../../src/kernels/backend.js";
import { stepOutputRow } from "../../src/kernels/ref/step.js";
import type { CellType } from "../../src/models/cell.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { LmStepper } from "../../src/lm/step.js";
import { samplerFor } from "../../src/lm/sampling.js";
import { manualSeed, randint } from "../../src/tensor/random.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { assertClose } from "../helpers/close.js";
import { testBackends, withBackend } from "../helpers/backends.js";

/** |a − b| ≤ 1e-5 · max(1, |b|): float32 rounding of sums that run in another order. */
const TOL = 1e-5;
const CELLS: CellType[] = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"];

/** Logits [T, B, V] of the sequence path from a zero state. */
function sequenceLogits(model: LanguageModel, ids: Int32Array, T: number, B: number): Float32Array {
  return noGrad(() => model.forward(new Tensor(ids, [T, B])).logits.f32.slice());
}

function model(cell: CellType, V: number, E: number, H: number, L: number, seed: number): LanguageModel {
  manualSeed(seed);
  // weights large enough that the cells leave their linear range (and RNN_RELU has dead units)
  return new LanguageModel({ vocabSize: V, embeddingDim: E, hiddenSize: H, numLayers: L, cell }).initUniform(0.6).eval();
}

for (const be of testBackends()) {
  test(`stepper = sequence path, every cell, 1 and 3 streams (${be.name})`, () => {
    withBackend(be, () => {
      // odd sizes: SIMD tails everywhere; V = 300 spans two softmax chunks of the native stepper
      for (const [V, E, H, L, B] of [[37, 5, 19, 2, 1], [300, 24, 40, 1, 3], [11, 33, 7, 3, 2]] as const) {
        for (const cell of CELLS) {
          const m = model(cell, V, E, H, L, V + H + L);
          const T = 6;
          const ids = Int32Array.from({ length: T * B }, () => randint(V));
          const want = sequenceLogits(m, ids, T, B);
          const st = LmStepper.create(m, { B })!;
          assert.ok(st, "a plain model gets a stepper");
          const out = new Float32Array(B * V);
          const ref = new Float32Array(V);
          for (let t = 0; t < T; t++) {
            const step = ids.subarray(t * B, (t + 1) * B);
            const what = `${cell} V${V} E${E} H${H} L${L} B${B} t${t}`;
            // alternate the outputs; each is checked against the sequence logits of the same step
            const mode: StepOutput = (["logits", "probs", "logprobs", "none"] as const)[t % 4]!;
            const temp = t === 1 ? 0.7 : 1;
            st.step(step, mode, mode === "none" ? null : out, temp);
            if (mode === "none") continue;
            for (let b = 0; b < B; b++) {
              const z = want.subarray((t * B + b) * V, (t * B + b + 1) * V);
              if (mode === "logits") ref.set(z);
              else stepOutputRow(z, V, mode, temp, ref);
              assertClose(out.subarray(b * V, (b + 1) * V), ref, `${what} ${mode} stream ${b}`, TOL, TOL);
            }
          }
          st.dispose();
        }
      }
    });
  });

  test(`stepper state: get, set, reset and continue (${be.name})`, () => {
    withBackend(be, () => {
      for (const cell of ["LSTM", "GRU"] as const) {
        const V = 23, H = 9, L = 2;
        const m = model(cell, V, 6, H, L, 5);
        const ids = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6]);
        const want = sequenceLogits(m, ids, ids.length, 1);
        const st = LmStepper.create(m)!;
        const z = new Float32Array(V);
        st.feed([...ids.subarray(0, 4)]);
        const h = new Float32Array(L * H), c = cell === "LSTM" ? new Float32Array(L * H) : null;
        st.getState(h, c);
        // the sequence path's final state after four steps
        const r = noGrad(() => m.forward(new Tensor(ids.slice(0, 4), [4, 1])));
        assertClose(h, r.state.h.f32, `${cell} h after 4 steps`, TOL, TOL);
        if (c) assertClose(c, r.state.c!.f32, `${cell} c after 4 steps`, TOL, TOL);
        st.reset();
        st.step(7, "logits", z);
        const fresh = sequenceLogits(m, Int32Array.from([7]), 1, 1);
        assertClose(z, fresh, `${cell} after reset`, TOL, TOL);
        st.setState(h, c);
        for (let t = 4; t < ids.length; t++) {
          st.step(ids[t]!, "logits", z);
          assertClose(z, want.subarray(t * V, (t + 1) * V), `${cell} step ${t} after setState`, TOL, TOL);
        }
        st.dispose();
        assert.throws(() => st.step(1, "logits", z), /disposed/);
      }
    });
  });

  test(`stepper: the same sampled sequence as sampling the sequence path, same seed (${be.name})`, () => {
    withBackend(be, () => {
      const V = 61, n = 40;
      const m = model("LSTM", V, 12, 24, 2, 8);
      for (const o of [{ temperature: 1 }, { temperature: 0.8, topK: 7 }, { temperature: 1.3, topP: 0.9 }, { temperature: 1, topK: 20, topP: 0.5 }]) {
        const exclude = [0];
        const sampler = samplerFor(V);
        const p = new Float32Array(V);
        // sequence path: the whole prefix through model.forward each time, its last row sampled
        manualSeed(11);
        const seq = [5, 17];
        const bySequence: number[] = [];
        for (let i = 0; i < n; i++) {
          const z = sequenceLogits(m, Int32Array.from(seq), seq.length, 1).subarray((seq.length - 1) * V);
          stepOutputRow(z, V, "probs", o.temperature, p);
          const id = sampler.draw(p, { ...o, exclude });
          bySequence.push(id);
          seq.push(id);
        }
        manualSeed(11);
        const st = LmStepper.create(m)!;
        st.feed([5]);
        st.step(17, "probs", p, o.temperature);
        const byStep: number[] = [];
        for (let i = 0; i < n; i++) {
          const id = sampler.draw(p, { ...o, exclude });
          byStep.push(id);
          st.step(id, "probs", p, o.temperature);
        }
        st.dispose();
        assert.deepEqual(byStep, bySequence, `sampled ids with ${JSON.stringify(o)}`);
        assert.ok(!byStep.includes(0), "an excluded id is never drawn");
      }
    });
  });
}

test("a model the stepper does not know goes the sequence way (LmStepper.create → null); bad calls are refused", () => {
  const m = model("LSTM", 10, 4, 6, 1, 1);
  assert.ok(LmStepper.create(m), "a plain model gets a stepper");
  class WithExtra extends LanguageModel {
    constructor() {
      super({ vocabSize: 10, embeddingDim: 4, hiddenSize: 6 });
      this.registerParameter("scale", new Tensor(new Float32Array(1), [1], true));
    }
  }
  assert.equal(LmStepper.create(new WithExtra()), null, "an extra parameter: not the plain model, the sequence path serves it");
  const st = LmStepper.create(m)!;
  assert.throws(() => st.step([1, 2], "logits", new Float32Array(10)), /expected 1 token ids/);
  assert.throws(() => st.step(10, "logits", new Float32Array(10)), /outside \[0, 10\)/);
  assert.throws(() => st.step(1, "logits", new Float32Array(3)), /output buffer of 10 floats/);
  assert.throws(() => st.step(1, "probs", new Float32Array(10), 0), /temperature/);
  st.dispose();
});

for (const be of testBackends()) {
  test(`logitsInto = forward(): whole windows into one reused buffer, state carried (${be.name})`, () => {
    withBackend(be, () => {
      for (const cell of CELLS) {
        const [V, E, H, L, B, T] = [53, 9, 17, 2, 3, 5];
        const m = model(cell, V, E, H, L, 7);
        const out = new Float32Array(T * B * V);
        let s1 = m.initState(B);
        let s2 = m.initState(B);
        for (let w = 0; w < 3; w++) {
          const ids = new Tensor(Int32Array.from({ length: T * B }, () => randint(V)), [T, B]);
          out.fill(Number.NaN); // every element must be written
          s1 = m.logitsInto(ids, out, s1);
          const r = noGrad(() => m.forward(ids, s2));
          s2 = r.state;
          assertClose(out, r.logits.f32, `${cell} window ${w}`, TOL, TOL);
          assertClose(s1.h.f32, s2.h.f32, `${cell} h after window ${w}`, TOL, TOL);
        }
      }
      const m = model("LSTM", 10, 4, 6, 1, 1);
      assert.throws(() => m.logitsInto(new Tensor(new Int32Array(6), [3, 2]), new Float32Array(59)), /LanguageModel\.logitsInto: out must hold 6 × 10 = 60 floats, got 59 \(hint/);
    });
  });
}
