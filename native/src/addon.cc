// N-API bindings of the rnnkit native kernels. Float32Array / Int32Array arguments are used in
// place (napi_get_typedarray_info gives the view's own data pointer: zero copies). Every buffer
// is checked against the element count its shape needs before any kernel runs, so a wrong call
// throws a JS error instead of touching memory it does not own.
//
// Every kernel takes the ISA index first (0 scalar, 1 AVX2, 2 AVX-512; clamped to what the CPU
// supports), so several backend objects with different ISAs can coexist in one process.
#define NAPI_VERSION 8
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"

#include "napi_args.h"
#include "step_addon.h"

namespace {

using rk::Kernels;

// ---------------------------------------------------------------- dense kernels

// gemm(isa, transA, transB, M, N, K, alpha, A, B, beta, C)
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info, "gemm");
  const Kernels* k = a.kernels(a.at(0));
  bool tA = a.flag(a.at(1), "transA"), tB = a.flag(a.at(2), "transB");
  int M = a.dim(a.at(3), "M"), N = a.dim(a.at(4), "N"), K = a.dim(a.at(5), "K");
  float alpha = (float)a.num(a.at(6), "alpha");
  const float* A = a.f32(a.at(7), "A", (size_t)M * K);
  const float* B = a.f32(a.at(8), "B", (size_t)K * N);
  float beta = (float)a.num(a.at(9), "beta");
  float* C = a.f32(a.at(10), "C", (size_t)M * N);
  if (a.bad) return nullptr;
  k->gemm(tA, tB, M, N, K, alpha, A, B, beta, C);
  return undefined(env);
}

// unary(isa, op, x, out, n)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info, "unary");
  const Kernels* k = a.kernels(a.at(0));
  int op = a.integer(a.at(1), "op");
  int n = a.dim(a.at(4), "n");
  const float* x = a.f32(a.at(2), "x", (size_t)n);
  float* out = a.f32(a.at(3), "out", (size_t)n);
  if (!a.bad && (op < 0 || op > rk::U_ABS)) a.fail("range", "unknown op index " + std::to_string(op));
  if (a.bad) return nullptr;
  k->unary(op, x, out, (size_t)n);
  return undefined(env);
}

// Softmax + cross-entropy and Adam are split over the GEMM worker pool when large (a [700, 10000]
// language-model batch, millions of parameters). Rows go in fixed chunks and the loss is summed
// chunk by chunk in order, so results are bit-identical for any number of threads.
constexpr int CE_CHUNK_ROWS = 32;
constexpr double PARALLEL_MIN = 1 << 18;  // elements: below this a wake-up costs more than it saves

int parts_for(double work, int units) {
  const int t = rk::get_threads();
  if (t <= 1 || work < PARALLEL_MIN) return 1;
  return t < units ? t : units;
}

// Per-chunk results of a chunked loss pass, combined in chunk order (the same sums for any split).
struct ChunkResults {
  std::vector<double> sums, counts;  // [chunks] loss sum and rows counted of each chunk
  std::vector<long> bad;             // [chunks] first bad target row of each chunk, or -1
  explicit ChunkResults(int chunks) : sums((size_t)chunks), counts((size_t)chunks), bad((size_t)chunks, -1) {}
  /** Writes [lossSum, count] up to the first chunk with a bad row into res; returns that row, or -1. */
  long finish(double* res) const {
    double loss = 0, cnt = 0;
    for (size_t c = 0; c < sums.size(); c++) {
      loss += sums[c];
      cnt += counts[c];
      if (bad[c] >= 0) {
        res[0] = loss;
        res[1] = cnt;
        return bad[c];
      }
    }
    res[0] = loss;
    res[1] = cnt;
    return -1;
  }
};

struct CeTask {
  const Kernels* k;
  const float* logits;
  const int32_t* targets;
  int N, C, ignore;
  float* probs;
  double* sums;    // [chunks] loss sum of each chunk
  double* counts;  // [chunks] rows counted in each chunk
  long* bad;       // [chunks] first bad target row of each chunk, or -1
  int chunks, parts;
};

