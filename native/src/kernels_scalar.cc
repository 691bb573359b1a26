// The scalar kernel table: kernels_impl.inc compiled for this ISA only.
// System headers come first, outside the target region, so no inline function of theirs is ever
// emitted with wider instructions than the baseline.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#pragma GCC push_options
// baseline x86-64 (SSE2): no target change
#define RK_SCALAR
#define RK_NS isa_scalar
#define RK_NAME "scalar"
#include "kernels_impl.inc"
#pragma GCC pop_options

const rk::Kernels* rk::kernels_scalar() { return &rk::isa_scalar::TABLE; }
