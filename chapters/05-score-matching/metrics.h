/* metrics.h: the scores a sampler can use (the model's, and the exact one of a Gaussian
 * mixture), and the measurements of chapter 05: the score error against the exact score per
 * noise level, the kernel MMD between samples and fresh data, the fraction of samples per mode,
 * and the noise ladder. */
#ifndef SCORE_METRICS_H
#define SCORE_METRICS_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "net.h"
#include "langevin.h"
#include "toy2d.h"

/* score_fn of a trained model: rows in chunks of the model's batch capacity. */
typedef struct {
    score_net *m;
    double *sig; /* (m->cap) scratch */
} score_model_ctx;
int score_fn_model(void *ctx, const gsl_matrix *X, double sigma, gsl_matrix *S);
/* score_fn of a toy2d_gmm (ctx): the exact grad log (p * N(0, sigma^2 I)). */
int score_fn_gmm(void *ctx, const gsl_matrix *X, double sigma, gsl_matrix *S);

/* E ||s(x, sigma) - grad log p_sigma(x)||^2 over n fresh draws x ~ p_sigma = p * N(0, sigma^2 I)
 * (the Fisher divergence the objectives minimize); *ref gets E ||grad log p_sigma||^2, the
 * error of the zero field, so err / ref is a relative error. NAN on an error. */
double score_error(score_fn f, void *ctx, const toy2d_gmm *g, double sigma, size_t n, gsl_rng *r,
                   double *ref);

/* The unbiased squared MMD between the rows of X (n, 2) and Y (m, 2) with the Gaussian kernel
 * k(a, b) = exp(-||a - b||^2 / (2 h^2)) (Gretton et al. 2012, eq. 3). */
double score_mmd2(const gsl_matrix *X, const gsl_matrix *Y, double h);

/* frac[k] = the share of the rows of X nearest to component k's mean. */
void score_mode_fractions(const toy2d_gmm *g, const gsl_matrix *X, double *frac);

/* sigmas[i] = smax (smin / smax)^(i / (L - 1)), a geometric ladder (NCSN). CM_OK or CM_EINVAL. */
int score_ladder_geometric(double smax, double smin, size_t L, double *sigmas);
/* Every level > 0 and finite, strictly decreasing. CM_OK or CM_EINVAL naming the level. */
int score_ladder_check(const double *sigmas, size_t L);
/* Parses "1,0.5,0.1" into sigmas (at most max levels), then checks it. */
int score_ladder_parse(const char *s, double *sigmas, size_t max, size_t *L);

#endif
