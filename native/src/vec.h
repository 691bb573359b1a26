// The vector abstraction kernels_impl.inc is written against: VF holds W floats, VM is a lane
// mask. Included once per ISA translation unit, after that unit's `#pragma GCC target`, with
// exactly one of RK_AVX512 / RK_AVX2 / RK_SCALAR defined. Everything here is `static inline`
// (internal linkage), so no wide-ISA code can be merged into another unit by the linker.
#pragma once
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#if defined(RK_AVX512)
#define W 16
typedef __m512 VF;
typedef __mmask16 VM;
static inline VF vset1(float a) { return _mm512_set1_ps(a); }
static inline VF vzero() { return _mm512_setzero_ps(); }
static inline VF vld(const float* p) { return _mm512_loadu_ps(p); }
static inline void vst(float* p, VF v) { _mm512_storeu_ps(p, v); }
static inline __mmask16 tailmask(int n) { return (__mmask16)((1u << n) - 1u); }
/** Load/store the first n ≤ W lanes (the rest read as 0 / left untouched). */
static inline VF vldn(const float* p, int n) { return n == W ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(tailmask(n), p); }
static inline void vstn(float* p, VF v, int n) {
  if (n == W) _mm512_storeu_ps(p, v);
  else _mm512_mask_storeu_ps(p, tailmask(n), v);
}
static inline VF vadd(VF a, VF b) { return _mm512_add_ps(a, b); }
static inline VF vsub(VF a, VF b) { return _mm512_sub_ps(a, b); }
static inline VF vmul(VF a, VF b) { return _mm512_mul_ps(a, b); }
static inline VF vdiv(VF a, VF b) { return _mm512_div_ps(a, b); }
static inline VF vfma(VF a, VF b, VF c) { return _mm512_fmadd_ps(a, b, c); }  // a·b + c
static inline VF vmax(VF a, VF b) { return _mm512_max_ps(a, b); }  // NaN in b propagates
static inline VF vmin(VF a, VF b) { return _mm512_min_ps(a, b); }
static inline VF vabs(VF a) { return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), a); }
static inline VF vneg(VF a) { return _mm512_xor_ps(_mm512_set1_ps(-0.0f), a); }
static inline VF vsqrt(VF a) { return _mm512_sqrt_ps(a); }
static inline VF vround(VF a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/** 2^n for integral n in [-126, 127]. */
static inline VF vpow2i(VF n) {
  __m512i i = _mm512_cvtps_epi32(n);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(i, _mm512_set1_epi32(127)), 23));
}
static inline VM vge(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline VM vlt(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline VM vgt(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
/** m ? a : b per lane. */
static inline VF vsel(VM m, VF a, VF b) { return _mm512_mask_blend_ps(m, b, a); }
/** W half-precision floats (IEEE binary16) widened to float: exact. */
static inline VF vldh(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)p)); }
#define STEP_HALF true
static inline float vhsum(VF a) { return _mm512_reduce_add_ps(a); }
static inline float vhmax(VF a) { return _mm512_reduce_max_ps(a); }

