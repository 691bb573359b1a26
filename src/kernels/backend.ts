/**
 * The kernel backend interface: every piece of numeric work in rnnkit goes through one of these
 * functions, so a fast backend (WebAssembly SIMD, native) plugs in without touching the layers.
 *
 * Conventions (all backends):
 * - Buffers are row-major `Float32Array`s (indices `Int32Array`), passed as views: a kernel reads
 *   and writes exactly the elements its shape comment names, starting at index 0 of each view.
 * - Kernels never allocate what they return; the caller owns every output buffer.
 * - "accumulate" outputs are added to (`+=`), never overwritten; the caller zeroes them first.
 * - The reference backend (`kernels/ref`) is the definition of correct. A fast backend must agree
 *   with it up to float32 rounding on every shape, including odd sizes (SIMD tails).
 */
export type F32 = Float32Array;
export type I32 = Int32Array;

export type UnaryOp = "neg" | "exp" | "log" | "sigmoid" | "tanh" | "relu" | "sqrt" | "abs";
export type BinaryOp = "add" | "sub" | "mul" | "div";

/**
 * Shared arguments of the fused whole-sequence recurrent kernels. One call runs one direction of
 * one layer over all T steps.
 *
 * Variable lengths: row b is *active* at time t iff t < lengths[b]. An inactive step leaves the
 * state unchanged (carried) and writes zeros to `out`, which is exactly what PyTorch's packed
 * sequences give: the forward direction's final state is the state at the row's own last step,
 * and the reverse direction (which visits t = T-1 … 0) starts from h0 at t = lengths[b]-1.
 */
export interface SeqDims {
  T: number; // time steps
  B: number; // batch rows
  H: number; // hidden size (cell size for LSTM)
  lengths: I32 | null; // [B] or null = all T
  reverse: boolean; // visit t = T-1 … 0
}

/**
 * A recurrent layer's input projection, optionally fused into its LSTM kernels so the [T·B, G·H]
 * gate pre-activations and their gradient need not be handed to JavaScript and back:
 *   forward   xg = x W_ihᵀ + bias            (one [T·B, I]·[I, G·H] product for all steps)
 *   backward  dx = dXg W_ih,  dW_ih = dXgᵀ x,  db = Σ_rows dXg
 */
export interface InputProjection {
  I: number; // input features
  x: F32; // [T·B, I]
  wIh: F32; // [G·H, I]
}
export interface InputProjectionForward extends InputProjection {
  bias: F32 | null; // [G·H] added to every row (b_ih + b_hh for the LSTM)
}
export interface InputProjectionGrads extends InputProjection {
  dx: F32 | null; // [T·B, I] written
  dWih: F32 | null; // [G·H, I] written
  db: F32 | null; // [G·H] written
}

/**
 * LSTM (gate order i, f, g, o as PyTorch):
 *   i = σ(W_ii x + W_hi h + b_i), f = σ(...), g = tanh(...), o = σ(...)
 *   c' = f ⊙ c + i ⊙ g,  m = o ⊙ tanh(c'),  h' = W_hr m (projection, P < H) or h' = m (P = H)
 */
export interface LstmForwardArgs extends SeqDims {
  P: number; // output/hidden-state size: projSize or H
  xg: F32; // [T, B, 4H]  x W_ih^T + b_ih + b_hh for every step (read only) — or scratch when proj is given
  /** When given, the backend computes xg from it (into xg, or internally leaving xg untouched). */
  proj?: InputProjectionForward | null;
  whh: F32; // [4H, P]
  whr: F32 | null; // [P, H] projection or null
  h0: F32; // [B, P]
  c0: F32; // [B, H]
  out: F32; // [T, B, P] written
  hN: F32; // [B, P] written
  cN: F32; // [B, H] written
  /** Saved activations for backward, or null for inference. */
  saved: LstmSaved | null;
}
export interface LstmSaved {
  gates: F32; // [T, B, 4H] activated gates (i, f, g, o); zero where inactive
  c: F32; // [T, B, H] cell state after step t (carried where inactive)
  cPrev: F32; // [T, B, H] cell state before step t
  hPrev: F32; // [T, B, P] hidden state before step t
}
export interface LstmBackwardArgs extends SeqDims {
  P: number;
  whh: F32; // [4H, P]
  whr: F32 | null; // [P, H]
  saved: LstmSaved;
  dOut: F32 | null; // [T, B, P]
  dhN: F32 | null; // [B, P]
  dcN: F32 | null; // [B, H]
  dXg: F32; // [T, B, 4H] written: gradient of the pre-activation gates (= of xg) — scratch when projGrads is given
  /** When given, the backend also writes the input projection's gradients (dXg may then be left unwritten). */
  projGrads?: InputProjectionGrads | null;
  dWhh: F32; // [4H, P] accumulate
  dWhr: F32 | null; // [P, H] accumulate
  dh0: F32; // [B, P] written
  dc0: F32; // [B, H] written
}

