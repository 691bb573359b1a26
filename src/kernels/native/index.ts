/**
 * The native backend for Node: a C++ N-API addon with AVX-512, AVX2 and scalar kernels, the ISA
 * chosen at run time (never a crash on a CPU without AVX-512). Kernels the addon does not
 * implement (unaryBackward, binary, logSoftmax; sumAxis below 4096 elements) are the reference ones.
 *
 * Environment:
 *   RNNKIT_NATIVE_ISA=avx512|avx2|scalar   use at most this ISA (default: the best the CPU has)
 *   RNNKIT_NATIVE_THREADS=n                GEMM threads, default: the machine's cores, at most 4 (results identical for any n)
 *   RNNKIT_NATIVE_ADDON=/path/to/x.node    load the addon from elsewhere
 */
import { availableParallelism } from "node:os";
import type { Backend, F32, InputProjectionForward, LinearCrossEntropyArgs, SeqDims, UnaryOp } from "../backend.js";
import { recurrentEntries } from "../projection.js";
import { refBackend } from "../ref/index.js";
import { CELL_CODE, OUTPUT_CODE, checkStepSpec } from "../step.js";
import { type NativeAddon, lastLoadError, loadAddon, nativeAddonPath } from "./addon.js";

export { lastLoadError as nativeLoadError, nativeAddonPath };

export type NativeIsa = "avx512" | "avx2" | "scalar";
const ISA_NAMES: readonly NativeIsa[] = ["scalar", "avx2", "avx512"];

export interface NativeOptions {
  /** Highest ISA to use (clamped to the CPU's). Default: $RNNKIT_NATIVE_ISA, else the best available. */
  isa?: NativeIsa;
  /** GEMM worker threads, process-wide. Default: $RNNKIT_NATIVE_THREADS, else the cores (≤ 4). */
  threads?: number;
}

const UNARY_INDEX: Record<UnaryOp, number> = { neg: 0, exp: 1, log: 2, sigmoid: 3, tanh: 4, relu: 5, sqrt: 6, abs: 7 };

function parseIsa(v: string, where: string): NativeIsa {
  const s = v.trim().toLowerCase();
  if (s === "avx512" || s === "avx2" || s === "scalar") return s;
  throw new RangeError(`${where}: expected avx512, avx2 or scalar, got "${v}" (hint: unset it to use the best ISA this CPU has)`);
}

function parseThreads(v: string | number, where: string): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`${where}: expected an integer in [1, 64], got ${String(v)}`);
  return n;
}

/**
 * The native backend, or null when the addon is not built or fails to load (then
 * `nativeLoadError()` says why). Throws RangeError on an invalid RNNKIT_NATIVE_ISA /
 * RNNKIT_NATIVE_THREADS or option. Its `name` is "native-<isa>" with the ISA actually used.
 */
export function loadNativeBackend(options: NativeOptions = {}): Backend | null {
  const addon = loadAddon();
  if (!addon) return null;
  const envIsa = process.env.RNNKIT_NATIVE_ISA;
  const wanted = options.isa !== undefined ? parseIsa(options.isa, "loadNativeBackend: options.isa") : envIsa ? parseIsa(envIsa, "RNNKIT_NATIVE_ISA") : "avx512";
  const isa = Math.min(ISA_NAMES.indexOf(wanted), addon.bestIsa());
  const envThreads = process.env.RNNKIT_NATIVE_THREADS;
  if (options.threads !== undefined) addon.setThreads(parseThreads(options.threads, "loadNativeBackend: options.threads"));
  else if (envThreads) addon.setThreads(parseThreads(envThreads, "RNNKIT_NATIVE_THREADS"));
  else addon.setThreads(Math.max(1, Math.min(4, availableParallelism())));
  return makeNativeBackend(addon, isa);
}

