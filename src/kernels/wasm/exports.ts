/**
 * The raw exports of build/rnnkit.wasm (assembly/index.ts). Pointers are byte offsets into
 * `memory`; booleans are passed as 0/1; a pointer of 0 means "absent" (null).
 */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemm(transA: number, transB: number, M: number, N: number, K: number, alpha: number, A: number, B: number, beta: number, C: number, ws: number): void;
  gemmWorkFloats(M: number, N: number, K: number): number;
  /** gemm on sub-matrices with row strides lda, ldb, ldc (floats). */
  gemmLd(transA: number, transB: number, M: number, N: number, K: number, alpha: number, A: number, lda: number, B: number, ldb: number, beta: number, C: number, ldc: number, ws: number): void;
  /** This instance's edge-tile scratch (MR·NR floats at byte offset p). */
  setTile(p: number): void;
  scaleInPlace(x: number, n: number, s: number): void;
  recurrentWorkFloats(G: number, B: number, H: number): number;
  /** op 0 exp, 1 sigmoid, 2 tanh */
  unaryMath(op: number, x: number, out: number, n: number): void;
  /** Bs: rows per time step of the [T, ·, ·] buffers (B, or the whole batch when running a block of its rows). */
  lstmForward(T: number, B: number, Bs: number, H: number, xg: number, whh: number, h0: number, c0: number, out: number, hN: number, cN: number, lengths: number, reverse: number, gates: number, c: number, cPrev: number, hPrev: number, ws: number): void;
  /** dWhh = 0: leave dWhh += dXgᵀ·hPrev to the caller (required when Bs ≠ B). */
  lstmBackward(T: number, B: number, Bs: number, H: number, whh: number, gates: number, c: number, cPrev: number, hPrev: number, dOut: number, dhN: number, dcN: number, dXg: number, dWhh: number, dh0: number, dc0: number, lengths: number, reverse: number, ws: number): void;
  gruForward(T: number, B: number, Bs: number, H: number, xg: number, whh: number, bhh: number, h0: number, out: number, hN: number, lengths: number, reverse: number, gates: number, hgn: number, hPrev: number, ws: number): void;
  gruBackward(T: number, B: number, Bs: number, H: number, whh: number, gates: number, hgn: number, hPrev: number, dOut: number, dhN: number, dXg: number, dHg: number, dWhh: number, dh0: number, lengths: number, reverse: number, ws: number): void;
  rnnForward(T: number, B: number, Bs: number, H: number, relu: number, xg: number, whh: number, h0: number, out: number, hN: number, lengths: number, reverse: number, h: number, hPrev: number, ws: number): void;
  rnnBackward(T: number, B: number, Bs: number, H: number, relu: number, whh: number, h: number, hPrev: number, dOut: number, dhN: number, dXg: number, dWhh: number, dh0: number, lengths: number, reverse: number, ws: number): void;
  softmaxCrossEntropy(logits: number, targets: number, N: number, C: number, ignoreIndex: number, probs: number): number;
  /** softmaxCrossEntropy in chunks of R rows; sums[i] (float64 at byte offset sums + 8i) = chunk i's loss sum. */
  softmaxCrossEntropyChunks(logits: number, targets: number, N: number, C: number, ignoreIndex: number, probs: number, R: number, sums: number): void;
  softmaxCrossEntropyBackward(probs: number, targets: number, N: number, C: number, ignoreIndex: number, scale: number, dLogits: number): void;
  /** In place on z [N, C] = x·Wᵀ: adds bias, loss sums per chunk of R rows, and (grad ≠ 0) dz = scale·(softmax − onehot). */
  linearCeChunks(z: number, bias: number, targets: number, N: number, C: number, ignoreIndex: number, scale: number, grad: number, R: number, sums: number): void;
  adamStep(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number, stepSize: number, sqrtBc2: number): void;
  /** buf 0: no momentum buffer; nesterov, firstStep 0/1. */
  sgdStep(p: number, g: number, buf: number, n: number, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, firstStep: number): void;
  embeddingGather(weight: number, idx: number, N: number, D: number, out: number): void;
  embeddingScatterAdd(dOut: number, idx: number, N: number, D: number, paddingIdx: number, dW: number): void;
  /** Inference stepper (assembly/step.ts): units [j0, j1) of one layer for B streams. */
  stepLayer(cell: number, B: number, H: number, I: number, X: number, ldx: number, wIh: number, wHh: number, bias: number, bHh: number, h: number, hn: number, c: number, g: number, hg: number, j0: number, j1: number): void;
  /** Decoder chunks [ch0, ch1): logits into out, per-chunk max and exp-sums (output 2, 3). */
  stepDecoder(B: number, C: number, H: number, h: number, dec: number, decb: number, out: number, output: number, invT: number, ch0: number, ch1: number, chunkMax: number, chunkSum: number, chunks: number): void;
  /** Run the tasks of one stepper phase described at desc, claimed one at a time (any number of threads call it). */
  stepTasks(desc: number, gen: number): void;
  /** Combine the chunks: probs (output 2) or log-probs (3) in out. */
  stepFinish(B: number, C: number, output: number, invT: number, out: number, chunkMax: number, chunkSum: number, chunks: number): void;
  sumSquares(x: number, n: number): number;
  sumRowsF64(x: number, n: number, inner: number, acc: number): void;
  /** sumRowsF64 over `inner` columns of rows `ld` floats apart. */
  sumRowsF64Ld(x: number, n: number, inner: number, ld: number, acc: number): void;
}

const REQUIRED: readonly (keyof KernelExports)[] = [
  "memory", "heapBase", "gemm", "gemmLd", "setTile", "gemmWorkFloats", "scaleInPlace", "recurrentWorkFloats", "unaryMath",
  "lstmForward", "lstmBackward", "gruForward", "gruBackward", "rnnForward", "rnnBackward",
  "softmaxCrossEntropy", "softmaxCrossEntropyChunks", "softmaxCrossEntropyBackward", "linearCeChunks", "embeddingGather", "embeddingScatterAdd", "adamStep", "sgdStep", "stepLayer", "stepDecoder", "stepFinish", "stepTasks", "sumSquares", "sumRowsF64", "sumRowsF64Ld",
];

/** Check that an instance has every export this version of the TypeScript side calls. */
export function asKernelExports(exports: WebAssembly.Exports, where: string): KernelExports {
  const missing = REQUIRED.filter((k) => !(k in exports));
  if (missing.length > 0) throw new Error(`${where}: the wasm module lacks export(s) ${missing.join(", ")} (hint: rebuild it with \`node scripts/build-wasm.mjs --force\`)`);
  return exports as unknown as KernelExports;
}
