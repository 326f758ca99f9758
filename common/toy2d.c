/* toy2d.c: two-dimensional toy data and exact Gaussian-mixture scores (toy2d.h). */
#include "toy2d.h"

#include <math.h>
#include <gsl/gsl_randist.h>

#include "error.h"

int toy2d_gmm_validate(const toy2d_gmm *g)
{
    if (g->k < 1 || g->k > TOY2D_MAX_COMPONENTS)
        return cm_error(CM_EINVAL, "a Gaussian mixture needs 1 to %d components, got %d",
                        TOY2D_MAX_COMPONENTS, g->k);
    double sum = 0;
    for (int j = 0; j < g->k; j++) {
        if (!(g->w[j] > 0) || !isfinite(g->w[j]))
            return cm_error(CM_EINVAL, "mixture weight %d is %g, expected > 0", j, g->w[j]);
        if (!(g->sd[j] > 0) || !isfinite(g->sd[j]))
            return cm_error(CM_EINVAL, "mixture standard deviation %d is %g, expected > 0", j,
                            g->sd[j]);
        if (!isfinite(g->mu[j][0]) || !isfinite(g->mu[j][1]))
            return cm_error(CM_EINVAL, "mixture mean %d is not finite", j);
        sum += g->w[j];
    }
    if (fabs(sum - 1) > 1e-12)
        return cm_error(CM_EINVAL, "mixture weights sum to %.17g, expected 1", sum);
    return CM_OK;
}

int toy2d_gmm_ring(toy2d_gmm *g, int k, double radius, double sd)
{
    if (k < 1 || k > TOY2D_MAX_COMPONENTS)
        return cm_error(CM_EINVAL, "ring: 1 to %d components, got %d", TOY2D_MAX_COMPONENTS, k);
    if (!(radius >= 0) || !isfinite(radius))
        return cm_error(CM_EINVAL, "ring: radius %g, expected >= 0", radius);
    g->k = k;
    for (int j = 0; j < k; j++) {
        double a = 2 * M_PI * j / k;
        g->w[j] = 1.0 / k;
        g->mu[j][0] = radius * cos(a);
        g->mu[j][1] = radius * sin(a);
        g->sd[j] = sd;
    }
    return toy2d_gmm_validate(g);
}

int toy2d_gmm_two_modes(toy2d_gmm *g, double w0, double c, double sd)
{
    if (!(w0 > 0 && w0 < 1))
        return cm_error(CM_EINVAL, "two modes: weight %g, expected in (0, 1)", w0);
    g->k = 2;
    g->w[0] = w0, g->w[1] = 1 - w0;
    g->mu[0][0] = g->mu[0][1] = -c;
    g->mu[1][0] = g->mu[1][1] = c;
    g->sd[0] = g->sd[1] = sd;
    return toy2d_gmm_validate(g);
}

int toy2d_gmm_sample(const toy2d_gmm *g, gsl_rng *r, gsl_matrix *X, int *labels)
{
    if (X->size2 != 2) return cm_error(CM_ESHAPE, "toy2d: X must have 2 columns");
    int st = toy2d_gmm_validate(g);
    if (st) return st;
    for (size_t i = 0; i < X->size1; i++) {
        /* the component by inverting the cumulative weights */
        double u = gsl_rng_uniform(r), c = 0;
        int j = 0;
        for (; j < g->k - 1; j++) {
            c += g->w[j];
            if (u < c) break;
        }
        gsl_matrix_set(X, i, 0, g->mu[j][0] + gsl_ran_gaussian(r, g->sd[j]));
        gsl_matrix_set(X, i, 1, g->mu[j][1] + gsl_ran_gaussian(r, g->sd[j]));
        if (labels) labels[i] = j;
    }
    return CM_OK;
}

/* log w_k + log N(x; mu_k, v_k I) for each k, v_k = sd_k^2 + sigma^2 (2-D: the normalizer is
 * 1 / (2 pi v_k)). */
static void log_terms(const toy2d_gmm *g, double sigma, const double x[2], double *lt)
{
    for (int j = 0; j < g->k; j++) {
        double v = g->sd[j] * g->sd[j] + sigma * sigma;
        double dx = x[0] - g->mu[j][0], dy = x[1] - g->mu[j][1];
        lt[j] = log(g->w[j]) - log(2 * M_PI * v) - 0.5 * (dx * dx + dy * dy) / v;
    }
}