function makeNativeBackend(n: NativeAddon, isa: number): Backend {
  const lossOut = new Float64Array(2);
  const gemm: Backend["gemm"] = (transA, transB, M, N, K, alpha, A, B, beta, C) => n.gemm(isa, transA, transB, M, N, K, alpha, A, B, beta, C);
  /** A recurrent forward's arguments with xg = x W_ihᵀ computed and the bias handed to the kernel (xbias). */
  function projected<A extends SeqDims & { xg: F32; proj?: InputProjectionForward | null }>(a: A, gates: number): A & { xbias: F32 | null } {
    const p = a.proj;
    if (!p) return { ...a, xbias: null };
    gemm(false, true, a.T * a.B, gates * a.H, p.I, 1, p.x, p.wIh, 0, a.xg);
    return { ...a, proj: null, xbias: p.bias };
  }
  /**
   * Fused output layer + cross-entropy: z = x·Wᵀ (beta 0), then one pass over z that adds the bias,
   * sums the loss and turns z into dz = scale·(softmax(z) − onehot(y)) with db summed alongside;
   * dx = dz·W and dW = dzᵀ·x read it from there. Against the composite this saves the bias pre-fill
   * of the [N, C] logits, a second [N, C] buffer, the scale pass and the db pass (word LM: 28 MB each).
   * z is one scratch buffer kept by the backend (grown on demand; not kept past KEEP_Z_FLOATS, so a
   * one-off huge vocabulary batch does not pin its memory).
   */
  const KEEP_Z_FLOATS = 1 << 26; // 256 MB, the tensor buffer pool's own limit
  let zScratch = new Float32Array(0);
  function linearCrossEntropy(a: LinearCrossEntropyArgs): { lossSum: number; count: number } {
    const { N, K, C, x, w, b, targets, ignoreIndex, grads } = a;
    if (N <= 0 || C <= 0) return { lossSum: 0, count: 0 };
    if (zScratch.length < N * C) zScratch = new Float32Array(N * C);
    const z = zScratch.subarray(0, N * C);
    gemm(false, true, N, C, K, 1, x, w, 0, z);
    const bad = n.linearCrossEntropy!(isa, z, b, targets, N, C, ignoreIndex, grads ? grads.scale : 0, grads !== null, grads?.db ?? null, lossOut);
    if (bad >= 0) throw new RangeError(`linearCrossEntropy: target at row ${bad} is ${targets[bad]}, expected a class index in [0, ${C}) or ignoreIndex ${ignoreIndex}`);
    const res = { lossSum: lossOut[0]!, count: lossOut[1]! };
    if (grads?.dx) gemm(false, false, N, K, C, 1, z, w, 0, grads.dx); // dx = dz·W
    if (grads?.dw) gemm(true, false, C, K, N, 1, z, x, 0, grads.dw); // dW = dzᵀ·x
    if (zScratch.length > KEEP_Z_FLOATS) zScratch = new Float32Array(0);
    return res;
  }
  // tiny reductions (and inner = 1, a strided sum) stay in JS: the call costs more than the loop
  const sumAxis: Backend["sumAxis"] = (x, outer, len, inner, out) => (inner < 16 || outer * len * inner < 4096 ? refBackend.sumAxis(x, outer, len, inner, out) : n.sumAxis(isa, x, outer, len, inner, out));
  return {
    name: `native-${ISA_NAMES[isa] ?? "scalar"}`,
    gemm,
    unary: (op, x, out, len) => n.unary(isa, UNARY_INDEX[op], x, out, len),
    unaryBackward: refBackend.unaryBackward,
    binary: refBackend.binary,
    sumAxis,
    logSoftmax: refBackend.logSoftmax,
    softmaxCrossEntropy(logits, targets, N, C, ignoreIndex, probs) {
      const bad = n.softmaxCrossEntropy(isa, logits, targets, N, C, ignoreIndex, probs, lossOut);
      if (bad >= 0) throw new RangeError(`crossEntropy: target at row ${bad} is ${targets[bad]}, expected a class index in [0, ${C})`);
      return { lossSum: lossOut[0]!, count: lossOut[1]! };
    },
    ...(n.linearCrossEntropy ? { linearCrossEntropy } : {}),
    softmaxCrossEntropyBackward: (probs, targets, N, C, ignoreIndex, scale, dLogits) => n.softmaxCrossEntropyBackward(isa, probs, targets, N, C, ignoreIndex, scale, dLogits),
    embeddingForward: (weight, idx, N, D, out) => n.embeddingForward(isa, weight, idx, N, D, out),
    embeddingBackward: (dOut, idx, N, D, paddingIdx, dWeight) => n.embeddingBackward(isa, dOut, idx, N, D, paddingIdx, dWeight),
    // the input projection of the recurrent layers runs as GEMM calls around the fused kernels
    ...recurrentEntries({ gemm, sumAxis }, {
      lstm: [(a) => n.lstmForward(isa, a), (a) => n.lstmBackward(isa, a)],
      gru: [(a) => n.gruForward(isa, a), (a) => n.gruBackward(isa, a)],
      rnn: [(a) => n.rnnForward(isa, a), (a) => n.rnnBackward(isa, a)],
    }),
    // Forward with a projection: xg = x W_ihᵀ alone, the bias added by the kernel as it reads each
    // step's rows (a [T·B, G·H] pass of filling xg with bias rows saved; the same sums).
    lstmForward: (a) => n.lstmForward(isa, projected(a, 4)),
    gruForward: (a) => n.gruForward(isa, projected(a, 3)),
    rnnForward: (a) => n.rnnForward(isa, projected(a, 1)),
    adamStep: (p, g, m, v, len, o) => n.adamStep(isa, p, g, m, v, len, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.decoupled, o.step),
    sgdStep: (p, g, buf, len, o) => n.sgdStep(isa, p, g, buf, len, o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov, o.firstStep),
    sumSquares: (x, len) => n.sumSquares(isa, x, len),
    scale: (x, s, len) => n.scale(isa, x, s, len),
    createStepper(spec) {
      // The weights are read in place by the addon (it holds references to them), except matrices
      // whose values are all exact halves (an F16 checkpoint): those are copied once to half
      // precision and read from there, the same numbers from half the bytes. RNNKIT_STEP_HALF=0 or
      // spec.halfCopies = false turns the copies off (to measure what they bring).
      checkStepSpec(spec, "createStepper");
      const half = spec.halfCopies !== false && process.env.RNNKIT_STEP_HALF !== "0";
      const h = n.stepperCreate(isa, { ...spec, cell: CELL_CODE[spec.cell], half });
      return {
        halfWeights: n.stepperHalf(h),
        getState: (hOut, cOut) => n.stepperGetState(h, hOut, cOut),
        setState: (hIn, cIn) => n.stepperSetState(h, hIn, cIn),
        step: (ids, output, temperature, out) => n.stepperStep(h, ids, OUTPUT_CODE[output], temperature, out),
        dispose: () => n.stepperFree(h),
      };
    },
  };
}
