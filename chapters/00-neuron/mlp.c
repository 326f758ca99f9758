/* mlp.c: the one-hidden-layer MLP, forward and backward side by side (see mlp.h). */
#include "mlp.h"

#include <stdlib.h>

#include "matrix.h"
#include "activations.h"
#include "dense.h"
#include "error.h"
#include "init.h"

neuron_mlp *neuron_mlp_alloc(size_t in, size_t hidden, size_t out)
{
    if (in == 0 || hidden == 0 || out == 0) {
        cm_error(CM_EINVAL, "mlp: sizes must be positive, got D=%zu H=%zu K=%zu", in, hidden, out);
        return NULL;
    }
    neuron_mlp *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->in = in;
    m->hidden = hidden;
    m->out = out;
    m->p = params_alloc();
    if (!m->p) goto fail;
    m->fc1_w = params_declare2(m->p, "fc1.weight", hidden, in);
    m->fc1_b = params_declare1(m->p, "fc1.bias", hidden);
    m->fc2_w = params_declare2(m->p, "fc2.weight", out, hidden);
    m->fc2_b = params_declare1(m->p, "fc2.bias", out);
    if (m->fc1_w < 0 || m->fc1_b < 0 || m->fc2_w < 0 || m->fc2_b < 0) goto fail;
    if (params_commit(m->p) != CM_OK) goto fail;
    return m;
fail:
    neuron_mlp_free(m);
    return NULL;
}

void neuron_mlp_free(neuron_mlp *m)
{
    if (!m) return;
    params_free(m->p);
    free(m);
}

void neuron_mlp_init(neuron_mlp *m, gsl_rng *r)
{
    init_torch_default(r, params_ptr(m->p, m->fc1_w), m->hidden * m->in, m->in);
    init_torch_default(r, params_ptr(m->p, m->fc1_b), m->hidden, m->in);
    init_torch_default(r, params_ptr(m->p, m->fc2_w), m->out * m->hidden, m->hidden);
    init_torch_default(r, params_ptr(m->p, m->fc2_b), m->out, m->hidden);
}

neuron_mlp_acts *neuron_mlp_acts_alloc(const neuron_mlp *m, size_t cap)
{
    if (cap == 0) {
        cm_error(CM_EINVAL, "mlp: batch capacity must be positive");
        return NULL;
    }
    neuron_mlp_acts *a = cm_calloc(1, sizeof *a);
    if (!a) return NULL;
    a->cap = cap;
    a->a1 = cm_matrix_calloc(cap, m->hidden);
    a->h1 = cm_matrix_calloc(cap, m->hidden);
    a->logits = cm_matrix_calloc(cap, m->out);
    a->dlogits = cm_matrix_calloc(cap, m->out);
    a->dh1 = cm_matrix_calloc(cap, m->hidden);
    a->da1 = cm_matrix_calloc(cap, m->hidden);
    if (!a->a1 || !a->h1 || !a->logits || !a->dlogits || !a->dh1 || !a->da1) {
        neuron_mlp_acts_free(a);
        cm_error(CM_ENOMEM, "mlp: out of memory for a batch of %zu", cap);
        return NULL;
    }
    return a;
}

void neuron_mlp_acts_free(neuron_mlp_acts *a)
{
    if (!a) return;
    gsl_matrix *ms[] = {a->a1, a->h1, a->logits, a->dlogits, a->dh1, a->da1};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        if (ms[i]) gsl_matrix_free(ms[i]);
    free(a);
}

/* Forward, three lines:
 *     a1 = X W1^T + b1         X (B,D), W1 (H,D), b1 (H)  -> a1 (B,H)
 *     h1 = relu(a1)                                       -> h1 (B,H)
 *     z  = h1 W2^T + b2        W2 (K,H), b2 (K)           -> z  (B,K) */
void neuron_mlp_forward(neuron_mlp *m, const gsl_matrix *X, neuron_mlp_acts *a)
{
    size_t B = X->size1;
    gsl_matrix_view W1 = params_matrix(m->p, m->fc1_w), W2 = params_matrix(m->p, m->fc2_w);
    gsl_vector_view b1 = params_vector(m->p, m->fc1_b), b2 = params_vector(m->p, m->fc2_b);
    gsl_matrix_view a1 = cm_matrix_rows(a->a1, B), h1 = cm_matrix_rows(a->h1, B);
    gsl_matrix_view z = cm_matrix_rows(a->logits, B);

    dense_forward(X, &W1.matrix, &b1.vector, &a1.matrix);
    for (size_t i = 0; i < B; i++) /* rows of a view are not contiguous in general */
        act_relu_array(gsl_matrix_ptr(&a1.matrix, i, 0), gsl_matrix_ptr(&h1.matrix, i, 0),
                       m->hidden);
    dense_forward(&h1.matrix, &W2.matrix, &b2.vector, &z.matrix);
}

/* Backward, the forward's lines in reverse:
 *     z  = h1 W2^T + b2   =>  dW2 += dz^T h1 (K,H),  db2 += 1^T dz (K),  dh1 = dz W2 (B,H)
 *     h1 = relu(a1)       =>  da1 = dh1 * [a1 > 0]                              (B,H)
 *     a1 = X W1^T + b1    =>  dW1 += da1^T X (H,D),  db1 += 1^T da1 (H), dX = da1 W1 (B,D) */
void neuron_mlp_backward(neuron_mlp *m, const gsl_matrix *X, neuron_mlp_acts *a,
                         const gsl_matrix *dlogits, gsl_matrix *dX)
{
    /* BEGIN EXERCISE neuron-2: the MLP backward pass */
    size_t B = X->size1;
    gsl_matrix_view W1 = params_matrix(m->p, m->fc1_w), W2 = params_matrix(m->p, m->fc2_w);
    gsl_matrix_view dW1 = params_grad_matrix(m->p, m->fc1_w);
    gsl_matrix_view dW2 = params_grad_matrix(m->p, m->fc2_w);
    gsl_vector_view db1 = params_grad_vector(m->p, m->fc1_b);
    gsl_vector_view db2 = params_grad_vector(m->p, m->fc2_b);
    gsl_matrix_view a1 = cm_matrix_rows(a->a1, B), h1 = cm_matrix_rows(a->h1, B);
    gsl_matrix_view dh1 = cm_matrix_rows(a->dh1, B), da1 = cm_matrix_rows(a->da1, B);

    dense_backward(&h1.matrix, &W2.matrix, dlogits, &dh1.matrix, &dW2.matrix, &db2.vector);
    gsl_matrix_set_zero(&da1.matrix); /* act_backward accumulates: dx += f'(x) dy */
    for (size_t i = 0; i < B; i++)
        act_backward(ACT_RELU, gsl_matrix_ptr(&a1.matrix, i, 0), gsl_matrix_ptr(&h1.matrix, i, 0),
                     gsl_matrix_ptr(&dh1.matrix, i, 0), gsl_matrix_ptr(&da1.matrix, i, 0),
                     m->hidden);
    dense_backward(X, &W1.matrix, &da1.matrix, dX, &dW1.matrix, &db1.vector);
    /* END EXERCISE */
}
