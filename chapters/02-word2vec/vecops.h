/* vecops.h: the vector operations of the inner loop, on plain arrays of D doubles.
 *
 * word2vec spends nearly all its time here, on vectors of about 100 numbers: a BLAS call per
 * operation (cblas_ddot, cblas_daxpy) costs about as much as the work at this size, and GCC
 * at the project's -O2 leaves these loops scalar. So they are written on groups of four
 * doubles with GCC's vector extension (w2v_v4, supported by GCC and Clang): the compiler turns
 * each group operation into two SSE2 instructions, or one AVX2 instruction in the functions
 * marked W2V_HOT. The arithmetic is the same in every case, each lane adding its elements in
 * the fixed order spelled out above each function, so the results are bit-for-bit the same
 * with or without AVX2 (and no FMA: in -std=c11 GCC does not contract a * b + c).
 *
 * The plain versions are in the comments; test_vecops_plain (tests/test_word2vec.c) checks
 * these against them, bit for bit. */
#ifndef W2V_VECOPS_H
#define W2V_VECOPS_H

#include <stddef.h>
#include <string.h>

/* Functions compiled twice, for AVX2 and for any x86-64, the better one picked when the program
 * starts (GCC's function multiversioning). Elsewhere: plain functions. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(W2V_NO_CLONES)
#define W2V_HOT __attribute__((target_clones("avx2", "default")))
#else
#define W2V_HOT
#endif

typedef double w2v_v4 __attribute__((vector_size(4 * sizeof(double))));
/* GCC warns that passing such a vector by value would differ between the AVX and the plain
 * ABI: true of a function called across files, not of these inline helpers. */
#pragma GCC diagnostic ignored "-Wpsabi"

/* unaligned loads and stores of four doubles */
static inline w2v_v4 w2v_load4(const double *p)
{
    w2v_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void w2v_store4(double *p, const w2v_v4 *v) /* by address: see -Wpsabi above */
{
    memcpy(p, v, sizeof *v);
}

/* x · y, in eight partial sums (two groups of four), so that the additions of one group do not
 * wait for the other's: a single chain of additions would make the product wait about four
 * cycles per group. Plain: s[i % 8] += x[i] y[i] for the first n - n % 4 elements (elements
 * n - n % 8 .. n - n % 4 go to s[0..3]), then t = ((s0+s4) + (s1+s5)) + ((s2+s6) + (s3+s7)),
 * then t += x[i] y[i] for the last n % 4. */
static inline double w2v_dot(const double *restrict x, const double *restrict y, size_t n)
{
    w2v_v4 s0 = {0, 0, 0, 0}, s1 = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 += w2v_load4(x + i) * w2v_load4(y + i);
        s1 += w2v_load4(x + i + 4) * w2v_load4(y + i + 4);
    }
    if (i + 4 <= n) {
        s0 += w2v_load4(x + i) * w2v_load4(y + i);
        i += 4;
    }
    w2v_v4 s = s0 + s1;
    double t = (s[0] + s[1]) + (s[2] + s[3]);
    for (; i < n; i++) t += x[i] * y[i];
    return t;
}

/* y += a x. Plain: for each i, y[i] += a * x[i]. */
static inline void w2v_axpy(double a, const double *restrict x, double *restrict y, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        w2v_v4 yi = w2v_load4(y + i) + a * w2v_load4(x + i);
        w2v_store4(y + i, &yi);
    }
    for (; i < n; i++) y[i] += a * x[i];
}

/* e += g u, then u += g h: the two steps of one output vector in one pass over u (e's update
 * uses u before its own update, as two w2v_axpy calls in that order would).
 * Plain: for each i, e[i] += g * u[i]; u[i] += g * h[i]. */
static inline void w2v_step_pair(double g, double *restrict u, const double *restrict h,
                                 double *restrict e, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        w2v_v4 ui = w2v_load4(u + i);
        w2v_v4 ei = w2v_load4(e + i) + g * ui, uj = ui + g * w2v_load4(h + i);
        w2v_store4(e + i, &ei);
        w2v_store4(u + i, &uj);
    }
    for (; i < n; i++) {
        e[i] += g * u[i];
        u[i] += g * h[i];
    }
}

/* Asks the processor for row w of a table (all its cache lines) ahead of its use: a hint only,
 * with no effect on any result. always_inline: GCC judges a function that only prefetches to
 * have no effect, and drops the calls to it that it did not inline. */
static inline __attribute__((always_inline)) void w2v_prefetch_row(const double *row, size_t D)
{
    const char *p = (const char *)row;
    const size_t bytes = D * sizeof(double);
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(p + b, 1);
    __builtin_prefetch(p + bytes - 1, 1); /* the last line, when the row does not start one */
}

#endif
