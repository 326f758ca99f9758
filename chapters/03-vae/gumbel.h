/* gumbel.h: discrete latent variables (article: the reparameterization trick, Gumbel-max and
 * Gumbel-softmax). For a categorical distribution with log-probabilities (or unnormalized
 * logits) alpha_1..alpha_K and g_k = -log(-log u_k), u_k ~ U(0, 1) independent Gumbel noise:
 *   Gumbel-max:      argmax_k (alpha_k + g_k)  is distributed as Categorical(softmax(alpha));
 *   Gumbel-softmax:  y = softmax((alpha + g) / tau), a point of the simplex that tends to that
 *                    one-hot sample as the temperature tau -> 0, and is differentiable in alpha;
 *   straight-through: the forward pass uses the one-hot argmax of y, the backward pass the
 *                    gradient of y (torch: y_hard - y.detach() + y). */
#ifndef VAE_GUMBEL_H
#define VAE_GUMBEL_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

/* One Gumbel(0, 1) draw: -log(-log u), u in (0, 1). */
double vae_gumbel_draw(gsl_rng *r);
/* argmax_k (alpha_k + g_k) with fresh noise: a sample of Categorical(softmax(alpha)). */
size_t vae_gumbel_max(const double *alpha, size_t K, gsl_rng *r);

/* y = softmax((alpha + g) / tau) over K entries. */
void vae_gumbel_softmax_forward(const double *alpha, const double *g, size_t K, double tau,
                                double *y);
/* Its backward (exercise vae-4): given y and dy, accumulates d/dalpha into dalpha:
 *   s = (alpha + g) / tau,  y = softmax(s)  =>  ds = y * (dy - sum_k y_k dy_k),  dalpha = ds / tau */
void vae_gumbel_softmax_backward(const double *y, const double *dy, size_t K, double tau,
                                 double *dalpha);
/* The one-hot vector of argmax y (ties: the first), for the straight-through variant. */
void vae_one_hot_argmax(const double *y, size_t K, double *out);

#endif
