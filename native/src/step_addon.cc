// N-API bindings of the inference stepper (StepNet in kernels.h; Stepper in src/kernels/backend.ts).
// A stepper is an external object: it keeps references to the model's weight arrays (read in
// place, never copied: a weight changed in place is seen at the next step) and owns one block of
// memory for the carried state and the scratch of a step, allocated when it is created. A step
// allocates nothing. A weight matrix whose every value is an exact half-precision number (a model
// loaded from an F16 checkpoint) is also copied once to half precision, which the step then reads
// instead: the same numbers from half the bytes (such a copy does not see later in-place changes).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "napi_args.h"
#include "step_addon.h"

namespace {

struct NativeStepper {
  const rk::Kernels* k = nullptr;
  rk::StepNet net{};
  std::vector<rk::StepLayerW> layers;
  std::vector<napi_ref> refs;  // the weight arrays, alive while the stepper is
  std::vector<float*> hcur, hnext;
  std::vector<uint16_t*> halves;  // half-precision weight copies (aligned_alloc)
  float* mem = nullptr;
  double* sums = nullptr;
  bool live = true;
};

void free_stepper(napi_env env, NativeStepper* s) {
  if (!s->live) return;
  s->live = false;
  for (napi_ref r : s->refs) napi_delete_reference(env, r);
  s->refs.clear();
  free(s->mem);
  free(s->sums);
  for (uint16_t* h : s->halves) free(h);
  s->halves.clear();
  s->mem = nullptr;
  s->sums = nullptr;
}

void finalize_stepper(napi_env env, void* data, void*) {
  NativeStepper* s = static_cast<NativeStepper*>(data);
  free_stepper(env, s);
  delete s;
}

size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

/** x as an IEEE binary16 number in h when that is exact (finite, in range, no bit lost); else false. */
bool half_exact(float x, uint16_t& h) {
  uint32_t u;
  memcpy(&u, &x, 4);
  const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
  const int e = (int)((u >> 23) & 0xff);
  const uint32_t m = u & 0x7fffffu;
  if (e == 0) {  // ±0 (float subnormals lie far below half's smallest, 2^-24)
    h = sign;
    return m == 0;
  }
  const int E = e - 127;
  if (e == 255 || E > 15 || E < -24) return false;
  if (E >= -14) {  // normal half: 10 mantissa bits
    h = (uint16_t)(sign | ((E + 15) << 10) | (m >> 13));
    return (m & 0x1fffu) == 0;
  }
  const uint32_t sig = m | 0x800000u;  // subnormal half k·2^-24, k = sig·2^(E+1)
  const int sh = -(E + 1);             // 14..23
  h = (uint16_t)(sign | (sig >> sh));
  return (sig & ((1u << sh) - 1)) == 0;
}

/**
 * A half-precision copy of A [R, K] in rows of half_ld(K) halves (zero-padded, 64-byte aligned), or
 * null when some value of A is not an exact half (then the step reads A itself).
 */
uint16_t* half_copy(const float* A, size_t R, int K) {
  const size_t ld = (size_t)rk::half_ld(K), bytes = ((R * ld * 2 + 63) / 64) * 64;
  uint16_t* h = static_cast<uint16_t*>(aligned_alloc(64, bytes ? bytes : 64));
  if (!h) return nullptr;
  memset(h, 0, bytes);
  for (size_t r = 0; r < R; r++)
    for (int k = 0; k < K; k++)
      if (!half_exact(A[r * K + k], h[r * ld + k])) {
        free(h);
        return nullptr;
      }
  return h;
}

/** The stepper behind argument 0 (an external made by stepperCreate), or null after a JS error. */
NativeStepper* unwrap(Args& a) {
  void* p = nullptr;
  napi_valuetype t;
  if (a.bad) return nullptr;
  if (napi_typeof(a.env, a.at(0), &t) != napi_ok || t != napi_external || napi_get_value_external(a.env, a.at(0), &p) != napi_ok || !p) {
    a.fail("type", "the stepper handle must be the object stepperCreate returned");
    return nullptr;
  }
  NativeStepper* s = static_cast<NativeStepper*>(p);
  if (!s->live) {
    a.fail("type", "the stepper was disposed");
    return nullptr;
  }
  return s;
}

// stepperCreate(isa, { cell: 0..3, H, B, V, E, C, embedding, decoder, decoderBias, layers: [{ I, wIh, wHh, bIh, bHh }], half }) → handle
// half: keep half-precision copies of the weight matrices that are exact halves (when the ISA reads them).
napi_value StepperCreate(napi_env env, napi_callback_info info) {
  Args a(env, info, "stepperCreate");
  const rk::Kernels* k = a.kernels(a.at(0));
  napi_value o = a.at(1);
  const int cell = a.integer(a.prop(o, "cell"), "cell");
  const int H = a.dim(a.prop(o, "H"), "H"), B = a.dim(a.prop(o, "B"), "B"), V = a.dim(a.prop(o, "V"), "V");
  const int E = a.dim(a.prop(o, "E"), "E"), C = a.dim(a.prop(o, "C"), "C");
  if (!a.bad && (cell < 0 || cell > 3)) a.fail("range", "cell must be 0 (LSTM), 1 (GRU), 2 (RNN tanh) or 3 (RNN relu), got " + std::to_string(cell));
  if (!a.bad && (H < 1 || B < 1 || V < 1 || E < 1 || C < 1)) a.fail("range", "H, B, V, E and C must all be ≥ 1");
  if (a.bad) return nullptr;
  const int G = cell == 0 ? 4 : cell == 1 ? 3 : 1;
  const size_t GH = (size_t)G * H;
  std::vector<napi_value> arrays;
  auto keep = [&](napi_value v) {
    if (!a.is_nullish(v)) arrays.push_back(v);
  };
  NativeStepper* s = new NativeStepper();
  s->k = k;
  rk::StepNet& n = s->net;
  n.cell = cell, n.H = H, n.B = B, n.V = V, n.E = E, n.C = C;
  napi_value emb = a.prop(o, "embedding"), dec = a.prop(o, "decoder"), decb = a.prop(o, "decoderBias");
  n.emb = a.f32(emb, "embedding", (size_t)V * E);
  n.dec = a.f32(dec, "decoder", (size_t)C * H);
  n.decb = a.f32n(decb, "decoderBias", (size_t)C);
  keep(emb), keep(dec), keep(decb);
  napi_value ls = a.prop(o, "layers");
  uint32_t L = 0;
  if (!a.bad && napi_get_array_length(env, ls, &L) != napi_ok) a.fail("type", "layers must be an array");
  if (!a.bad && L < 1) a.fail("range", "a stepper needs at least one layer");
  for (uint32_t l = 0; l < L && !a.bad; l++) {
    napi_value lo;
    napi_get_element(env, ls, l, &lo);
    rk::StepLayerW w{};
    const std::string nm = "layers[" + std::to_string(l) + "].";
    w.I = a.dim(a.prop(lo, "I"), (nm + "I").c_str());
    if (!a.bad && w.I != (l == 0 ? E : H)) a.fail("range", nm + "I must be " + std::to_string(l == 0 ? E : H) + ", got " + std::to_string(w.I));
    napi_value wIh = a.prop(lo, "wIh"), wHh = a.prop(lo, "wHh"), bIh = a.prop(lo, "bIh"), bHh = a.prop(lo, "bHh");
    w.wIh = a.f32(wIh, (nm + "wIh").c_str(), GH * w.I);
    w.wHh = a.f32(wHh, (nm + "wHh").c_str(), GH * H);
    w.bIh = a.f32n(bIh, (nm + "bIh").c_str(), GH);
    w.bHh = a.f32n(bHh, (nm + "bHh").c_str(), GH);
    keep(wIh), keep(wHh), keep(bIh), keep(bHh);
    s->layers.push_back(w);
  }
  if (a.bad) {
    delete s;
    return nullptr;
  }
  napi_value hv = a.prop(o, "half");
  const bool half = k->stepHalf && !a.is_nullish(hv) && a.flag(hv, "half");
  if (a.bad) {
    delete s;
    return nullptr;
  }
  if (half) {
    auto copy = [&](const float* A, size_t R, int K) {
      uint16_t* h = half_copy(A, R, K);
      if (h) s->halves.push_back(h);
      return h;
    };
    for (uint32_t l = 0; l < L; l++) {
      rk::StepLayerW& w = s->layers[l];
      w.hIh = copy(w.wIh, GH, w.I);
      w.hHh = copy(w.wHh, GH, H);
    }
    n.hdec = copy(n.dec, C, H);
  }
  n.L = (int)L;
  n.layers = s->layers.data();
  // one block: h (two per layer), c, bias, g, hg, x0, chunk maxima — each 64-byte aligned
  const size_t BH = (size_t)B * H, chunks = (size_t)(C + rk::STEP_CHUNK - 1) / rk::STEP_CHUNK;
  const size_t sizes[] = {BH * 2 * L, cell == 0 ? BH * L : 0, GH * L, B * GH, cell == 1 ? B * GH : 0, (size_t)B * E, B * chunks};
  size_t total = 0;
  for (size_t z : sizes) total += round16(z);
  s->mem = static_cast<float*>(aligned_alloc(64, 4 * (total ? total : 16)));
  s->sums = static_cast<double*>(aligned_alloc(64, 8 * round16(B * chunks)));
  if (!s->mem || !s->sums) {
    free(s->mem);
    free(s->sums);
    delete s;
    a.fail("range", "out of memory for the stepper's state");
    return nullptr;
  }
  memset(s->mem, 0, 4 * total);
  float* p = s->mem;
  auto take = [&](size_t z) {
    float* q = p;
    p += round16(z);
    return q;
  };
  float* h = take(sizes[0]);
  for (uint32_t l = 0; l < L; l++) {
    s->hcur.push_back(h + 2 * l * BH);
    s->hnext.push_back(h + (2 * l + 1) * BH);
  }
  n.hcur = s->hcur.data();
  n.hnext = s->hnext.data();
  n.c = take(sizes[1]);
  n.bias = take(sizes[2]);
  n.g = take(sizes[3]);
  n.hg = take(sizes[4]);
  n.x0 = take(sizes[5]);
  n.chunkMax = take(sizes[6]);
  n.chunkSum = s->sums;
  for (napi_value v : arrays) {
    napi_ref r;
    napi_create_reference(env, v, 1, &r);
    s->refs.push_back(r);
  }
  k->stepInit(n);
  napi_value ext;
  if (napi_create_external(env, s, finalize_stepper, nullptr, &ext) != napi_ok) {
    free_stepper(env, s);
    delete s;
    a.fail("type", "could not create the stepper handle");
    return nullptr;
  }
  return ext;
}

// stepperStep(handle, ids: Int32Array [B], output 0..3, temperature, out: Float32Array [B, C] | null)
napi_value StepperStep(napi_env env, napi_callback_info info) {
  Args a(env, info, "stepperStep");
  NativeStepper* s = unwrap(a);
  if (!s) return nullptr;
  rk::StepNet& n = s->net;
  const int32_t* ids = a.i32(a.at(1), "ids", (size_t)n.B);
  const int output = a.integer(a.at(2), "output");
  const float temperature = (float)a.num(a.at(3), "temperature");
  float* out = output != 0 ? a.f32(a.at(4), "out", (size_t)n.B * n.C) : nullptr;
  if (!a.bad && (output < 0 || output > 3)) a.fail("range", "output must be 0 (none), 1 (logits), 2 (probs) or 3 (logprobs), got " + std::to_string(output));
  if (!a.bad && output == 2 && !(temperature > 0 && std::isfinite(temperature))) a.fail("range", "temperature must be a finite number > 0, got " + std::to_string(temperature));
  for (int b = 0; b < n.B && !a.bad; b++)
    if (ids[b] < 0 || ids[b] >= n.V) a.fail("range", "token id " + std::to_string(ids[b]) + " (stream " + std::to_string(b) + ") is out of [0, " + std::to_string(n.V) + ")");
  if (a.bad) return nullptr;
  s->k->step(n, ids, output, temperature, out);
  return undefined(env);
}

// stepperGetState(handle, h [L, B, H], c [L, B, H] | null)
napi_value StepperGetState(napi_env env, napi_callback_info info) {
  Args a(env, info, "stepperGetState");
  NativeStepper* s = unwrap(a);
  if (!s) return nullptr;
  rk::StepNet& n = s->net;
  const size_t BH = (size_t)n.B * n.H;
  float* h = a.f32(a.at(1), "h", n.L * BH);
  float* c = n.cell == 0 ? a.f32n(a.at(2), "c", n.L * BH) : nullptr;
  if (a.bad) return nullptr;
  for (int l = 0; l < n.L; l++) memcpy(h + l * BH, n.hcur[l], 4 * BH);
  if (c) memcpy(c, n.c, 4 * n.L * BH);
  return undefined(env);
}

// stepperSetState(handle, h | null, c | null): null sets zeros
napi_value StepperSetState(napi_env env, napi_callback_info info) {
  Args a(env, info, "stepperSetState");
  NativeStepper* s = unwrap(a);
  if (!s) return nullptr;
  rk::StepNet& n = s->net;
  const size_t BH = (size_t)n.B * n.H;
  const float* h = a.f32n(a.at(1), "h", n.L * BH);
  const float* c = n.cell == 0 ? a.f32n(a.at(2), "c", n.L * BH) : nullptr;
  if (a.bad) return nullptr;
  for (int l = 0; l < n.L; l++) {
    if (h) memcpy(n.hcur[l], h + l * BH, 4 * BH);
    else memset(n.hcur[l], 0, 4 * BH);
  }
  if (n.cell == 0) {
    if (c) memcpy(n.c, c, 4 * n.L * BH);
    else memset(n.c, 0, 4 * n.L * BH);
  }
  return undefined(env);
}

// stepperHalf(handle) → how many weight matrices the step reads from half-precision copies
napi_value StepperHalf(napi_env env, napi_callback_info info) {
  Args a(env, info, "stepperHalf");
  NativeStepper* s = unwrap(a);
  if (!s) return nullptr;
  napi_value v;
  napi_create_uint32(env, (uint32_t)s->halves.size(), &v);
  return v;
}

// stepperFree(handle): the memory now, the weights' references released (the handle is then dead)
napi_value StepperFree(napi_env env, napi_callback_info info) {
  Args a(env, info, "stepperFree");
  NativeStepper* s = unwrap(a);
  if (!s) return nullptr;
  free_stepper(env, s);
  return undefined(env);
}

}  // namespace

void rk_register_step(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"stepperCreate", nullptr, StepperCreate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stepperStep", nullptr, StepperStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stepperGetState", nullptr, StepperGetState, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stepperSetState", nullptr, StepperSetState, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stepperHalf", nullptr, StepperHalf, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stepperFree", nullptr, StepperFree, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