static double logsumexp(const double *a, int n)
{
    double m = a[0];
    for (int j = 1; j < n; j++)
        if (a[j] > m) m = a[j];
    double s = 0;
    for (int j = 0; j < n; j++) s += exp(a[j] - m);
    return m + log(s);
}

double toy2d_gmm_logpdf(const toy2d_gmm *g, double sigma, const double x[2])
{
    double lt[TOY2D_MAX_COMPONENTS];
    log_terms(g, sigma, x, lt);
    return logsumexp(lt, g->k);
}

double toy2d_gmm_score(const toy2d_gmm *g, double sigma, const double x[2], double s[2])
{
    double lt[TOY2D_MAX_COMPONENTS];
    log_terms(g, sigma, x, lt);
    double lp = logsumexp(lt, g->k);
    s[0] = s[1] = 0;
    for (int j = 0; j < g->k; j++) {
        /* grad log p = sum_k r_k grad log N_k = sum_k r_k (mu_k - x) / v_k */
        double rk = exp(lt[j] - lp), v = g->sd[j] * g->sd[j] + sigma * sigma;
        s[0] += rk * (g->mu[j][0] - x[0]) / v;
        s[1] += rk * (g->mu[j][1] - x[1]) / v;
    }
    return lp;
}

int toy2d_gmm_nearest(const toy2d_gmm *g, const double x[2])
{
    int best = 0;
    double bd = INFINITY;
    for (int j = 0; j < g->k; j++) {
        double dx = x[0] - g->mu[j][0], dy = x[1] - g->mu[j][1], d = dx * dx + dy * dy;
        if (d < bd) bd = d, best = j;
    }
    return best;
}

int toy2d_moons(gsl_rng *r, gsl_matrix *X, double noise)
{
    if (X->size2 != 2) return cm_error(CM_ESHAPE, "toy2d: X must have 2 columns");
    if (!(noise >= 0)) return cm_error(CM_EINVAL, "moons: noise %g, expected >= 0", noise);
    for (size_t i = 0; i < X->size1; i++) {
        double t = M_PI * gsl_rng_uniform(r), x, y;
        if (gsl_rng_uniform(r) < 0.5)
            x = cos(t), y = sin(t);
        else
            x = 1 - cos(t), y = 0.5 - sin(t);
        gsl_matrix_set(X, i, 0, x + (noise > 0 ? gsl_ran_gaussian(r, noise) : 0));
        gsl_matrix_set(X, i, 1, y + (noise > 0 ? gsl_ran_gaussian(r, noise) : 0));
    }
    return CM_OK;
}

int toy2d_swiss_roll(gsl_rng *r, gsl_matrix *X, double noise)
{
    if (X->size2 != 2) return cm_error(CM_ESHAPE, "toy2d: X must have 2 columns");
    if (!(noise >= 0)) return cm_error(CM_EINVAL, "swiss roll: noise %g, expected >= 0", noise);
    for (size_t i = 0; i < X->size1; i++) {
        double t = 1.5 * M_PI * (1 + 2 * gsl_rng_uniform(r));
        gsl_matrix_set(X, i, 0, t * cos(t) / 3 + (noise > 0 ? gsl_ran_gaussian(r, noise) : 0));
        gsl_matrix_set(X, i, 1, t * sin(t) / 3 + (noise > 0 ? gsl_ran_gaussian(r, noise) : 0));
    }
    return CM_OK;
}

int toy2d_checkerboard(gsl_rng *r, gsl_matrix *X)
{
    if (X->size2 != 2) return cm_error(CM_ESHAPE, "toy2d: X must have 2 columns");
    for (size_t i = 0; i < X->size1; i++) {
        /* a square (col, row) of the 4 x 4 board with col + row even, then a point in it */
        int sq = (int)gsl_rng_uniform_int(r, 8), row = sq / 2, col = 2 * (sq % 2) + (row % 2);
        gsl_matrix_set(X, i, 0, -4 + 2 * (col + gsl_rng_uniform(r)));
        gsl_matrix_set(X, i, 1, -4 + 2 * (row + gsl_rng_uniform(r)));
    }
    return CM_OK;
}
