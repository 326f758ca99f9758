/* gauss.c: Hyvarinen's score-matching objective for a Gaussian model, its gradient, the closed
 * form it must reach, and plain gradient descent on it (gauss.h). */
#include "gauss.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_statistics.h>

#include "error.h"
#include "matrix.h"

score_gauss *score_gauss_alloc(size_t d)
{
    score_gauss *g = cm_calloc(1, sizeof *g);
    if (!g) return NULL;
    g->d = d;
    if (!(g->p = params_alloc())) goto fail;
    g->mu = params_declare1(g->p, "mu", d);
    g->A = params_declare2(g->p, "A", d, d);
    if (g->mu < 0 || g->A < 0 || params_commit(g->p) != CM_OK) goto fail;
    double *A = params_ptr(g->p, g->A);
    for (size_t i = 0; i < d; i++) A[i * d + i] = 1.0;
    return g;
fail:
    score_gauss_free(g);
    return NULL;
}

void score_gauss_free(score_gauss *g)
{
    if (!g) return;
    params_free(g->p);
    free(g);
}

void score_gauss_precision(score_gauss *g, gsl_matrix *P)
{
    size_t d = g->d;
    const double *A = params_ptr(g->p, g->A);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) gsl_matrix_set(P, i, j, 0.5 * (A[i * d + j] + A[j * d + i]));
}

double score_gauss_loss(score_gauss *g, const gsl_matrix *X, int backward)
{
    size_t d = g->d, N = X->size1;
    double P[64], G[64] = {0}, dmu[8] = {0}, r[8], y[8];
    if (d > 8) return NAN; /* the chapter's demonstration is 2-D; the tests use d <= 8 */
    const double *A = params_ptr(g->p, g->A), *mu = params_ptr(g->p, g->mu);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) P[i * d + j] = 0.5 * (A[i * d + j] + A[j * d + i]);
    double J = 0;
    for (size_t n = 0; n < N; n++) {
        for (size_t i = 0; i < d; i++) r[i] = gsl_matrix_get(X, n, i) - mu[i]; /* r = x - mu */
        for (size_t i = 0; i < d; i++) {                                       /* y = P r = -s(x) */
            y[i] = 0;
            for (size_t j = 0; j < d; j++) y[i] += P[i * d + j] * r[j];
            J += 0.5 * y[i] * y[i]; /* 1/2 ||s||^2 */
        }
        if (!backward) continue;
        for (size_t i = 0; i < d; i++) {
            for (size_t j = 0; j < d; j++) {
                G[i * d + j] += y[i] * r[j];   /* d(1/2 ||P r||^2)/dP = (P r) r^T */
                dmu[j] -= P[i * d + j] * y[i]; /* d/dmu = -P^T P r */
            }
        }
    }
    J /= (double)N;
    for (size_t i = 0; i < d; i++) J -= P[i * d + i]; /* tr(d s / d x) = -tr(P) */
    if (backward) {
        double *gA = params_grad_ptr(g->p, g->A), *gmu = params_grad_ptr(g->p, g->mu);
        for (size_t i = 0; i < d; i++) {
            gmu[i] += dmu[i] / (double)N;
            for (size_t j = 0; j < d; j++) {
                /* dJ/dP = G/N - I; P = (A + A^T)/2 so dJ/dA = (dJ/dP + dJ/dP^T) / 2 */
                double gij = G[i * d + j] / (double)N - (i == j);
                double gji = G[j * d + i] / (double)N - (i == j);
                gA[i * d + j] += 0.5 * (gij + gji);
            }
        }
    }
    return J;
}

void score_gauss_closed_form(const gsl_matrix *X, double *mean, gsl_matrix *cov)
{
    size_t N = X->size1, d = X->size2;
    for (size_t i = 0; i < d; i++) {
        gsl_vector_const_view c = gsl_matrix_const_column(X, i);
        mean[i] = gsl_stats_mean(c.vector.data, c.vector.stride, N);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            gsl_vector_const_view a = gsl_matrix_const_column(X, i),
                                  b = gsl_matrix_const_column(X, j);
            /* gsl_stats_covariance_m divides by N - 1; the minimizer is the 1/N covariance */
            double c = gsl_stats_covariance_m(a.vector.data, a.vector.stride, b.vector.data,
                                              b.vector.stride, N, mean[i], mean[j]);
            gsl_matrix_set(cov, i, j, c * (double)(N - 1) / (double)N);
        }
}

long score_gauss_fit(score_gauss *g, const gsl_matrix *X, double lr, long steps, double tol)
{
    long t = 0;
    for (; t < steps; t++) {
        params_zero_grad(g->p);
        score_gauss_loss(g, X, 1);
        if (params_grad_norm(g->p) < tol) break;
        for (size_t k = 0; k < g->p->size; k++) g->p->data[k] -= lr * g->p->grad[k];
    }
    return t;
}