void ce_task(void* ctx, int i) {
  CeTask& t = *static_cast<CeTask*>(ctx);
  const int c0 = (int)((long)t.chunks * i / t.parts), c1 = (int)((long)t.chunks * (i + 1) / t.parts);
  for (int c = c0; c < c1; c++) {
    const int r0 = c * CE_CHUNK_ROWS, rows = t.N - r0 < CE_CHUNK_ROWS ? t.N - r0 : CE_CHUNK_ROWS;
    const long b = t.k->softmaxCE(t.logits + (size_t)r0 * t.C, t.targets + r0, rows, t.C, t.ignore, t.probs + (size_t)r0 * t.C, &t.sums[c], &t.counts[c]);
    t.bad[c] = b >= 0 ? b + r0 : -1;
  }
}

// softmaxCrossEntropy(isa, logits, targets, N, C, ignoreIndex, probs, result: Float64Array[2]) → bad row or -1
napi_value SoftmaxCE(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmaxCrossEntropy");
  const Kernels* k = a.kernels(a.at(0));
  int N = a.dim(a.at(3), "N"), C = a.dim(a.at(4), "C");
  int ignore = a.integer(a.at(5), "ignoreIndex");
  const float* logits = a.f32(a.at(1), "logits", (size_t)N * C);
  const int32_t* targets = a.i32(a.at(2), "targets", (size_t)N);
  float* probs = a.f32(a.at(6), "probs", (size_t)N * C);
  double* res = a.f64(a.at(7), "result", 2);
  if (a.bad) return nullptr;
  const int chunks = (N + CE_CHUNK_ROWS - 1) / CE_CHUNK_ROWS;
  ChunkResults r(chunks);
  CeTask t{k, logits, targets, N, C, ignore, probs, r.sums.data(), r.counts.data(), r.bad.data(), chunks, parts_for((double)N * C, chunks)};
  rk::parallel_for(t.parts, ce_task, &t);
  return number(env, (double)r.finish(res));
}

struct CeBackTask {
  const Kernels* k;
  const float* probs;
  const int32_t* targets;
  int N, C, ignore;
  float scale;
  float* d;
  int parts;
};

void ce_back_task(void* ctx, int i) {
  CeBackTask& t = *static_cast<CeBackTask*>(ctx);
  const int r0 = (int)((long)t.N * i / t.parts), r1 = (int)((long)t.N * (i + 1) / t.parts);
  t.k->softmaxCEBackward(t.probs + (size_t)r0 * t.C, t.targets + r0, r1 - r0, t.C, t.ignore, t.scale, t.d + (size_t)r0 * t.C);
}

// softmaxCrossEntropyBackward(isa, probs, targets, N, C, ignoreIndex, scale, dLogits)
napi_value SoftmaxCEBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "softmaxCrossEntropyBackward");
  const Kernels* k = a.kernels(a.at(0));
  int N = a.dim(a.at(3), "N"), C = a.dim(a.at(4), "C");
  int ignore = a.integer(a.at(5), "ignoreIndex");
  float scale = (float)a.num(a.at(6), "scale");
  const float* probs = a.f32(a.at(1), "probs", (size_t)N * C);
  const int32_t* targets = a.i32(a.at(2), "targets", (size_t)N);
  float* d = a.f32(a.at(7), "dLogits", (size_t)N * C);
  if (a.bad) return nullptr;
  CeBackTask t{k, probs, targets, N, C, ignore, scale, d, parts_for((double)N * C, N)};
  rk::parallel_for(t.parts, ce_back_task, &t);
  return undefined(env);
}

// The loss pass of the fused output layer, over CE_CHUNK_ROWS-row chunks shared out like
// softmaxCrossEntropy's. The bias gradient is summed per chunk (dbParts [chunks, C]), then the
// chunk sums in chunk order: the same numbers for any thread count.
struct LinearCeTask {
  const Kernels* k;
  float* z;
  const float* bias;
  const int32_t* targets;
  int N, C, ignore, grad;
  double scale;
  float* dbParts;  // [chunks, C] zeroed, or null
  double* sums;
  double* counts;
  long* bad;
  int chunks, parts;
};

