/* toy2d.h: seeded two-dimensional toy data sets, and isotropic Gaussian mixtures with their
 * exact density and score (the gradient of log p), also after adding Gaussian noise of any
 * level (the convolution of a Gaussian mixture with N(0, s^2 I) is again a Gaussian mixture,
 * each component's variance grown by s^2). Every draw comes from the gsl_rng passed in.
 *
 *     toy2d_gmm g;
 *     toy2d_gmm_ring(&g, 8, 4.0, 0.2);               // 8 Gaussians on a circle of radius 4
 *     toy2d_gmm_sample(&g, rng, X, labels);          // X (n, 2), labels (n) or NULL
 *     toy2d_gmm_score(&g, 0.5, x, s);                // s = grad log (p * N(0, 0.5^2 I)) at x
 */
#ifndef CM_TOY2D_H
#define CM_TOY2D_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#define TOY2D_MAX_COMPONENTS 64

/* p(x) = sum_k w[k] N(x; mu[k], sd[k]^2 I), x in R^2. */
typedef struct {
    int k;                          /* number of components, 1..TOY2D_MAX_COMPONENTS */
    double w[TOY2D_MAX_COMPONENTS]; /* weights, positive, summing to 1 */
    double mu[TOY2D_MAX_COMPONENTS][2];
    double sd[TOY2D_MAX_COMPONENTS]; /* standard deviations, > 0 */
} toy2d_gmm;

/* k equal-weight components of standard deviation sd at angles 2 pi j / k on a circle of the
 * given radius. CM_OK or CM_EINVAL (message set). */
int toy2d_gmm_ring(toy2d_gmm *g, int k, double radius, double sd);
/* Two components of standard deviation sd, weight w0 at (-c, -c) and 1 - w0 at (c, c) (the
 * NCSN paper's example: w0 = 0.8, c = 5, sd = 1). CM_OK or CM_EINVAL. */
int toy2d_gmm_two_modes(toy2d_gmm *g, double w0, double c, double sd);
/* Checks the weights (positive, summing to 1 within 1e-12), sds (> 0) and k. CM_OK/CM_EINVAL. */
int toy2d_gmm_validate(const toy2d_gmm *g);

/* n = X->size1 draws (X has 2 columns); labels[i] gets the component (labels may be NULL). */
int toy2d_gmm_sample(const toy2d_gmm *g, gsl_rng *r, gsl_matrix *X, int *labels);
/* log of the density of p * N(0, sigma^2 I) at x (sigma = 0: p itself). */
double toy2d_gmm_logpdf(const toy2d_gmm *g, double sigma, const double x[2]);
/* s = grad_x log (p * N(0, sigma^2 I))(x): sum_k r_k(x) (mu_k - x) / (sd_k^2 + sigma^2), with
 * r_k the posterior responsibility of component k, computed in log space (no underflow far
 * from every component). Returns log p at x too. */
double toy2d_gmm_score(const toy2d_gmm *g, double sigma, const double x[2], double s[2]);
/* The component whose mean is nearest to x (for counting samples per mode). */
int toy2d_gmm_nearest(const toy2d_gmm *g, const double x[2]);

/* Other shapes (no closed-form score). Each fills n = X->size1 rows of X (2 columns).
 * Two moons: the upper half circle of radius 1 centred at (0, 0) and the lower one centred at
 * (1, 0.5) (scikit-learn's make_moons), plus N(0, noise^2) on each coordinate. */
int toy2d_moons(gsl_rng *r, gsl_matrix *X, double noise);
/* Swiss roll in 2-D: t ~ U(1.5 pi, 4.5 pi), (t cos t, t sin t) / 3 + N(0, noise^2). */
int toy2d_swiss_roll(gsl_rng *r, gsl_matrix *X, double noise);
/* Checkerboard: uniform on the 8 dark squares of a 4 x 4 board covering [-4, 4]^2. */
int toy2d_checkerboard(gsl_rng *r, gsl_matrix *X);

#endif
