// rnnkit native kernels: the ISA-independent interface.
//
// Each instruction set (AVX-512, AVX2, scalar) provides one `Kernels` table, compiled from the
// same source (kernels_impl.inc) in its own translation unit under `#pragma GCC target`, so the
// addon is built for baseline x86-64 and only the table chosen at run time ever executes
// wider instructions. Semantics are exactly those of src/kernels/ref (the definition of correct);
// the comments there carry the math.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rk {

enum Isa { ISA_SCALAR = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

/** Shared arguments of the fused recurrent kernels (see SeqDims in backend.ts). */
struct SeqDims {
  int T, B, H;
  const int32_t* lengths;  // [B] or nullptr = all T
  bool reverse;
  // Rows per time step in the caller's [T, ·, ·] buffers (0 = B). A thread may run rows b0 … b0+B−1
  // of a batch of Bs rows (rows are independent through time): pointers then start at row b0.
  // LSTM only (no projection); its backward then leaves dW_hh, a sum over all rows, to the caller.
  int Bs = 0;
};

struct LstmFwd {
  SeqDims d;
  int P;
  const float *xg, *whh, *whr, *h0, *c0;  // whr may be null
  const float* xbias;  // [4H] added to every row of xg as it is read (the input projection's bias), or null
  float *out, *hN, *cN;
  float *gates, *c, *cPrev, *hPrev;  // saved; all null for inference
};
struct LstmBwd {
  SeqDims d;
  int P;
  const float *whh, *whr;
  const float *gates, *c, *cPrev, *hPrev;  // saved
  const float *dOut, *dhN, *dcN;           // each may be null
  float *dXg, *dWhh, *dWhr, *dh0, *dc0;    // dWhr null iff whr null
};
struct GruFwd {
  SeqDims d;
  const float *xg, *whh, *bhh, *h0;  // bhh may be null
  const float* xbias;  // [3H] added to every row of xg as it is read, or null
  float *out, *hN;
  float *gates, *hgn, *hPrev;  // saved or null
};
struct GruBwd {
  SeqDims d;
  const float* whh;
  const float *gates, *hgn, *hPrev;
  const float *dOut, *dhN;
  float *dXg, *dHg, *dWhh, *dh0;
};
struct RnnFwd {
  SeqDims d;
  bool relu;
  const float *xg, *whh, *h0;
  const float* xbias;  // [H] added to every row of xg as it is read, or null
  float *out, *hN;
  float *h, *hPrev;  // saved or null
};
struct RnnBwd {
  SeqDims d;
  bool relu;
  const float* whh;
  const float *h, *hPrev;
  const float *dOut, *dhN;
  float *dXg, *dWhh, *dh0;
};

struct AdamOpts {
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled;
  double step;
};
struct SgdOpts {
  double lr, momentum, dampening, weightDecay;
  bool nesterov, firstStep;
};

/** One recurrent layer of an inference stepper (StepLayer in backend.ts); rows of W are gate units. */
struct StepLayerW {
  int I;                           // input features
  const float *wIh, *wHh;          // [G·H, I], [G·H, H]
  const float *bIh, *bHh;          // [G·H] each, may be null
  const uint16_t *hIh, *hHh;       // half-precision copies [G·H, half_ld(I)], [G·H, half_ld(H)], or null (read wIh / wHh)
};

/**
 * Row stride of a half-precision weight copy: K rounded up to 16 halves (32 bytes, zero-padded),
 * so every row starts aligned and a row is read in whole vectors of any ISA's width.
 */
constexpr int half_ld(int K) { return (K + 15) & ~15; }

/**
 * An inference stepper's model, state and scratch (StepSpec in backend.ts). The weights are the
 * caller's (read in place); state and scratch are allocated once by the binding (step_addon.cc).
 * cell: 0 LSTM, 1 GRU, 2 RNN tanh, 3 RNN relu.
 */
struct StepNet {
  int cell, L, H, B, V, E, C;
  const float *emb, *dec, *decb;   // [V, E], [C, H], [C] or null
  const uint16_t* hdec;            // half-precision copy of dec [C, half_ld(H)], or null
  const StepLayerW* layers;        // [L]
  float** hcur;                    // [L] → [B, H]: the state of layer l
  float** hnext;                   // [L] → [B, H]: where a step writes it (then swapped)
  float* c;                        // [L, B, H] (LSTM)
  float* bias;                     // [L, G·H]: b_ih + b_hh (GRU: b_ih)
  float* g;                        // [B, G·H] pre-activations
  float* hg;                       // [B, G·H] W_hh h + b_hh (GRU)
  float* x0;                       // [B, E] the embedding rows of this step
  float* chunkMax;                 // [B, chunks] per chunk of STEP_CHUNK decoder outputs
  double* chunkSum;                // [B, chunks]
};
/** Decoder outputs per softmax chunk: partial max and sum per chunk, combined in order (any thread count, same numbers). */
constexpr int STEP_CHUNK = 256;

enum UnaryOp { U_NEG = 0, U_EXP, U_LOG, U_SIGMOID, U_TANH, U_RELU, U_SQRT, U_ABS };

struct Kernels {
  const char* name;
  /** C = alpha·op(A)·op(B) + beta·C (row-major; see Backend.gemm). */
  void (*gemm)(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C);
  void (*unary)(int op, const float* x, float* out, size_t n);
  /** Returns the first row whose target is out of [0, C) (probs written up to it), or -1. */
  long (*softmaxCE)(const float* logits, const int32_t* targets, int N, int C, int ignoreIndex, float* probs, double* lossSum, double* count);
  void (*softmaxCEBackward)(const float* probs, const int32_t* targets, int N, int C, int ignoreIndex, float scale, float* dLogits);
  /**
   * The loss pass of the fused output layer (Backend.linearCrossEntropy) on N rows of z = x·Wᵀ, in
   * place: bias added, loss summed; with grad, z ← scale·(softmax(z) − onehot(y)) and dbPart += Σ_rows z.
   * Returns the first row whose target is out of [0, C), or -1.
   */
  long (*linearCE)(float* z, const float* bias, const int32_t* targets, int N, int C, int ignoreIndex, double scale, int grad, float* dbPart,
                   double* lossSum, double* count);
  void (*embeddingForward)(const float* weight, const int32_t* idx, int N, int D, float* out);
  void (*embeddingBackward)(const float* dOut, const int32_t* idx, int N, int D, int paddingIdx, float* dWeight);
  void (*lstmForward)(const LstmFwd& a);
  void (*lstmBackward)(const LstmBwd& a);
  void (*gruForward)(const GruFwd& a);
  void (*gruBackward)(const GruBwd& a);
  void (*rnnForward)(const RnnFwd& a);
  void (*rnnBackward)(const RnnBwd& a);
  void (*adamStep)(float* p, const float* g, float* m, float* v, size_t n, const AdamOpts& o);
  void (*sgdStep)(float* p, const float* g, float* buf, size_t n, const SgdOpts& o);
  double (*sumSquares)(const float* x, size_t n);
  void (*scale)(float* x, float s, size_t n);
  /** out[o, j] = Σ_k x[o, k, j], x [outer, n, inner] (overwrites out). */
  void (*sumAxis)(const float* x, int outer, int n, int inner, float* out);
  /** Runs a register-only FMA loop (the machine's peak, for benchmarks); returns the flops done. */
  double (*fmaPeak)(long iters);
  /**
   * Inference steppers: precompute n.bias from the layers' biases (once), then one step of every
   * stream (ids [B], each in [0, V)); out [B, C] gets output 1 logits, 2 softmax(z / temperature),
   * 3 log_softmax(z), or nothing (0). Threads split gate units and decoder chunks.
   */
  void (*stepInit)(StepNet& n);
  void (*step)(StepNet& n, const int32_t* ids, int output, float temperature, float* out);
  /** Whether step reads half-precision weight copies with vector conversions (F16C; not the scalar table). */
  bool stepHalf;
};

const Kernels* kernels_scalar();
const Kernels* kernels_avx2();
const Kernels* kernels_avx512();

/** Highest ISA this CPU (and OS) supports. */
Isa best_isa();
/** The table for `isa`, clamped to best_isa(). */
const Kernels* kernels_for(int isa);

/** Number of GEMM worker threads (1 = single-threaded). Results do not depend on it. */
void set_threads(int n);
int get_threads();
/** Run fn(ctx, i) for i in [0, n) on the worker pool (the caller runs i = 0) and wait. */
void parallel_for(int n, void (*fn)(void* ctx, int i), void* ctx);

}  // namespace rk
