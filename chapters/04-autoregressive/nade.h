/* nade.h: the neural autoregressive distribution estimator (article: NADE; Larochelle and
 * Murray 2011). Every conditional is a one-hidden-layer network, and the networks share
 * their input weights W, so that the hidden pre-activations obey a recurrence:
 *     a_1     = c                                          (H)
 *     a_{d+1} = a_d + W_{:, o_d} x_{o_d}                    the O(H) update per step
 *     h_d     = sigmoid(a_d)
 *     p(x_{o_d} = 1 | x_{o_<d}) = sigmoid(b_{o_d} + V_{o_d, :} h_d)
 * One pass over the D variables costs O(D H), where D separate networks would cost O(D^2 H).
 * Parameters: W (H x D), c (H), V (D x H), b (D): 2DH + D + H (8320 for D = H = 64).
 *
 * Storage: the tensor "W" is the article's W stored transposed, shape (D, H): row v is the
 * column W_{:, v}, the hidden units' weights on input v, so that the recurrence reads one
 * contiguous row. "V" (D, H), "c" (H), "b" (D) are as in the article. */
#ifndef AR_NADE_H
#define AR_NADE_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

typedef struct {
    size_t D, H;
    size_t *order; /* (D) */
    params *p;     /* "W" (D, H) transposed, "c" (H), "V" (D, H), "b" (D) */
    int iW, ic, iV, ib;
    size_t cap;  /* rows the workspace holds */
    double *hs;  /* (cap, D, H) h_d of every row and step, kept for the backward pass */
    double *a;   /* (H) the running pre-activation of the forward pass */
    double *acc; /* (H) the running sum of dL/da_d of the backward pass */
} ar_nade;

ar_nade *ar_nade_alloc(size_t D, size_t H, const size_t *order, size_t cap); /* NULL: message */
void ar_nade_free(ar_nade *m);
/* U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch.nn.Linear: fan_in D for W and c, H for V and b. */
void ar_nade_init(ar_nade *m, gsl_rng *r);
size_t ar_nade_n_params(size_t D, size_t H); /* 2DH + D + H */

/* Z (B, D), B <= cap: the logit of every conditional, by the O(DH) recurrence; keeps h_d of
 * every row and step for ar_nade_backward. */
void ar_nade_forward(ar_nade *m, const gsl_matrix *X, gsl_matrix *Z);
/* Given dZ (B, D) and the X of the last forward: accumulates the gradients of W, c, V, b. */
void ar_nade_backward(ar_nade *m, const gsl_matrix *X, const gsl_matrix *dZ);
/* The same logits computed the naive way, each a_d from scratch as c + sum_{k<d} W_{:,o_k}
 * x_{o_k}: O(D^2 H). For the test that the recurrence computes the same thing. */
void ar_nade_forward_naive(ar_nade *m, const gsl_matrix *X, gsl_matrix *Z);

#endif