#elif defined(RK_AVX2)
#define W 8
typedef __m256 VF;
typedef __m256 VM;
static inline VF vset1(float a) { return _mm256_set1_ps(a); }
static inline VF vzero() { return _mm256_setzero_ps(); }
static inline VF vld(const float* p) { return _mm256_loadu_ps(p); }
static inline void vst(float* p, VF v) { _mm256_storeu_ps(p, v); }
static inline __m256i tailmask(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
static inline VF vldn(const float* p, int n) { return n == W ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tailmask(n)); }
static inline void vstn(float* p, VF v, int n) {
  if (n == W) _mm256_storeu_ps(p, v);
  else _mm256_maskstore_ps(p, tailmask(n), v);
}
static inline VF vadd(VF a, VF b) { return _mm256_add_ps(a, b); }
static inline VF vsub(VF a, VF b) { return _mm256_sub_ps(a, b); }
static inline VF vmul(VF a, VF b) { return _mm256_mul_ps(a, b); }
static inline VF vdiv(VF a, VF b) { return _mm256_div_ps(a, b); }
static inline VF vfma(VF a, VF b, VF c) { return _mm256_fmadd_ps(a, b, c); }
static inline VF vmax(VF a, VF b) { return _mm256_max_ps(a, b); }
static inline VF vmin(VF a, VF b) { return _mm256_min_ps(a, b); }
static inline VF vabs(VF a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline VF vneg(VF a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }
static inline VF vsqrt(VF a) { return _mm256_sqrt_ps(a); }
static inline VF vround(VF a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline VF vpow2i(VF n) {
  __m256i i = _mm256_cvtps_epi32(n);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(i, _mm256_set1_epi32(127)), 23));
}
static inline VM vge(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
static inline VM vlt(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline VM vgt(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline VF vsel(VM m, VF a, VF b) { return _mm256_blendv_ps(b, a, m); }
static inline VF vldh(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)p)); }
#define STEP_HALF true
static inline float vhsum(VF a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
static inline float vhmax(VF a) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#elif defined(RK_SCALAR)
#define W 1
typedef float VF;
typedef bool VM;
static inline VF vset1(float a) { return a; }
static inline VF vzero() { return 0.0f; }
static inline VF vld(const float* p) { return *p; }
static inline void vst(float* p, VF v) { *p = v; }
static inline VF vldn(const float* p, int) { return *p; }
static inline void vstn(float* p, VF v, int) { *p = v; }
static inline VF vadd(VF a, VF b) { return a + b; }
static inline VF vsub(VF a, VF b) { return a - b; }
static inline VF vmul(VF a, VF b) { return a * b; }
static inline VF vdiv(VF a, VF b) { return a / b; }
static inline VF vfma(VF a, VF b, VF c) { return a * b + c; }
// Same NaN rule as maxps: the second operand is returned when either is NaN.
static inline VF vmax(VF a, VF b) { return a > b ? a : b; }
static inline VF vmin(VF a, VF b) { return a < b ? a : b; }
static inline VF vabs(VF a) {
  uint32_t u;
  memcpy(&u, &a, 4);
  u &= 0x7fffffffu;
  memcpy(&a, &u, 4);
  return a;
}
static inline VF vneg(VF a) { return -a; }
static inline VF vsqrt(VF a) { return __builtin_sqrtf(a); }
static inline VF vround(VF a) {
  // round half away from zero; |a| < 2^23 here (exp's clamped argument), ties never matter
  return (float)(int)(a >= 0.0f ? a + 0.5f : a - 0.5f);
}
static inline VF vpow2i(VF n) {
  uint32_t u = (uint32_t)((int)n + 127) << 23;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline VM vge(VF a, VF b) { return a >= b; }
static inline VM vlt(VF a, VF b) { return a < b; }
static inline VM vgt(VF a, VF b) { return a > b; }
static inline VF vsel(VM m, VF a, VF b) { return m ? a : b; }
static inline float vhsum(VF a) { return a; }
static inline float vhmax(VF a) { return a; }
/** binary16 → float in software (the scalar table does not use half copies: STEP_HALF false). */
static inline VF vldh(const uint16_t* p) {
  const uint32_t h = *p, sign = (h & 0x8000u) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float f = e == 0 ? (float)m * 5.9604644775390625e-8f : e == 31 ? (m ? __builtin_nanf("") : __builtin_inff()) : 0.0f;
  uint32_t u;
  if (e != 0 && e != 31) {
    u = sign | ((e + 112) << 23) | (m << 13);
    memcpy(&f, &u, 4);
    return f;
  }
  memcpy(&u, &f, 4);
  u |= sign;
  memcpy(&f, &u, 4);
  return f;
}
#define STEP_HALF false
#else
#error "define one of RK_AVX512, RK_AVX2, RK_SCALAR"
#endif

// ---- transcendental functions (Cephes single-precision polynomials, ~1–2 ulp) ----

/** e^x; 0 below −87.3 (where 2^n would leave the normal range), NaN propagates. */
static inline VF vexp(VF x) {
  const VF lo = vset1(-87.3f), hi = vset1(88.3f);
  VF xc = vmin(hi, vmax(lo, x));  // NaN in x survives (second operand)
  VF n = vround(vmul(xc, vset1(1.44269504088896341f)));
  VF r = vfma(n, vset1(-0.693359375f), xc);  // Cody–Waite split of ln 2
  r = vfma(n, vset1(2.12194440e-4f), r);
  VF p = vset1(1.9875691500e-4f);
  p = vfma(p, r, vset1(1.3981999507e-3f));
  p = vfma(p, r, vset1(8.3334519073e-3f));
  p = vfma(p, r, vset1(4.1665795894e-2f));
  p = vfma(p, r, vset1(1.6666665459e-1f));
  p = vfma(p, r, vset1(5.0000001201e-1f));
  VF y = vadd(vfma(vmul(p, r), r, r), vset1(1.0f));
  y = vmul(y, vpow2i(n));
  y = vsel(vlt(x, lo), vzero(), y);
  return vsel(vgt(x, hi), vset1(__builtin_inff()), y);
}

/** σ(x) = 1/(1+e^−x) for x ≥ 0, e^x/(1+e^x) otherwise (as the reference). */
static inline VF vsigmoid(VF x) {
  VF e = vexp(vneg(vabs(x)));
  VF num = vsel(vge(x, vzero()), vset1(1.0f), e);
  return vdiv(num, vadd(vset1(1.0f), e));
}

/** tanh: odd polynomial below |x| = 0.625, (1 − e^−2|x|)/(1 + e^−2|x|) above. */
static inline VF vtanh(VF x) {
  VF ax = vabs(x);
  VF z = vmul(x, x);
  VF p = vset1(-5.70498872745e-3f);
  p = vfma(p, z, vset1(2.06390887954e-2f));
  p = vfma(p, z, vset1(-5.37397155531e-2f));
  p = vfma(p, z, vset1(1.33314422036e-1f));
  p = vfma(p, z, vset1(-3.33332819422e-1f));
  VF small = vfma(vmul(p, z), x, x);
  VF e = vexp(vmul(ax, vset1(-2.0f)));
  VF big = vdiv(vsub(vset1(1.0f), e), vadd(vset1(1.0f), e));
  big = vsel(vlt(x, vzero()), vneg(big), big);
  return vsel(vlt(ax, vset1(0.625f)), small, big);
}
