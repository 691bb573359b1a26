// Argument access shared by the N-API bindings (addon.cc, step_addon.cc): every kernel call reads
// its arguments through Args, which checks each typed array against the element count its shape
// needs and turns the first failure into a JS error, and holds flush-to-zero for the call.
#pragma once
#define NAPI_VERSION 8
#include <node_api.h>

#include <cmath>
#include <cstring>
#include <string>

#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
// Gradients that vanish through long sequences reach the denormal range, where x86 float
// arithmetic is ~100x slower. Kernels run with flush-to-zero + denormals-are-zero (as most BLAS
// and PyTorch's set_flush_denormal do); the caller's MXCSR is restored afterwards, so the
// JavaScript engine's own arithmetic is never affected.
struct FlushDenormals {
  unsigned saved;
  FlushDenormals() : saved(_mm_getcsr()) { _mm_setcsr(saved | 0x8040); }
  ~FlushDenormals() { _mm_setcsr(saved); }
};
#else
struct FlushDenormals {};
#endif

namespace {

using rk::Kernels;

// ---------------------------------------------------------------- argument access

/** Reads arguments of one call; the first failure throws a JS error and sets `bad`. */
struct Args {
  FlushDenormals ftz;  // held for the whole call: Args lives from a kernel's entry to its return
  napi_env env;
  const char* fn;
  napi_value argv[16];
  size_t argc = 16;
  bool bad = false;

  Args(napi_env e, napi_callback_info info, const char* name) : env(e), fn(name) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    for (size_t i = argc; i < 16; i++) argv[i] = nullptr;
  }

  void fail(const char* kind, const std::string& msg) {
    if (bad) return;
    bad = true;
    std::string m = std::string("rnnkit native ") + fn + ": " + msg;
    if (std::strcmp(kind, "range") == 0) napi_throw_range_error(env, nullptr, m.c_str());
    else napi_throw_type_error(env, nullptr, m.c_str());
  }

  napi_value at(size_t i) { return i < 16 ? argv[i] : nullptr; }

  napi_value prop(napi_value obj, const char* name) {
    napi_value v = nullptr;
    if (bad || !obj) return nullptr;
    if (napi_get_named_property(env, obj, name, &v) != napi_ok) {
      fail("type", std::string("cannot read property ") + name);
      return nullptr;
    }
    return v;
  }

  bool is_nullish(napi_value v) {
    if (!v) return true;
    napi_valuetype t;
    napi_typeof(env, v, &t);
    return t == napi_null || t == napi_undefined;
  }

  double num(napi_value v, const char* name) {
    double d = 0;
    if (bad) return 0;
    if (!v || napi_get_value_double(env, v, &d) != napi_ok) fail("type", std::string(name) + " must be a number");
    return d;
  }

  /** A non-negative integer dimension. */
  int dim(napi_value v, const char* name) {
    double d = num(v, name);
    if (bad) return 0;
    if (!(d >= 0 && d <= 2147483647.0) || d != std::floor(d)) {
      fail("range", std::string(name) + " must be a non-negative integer, got " + std::to_string(d));
      return 0;
    }
    return (int)d;
  }

  int integer(napi_value v, const char* name) {
    double d = num(v, name);
    if (bad) return 0;
    if (!(d >= -2147483648.0 && d <= 2147483647.0) || d != std::floor(d)) {
      fail("range", std::string(name) + " must be an integer, got " + std::to_string(d));
      return 0;
    }
    return (int)d;
  }

  bool flag(napi_value v, const char* name) {
    bool b = false;
    if (bad) return false;
    if (!v || napi_get_value_bool(env, v, &b) != napi_ok) fail("type", std::string(name) + " must be a boolean");
    return b;
  }

  void* typed(napi_value v, napi_typedarray_type want, const char* tname, const char* name, size_t need, bool nullable) {
    if (bad) return nullptr;
    if (is_nullish(v)) {
      if (!nullable) fail("type", std::string(name) + " must be a " + tname + ", got null");
      return nullptr;
    }
    bool is = false;
    napi_is_typedarray(env, v, &is);
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (!is || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != want) {
      fail("type", std::string(name) + " must be a " + tname);
      return nullptr;
    }
    if (length < need) {
      fail("range", std::string(name) + " has " + std::to_string(length) + " elements, expected at least " + std::to_string(need) +
                        " (hint: check the shapes passed with it)");
      return nullptr;
    }
    return data;
  }
  float* f32(napi_value v, const char* name, size_t need) { return (float*)typed(v, napi_float32_array, "Float32Array", name, need, false); }
  float* f32n(napi_value v, const char* name, size_t need) { return (float*)typed(v, napi_float32_array, "Float32Array", name, need, true); }
  int32_t* i32(napi_value v, const char* name, size_t need) { return (int32_t*)typed(v, napi_int32_array, "Int32Array", name, need, false); }
  int32_t* i32n(napi_value v, const char* name, size_t need) { return (int32_t*)typed(v, napi_int32_array, "Int32Array", name, need, true); }
  double* f64(napi_value v, const char* name, size_t need) { return (double*)typed(v, napi_float64_array, "Float64Array", name, need, false); }

  const Kernels* kernels(napi_value v) {
    int isa = integer(v, "isa");
    return rk::kernels_for(isa < 0 ? 0 : isa);
  }
};

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}
napi_value number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

}  // namespace
