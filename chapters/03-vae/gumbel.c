/* gumbel.c: Gumbel noise, Gumbel-max sampling and the Gumbel-softmax relaxation (gumbel.h). */
#include "gumbel.h"

#include <math.h>

#include "softmax.h"

double vae_gumbel_draw(gsl_rng *r)
{
    return -log(-log(gsl_rng_uniform_pos(r))); /* u in (0, 1): both logs finite */
}

size_t vae_gumbel_max(const double *alpha, size_t K, gsl_rng *r)
{
    size_t best = 0;
    double top = -INFINITY;
    for (size_t k = 0; k < K; k++) {
        double v = alpha[k] + vae_gumbel_draw(r);
        if (v > top) top = v, best = k;
    }
    return best;
}

void vae_gumbel_softmax_forward(const double *alpha, const double *g, size_t K, double tau,
                                double *y)
{
    for (size_t k = 0; k < K; k++) y[k] = (alpha[k] + g[k]) / tau;
    sm_softmax(y, y, K);
}

void vae_gumbel_softmax_backward(const double *y, const double *dy, size_t K, double tau,
                                 double *dalpha)
{
    /* BEGIN EXERCISE vae-4: the Gumbel-softmax backward */
    /* the softmax Jacobian dy_j/ds_k = y_j (delta_jk - y_k), then ds/dalpha = 1/tau */
    double dot = 0.0;
    for (size_t k = 0; k < K; k++) dot += y[k] * dy[k];
    for (size_t k = 0; k < K; k++) dalpha[k] += y[k] * (dy[k] - dot) / tau;
    /* END EXERCISE */
}

void vae_one_hot_argmax(const double *y, size_t K, double *out)
{
    size_t best = 0;
    for (size_t k = 1; k < K; k++)
        if (y[k] > y[best]) best = k;
    for (size_t k = 0; k < K; k++) out[k] = k == best ? 1.0 : 0.0;
}