/**
 * GRU (gate order r, z, n as PyTorch):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
 */
export interface GruForwardArgs extends SeqDims {
  xg: F32; // [T, B, 3H]  x W_ih^T + b_ih (b_hh is applied inside, n needs it separately) — or scratch when proj is given
  /** When given (bias = b_ih), the backend computes xg from it. */
  proj?: InputProjectionForward | null;
  whh: F32; // [3H, H]
  bhh: F32 | null; // [3H]
  h0: F32; // [B, H]
  out: F32; // [T, B, H]
  hN: F32; // [B, H]
  saved: GruSaved | null;
}
export interface GruSaved {
  gates: F32; // [T, B, 3H] activated r, z, n; zero where inactive
  hgn: F32; // [T, B, H]  W_hn h + b_hn
  hPrev: F32; // [T, B, H]
}
export interface GruBackwardArgs extends SeqDims {
  whh: F32;
  saved: GruSaved;
  dOut: F32 | null;
  dhN: F32 | null;
  dXg: F32; // [T, B, 3H] written (gradient of xg) — scratch when projGrads is given
  /** When given, the backend also writes the input projection's gradients (db = db_ih); dXg may then be left unwritten. */
  projGrads?: InputProjectionGrads | null;
  dHg: F32; // [T, B, 3H] written (gradient of h W_hh^T + b_hh)
  dWhh: F32; // [3H, H] accumulate
  dh0: F32; // [B, H] written
}

/** Elman RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. */
export interface RnnForwardArgs extends SeqDims {
  relu: boolean;
  xg: F32; // [T, B, H]  x W_ih^T + b_ih + b_hh — or scratch when proj is given
  /** When given (bias = b_ih + b_hh), the backend computes xg from it. */
  proj?: InputProjectionForward | null;
  whh: F32; // [H, H]
  h0: F32; // [B, H]
  out: F32; // [T, B, H]
  hN: F32; // [B, H]
  saved: RnnSaved | null;
}
export interface RnnSaved {
  h: F32; // [T, B, H] state after step t (carried where inactive)
  hPrev: F32; // [T, B, H]
}
export interface RnnBackwardArgs extends SeqDims {
  relu: boolean;
  whh: F32;
  saved: RnnSaved;
  dOut: F32 | null;
  dhN: F32 | null;
  dXg: F32; // [T, B, H] written — scratch when projGrads is given
  /** When given, the backend also writes the input projection's gradients (db = db_ih = db_hh); dXg may then be left unwritten. */
  projGrads?: InputProjectionGrads | null;
  dWhh: F32; // [H, H] accumulate
  dh0: F32; // [B, H] written
}

/**
 * Fused output layer + softmax cross-entropy (a language model's decoder and its loss), so the
 * [N, C] logits never leave the kernel:
 *   z = x Wᵀ + b,   loss = Σ_{n: y_n ≠ ignore} (log Σ_c exp z_nc − z_n,y_n)
 * and, when `grads` is given, the gradients of scale · loss:
 *   dz = scale · (softmax(z) − onehot(y)) (0 on ignored rows),  dx = dz W,  dW = dzᵀ x,  db = Σ_n dz_n
 */
export interface LinearCrossEntropyArgs {
  N: number; // rows (tokens)
  K: number; // input features
  C: number; // classes (vocabulary)
  x: F32; // [N, K]
  w: F32; // [C, K]
  b: F32 | null; // [C]
  targets: I32; // [N], range-checked by the caller
  ignoreIndex: number;
  /** Gradients to write (not accumulate); each null when not wanted. */
  grads: { scale: number; dx: F32 | null; dw: F32 | null; db: F32 | null } | null;
}

