/* mlp.h: a multilayer perceptron with one hidden layer, as the PyTorch module
 *     nn.Sequential(OrderedDict(fc1=nn.Linear(D, H), relu=nn.ReLU(), fc2=nn.Linear(H, K)))
 * Parameters, one block (params.h), the names and shapes torch uses:
 *     "fc1.weight"  W1 (H, D)     "fc1.bias"  b1 (H)
 *     "fc2.weight"  W2 (K, H)     "fc2.bias"  b2 (K)
 * The forward and backward passes are written by hand next to each other (mlp.c). The
 * activations of one batch live in a workspace (neuron_mlp_acts) allocated once for a largest
 * batch; the passes never allocate. */
#ifndef NEURON_MLP_H
#define NEURON_MLP_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

typedef struct {
    size_t in, hidden, out; /* D, H, K */
    params *p;
    int fc1_w, fc1_b, fc2_w, fc2_b; /* tensor indices in p */
} neuron_mlp;

/* The forward pass's intermediate values for up to cap rows; a batch of B <= cap rows uses
 * the first B rows of each matrix. */
typedef struct {
    size_t cap;
    gsl_matrix *a1;      /* (cap, H) hidden pre-activation  a1 = X W1^T + b1 */
    gsl_matrix *h1;      /* (cap, H) hidden activation      h1 = relu(a1) */
    gsl_matrix *logits;  /* (cap, K) output                 z  = h1 W2^T + b2 */
    gsl_matrix *dlogits; /* (cap, K) d loss / d z */
    gsl_matrix *dh1;     /* (cap, H) d loss / d h1 */
    gsl_matrix *da1;     /* (cap, H) d loss / d a1 */
} neuron_mlp_acts;

neuron_mlp *neuron_mlp_alloc(size_t in, size_t hidden, size_t out); /* NULL: message set */
void neuron_mlp_free(neuron_mlp *m);
/* torch.nn.Linear's default init for both layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
void neuron_mlp_init(neuron_mlp *m, gsl_rng *r);

neuron_mlp_acts *neuron_mlp_acts_alloc(const neuron_mlp *m, size_t cap); /* NULL: message set */
void neuron_mlp_acts_free(neuron_mlp_acts *a);
/* Forward: X (B, D) with B <= a->cap; fills a1, h1, logits (first B rows). */
void neuron_mlp_forward(neuron_mlp *m, const gsl_matrix *X, neuron_mlp_acts *a);
/* Backward: given dlogits (B, K) = d loss / d z, accumulates dW1, db1, dW2, db2 into m->p's
 * gradient block and sets dX (B, D) = d loss / d X unless dX is NULL. Needs the a1, h1 of the
 * forward pass of the same X. */
void neuron_mlp_backward(neuron_mlp *m, const gsl_matrix *X, neuron_mlp_acts *a,
                         const gsl_matrix *dlogits, gsl_matrix *dX);

#endif
