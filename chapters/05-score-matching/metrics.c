/* metrics.c: scores for the samplers and the chapter's measurements (metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "cli.h"
#include "error.h"
#include "matrix.h"

int score_fn_model(void *ctx, const gsl_matrix *X, double sigma, gsl_matrix *S)
{
    score_model_ctx *c = ctx;
    size_t cap = c->m->cap;
    c->m->second_order = 0; /* sampling needs s only */
    for (size_t i = 0; i < cap; i++) c->sig[i] = sigma;
    for (size_t i0 = 0; i0 < X->size1; i0 += cap) {
        size_t n = X->size1 - i0 < cap ? X->size1 - i0 : cap;
        gsl_matrix_const_view Xc = gsl_matrix_const_submatrix(X, i0, 0, n, 2);
        gsl_matrix_view Sc = gsl_matrix_submatrix(S, i0, 0, n, 2);
        score_net_forward(c->m, &Xc.matrix, c->sig, &Sc.matrix);
    }
    return CM_OK;
}

int score_fn_gmm(void *ctx, const gsl_matrix *X, double sigma, gsl_matrix *S)
{
    const toy2d_gmm *g = ctx;
    for (size_t i = 0; i < X->size1; i++) {
        double x[2] = {gsl_matrix_get(X, i, 0), gsl_matrix_get(X, i, 1)}, s[2];
        toy2d_gmm_score(g, sigma, x, s);
        gsl_matrix_set(S, i, 0, s[0]);
        gsl_matrix_set(S, i, 1, s[1]);
    }
    return CM_OK;
}

double score_error(score_fn f, void *ctx, const toy2d_gmm *g, double sigma, size_t n, gsl_rng *r,
                   double *ref)
{
    gsl_matrix *X = cm_matrix_calloc(n, 2), *S = cm_matrix_calloc(n, 2);
    double err = NAN;
    if (!X || !S || toy2d_gmm_sample(g, r, X, NULL) != CM_OK) goto done;
    for (size_t i = 0; i < n; i++) /* x ~ p_sigma: a data point plus N(0, sigma^2 I) */
        for (size_t k = 0; k < 2; k++)
            gsl_matrix_set(X, i, k, gsl_matrix_get(X, i, k) + gsl_ran_gaussian(r, sigma));
    if (f(ctx, X, sigma, S) != CM_OK) goto done;
    double e = 0, z = 0;
    for (size_t i = 0; i < n; i++) {
        double x[2] = {gsl_matrix_get(X, i, 0), gsl_matrix_get(X, i, 1)}, t[2];
        toy2d_gmm_score(g, sigma, x, t);
        for (size_t k = 0; k < 2; k++) {
            double d = gsl_matrix_get(S, i, k) - t[k];
            e += d * d;
            z += t[k] * t[k];
        }
    }
    err = e / (double)n;
    if (ref) *ref = z / (double)n;
done:
    cm_matrix_free(X);
    cm_matrix_free(S);
    return err;
}

/* sum over pairs (i, j) of k(a_i, b_j), skipping i == j when same is 1 */
static double kernel_sum(const gsl_matrix *A, const gsl_matrix *B, double h, int same)
{
    double s = 0, c = -0.5 / (h * h);
    for (size_t i = 0; i < A->size1; i++) {
        double ax = gsl_matrix_get(A, i, 0), ay = gsl_matrix_get(A, i, 1);
        for (size_t j = 0; j < B->size1; j++) {
            if (same && i == j) continue;
            double dx = ax - gsl_matrix_get(B, j, 0), dy = ay - gsl_matrix_get(B, j, 1);
            s += exp(c * (dx * dx + dy * dy));
        }
    }
    return s;
}

double score_mmd2(const gsl_matrix *X, const gsl_matrix *Y, double h)
{
    double n = (double)X->size1, m = (double)Y->size1;
    /* MMD_u^2 = sum_{i!=j} k(x_i,x_j)/(n(n-1)) + sum_{i!=j} k(y_i,y_j)/(m(m-1))
     *         - 2 sum_{i,j} k(x_i,y_j)/(n m) */
    return kernel_sum(X, X, h, 1) / (n * (n - 1)) + kernel_sum(Y, Y, h, 1) / (m * (m - 1)) -
           2 * kernel_sum(X, Y, h, 0) / (n * m);
}

void score_mode_fractions(const toy2d_gmm *g, const gsl_matrix *X, double *frac)
{
    for (int k = 0; k < g->k; k++) frac[k] = 0;
    for (size_t i = 0; i < X->size1; i++) {
        double x[2] = {gsl_matrix_get(X, i, 0), gsl_matrix_get(X, i, 1)};
        frac[toy2d_gmm_nearest(g, x)] += 1.0 / (double)X->size1;
    }
}

int score_ladder_check(const double *sigmas, size_t L)
{
    if (L < 1) return cm_error(CM_EINVAL, "the noise ladder is empty");
    for (size_t i = 0; i < L; i++) {
        if (!(sigmas[i] > 0) || !isfinite(sigmas[i]))
            return cm_error(CM_EINVAL,
                            "noise level %zu is %g: every level must be a positive number", i + 1,
                            sigmas[i]);
        if (i > 0 && !(sigmas[i] < sigmas[i - 1]))
            return cm_error(CM_EINVAL,
                            "the noise ladder must decrease: level %zu is %g, not below level "
                            "%zu (%g)",
                            i + 1, sigmas[i], i, sigmas[i - 1]);
    }
    return CM_OK;
}

int score_ladder_geometric(double smax, double smin, size_t L, double *sigmas)
{
    if (L == 1) {
        sigmas[0] = smax;
        return score_ladder_check(sigmas, 1);
    }
    if (!(smin > 0) || !(smax > smin))
        return cm_error(CM_EINVAL, "a geometric ladder needs sigma_max %g > sigma_min %g > 0", smax,
                        smin);
    for (size_t i = 0; i < L; i++) sigmas[i] = smax * pow(smin / smax, (double)i / (double)(L - 1));
    return score_ladder_check(sigmas, L);
}

int score_ladder_parse(const char *s, double *sigmas, size_t max, size_t *L)
{
    size_t n = 0;
    const char *p = s;
    while (1) {
        /* each item strictly a decimal number (cli_parse_double: no hex, no nan, no overflow) */
        char item[64];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item)
            return cm_error(CM_EINVAL, "expected numbers separated by commas");
        memcpy(item, p, len);
        item[len] = '\0';
        double v;
        if (cli_parse_double(item, -1e300, 1e300, &v) != CM_OK)
            return cm_error(CM_EINVAL, "expected numbers separated by commas, got '%s'", item);
        if (n == max) return cm_error(CM_EINVAL, "at most %zu levels", max);
        sigmas[n++] = v;
        if (p[len] == '\0') break;
        p += len + 1;
    }
    *L = n;
    return score_ladder_check(sigmas, n);
}
