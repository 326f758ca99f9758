/* gauss.h: exact score matching with a closed form (Hyvarinen 2005, section 3): the model is a
 * multivariate Gaussian with mean mu and precision P, whose score is s(x) = -P (x - mu) and
 * whose Jacobian is -P, so the objective J = E[ tr(d s / d x) + 1/2 ||s(x)||^2 ] is
 *
 *     J(mu, P) = 1/N sum_i 1/2 || P (x_i - mu) ||^2 - tr(P)
 *
 * Setting its gradient to zero gives mu = the sample mean and P^-1 = the sample covariance
 * (1/N): score matching recovers the maximum-likelihood Gaussian without ever evaluating the
 * normalizing constant. P is kept symmetric by parameterizing P = (A + A^T) / 2. */
#ifndef SCORE_GAUSS_H
#define SCORE_GAUSS_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

#include "params.h"

typedef struct {
    size_t d;
    params *p; /* "mu" (d), "A" (d, d); P = (A + A^T) / 2 */
    int mu, A;
} score_gauss;

score_gauss *score_gauss_alloc(size_t d); /* mu = 0, A = I; NULL on failure */
void score_gauss_free(score_gauss *g);

/* J(mu, P) on the rows of X (N, d); with backward, its gradient is accumulated into p->grad:
 *   dJ/dmu = -1/N sum_i P P (x_i - mu),  dJ/dA = sym(1/N sum_i P (x_i - mu)(x_i - mu)^T - I) */
double score_gauss_loss(score_gauss *g, const gsl_matrix *X, int backward);

/* The closed-form minimizer: mean (d) and covariance (d, d), 1/N (gsl_stats). */
void score_gauss_closed_form(const gsl_matrix *X, double *mean, gsl_matrix *cov);

/* Full-batch gradient descent with step lr for at most steps steps, stopping early when the
 * gradient norm falls below tol. Returns the steps taken. */
long score_gauss_fit(score_gauss *g, const gsl_matrix *X, double lr, long steps, double tol);

/* P = (A + A^T) / 2 into P (d, d). */
void score_gauss_precision(score_gauss *g, gsl_matrix *P);

#endif
