/* simd_libm.h: lets a `#pragma omp simd` loop call exp, tanh and log1p several at a time.
 *
 * Declaring the functions as having SIMD variants lets GCC call glibc's vector math library
 * (libmvec, the _ZGV* functions: 2 doubles at a time on any x86-64, 4 with AVX2, 8 with AVX-512)
 * from a vectorized loop. glibc declares them so itself only in GCC's fast-math mode, which this
 * project does not use: it would also let the compiler assume that no value is NaN. Include it
 * after <math.h>, in a file whose loops need it (common/vecmath.c; a chapter's fused loops).
 * CM_LIBMVEC says whether the declarations are in force; elsewhere the loops call libm one by
 * one. libmvec agrees with libm to a few units in the last place (tests/test_common_vecmath.c). */
#ifndef CM_SIMD_LIBM_H
#define CM_SIMD_LIBM_H

#include <math.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define CM_LIBMVEC 1
__attribute__((simd("notinbranch"))) double exp(double);
__attribute__((simd("notinbranch"))) double tanh(double);
#if __GLIBC_PREREQ(2, 35) /* libmvec's log1p (older glibc: libm's, one by one) */
__attribute__((simd("notinbranch"))) double log1p(double);
#endif
#else
#define CM_LIBMVEC 0
#endif

#endif
