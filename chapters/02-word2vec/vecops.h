/* vecops.h: the vector operations of the inner loop, on plain arrays of D doubles.
 * word2vec spends nearly all its time in these, on vectors of about 100 numbers. Each loop is
 * written four elements at a time with independent sums, which lets the compiler use SIMD
 * instructions at the project's -O2 (GCC's SLP vectorizer) and keeps the additions of one sum
 * from waiting for another's; the last n % 4 elements are done one by one. A BLAS call
 * (cblas_ddot, cblas_daxpy) was measured slower at this size: the call costs about what the
 * work does (README, "Speed"). */
#ifndef W2V_VECOPS_H
#define W2V_VECOPS_H

#include <stddef.h>

/* x · y */
static inline double w2v_dot(const double *restrict x, const double *restrict y, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++) s0 += x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

/* y += a x */
static inline void w2v_axpy(double a, const double *restrict x, double *restrict y, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        y[i] += a * x[i];
        y[i + 1] += a * x[i + 1];
        y[i + 2] += a * x[i + 2];
        y[i + 3] += a * x[i + 3];
    }
    for (; i < n; i++) y[i] += a * x[i];
}

/* e += g u, then u += g h: the two steps of one output vector in one pass over u (the update
 * of e uses u's value before its own update, as two separate w2v_axpy calls would). */
static inline void w2v_step_pair(double g, double *restrict u, const double *restrict h,
                                 double *restrict e, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        e[i] += g * u[i];
        e[i + 1] += g * u[i + 1];
        e[i + 2] += g * u[i + 2];
        e[i + 3] += g * u[i + 3];
        u[i] += g * h[i];
        u[i + 1] += g * h[i + 1];
        u[i + 2] += g * h[i + 2];
        u[i + 3] += g * h[i + 3];
    }
    for (; i < n; i++) {
        e[i] += g * u[i];
        u[i] += g * h[i];
    }
}

#endif
