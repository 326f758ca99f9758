/* fvsbn.h: the fully visible sigmoid belief network: one logistic regression per variable, on
 * the variables before it in the ordering o (article: FVSBN).
 *     p(x_{o_d} = 1 | x_{o_<d}) = sigmoid(b_{o_d} + sum_{k<d} W[o_d, o_k] x_{o_k})
 * As a layer: Z = X (W . M)^T + b, torch.nn.Linear(D, D) whose weight is masked by
 * M[v, u] = 1 if pos[u] < pos[v] (u comes before v), a strictly lower triangular matrix in the
 * ordering. The forward pass multiplies by the mask (a D x D copy, cheap beside the dgemm), so
 * that the entries outside it are not parameters of the function at all; they are also kept 0
 * (initialized so, their gradient masked, so that Adam never moves them).
 * Parameters: D biases and D(D-1)/2 weights, D(D+1)/2 in all (2080 for D = 64). */
#ifndef AR_FVSBN_H
#define AR_FVSBN_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

typedef struct {
    size_t D;
    size_t *order, *pos; /* (D) the ordering and its inverse */
    gsl_matrix *mask;    /* (D, D) M[v, u] = 1 if pos[u] < pos[v] */
    gsl_matrix *Wm;      /* (D, D) W . M, the weight the forward pass uses */
    params *p;           /* "weight" (D, D), zero outside the mask; "bias" (D) */
    int iW, ib;
} ar_fvsbn;

ar_fvsbn *ar_fvsbn_alloc(size_t D, const size_t *order); /* NULL: message set */
void ar_fvsbn_free(ar_fvsbn *m);
/* torch.nn.Linear's default U(-1/sqrt(D), 1/sqrt(D)), then masked. */
void ar_fvsbn_init(ar_fvsbn *m, gsl_rng *r);
/* The free parameters: the D(D+1)/2 of the article's formula. */
size_t ar_fvsbn_n_free(const ar_fvsbn *m);

/* Z (B, D) = the logits of every conditional, X (B, D). */
void ar_fvsbn_forward(ar_fvsbn *m, const gsl_matrix *X, gsl_matrix *Z);
/* Given dZ (B, D): weight.grad += (dZ^T X) . M, bias.grad += column sums of dZ. */
void ar_fvsbn_backward(ar_fvsbn *m, const gsl_matrix *X, const gsl_matrix *dZ);

#endif