void linear_ce_task(void* ctx, int i) {
  LinearCeTask& t = *static_cast<LinearCeTask*>(ctx);
  const int c0 = (int)((long)t.chunks * i / t.parts), c1 = (int)((long)t.chunks * (i + 1) / t.parts);
  for (int c = c0; c < c1; c++) {
    const int r0 = c * CE_CHUNK_ROWS, rows = t.N - r0 < CE_CHUNK_ROWS ? t.N - r0 : CE_CHUNK_ROWS;
    float* db = t.dbParts ? t.dbParts + (size_t)c * t.C : nullptr;
    const long b = t.k->linearCE(t.z + (size_t)r0 * t.C, t.bias, t.targets + r0, rows, t.C, t.ignore, t.scale, t.grad, db, &t.sums[c], &t.counts[c]);
    t.bad[c] = b >= 0 ? b + r0 : -1;
  }
}

// linearCrossEntropy(isa, z, bias | null, targets, N, C, ignoreIndex, scale, grad, db | null, result: Float64Array[2])
//   → first bad target row or -1. z [N, C] holds x·Wᵀ and is overwritten (see Kernels::linearCE).
napi_value LinearCE(napi_env env, napi_callback_info info) {
  Args a(env, info, "linearCrossEntropy");
  const Kernels* k = a.kernels(a.at(0));
  int N = a.dim(a.at(4), "N"), C = a.dim(a.at(5), "C");
  int ignore = a.integer(a.at(6), "ignoreIndex");
  double scale = a.num(a.at(7), "scale");
  int grad = a.flag(a.at(8), "grad") ? 1 : 0;
  float* z = a.f32(a.at(1), "z", (size_t)N * C);
  const float* bias = a.f32n(a.at(2), "bias", (size_t)C);
  const int32_t* targets = a.i32(a.at(3), "targets", (size_t)N);
  float* db = a.f32n(a.at(9), "db", (size_t)C);
  double* res = a.f64(a.at(10), "result", 2);
  if (a.bad) return nullptr;
  const int chunks = (N + CE_CHUNK_ROWS - 1) / CE_CHUNK_ROWS;
  ChunkResults r(chunks);
  thread_local std::vector<float> parts;  // kept between calls: a [22, 10000] decoder batch is 880 KB
  parts.assign(grad && db ? (size_t)chunks * C : 0, 0.0f);
  LinearCeTask t{k, z, bias, targets, N, C, ignore, grad, scale, parts.empty() ? nullptr : parts.data(), r.sums.data(), r.counts.data(), r.bad.data(),
                 chunks, parts_for((double)N * C, chunks)};
  rk::parallel_for(t.parts, linear_ce_task, &t);
  const long badRow = r.finish(res);
  if (badRow >= 0) return number(env, (double)badRow);
  if (db) {
    if (!grad) std::fill(db, db + C, 0.0f);
    else {
      std::copy(parts.begin(), parts.begin() + C, db);
      for (int c = 1; c < chunks; c++) {
        const float* pc = parts.data() + (size_t)c * C;
        for (int j = 0; j < C; j++) db[j] += pc[j];
      }
    }
  }
  return number(env, -1);
}

// Length of a typed array (for the vocabulary size V of an embedding table).
size_t typed_length(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t length = 0;
  if (napi_get_typedarray_info(env, v, &type, &length, nullptr, nullptr, nullptr) != napi_ok) return 0;
  return length;
}

bool check_indices(Args& a, const int32_t* idx, int N, size_t V, int skip, bool hasSkip) {
  for (int n = 0; n < N; n++) {
    const int32_t r = idx[n];
    if (hasSkip && r == skip) continue;
    if (r < 0 || (size_t)r >= V) {
      a.fail("range", "index " + std::to_string(r) + " at position " + std::to_string(n) + " is out of [0, " + std::to_string(V) +
                          ") (hint: the vocabulary has " + std::to_string(V) + " rows)");
      return false;
    }
  }
  return true;
}

// embeddingForward(isa, weight, idx, N, D, out)
napi_value EmbeddingForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "embeddingForward");
  const Kernels* k = a.kernels(a.at(0));
  int N = a.dim(a.at(3), "N"), D = a.dim(a.at(4), "D");
  const float* w = a.f32(a.at(1), "weight", 0);
  const int32_t* idx = a.i32(a.at(2), "idx", (size_t)N);
  float* out = a.f32(a.at(5), "out", (size_t)N * D);
  if (a.bad) return nullptr;
  const size_t V = D > 0 ? typed_length(env, a.at(1)) / (size_t)D : 0;
  if (D > 0 && !check_indices(a, idx, N, V, 0, false)) return nullptr;
  k->embeddingForward(w, idx, N, D, out);
  return undefined(env);
}

