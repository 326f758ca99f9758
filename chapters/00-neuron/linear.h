/* linear.h: the linear models of chapter 00: logistic regression (K = 1 output, sigmoid and
 * binary cross-entropy) and softmax regression (K classes, softmax and cross-entropy).
 * Both are one torch.nn.Linear layer  Z = X W^T + b:
 *     "linear.weight"  W  (K, D)
 *     "linear.bias"    b  (K)
 * in one parameter block (params.h), so optimizers and checkpoints walk it as a flat array. */
#ifndef NEURON_LINEAR_H
#define NEURON_LINEAR_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

typedef struct {
    size_t in, out; /* D inputs, K outputs */
    params *p;      /* "linear.weight" (K, D), "linear.bias" (K) */
    int w, b;       /* tensor indices in p */
} neuron_linear;

/* NULL on failure (message set). */
neuron_linear *neuron_linear_alloc(size_t in, size_t out);
void neuron_linear_free(neuron_linear *m);
/* torch.nn.Linear's default: U(-1/sqrt(D), 1/sqrt(D)) for W and b. */
void neuron_linear_init(neuron_linear *m, gsl_rng *r);

/* Forward:  Z = X W^T + 1 b^T.   X (B, D), Z (B, K). */
void neuron_linear_forward(neuron_linear *m, const gsl_matrix *X, gsl_matrix *Z);
/* Backward of the same line: dW += dZ^T X, db += sum_rows dZ, dX = dZ W (dX may be NULL).
 * X (B, D), dZ (B, K), dX (B, D). */
void neuron_linear_backward(neuron_linear *m, const gsl_matrix *X, const gsl_matrix *dZ,
                            gsl_matrix *dX);

/* Logistic regression's loss on a batch: mean binary cross-entropy of sigmoid(z) against
 * t in {0, 1}, as torch.nn.functional.binary_cross_entropy_with_logits. Z (B, 1) from the
 * forward pass, T (B, 1); dZ (B, 1) receives (sigmoid(z) - t) / B when not NULL. */
double neuron_logistic_loss(const gsl_matrix *Z, const gsl_matrix *T, gsl_matrix *dZ);
/* Fraction of rows with [z > 0] == t. */
double neuron_logistic_accuracy(const gsl_matrix *Z, const gsl_matrix *T);

#endif
