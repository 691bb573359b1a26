/**
 * The wasm backend's inference stepper (Backend.createStepper; kernels in assembly/step.ts). One
 * block of the module's memory, taken when the stepper is created and kept until it is disposed,
 * holds the carried state, the scratch of a step and the weights — copied in once, or read in
 * place when they already live in the shared memory (parameters of a model made under the
 * threaded backend). A step copies in the B embedding rows and copies out [B, C] outputs, and
 * allocates nothing. With worker threads, a layer's units and the decoder's chunks are cut into
 * tasks that the threads claim one at a time (assembly/step.ts stepTasks), so a worker the OS has
 * not scheduled delays no more than one task; each output element is computed the same way for
 * any split and any thread that takes it.
 */
import type { F32, I32, StepOutput, StepSpec, Stepper } from "../backend.js";
import { OUTPUT_CODE, CELL_CODE, checkStepSpec, stepGates } from "../step.js";
import type { WasmContext } from "./context.js";
import { OP_STEP_TASKS, splitRange } from "./pool.js";

/** Decoder outputs per softmax chunk (assembly/step.ts STEP_CHUNK). */
const STEP_CHUNK = 256;
/**
 * Multiply-adds below which a phase runs on the calling thread: handing a phase to a worker and
 * waiting for it costs a few microseconds, about what 2^17 multiply-adds take here. The char model's
 * LSTM phases (0.33 M and 0.52 M) split at 2^18 with one task per thread: two threads 13.2k → 20.8k
 * tokens/s (docs/speed.md); the classifier's (0.1 M per direction and token) stay on the caller.
 */
let parallelMin = 1 << 18;

/** Phases planned over several threads by the steppers made so far (tests check that a split happened). */
let splitPhases = 0;
export const stepPhasesSplit = (): number => splitPhases;

/** Set the threshold above (tests use a low one so that small models split); returns the previous one. */
export function setStepParallelMin(multiplyAdds: number): number {
  if (!Number.isInteger(multiplyAdds) || multiplyAdds < 0) throw new RangeError(`setStepParallelMin: expected a non-negative integer, got ${multiplyAdds}`);
  const old = parallelMin;
  parallelMin = multiplyAdds;
  return old;
}
/**
 * Tasks per thread of a split phase: one (measured against four, 2026-12-06: the same or faster,
 * fewer claims per phase). A worker the OS has not scheduled claims nothing, and the main thread runs
 * its task; one descheduled in the middle of its task holds the phase up by that task.
 */
const TASKS_PER_THREAD = 1;
/** Task descriptor (assembly/step.ts stepTasks): 32 words of header and arguments, then (a0, a1) per task. */
const DESC_WORDS = 32;