// embeddingBackward(isa, dOut, idx, N, D, paddingIdx, dWeight)
napi_value EmbeddingBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "embeddingBackward");
  const Kernels* k = a.kernels(a.at(0));
  int N = a.dim(a.at(3), "N"), D = a.dim(a.at(4), "D");
  int pad = a.integer(a.at(5), "paddingIdx");
  const float* dOut = a.f32(a.at(1), "dOut", (size_t)N * D);
  const int32_t* idx = a.i32(a.at(2), "idx", (size_t)N);
  float* dW = a.f32(a.at(6), "dWeight", 0);
  if (a.bad) return nullptr;
  const size_t V = D > 0 ? typed_length(env, a.at(6)) / (size_t)D : 0;
  if (D > 0 && !check_indices(a, idx, N, V, pad, true)) return nullptr;
  k->embeddingBackward(dOut, idx, N, D, pad, dW);
  return undefined(env);
}

// ---------------------------------------------------------------- recurrent kernels (args objects as in backend.ts)

struct Dims {
  rk::SeqDims d{};
  size_t TB = 0;
};
bool read_dims(Args& a, napi_value o, Dims& out) {
  out.d.T = a.dim(a.prop(o, "T"), "T");
  out.d.B = a.dim(a.prop(o, "B"), "B");
  out.d.H = a.dim(a.prop(o, "H"), "H");
  out.d.lengths = a.i32n(a.prop(o, "lengths"), "lengths", (size_t)out.d.B);
  out.d.reverse = a.flag(a.prop(o, "reverse"), "reverse");
  out.TB = (size_t)out.d.T * out.d.B;
  return !a.bad;
}

// The LSTM (without projection) on blocks of batch rows, one per thread: rows are independent
// through time, so each block runs all T steps with no synchronisation (the per-step products of a
// whole batch would meet at every step). The backward's dW_hh += dXgᵀ·hPrev sums over all rows and
// is one threaded product afterwards. Every number is computed as in the single-block call.
int lstm_blocks(const rk::SeqDims& d, bool projection) {
  if (projection || d.B < 2) return 1;
  const double work = (double)d.T * d.B * 4.0 * d.H * d.H;  // multiply-adds of the recurrent products
  if (work < (1 << 22)) return 1;
  return parts_for(work, d.B);
}
int block_start(int B, int parts, int i) { return (int)((long)B * i / parts); }

// Make `d` the dims of row block i of `parts` (B rows from row b0; time steps stay Bs = the whole
// batch apart; lengths from row b0) and set b0; false for an empty block.
bool row_block(rk::SeqDims& d, int parts, int i, size_t& b0) {
  const int B = d.B, lo = block_start(B, parts, i), hi = block_start(B, parts, i + 1);
  if (hi <= lo) return false;
  d.B = hi - lo;
  d.Bs = B;
  if (d.lengths) d.lengths += lo;
  b0 = (size_t)lo;
  return true;
}

struct LstmFwdTask {
  const Kernels* k;
  const rk::LstmFwd* f;
  int parts;
};
void lstm_fwd_task(void* ctx, int i) {
  LstmFwdTask& t = *static_cast<LstmFwdTask*>(ctx);
  rk::LstmFwd g = *t.f;
  size_t r = 0;
  if (!row_block(g.d, t.parts, i, r)) return;
  const size_t H = g.d.H, G = 4 * H, P = g.P;
  g.xg += r * G, g.h0 += r * P, g.c0 += r * H, g.out += r * P, g.hN += r * P, g.cN += r * H;
  if (g.gates) g.gates += r * G, g.c += r * H, g.cPrev += r * H, g.hPrev += r * P;
  t.k->lstmForward(g);
}

struct LstmBwdTask {
  const Kernels* k;
  const rk::LstmBwd* f;
  int parts;
};
void lstm_bwd_task(void* ctx, int i) {
  LstmBwdTask& t = *static_cast<LstmBwdTask*>(ctx);
  rk::LstmBwd g = *t.f;
  size_t r = 0;
  if (!row_block(g.d, t.parts, i, r)) return;
  const size_t H = g.d.H, G = 4 * H, P = g.P;
  g.gates += r * G, g.c += r * H, g.cPrev += r * H, g.hPrev += r * P;
  if (g.dOut) g.dOut += r * P;
  if (g.dhN) g.dhN += r * P;
  if (g.dcN) g.dcN += r * H;
  g.dXg += r * G, g.dh0 += r * P, g.dc0 += r * H;
  t.k->lstmBackward(g);
}

