/* estimators.h: the gradient estimators of the reparameterization article, compared on
 *     grad_theta E_{z ~ N(mu, sigma^2)} [f(z)],  theta = (mu, sigma),
 * for simple f whose exact gradient is known:
 *   score function (REINFORCE):  f(z) grad_theta log N(z; mu, sigma^2), with eps = (z - mu)/sigma
 *       d/dmu:    f(z) eps / sigma            d/dsigma: f(z) (eps^2 - 1) / sigma
 *   with a baseline b: (f(z) - b) in place of f(z); b must not depend on the z it multiplies,
 *       so that the estimator stays unbiased (E[grad log N] = 0). Here b is E f(z) estimated
 *       once from VAE_EST_PILOT independent samples (a constant for the experiment), close to
 *       the baseline that minimizes the variance;
 *   reparameterization: z = mu + sigma eps, grad = f'(z) dz/dtheta
 *       d/dmu:    f'(z)                       d/dsigma: f'(z) eps
 * Each estimator averages N samples; the experiment repeats it R times and reports the mean
 * (the bias against the exact gradient) and the variance across repeats. */
#ifndef VAE_ESTIMATORS_H
#define VAE_ESTIMATORS_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

typedef enum { VAE_F_SQUARE, VAE_F_SIN, VAE_F_STEP, VAE_F_COUNT } vae_test_fn;
typedef enum { VAE_EST_SCORE, VAE_EST_BASELINE, VAE_EST_REPARAM, VAE_EST_COUNT } vae_estimator;

const char *vae_fn_name(vae_test_fn f);    /* "square", "sin", "step" */
const char *vae_fn_formula(vae_test_fn f); /* "z^2", ... */
const char *vae_est_name(vae_estimator e); /* "score", "score+baseline", "reparam" */
double vae_fn_value(vae_test_fn f, double z);
double vae_fn_deriv(vae_test_fn f, double z); /* f'(z); the step's is 0 (almost everywhere) */
/* The exact d/dmu and d/dsigma of E_{N(mu, sigma^2)} f. */
void vae_fn_exact_grad(vae_test_fn f, double mu, double sigma, double grad[2]);

/* One sample's estimate of (d/dmu, d/dsigma) from the noise eps; b is the baseline (used by
 * VAE_EST_BASELINE only). */
void vae_est_sample(vae_estimator e, vae_test_fn f, double mu, double sigma, double eps, double b,
                    double grad[2]);

#define VAE_EST_PILOT 1000

/* R repeats of the N-sample estimator: mean[2] and var[2] (unbiased, across repeats). */
void vae_est_experiment(vae_estimator e, vae_test_fn f, double mu, double sigma, size_t N, size_t R,
                        gsl_rng *r, double mean[2], double var[2]);

#endif