/**
 * Inference, one time step at a time (a language model generating, a server answering): the cell
 * of an inference stepper (Backend.createStepper), unidirectional, stacked.
 */
export type StepCell = "lstm" | "gru" | "rnn_tanh" | "rnn_relu";

/** One recurrent layer of a stepper, PyTorch's parameters as they are (G gate blocks: LSTM 4, GRU 3, RNN 1). */
export interface StepLayer {
  I: number; // input features: E for layer 0, H above
  wIh: F32; // [G·H, I]
  wHh: F32; // [G·H, H]
  bIh: F32 | null; // [G·H]
  bHh: F32 | null; // [G·H]
}

/**
 * A whole model for stepping: embedding → L recurrent layers → linear decoder, B streams. The
 * weights are read where they lie (or copied once when the stepper is created, by a backend with
 * its own memory): they must not change while the stepper is in use.
 */
export interface StepSpec {
  cell: StepCell;
  H: number; // hidden size of every layer
  B: number; // streams stepped together (rows)
  V: number; // embedding rows
  E: number; // embedding width
  embedding: F32; // [V, E]
  layers: readonly StepLayer[];
  C: number; // decoder outputs (the vocabulary)
  decoder: F32; // [C, H]
  decoderBias: F32 | null; // [C]
  /**
   * Whether a backend may read weight matrices whose values are all exact half-precision numbers
   * (a model loaded from an F16 checkpoint) from a half-precision copy made at creation: the same
   * numbers from half the bytes. Default true; the native backend does it (Stepper.halfWeights).
   */
  halfCopies?: boolean;
}

/**
 * What a step writes to `out` [B, C], from the decoder's z = h_L W_dᵀ + b_d: nothing ("none": a
 * prompt being fed, the decoder is skipped), z ("logits"), softmax(z / temperature) ("probs", for
 * sampling) or log_softmax(z) ("logprobs", for scoring). Softmax is stable (max subtracted first).
 */
export type StepOutput = "none" | "logits" | "probs" | "logprobs";

/**
 * A stepper: preallocated buffers and the carried state of B streams; no autograd, no allocation
 * per step. One step, for every stream b (cells as the whole-sequence kernels above, same
 * parameters, so that stepping a sequence gives the sequence kernels' outputs up to float rounding):
 *   x = E[ids[b]] ;  for each layer l: h_l, c_l = cell(x, h_l, c_l) ; x = h_l ;  z = x W_dᵀ + b_d
 */
export interface Stepper {
  /** Copy the carried state out: h [L, B, H], c [L, B, H] (LSTM; pass null for the other cells). */
  getState(h: F32, c: F32 | null): void;
  /** Set the carried state from h [L, B, H] and c [L, B, H]; null sets zeros. */
  setState(h: F32 | null, c: F32 | null): void;
  /** One step of every stream: ids [B] (each in [0, V), checked by the caller); out [B, C] unless output is "none". */
  step(ids: I32, output: StepOutput, temperature: number, out: F32 | null): void;
  /** Give back the backend memory it holds; the stepper must not be used afterwards. */
  dispose(): void;
  /** Weight matrices read from half-precision copies (StepSpec.halfCopies); absent or 0 when none. */
  readonly halfWeights?: number;
}

export interface Backend {
  readonly name: string;

  /**
   * C = alpha · op(A) · op(B) + beta · C, with op(A) [M, K], op(B) [K, N], C [M, N].
   * A is stored [M, K] (transA false) or [K, M]; B is stored [K, N] or [N, K].
   * beta = 0 overwrites C (NaNs in C do not leak), beta = 1 accumulates.
   */
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void;

  /** out[i] = op(x[i]) for n elements. */
  unary(op: UnaryOp, x: F32, out: F32, n: number): void;
  /** dx[i] (+)= dy[i] · op'(x[i]), given y = op(x). Accumulates into dx. */
  unaryBackward(op: UnaryOp, x: F32, y: F32, dy: F32, dx: F32, n: number): void;
  /**
   * out[i] = a[ia] op b[ib] over an n-dim index space `shape`; `aStrides`/`bStrides` are the element
   * strides of a and b in that space (0 along broadcast dimensions).
   */
  binary(op: BinaryOp, a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32, shape: readonly number[]): void;
  /** Sum of x viewed as [outer, n, inner] over the middle axis → out [outer, inner]. */
  sumAxis(x: F32, outer: number, n: number, inner: number, out: F32): void;
  /** log-softmax along the middle axis of [outer, n, inner] (numerically stable). */
  logSoftmax(x: F32, outer: number, n: number, inner: number, out: F32): void;

