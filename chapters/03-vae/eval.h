/* eval.h: the test-set numbers of a VAE, in nats per example (article: the ELBO, and the
 * importance-weighted estimate of log p(x)):
 *   negative ELBO  = E_q[-log p(x|z)] + KL(q(z|x) || p(z))        (the KL in closed form)
 *   IW NLL (K)     = -log (1/K) sum_k w_k,  w_k = p(x|z_k) p(z_k) / q(z_k|x),  z_k ~ q(z|x)
 * The IW estimate is computed as a log-mean-exp of the log w_k (never exp of a log-likelihood
 * of -40 nats); it is an upper bound of -log p(x) in expectation that tightens as K grows and
 * equals the negative ELBO's sample at K = 1. For the categorical VAE, z is a discrete sample
 * (Gumbel-max) and p(z) the uniform prior. */
#ifndef VAE_EVAL_H
#define VAE_EVAL_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "model.h"

/* A running log-mean-exp: add values one at a time, without overflow. */
typedef struct {
    double max, sum; /* sum of exp(v - max) */
    size_t n;
} vae_lme;

void vae_lme_init(vae_lme *a);
void vae_lme_add(vae_lme *a, double v);
double vae_lme_value(const vae_lme *a); /* log((1/n) sum exp(v)); -inf when empty */

/* log w = log p(x|z) + log N(z; 0, I) - log N(z; mu, diag e^logvar), one row of L. */
double vae_log_weight(double log_px_given_z, const double *z, const double *mu,
                      const double *logvar, size_t L);

typedef struct {
    double neg_elbo, recon, kl; /* means over the rows: neg_elbo = recon + kl */
    double iw_nll;              /* mean over the rows of the K-sample estimate */
    size_t k;                   /* samples per row */
} vae_eval_result;

/* Evaluates m on every row of X with K samples per row (drawn from r), in chunks of m->cap
 * rows. With K = 1 the IW estimate is the single-sample ELBO. */
void vae_evaluate(vae_model *m, const gsl_matrix *X, size_t K, gsl_rng *r, vae_eval_result *res);
/* The same, with a progress line (progress.h) labelled label, counting the K samples of each
 * chunk; quiet silences it. */
void vae_evaluate_progress(vae_model *m, const gsl_matrix *X, size_t K, gsl_rng *r,
                           vae_eval_result *res, const char *label, int quiet);

#endif