export function stepperKernels(cx: WasmContext): { createStepper(spec: StepSpec): Stepper } {
  const { ex, ar, pool, resident, allocBlock, freeBlock } = cx;
  // a stepper dropped without dispose() gives its block back when collected
  const reclaim = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<number>((off) => freeBlock(off)) : null;

  function createStepper(spec: StepSpec): Stepper {
    checkStepSpec(spec, "createStepper");
    const { H, B, E, C, layers } = spec;
    const L = layers.length;
    const cell = CELL_CODE[spec.cell];
    const GH = stepGates(spec.cell) * H;
    const chunks = Math.ceil(C / STEP_CHUNK);
    // the block: [floats, source to copy (or null), …]; resident weights take no room
    const parts: Array<{ n: number; src: F32 | null; at: number }> = [];
    const place = (n: number, src: F32 | null = null): { n: number; src: F32 | null; at: number } => {
      const r = resident.get(src as F32);
      const p = { n, src, at: src && r !== undefined && src.length >= n ? r : -1 };
      parts.push(p);
      return p;
    };
    const w = layers.map((l) => ({ wIh: place(GH * l.I, l.wIh), wHh: place(GH * H, l.wHh), bHh: spec.cell === "gru" && l.bHh ? place(GH, l.bHh) : null, bias: place(GH) }));
    const dec = place(C * H, spec.decoder), decb = spec.decoderBias ? place(C, spec.decoderBias) : null;
    const h = place(2 * L * B * H), c = place(spec.cell === "lstm" ? L * B * H : 0), g = place(B * GH), hg = place(spec.cell === "gru" ? B * GH : 0);
    const x0 = place(B * E), out = place(B * C), cmax = place(B * chunks), csum = place(2 * B * chunks);
    const maxTasks = pool ? TASKS_PER_THREAD * pool.maxThreads : 1;
    const desc = place(pool ? DESC_WORDS + 2 * maxTasks : 0);
    let floats = 0;
    for (const p of parts) if (p.at < 0) floats += Math.ceil(Math.max(p.n, 1) / 16) * 16;
    const base = allocBlock(floats);
    let off = base;
    for (const p of parts) {
      if (p.at >= 0) continue;
      p.at = off;
      off += 4 * Math.ceil(Math.max(p.n, 1) / 16) * 16;
    }
    const f = (): Float32Array => ar.f32; // refreshed by the arena whenever the memory grows
    for (const p of parts) if (p.src && p.at !== resident.get(p.src)) f().set(p.src.subarray(0, p.n), p.at >> 2);
    f().fill(0, h.at >> 2, (h.at >> 2) + h.n);
    if (c.n) f().fill(0, c.at >> 2, (c.at >> 2) + c.n);
    // b_ih + b_hh once (LSTM, RNN); the GRU adds b_hh inside r ⊙ (W_hn h + b_hn)
    layers.forEach((l, i) => {
      const b = w[i]!.bias.at >> 2;
      const m = f();
      for (let j = 0; j < GH; j++) m[b + j] = (l.bIh ? l.bIh[j]! : 0) + (spec.cell !== "gru" && l.bHh ? l.bHh[j]! : 0);
    });
    // h of layer l: two buffers, the current one flips after every step of that layer
    const hAt = (l: number, which: number): number => h.at + 4 * (2 * l + which) * B * H;
    const cur = new Int32Array(L); // which of the two holds layer l's state
    /** Tasks a phase of `work` multiply-adds over `units` units is cut into (1: run it here). */
    const tasks = (work: number, units: number): number => (pool && work >= parallelMin && pool.threads > 1 ? Math.min(TASKS_PER_THREAD * pool.threads, maxTasks, units) : 1);
    let gen = 0;
    /**
     * One phase over the threads: header and ranges into the descriptor, the call posted to the
     * idle workers, then taken part in here; returns when every task has finished.
     */
    function runTasks(kind: number, args: readonly number[], ranges: ReadonlyArray<readonly [number, number]>, f32Arg: number, what: string): void {
      const i32 = ar.i32, d = desc.at >> 2;
      gen = (gen + 1) & 0xffff;
      i32[d + 1] = 0;
      i32[d + 2] = ranges.length;
      i32[d + 3] = kind;
      for (let k = 0; k < args.length; k++) i32[d + 4 + k] = args[k]!;
      if (f32Arg >= 0) ar.f32[d + 4 + f32Arg] = args[f32Arg]!; // stepDecoder's invT is a float
      ranges.forEach(([a, b], k) => {
        i32[d + DESC_WORDS + 2 * k] = a;
        i32[d + DESC_WORDS + 2 * k + 1] = b;
      });
      Atomics.store(i32, d, gen << 16); // publishes the phase: next task 0 of generation gen
      const posts = pool!.post(OP_STEP_TASKS, [desc.at, gen]);
      ex.stepTasks(desc.at, gen);
      for (let spins = 1; Atomics.load(i32, d + 1) < ranges.length; spins++) {
        // a task a worker took is still running: wait for it (it notifies word 1)
        if ((spins & 1023) === 0) {
          if (pool!.postFailed(posts)) throw new Error(`wasm backend: a kernel worker thread failed during ${what} (its message is above; hint: RNNKIT_WASM_THREADS=1 runs without workers)`);
          Atomics.wait(i32, d + 1, Atomics.load(i32, d + 1), 0.05);
        }
      }
    }
    let live = true;
    const handle = {};
    reclaim?.register(handle, base, handle);

    // each layer's unit ranges and the decoder's chunk ranges, fixed when the stepper is made
    const layerRanges = layers.map((l) => splitRange(H, tasks(B * GH * (l.I + H), Math.ceil(H / 4)), 4));
    const decRanges = splitRange(chunks, tasks(B * C * H, chunks), 1);
    splitPhases += layerRanges.filter((r) => r.length > 1).length + (decRanges.length > 1 ? 1 : 0);
    const layerArgs = new Array<number>(15);

    const stepper: Stepper & { handle: object } = {
      handle,
      getState(hOut: F32, cOut: F32 | null) {
        const m = f();
        for (let l = 0; l < L; l++) hOut.set(m.subarray(hAt(l, cur[l]!) >> 2, (hAt(l, cur[l]!) >> 2) + B * H), l * B * H);
        if (cOut && c.n) cOut.set(m.subarray(c.at >> 2, (c.at >> 2) + c.n));
      },
      setState(hIn: F32 | null, cIn: F32 | null) {
        const m = f();
        for (let l = 0; l < L; l++) {
          const at = hAt(l, cur[l]!) >> 2;
          if (hIn) m.set(hIn.subarray(l * B * H, (l + 1) * B * H), at);
          else m.fill(0, at, at + B * H);
        }
        if (c.n) {
          if (cIn) m.set(cIn.subarray(0, c.n), c.at >> 2);
          else m.fill(0, c.at >> 2, (c.at >> 2) + c.n);
        }
      },
      step(ids: I32, output: StepOutput, temperature: number, outBuf: F32 | null) {
        if (!live) throw new Error("stepper: used after dispose()");
        const m = f();
        for (let b = 0; b < B; b++) m.set(spec.embedding.subarray(ids[b]! * E, ids[b]! * E + E), (x0.at >> 2) + b * E);
        for (let l = 0; l < L; l++) {
          const ly = layers[l]!, wl = w[l]!;
          const hIn = hAt(l, cur[l]!), hOut = hAt(l, 1 - cur[l]!);
          const xIn = l === 0 ? x0.at : hAt(l - 1, cur[l - 1]!);
          const cl = c.n ? c.at + 4 * l * B * H : 0;
          const r = layerRanges[l]!;
          if (r.length > 1) {
            const a = layerArgs;
            a[0] = cell, a[1] = B, a[2] = H, a[3] = ly.I, a[4] = xIn, a[5] = l === 0 ? E : H, a[6] = wl.wIh.at, a[7] = wl.wHh.at;
            a[8] = wl.bias.at, a[9] = wl.bHh ? wl.bHh.at : 0, a[10] = hIn, a[11] = hOut, a[12] = cl, a[13] = g.at, a[14] = hg.n ? hg.at : 0;
            runTasks(0, a, r, -1, "a stepper layer");
          } else ex.stepLayer(cell, B, H, ly.I, xIn, l === 0 ? E : H, wl.wIh.at, wl.wHh.at, wl.bias.at, wl.bHh ? wl.bHh.at : 0, hIn, hOut, cl, g.at, hg.n ? hg.at : 0, 0, H);
          cur[l] = 1 - cur[l]!;
        }
        const code = OUTPUT_CODE[output];
        if (code === 0 || !outBuf) return;
        const invT = code === 2 ? 1 / temperature : 1;
        const hLast = hAt(L - 1, cur[L - 1]!);
        if (decRanges.length > 1) runTasks(1, [B, C, H, hLast, dec.at, decb ? decb.at : 0, out.at, code, invT, cmax.at, csum.at, chunks], decRanges, 8, "a stepper decoder");
        else ex.stepDecoder(B, C, H, hLast, dec.at, decb ? decb.at : 0, out.at, code, invT, 0, chunks, cmax.at, csum.at, chunks);
        if (code !== 1) ex.stepFinish(B, C, code, invT, out.at, cmax.at, csum.at, chunks);
        outBuf.set(f().subarray(out.at >> 2, (out.at >> 2) + B * C));
      },
      dispose() {
        if (!live) return;
        live = false;
        reclaim?.unregister(handle);
        freeBlock(base);
      },
    };
    return stepper;
  }
  return { createStepper };
}
