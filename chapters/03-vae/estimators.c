/* estimators.c: score-function, score-function with baseline and reparameterization
 * estimators of a Gaussian expectation's gradient (see estimators.h). */
#include "estimators.h"

#include <math.h>
#include <gsl/gsl_randist.h>

const char *vae_fn_name(vae_test_fn f)
{
    static const char *n[] = {"square", "sin", "step"};
    return f < VAE_F_COUNT ? n[f] : "?";
}

const char *vae_fn_formula(vae_test_fn f)
{
    static const char *n[] = {"z^2", "sin(z)", "[z > 0]"};
    return f < VAE_F_COUNT ? n[f] : "?";
}

const char *vae_est_name(vae_estimator e)
{
    static const char *n[] = {"score", "score+baseline", "reparam"};
    return e < VAE_EST_COUNT ? n[e] : "?";
}

double vae_fn_value(vae_test_fn f, double z)
{
    switch (f) {
    case VAE_F_SQUARE:
        return z * z;
    case VAE_F_SIN:
        return sin(z);
    default:
        return z > 0.0 ? 1.0 : 0.0;
    }
}

double vae_fn_deriv(vae_test_fn f, double z)
{
    switch (f) {
    case VAE_F_SQUARE:
        return 2.0 * z;
    case VAE_F_SIN:
        return cos(z);
    default:
        return 0.0; /* the step is flat except at 0: reparameterization sees no gradient */
    }
}

/* E z^2 = mu^2 + sigma^2;  E sin z = sin(mu) e^{-sigma^2/2};  E [z > 0] = Phi(mu / sigma). */
void vae_fn_exact_grad(vae_test_fn f, double mu, double sigma, double grad[2])
{
    switch (f) {
    case VAE_F_SQUARE:
        grad[0] = 2.0 * mu, grad[1] = 2.0 * sigma;
        break;
    case VAE_F_SIN: {
        double d = exp(-0.5 * sigma * sigma);
        grad[0] = cos(mu) * d, grad[1] = -sigma * sin(mu) * d;
        break;
    }
    default: {
        double phi = gsl_ran_ugaussian_pdf(mu / sigma);
        grad[0] = phi / sigma, grad[1] = -mu / (sigma * sigma) * phi;
    }
    }
}

void vae_est_sample(vae_estimator e, vae_test_fn f, double mu, double sigma, double eps, double b,
                    double grad[2])
{
    double z = mu + sigma * eps;
    if (e == VAE_EST_REPARAM) {
        double d = vae_fn_deriv(f, z);
        grad[0] = d, grad[1] = d * eps;
        return;
    }
    double fz = vae_fn_value(f, z) - (e == VAE_EST_BASELINE ? b : 0.0);
    /* grad log N(z; mu, sigma^2):  d/dmu = (z - mu)/sigma^2 = eps/sigma,
     *                              d/dsigma = (z - mu)^2/sigma^3 - 1/sigma = (eps^2 - 1)/sigma */
    grad[0] = fz * eps / sigma, grad[1] = fz * (eps * eps - 1.0) / sigma;
}

void vae_est_experiment(vae_estimator e, vae_test_fn f, double mu, double sigma, size_t N, size_t R,
                        gsl_rng *r, double mean[2], double var[2])
{
    double s[2] = {0, 0}, ss[2] = {0, 0}, b = 0.0;
    if (e == VAE_EST_BASELINE) { /* the pilot estimate of E f(z), drawn before the experiment */
        for (size_t i = 0; i < VAE_EST_PILOT; i++)
            b += vae_fn_value(f, mu + sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
        b /= VAE_EST_PILOT;
    }
    for (size_t rep = 0; rep < R; rep++) {
        double est[2] = {0, 0}, g[2];
        for (size_t i = 0; i < N; i++) {
            vae_est_sample(e, f, mu, sigma, gsl_ran_gaussian_ziggurat(r, 1.0), b, g);
            est[0] += g[0], est[1] += g[1];
        }
        for (int k = 0; k < 2; k++) {
            est[k] /= (double)N;
            s[k] += est[k];
            ss[k] += est[k] * est[k];
        }
    }
    for (int k = 0; k < 2; k++) {
        mean[k] = s[k] / (double)R;
        var[k] = R > 1 ? (ss[k] - (double)R * mean[k] * mean[k]) / (double)(R - 1) : 0.0;
        if (var[k] < 0) var[k] = 0; /* rounding, when every repeat gave the same value */
    }
}