  /**
   * Fused softmax + cross-entropy over logits [N, C] with integer targets [N].
   * Writes probs [N, C] (softmax) and returns { lossSum, count } over rows whose target ≠ ignoreIndex.
   * Throws RangeError naming the row when a target is out of [0, C).
   */
  softmaxCrossEntropy(logits: F32, targets: I32, N: number, C: number, ignoreIndex: number, probs: F32): { lossSum: number; count: number };
  /** dLogits[N, C] (+)= scale · (probs − onehot(target)), zero for ignored rows. */
  softmaxCrossEntropyBackward(probs: F32, targets: I32, N: number, C: number, ignoreIndex: number, scale: number, dLogits: F32): void;

  /**
   * Optional fused linear + cross-entropy (see LinearCrossEntropyArgs); returns the loss sum and the
   * number of rows counted. Backends without it get the composition of gemm and
   * softmaxCrossEntropy (tensor/ops/linear-ce.ts), which is also the reference.
   */
  linearCrossEntropy?(a: LinearCrossEntropyArgs): { lossSum: number; count: number };

  /** out[n, :] = weight[idx[n], :], weight [V, D], idx [N], out [N, D]. */
  embeddingForward(weight: F32, idx: I32, N: number, D: number, out: F32): void;
  /** dWeight[idx[n], :] += dOut[n, :] except rows where idx[n] == paddingIdx (−1: none). */
  embeddingBackward(dOut: F32, idx: I32, N: number, D: number, paddingIdx: number, dWeight: F32): void;

  lstmForward(a: LstmForwardArgs): void;
  lstmBackward(a: LstmBackwardArgs): void;
  gruForward(a: GruForwardArgs): void;
  gruBackward(a: GruBackwardArgs): void;
  rnnForward(a: RnnForwardArgs): void;
  rnnBackward(a: RnnBackwardArgs): void;

  /**
   * One Adam/AdamW step on n parameters, in place (PyTorch's formulas):
   *   g ← g + λθ (Adam, L2) ; θ ← θ − lr·λ·θ (AdamW, decoupled)
   *   m ← β1 m + (1−β1) g ; v ← β2 v + (1−β2) g²
   *   θ ← θ − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)
   */
  adamStep(p: F32, g: F32, m: F32, v: F32, n: number, o: AdamStepOptions): void;
  /**
   * Optional: a zeroed buffer of n floats for long-lived data (parameters, Adam's m and v) that
   * this backend reads and writes in place, without copying (the threaded wasm backend places it
   * in its shared memory). Everywhere else it is an ordinary Float32Array. `reusable`: the caller
   * guarantees that no view of the array outlives it, so its memory may be reused once the array
   * is garbage-collected (an optimizer's state); otherwise it is kept for the process's life.
   * Returns null when the backend has no such memory or n is too small to matter.
   * `zero` false skips the zero fill, for a caller that writes every element before reading any
   * (the recurrent kernels' saved activations: 120 MB per BiLSTM sentiment step).
   */
  allocState?(n: number, reusable: boolean, zero?: boolean): F32 | null;
  /** Give a reusable allocState buffer back now (true), or false if it is not one: then nothing happens. The array must not be used afterwards. */
  releaseState?(a: F32): boolean;
  /** SGD with momentum/dampening/nesterov and L2 weight decay, as torch.optim.SGD. buf may be null (momentum 0). */
  sgdStep(p: F32, g: F32, buf: F32 | null, n: number, o: SgdStepOptions): void;
  /**
   * Optional: a stepper for inference one time step at a time (StepSpec). Backends without one
   * get the reference stepper (kernels/ref/step.ts), which is also the definition of its numbers.
   */
  createStepper?(spec: StepSpec): Stepper;
  /** Σ x[i]² (float64 accumulation), for gradient norms. */
  sumSquares(x: F32, n: number): number;
  /** x[i] *= s. */
  scale(x: F32, s: number, n: number): void;
}

export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean; // AdamW
  step: number; // t, starting at 1
}
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  firstStep: boolean; // momentum buffer is initialised to g on the first step
}
