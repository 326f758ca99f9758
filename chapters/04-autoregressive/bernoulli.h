/* bernoulli.h: the per-variable likelihood of an autoregressive model on binary data.
 * Each conditional is a Bernoulli with logit z: p(x = 1 | x_<) = sigmoid(z). Its negative
 * log-likelihood, written stably as torch.nn.functional.binary_cross_entropy_with_logits is:
 *     -log p(x | z) = softplus(z) - x z = max(z, 0) - x z + log(1 + exp(-|z|))
 *     d/dz          = sigmoid(z) - x
 * The chain rule p(x) = prod_d p(x_{o_d} | x_{o_<d}) makes -log p(x) the sum over variables. */
#ifndef AR_BERNOULLI_H
#define AR_BERNOULLI_H

#include <gsl/gsl_matrix.h>

/* -log p(x | logit z) of one variable. */
double ar_bern_nll(double z, double x);

/* Z and X (B, D): nll[r] = sum_v ar_bern_nll(Z[r,v], X[r,v]) (nll may be NULL); returns the mean
 * over rows. If dZ != NULL, dZ = (sigmoid(Z) - X) / B: the gradient of that mean. */
double ar_bern_nll_rows(const gsl_matrix *Z, const gsl_matrix *X, double *nll, gsl_matrix *dZ);

#endif