napi_value LstmForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "lstmForward");
  const Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  Dims D;
  if (!read_dims(a, o, D)) return nullptr;
  rk::LstmFwd f{};
  f.d = D.d;
  const size_t B = D.d.B, H = D.d.H, TB = D.TB;
  const size_t P = f.P = a.dim(a.prop(o, "P"), "P");
  f.xg = a.f32(a.prop(o, "xg"), "xg", TB * 4 * H);
  f.xbias = a.f32n(a.prop(o, "xbias"), "xbias", 4 * H);
  f.whh = a.f32(a.prop(o, "whh"), "whh", 4 * H * P);
  f.whr = a.f32n(a.prop(o, "whr"), "whr", P * H);
  f.h0 = a.f32(a.prop(o, "h0"), "h0", B * P);
  f.c0 = a.f32(a.prop(o, "c0"), "c0", B * H);
  f.out = a.f32(a.prop(o, "out"), "out", TB * P);
  f.hN = a.f32(a.prop(o, "hN"), "hN", B * P);
  f.cN = a.f32(a.prop(o, "cN"), "cN", B * H);
  napi_value s = a.prop(o, "saved");
  if (!a.bad && !a.is_nullish(s)) {
    f.gates = a.f32(a.prop(s, "gates"), "saved.gates", TB * 4 * H);
    f.c = a.f32(a.prop(s, "c"), "saved.c", TB * H);
    f.cPrev = a.f32(a.prop(s, "cPrev"), "saved.cPrev", TB * H);
    f.hPrev = a.f32(a.prop(s, "hPrev"), "saved.hPrev", TB * P);
  }
  if (!a.bad && !f.whr && P != H) a.fail("range", "P = " + std::to_string(P) + " differs from H = " + std::to_string(H) + " but whr is null");
  if (a.bad) return nullptr;
  LstmFwdTask t{k, &f, lstm_blocks(f.d, f.whr != nullptr)};
  if (t.parts > 1) rk::parallel_for(t.parts, lstm_fwd_task, &t);
  else k->lstmForward(f);
  return undefined(env);
}

napi_value LstmBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "lstmBackward");
  const Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  Dims D;
  if (!read_dims(a, o, D)) return nullptr;
  rk::LstmBwd f{};
  f.d = D.d;
  const size_t B = D.d.B, H = D.d.H, TB = D.TB;
  const size_t P = f.P = a.dim(a.prop(o, "P"), "P");
  f.whh = a.f32(a.prop(o, "whh"), "whh", 4 * H * P);
  f.whr = a.f32n(a.prop(o, "whr"), "whr", P * H);
  napi_value s = a.prop(o, "saved");
  f.gates = a.f32(a.prop(s, "gates"), "saved.gates", TB * 4 * H);
  f.c = a.f32(a.prop(s, "c"), "saved.c", TB * H);
  f.cPrev = a.f32(a.prop(s, "cPrev"), "saved.cPrev", TB * H);
  f.hPrev = a.f32(a.prop(s, "hPrev"), "saved.hPrev", TB * P);
  f.dOut = a.f32n(a.prop(o, "dOut"), "dOut", TB * P);
  f.dhN = a.f32n(a.prop(o, "dhN"), "dhN", B * P);
  f.dcN = a.f32n(a.prop(o, "dcN"), "dcN", B * H);
  f.dXg = a.f32(a.prop(o, "dXg"), "dXg", TB * 4 * H);
  f.dWhh = a.f32(a.prop(o, "dWhh"), "dWhh", 4 * H * P);
  f.dWhr = a.f32n(a.prop(o, "dWhr"), "dWhr", P * H);
  f.dh0 = a.f32(a.prop(o, "dh0"), "dh0", B * P);
  f.dc0 = a.f32(a.prop(o, "dc0"), "dc0", B * H);
  if (!a.bad && !f.whr && P != H) a.fail("range", "P = " + std::to_string(P) + " differs from H = " + std::to_string(H) + " but whr is null");
  if (!a.bad && (f.whr == nullptr) != (f.dWhr == nullptr)) a.fail("type", "whr and dWhr must both be given or both be null");
  if (a.bad) return nullptr;
  LstmBwdTask t{k, &f, lstm_blocks(f.d, f.whr != nullptr)};
  if (t.parts > 1) {
    rk::parallel_for(t.parts, lstm_bwd_task, &t);
    k->gemm(true, false, (int)(4 * H), (int)P, (int)TB, 1.0f, f.dXg, f.hPrev, 1.0f, f.dWhh);
  } else {
    k->lstmBackward(f);
  }
  return undefined(env);
}

