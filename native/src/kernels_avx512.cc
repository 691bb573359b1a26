// The avx512 kernel table: kernels_impl.inc compiled for this ISA only.
// System headers come first, outside the target region, so no inline function of theirs is ever
// emitted with wider instructions than the baseline.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,bmi,bmi2,f16c")
#define RK_AVX512
#define RK_NS isa_avx512
#define RK_NAME "avx512"
#include "kernels_impl.inc"
#pragma GCC pop_options

const rk::Kernels* rk::kernels_avx512() { return &rk::isa_avx512::TABLE; }
