/* vecmath.h: exp, tanh, log1p, the logistic sigmoid and softplus over whole arrays, vectorized.
 *
 * A recurrent network spends more time in tanh and exp than in its matrix products unless
 * they run several at a time (chapter 01 measured 25% of an LSTM's training in glibc's scalar
 * tanh). On x86-64 with glibc and GCC these loops call glibc's vector math library (libmvec:
 * 2 doubles at a time on any x86-64, 4 with AVX2, 8 with AVX-512, chosen when the program
 * starts);
 * elsewhere they are plain loops over the C library's functions. Both agree with the scalar
 * libm results to a few units in the last place (tests/test_common_vecmath.c). */
#ifndef CM_VECMATH_H
#define CM_VECMATH_H

#include <stddef.h>

/* y[i] = f(x[i]) for i < n; y may equal x. */
void vm_exp(const double *x, double *y, size_t n);
void vm_tanh(const double *x, double *y, size_t n);
void vm_sigmoid(const double *x, double *y, size_t n);  /* 1 / (1 + exp(-x)) */
void vm_log1p(const double *x, double *y, size_t n);    /* log(1 + x), x > -1 (softplus) */
void vm_softplus(const double *x, double *y, size_t n); /* log(1 + e^x), as act_softplus */

/* "libmvec (SSE2 / AVX2 / AVX-512)" or "libm": which implementation this build uses, for --version
 * and the benchmark's header. */
const char *vm_backend(void);

#endif