napi_value GruForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "gruForward");
  const Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  Dims D;
  if (!read_dims(a, o, D)) return nullptr;
  rk::GruFwd f{};
  f.d = D.d;
  const size_t B = D.d.B, H = D.d.H, TB = D.TB;
  f.xg = a.f32(a.prop(o, "xg"), "xg", TB * 3 * H);
  f.xbias = a.f32n(a.prop(o, "xbias"), "xbias", 3 * H);
  f.whh = a.f32(a.prop(o, "whh"), "whh", 3 * H * H);
  f.bhh = a.f32n(a.prop(o, "bhh"), "bhh", 3 * H);
  f.h0 = a.f32(a.prop(o, "h0"), "h0", B * H);
  f.out = a.f32(a.prop(o, "out"), "out", TB * H);
  f.hN = a.f32(a.prop(o, "hN"), "hN", B * H);
  napi_value s = a.prop(o, "saved");
  if (!a.bad && !a.is_nullish(s)) {
    f.gates = a.f32(a.prop(s, "gates"), "saved.gates", TB * 3 * H);
    f.hgn = a.f32(a.prop(s, "hgn"), "saved.hgn", TB * H);
    f.hPrev = a.f32(a.prop(s, "hPrev"), "saved.hPrev", TB * H);
  }
  if (a.bad) return nullptr;
  k->gruForward(f);
  return undefined(env);
}

napi_value GruBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "gruBackward");
  const Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  Dims D;
  if (!read_dims(a, o, D)) return nullptr;
  rk::GruBwd f{};
  f.d = D.d;
  const size_t B = D.d.B, H = D.d.H, TB = D.TB;
  f.whh = a.f32(a.prop(o, "whh"), "whh", 3 * H * H);
  napi_value s = a.prop(o, "saved");
  f.gates = a.f32(a.prop(s, "gates"), "saved.gates", TB * 3 * H);
  f.hgn = a.f32(a.prop(s, "hgn"), "saved.hgn", TB * H);
  f.hPrev = a.f32(a.prop(s, "hPrev"), "saved.hPrev", TB * H);
  f.dOut = a.f32n(a.prop(o, "dOut"), "dOut", TB * H);
  f.dhN = a.f32n(a.prop(o, "dhN"), "dhN", B * H);
  f.dXg = a.f32(a.prop(o, "dXg"), "dXg", TB * 3 * H);
  f.dHg = a.f32(a.prop(o, "dHg"), "dHg", TB * 3 * H);
  f.dWhh = a.f32(a.prop(o, "dWhh"), "dWhh", 3 * H * H);
  f.dh0 = a.f32(a.prop(o, "dh0"), "dh0", B * H);
  if (a.bad) return nullptr;
  k->gruBackward(f);
  return undefined(env);
}

napi_value RnnForward(napi_env env, napi_callback_info info) {
  Args a(env, info, "rnnForward");
  const Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  Dims D;
  if (!read_dims(a, o, D)) return nullptr;
  rk::RnnFwd f{};
  f.d = D.d;
  const size_t B = D.d.B, H = D.d.H, TB = D.TB;
  f.relu = a.flag(a.prop(o, "relu"), "relu");
  f.xg = a.f32(a.prop(o, "xg"), "xg", TB * H);
  f.xbias = a.f32n(a.prop(o, "xbias"), "xbias", H);
  f.whh = a.f32(a.prop(o, "whh"), "whh", H * H);
  f.h0 = a.f32(a.prop(o, "h0"), "h0", B * H);
  f.out = a.f32(a.prop(o, "out"), "out", TB * H);
  f.hN = a.f32(a.prop(o, "hN"), "hN", B * H);
  napi_value s = a.prop(o, "saved");
  if (!a.bad && !a.is_nullish(s)) {
    f.h = a.f32(a.prop(s, "h"), "saved.h", TB * H);
    f.hPrev = a.f32(a.prop(s, "hPrev"), "saved.hPrev", TB * H);
  }
  if (a.bad) return nullptr;
  k->rnnForward(f);
  return undefined(env);
}

