/**
 * The wasm backend's inference stepper (Backend.createStepper; kernels in assembly/step.ts). One
 * block of the module's memory, taken when the stepper is created and kept until it is disposed,
 * holds the carried state, the scratch of a step and the weights — copied in once, or read in
 * place when they already live in the shared memory (parameters of a model made under the
 * threaded backend). A step copies in the B embedding rows and copies out [B, C] outputs, and
 * allocates nothing. With worker threads, a layer's units and the decoder's chunks are split over
 * them (each output element is computed the same way for any split).
 */
import type { F32, I32, StepOutput, StepSpec, Stepper } from "../backend.js";
import { OUTPUT_CODE, CELL_CODE, checkStepSpec, stepGates } from "../step.js";
import type { WasmContext } from "./context.js";
import { OP_STEP_DECODER, OP_STEP_LAYER, splitRange } from "./pool.js";

/** Decoder outputs per softmax chunk (assembly/step.ts STEP_CHUNK). */
const STEP_CHUNK = 256;
/** Multiply-adds below which a phase runs on the calling thread (the workers are spinning between steps). */
const PARALLEL_MIN = 1 << 16;

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
    const threads = (work: number, units: number): number => (pool && work >= PARALLEL_MIN ? Math.min(pool.threads, units) : 1);
    // per-layer argument lists, one per part, written in place each step (h flips)
    const layerArgs = layers.map((l, i) => {
      const nb = Math.ceil(H / 4);
      const t = threads(B * GH * (l.I + H), nb);
      return splitRange(H, t, 4).map(([j0, j1]) => [cell, B, H, l.I, i === 0 ? x0.at : 0, i === 0 ? E : H, w[i]!.wIh.at, w[i]!.wHh.at, w[i]!.bias.at, w[i]!.bHh ? w[i]!.bHh.at : 0, 0, 0, c.n ? c.at + 4 * i * B * H : 0, g.at, hg.n ? hg.at : 0, j0, j1]);
    });
    const decT = threads(B * C * H, chunks);
    const decArgs = splitRange(chunks, decT, 1).map(([c0, c1]) => [B, C, H, 0, dec.at, decb ? decb.at : 0, out.at, 0, 1, c0, c1, cmax.at, csum.at, chunks]);
    let live = true;
    const handle = {};
    reclaim?.register(handle, base, handle);

    const runLayer = (args: readonly number[]): void => ex.stepLayer(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!, args[11]!, args[12]!, args[13]!, args[14]!, args[15]!, args[16]!);
    const runDecoder = (a: readonly number[]): void => ex.stepDecoder(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!);

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
          const args = layerArgs[l]!;
          const hIn = hAt(l, cur[l]!), hOut = hAt(l, 1 - cur[l]!);
          const xIn = l === 0 ? x0.at : hAt(l - 1, cur[l - 1]!);
          for (const a of args) {
            a[4] = xIn;
            a[10] = hIn;
            a[11] = hOut;
          }
          if (args.length > 1) pool!.run(OP_STEP_LAYER, args, runLayer, "a stepper layer");
          else runLayer(args[0]!);
          cur[l] = 1 - cur[l]!;
        }
        const code = OUTPUT_CODE[output];
        if (code === 0 || !outBuf) return;
        const invT = code === 2 ? 1 / temperature : 1;
        const hLast = hAt(L - 1, cur[L - 1]!);
        for (const a of decArgs) {
          a[3] = hLast;
          a[7] = code;
          a[8] = invT;
        }
        if (decArgs.length > 1) pool!.run(OP_STEP_DECODER, decArgs, runDecoder, "a stepper decoder");
        else runDecoder(decArgs[0]!);
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
