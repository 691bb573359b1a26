/**
 * The compiled addon (build/native/rnnkit_native.node, from native/ by scripts/build-native.mjs)
 * as TypeScript sees it, and how it is found and loaded. Every kernel takes the ISA index first
 * (0 scalar, 1 AVX2, 2 AVX-512; the addon clamps it to what the CPU supports) and uses the typed
 * arrays in place: no copies cross the boundary.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { F32, StepSpec, GruBackwardArgs, GruForwardArgs, I32, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs } from "../backend.js";

/**
 * What stepperCreate takes: a StepSpec with the cell as its number (CELL_CODE); half: keep
 * half-precision copies of the weight matrices whose values are all exact halves.
 */
export type NativeStepSpec = Omit<StepSpec, "cell"> & { cell: number; half: boolean };
/** An inference stepper living in the addon (a napi external). */
export type NativeStepperHandle = { readonly __nativeStepper: unique symbol };

export interface NativeAddon {
  gemm(isa: number, transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void;
  unary(isa: number, op: number, x: F32, out: F32, n: number): void;
  /** Writes [lossSum, count] into result; returns the first row with an out-of-range target, or −1. */
  softmaxCrossEntropy(isa: number, logits: F32, targets: I32, N: number, C: number, ignoreIndex: number, probs: F32, result: Float64Array): number;
  /**
   * The loss pass of the fused output layer on z = x·Wᵀ [N, C], in place (bias added; with grad,
   * z ← scale·(softmax(z) − onehot(y)) and db = Σ_n z_n). Writes [lossSum, count] into result;
   * returns the first row with an out-of-range target, or −1. Absent from addons built before it.
   */
  linearCrossEntropy?(isa: number, z: F32, bias: F32 | null, targets: I32, N: number, C: number, ignoreIndex: number, scale: number, grad: boolean, db: F32 | null, result: Float64Array): number;
  softmaxCrossEntropyBackward(isa: number, probs: F32, targets: I32, N: number, C: number, ignoreIndex: number, scale: number, dLogits: F32): void;
  embeddingForward(isa: number, weight: F32, idx: I32, N: number, D: number, out: F32): void;
  embeddingBackward(isa: number, dOut: F32, idx: I32, N: number, D: number, paddingIdx: number, dWeight: F32): void;
  /** xbias (optional): [G·H] added to every row of xg as the kernel reads it (the input projection's bias). */
  lstmForward(isa: number, a: LstmForwardArgs & { xbias?: F32 | null }): void;
  lstmBackward(isa: number, a: LstmBackwardArgs): void;
  gruForward(isa: number, a: GruForwardArgs & { xbias?: F32 | null }): void;
  gruBackward(isa: number, a: GruBackwardArgs): void;
  rnnForward(isa: number, a: RnnForwardArgs & { xbias?: F32 | null }): void;
  rnnBackward(isa: number, a: RnnBackwardArgs): void;
  adamStep(isa: number, p: F32, g: F32, m: F32, v: F32, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, step: number): void;
  sgdStep(isa: number, p: F32, g: F32, buf: F32 | null, n: number, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, firstStep: boolean): void;
  sumSquares(isa: number, x: F32, n: number): number;
  scale(isa: number, x: F32, s: number, n: number): void;
  sumAxis(isa: number, x: F32, outer: number, n: number, inner: number, out: F32): void;
  /** Runs a register-only FMA loop of `iters` iterations; returns the flops done (time it for the peak). */
  fmaPeak(isa: number, iters: number): number;
  /**
   * Inference stepper (StepSpec with the cell as its code, see kernels/step.ts): an opaque handle
   * holding references to the weight arrays (read in place) and its own state and scratch.
   */
  stepperCreate(isa: number, spec: NativeStepSpec): NativeStepperHandle;
  /** One step; output 0 none, 1 logits, 2 probs, 3 logprobs (out [B, C] unless 0). */
  stepperStep(h: NativeStepperHandle, ids: I32, output: number, temperature: number, out: F32 | null): void;
  stepperGetState(h: NativeStepperHandle, hOut: F32, cOut: F32 | null): void;
  stepperSetState(h: NativeStepperHandle, hIn: F32 | null, cIn: F32 | null): void;
  /** How many weight matrices the step reads from half-precision copies. */
  stepperHalf(h: NativeStepperHandle): number;
  /** Frees the state now and releases the weights (the handle is dead after). */
  stepperFree(h: NativeStepperHandle): void;
  /** Highest ISA index this CPU supports. */
  bestIsa(): number;
  /** GEMM worker threads (process-wide; results are bit-identical for any count). Returns the count set. */
  setThreads(n: number): number;
  getThreads(): number;
}

/**
 * Where the addon is looked for: $RNNKIT_NATIVE_ADDON if set, else build/native/rnnkit_native.node
 * at the package root (this file runs from dist/src/kernels/native/).
 */
export function nativeAddonPath(): string {
  const override = process.env.RNNKIT_NATIVE_ADDON;
  if (override) return override;
  return fileURLToPath(new URL("../../../../build/native/rnnkit_native.node", import.meta.url));
}

let cached: { path: string; addon: NativeAddon | null; error: string | null } | null = null;

/** Loads the addon once per path; null (with the reason in `lastLoadError()`) if absent or unloadable. */
export function loadAddon(): NativeAddon | null {
  const path = nativeAddonPath();
  if (cached && cached.path === path) return cached.addon;
  let addon: NativeAddon | null = null;
  let error: string | null = null;
  if (!existsSync(path)) error = `${path} not found (hint: run \`npx rnnkit build-native\`; it needs a C++ compiler and Node's headers)`;
  else {
    try {
      const require = createRequire(import.meta.url);
      addon = require(path) as NativeAddon;
      if (typeof addon.gemm !== "function" || typeof addon.bestIsa !== "function") {
        error = `${path} loaded but is not the rnnkit native addon`;
        addon = null;
      }
    } catch (e) {
      error = `${path} failed to load: ${e instanceof Error ? e.message : String(e)}`;
      addon = null;
    }
  }
  cached = { path, addon, error };
  return addon;
}

/** Why the last `loadAddon()` returned null (or null if it loaded). */
export function lastLoadError(): string | null {
  return cached ? cached.error : null;
}