napi_value RnnBackward(napi_env env, napi_callback_info info) {
  Args a(env, info, "rnnBackward");
  const Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  Dims D;
  if (!read_dims(a, o, D)) return nullptr;
  rk::RnnBwd f{};
  f.d = D.d;
  const size_t B = D.d.B, H = D.d.H, TB = D.TB;
  f.relu = a.flag(a.prop(o, "relu"), "relu");
  f.whh = a.f32(a.prop(o, "whh"), "whh", H * H);
  napi_value s = a.prop(o, "saved");
  f.h = a.f32(a.prop(s, "h"), "saved.h", TB * H);
  f.hPrev = a.f32(a.prop(s, "hPrev"), "saved.hPrev", TB * H);
  f.dOut = a.f32n(a.prop(o, "dOut"), "dOut", TB * H);
  f.dhN = a.f32n(a.prop(o, "dhN"), "dhN", B * H);
  f.dXg = a.f32(a.prop(o, "dXg"), "dXg", TB * H);
  f.dWhh = a.f32(a.prop(o, "dWhh"), "dWhh", H * H);
  f.dh0 = a.f32(a.prop(o, "dh0"), "dh0", B * H);
  if (a.bad) return nullptr;
  k->rnnBackward(f);
  return undefined(env);
}

// ---------------------------------------------------------------- optimizers and reductions

struct AdamTask {
  const Kernels* k;
  float* p;
  const float* g;
  float *m, *v;
  size_t n;
  const rk::AdamOpts* o;
  int parts;
};

// Slices start on multiples of 64 floats (whole vectors for every ISA): elementwise, so any split gives the same numbers.
void adam_task(void* ctx, int i) {
  AdamTask& t = *static_cast<AdamTask*>(ctx);
  const size_t blocks = (t.n + 63) / 64;
  const size_t j0 = blocks * i / t.parts * 64, j1a = blocks * (i + 1) / t.parts * 64, j1 = j1a < t.n ? j1a : t.n;
  if (j1 > j0) t.k->adamStep(t.p + j0, t.g + j0, t.m + j0, t.v + j0, j1 - j0, *t.o);
}

// adamStep(isa, p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
napi_value AdamStep(napi_env env, napi_callback_info info) {
  Args a(env, info, "adamStep");
  const Kernels* k = a.kernels(a.at(0));
  int n = a.dim(a.at(5), "n");
  float* p = a.f32(a.at(1), "p", (size_t)n);
  const float* g = a.f32(a.at(2), "g", (size_t)n);
  float* m = a.f32(a.at(3), "m", (size_t)n);
  float* v = a.f32(a.at(4), "v", (size_t)n);
  rk::AdamOpts o{};
  o.lr = a.num(a.at(6), "lr");
  o.beta1 = a.num(a.at(7), "beta1");
  o.beta2 = a.num(a.at(8), "beta2");
  o.eps = a.num(a.at(9), "eps");
  o.weightDecay = a.num(a.at(10), "weightDecay");
  o.decoupled = a.flag(a.at(11), "decoupled");
  o.step = a.num(a.at(12), "step");
  if (a.bad) return nullptr;
  AdamTask t{k, p, g, m, v, (size_t)n, &o, parts_for((double)n, (int)((n + 1023) / 1024))};
  rk::parallel_for(t.parts, adam_task, &t);
  return undefined(env);
}

// sgdStep(isa, p, g, buf | null, n, lr, momentum, dampening, weightDecay, nesterov, firstStep)
napi_value SgdStep(napi_env env, napi_callback_info info) {
  Args a(env, info, "sgdStep");
  const Kernels* k = a.kernels(a.at(0));
  int n = a.dim(a.at(4), "n");
  float* p = a.f32(a.at(1), "p", (size_t)n);
  const float* g = a.f32(a.at(2), "g", (size_t)n);
  float* buf = a.f32n(a.at(3), "buf", (size_t)n);
  rk::SgdOpts o{};
  o.lr = a.num(a.at(5), "lr");
  o.momentum = a.num(a.at(6), "momentum");
  o.dampening = a.num(a.at(7), "dampening");
  o.weightDecay = a.num(a.at(8), "weightDecay");
  o.nesterov = a.flag(a.at(9), "nesterov");
  o.firstStep = a.flag(a.at(10), "firstStep");
  if (a.bad) return nullptr;
  k->sgdStep(p, g, buf, (size_t)n, o);
  return undefined(env);
}

// sumSquares(isa, x, n) → number
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args a(env, info, "sumSquares");
  const Kernels* k = a.kernels(a.at(0));
  int n = a.dim(a.at(2), "n");
  const float* x = a.f32(a.at(1), "x", (size_t)n);
  if (a.bad) return nullptr;
  return number(env, k->sumSquares(x, (size_t)n));
}

// scale(isa, x, s, n)
struct ScaleTask {
  const Kernels* k;
  float* x;
  float s;
  size_t n;
  int parts;
};

void scale_task(void* ctx, int i) {  // elementwise: slices on 64-float boundaries, any split gives the same numbers
  ScaleTask& t = *static_cast<ScaleTask*>(ctx);
  const size_t blocks = (t.n + 63) / 64;
  const size_t j0 = blocks * i / t.parts * 64, j1a = blocks * (i + 1) / t.parts * 64, j1 = j1a < t.n ? j1a : t.n;
  if (j1 > j0) t.k->scale(t.x + j0, t.s, j1 - j0);
}

napi_value Scale(napi_env env, napi_callback_info info) {
  Args a(env, info, "scale");
  const Kernels* k = a.kernels(a.at(0));
  float s = (float)a.num(a.at(2), "s");
  int n = a.dim(a.at(3), "n");
  float* x = a.f32(a.at(1), "x", (size_t)n);
  if (a.bad) return nullptr;
  ScaleTask t{k, x, s, (size_t)n, parts_for((double)n, (n + 1023) / 1024)};
  rk::parallel_for(t.parts, scale_task, &t);
  return undefined(env);
}

// sumAxis(isa, x, outer, n, inner, out)
napi_value SumAxis(napi_env env, napi_callback_info info) {
  Args a(env, info, "sumAxis");
  const Kernels* k = a.kernels(a.at(0));
  int outer = a.dim(a.at(2), "outer"), n = a.dim(a.at(3), "n"), inner = a.dim(a.at(4), "inner");
  const float* x = a.f32(a.at(1), "x", (size_t)outer * n * inner);
  float* out = a.f32(a.at(5), "out", (size_t)outer * inner);
  if (a.bad) return nullptr;
  k->sumAxis(x, outer, n, inner, out);
  return undefined(env);
}

// ---------------------------------------------------------------- configuration

// fmaPeak(isa, iters) → flops done by a register-only FMA loop (time it to get the peak)
napi_value FmaPeak(napi_env env, napi_callback_info info) {
  Args a(env, info, "fmaPeak");
  const Kernels* k = a.kernels(a.at(0));
  int iters = a.dim(a.at(1), "iters");
  if (a.bad) return nullptr;
  return number(env, k->fmaPeak(iters));
}

// bestIsa() → 0 | 1 | 2
napi_value BestIsa(napi_env env, napi_callback_info) { return number(env, (double)rk::best_isa()); }

// setThreads(n) → effective n
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info, "setThreads");
  int n = a.dim(a.at(0), "n");
  if (a.bad) return nullptr;
  rk::set_threads(n);
  return number(env, rk::get_threads());
}

napi_value GetThreads(napi_env env, napi_callback_info) { return number(env, rk::get_threads()); }

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmaxCrossEntropy", nullptr, SoftmaxCE, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmaxCrossEntropyBackward", nullptr, SoftmaxCEBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"linearCrossEntropy", nullptr, LinearCE, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"embeddingForward", nullptr, EmbeddingForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"embeddingBackward", nullptr, EmbeddingBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lstmForward", nullptr, LstmForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lstmBackward", nullptr, LstmBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gruForward", nullptr, GruForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gruBackward", nullptr, GruBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"rnnForward", nullptr, RnnForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"rnnBackward", nullptr, RnnBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"scale", nullptr, Scale, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumAxis", nullptr, SumAxis, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fmaPeak", nullptr, FmaPeak, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bestIsa", nullptr, BestIsa, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  rk_register_step(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
