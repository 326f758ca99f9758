/* linear.c: logistic and softmax regression, forward and backward side by side. */
#include "linear.h"

#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "error.h"
#include "init.h"
#include "softmax.h"

neuron_linear *neuron_linear_alloc(size_t in, size_t out)
{
    if (in == 0 || out == 0) {
        cm_error(CM_EINVAL, "linear model: sizes must be positive, got %zu x %zu", out, in);
        return NULL;
    }
    neuron_linear *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->in = in;
    m->out = out;
    m->p = params_alloc();
    if (!m->p) goto fail;
    m->w = params_declare2(m->p, "linear.weight", out, in);
    m->b = params_declare1(m->p, "linear.bias", out);
    if (m->w < 0 || m->b < 0 || params_commit(m->p) != CM_OK) goto fail;
    return m;
fail:
    neuron_linear_free(m);
    return NULL;
}

void neuron_linear_free(neuron_linear *m)
{
    if (!m) return;
    params_free(m->p);
    free(m);
}

void neuron_linear_init(neuron_linear *m, gsl_rng *r)
{
    init_torch_default(r, params_ptr(m->p, m->w), m->out * m->in, m->in);
    init_torch_default(r, params_ptr(m->p, m->b), m->out, m->in);
}

/* Z = X W^T + 1 b^T                                     X (B,D), W (K,D), b (K), Z (B,K) */
void neuron_linear_forward(neuron_linear *m, const gsl_matrix *X, gsl_matrix *Z)
{
    gsl_matrix_view W = params_matrix(m->p, m->w);
    gsl_vector_view b = params_vector(m->p, m->b);
    dense_forward(X, &W.matrix, &b.vector, Z);
}

/* forward was Z = X W^T + 1 b^T, so  dW += dZ^T X,  db += 1^T dZ,  dX = dZ W.
 *                                      dZ (B,K), dW (K,D), db (K), dX (B,D) */
void neuron_linear_backward(neuron_linear *m, const gsl_matrix *X, const gsl_matrix *dZ,
                            gsl_matrix *dX)
{
    gsl_matrix_view W = params_matrix(m->p, m->w);
    gsl_matrix_view dW = params_grad_matrix(m->p, m->w);
    gsl_vector_view db = params_grad_vector(m->p, m->b);
    dense_backward(X, &W.matrix, dZ, dX, &dW.matrix, &db.vector);
}

/* L = (1/B) sum_i softplus(z_i) - t_i z_i  = -(1/B) sum_i [t log s(z) + (1-t) log(1-s(z))],
 * dL/dz_i = (s(z_i) - t_i) / B. */
double neuron_logistic_loss(const gsl_matrix *Z, const gsl_matrix *T, gsl_matrix *dZ)
{
    return sm_bce_logits(Z, T, dZ);
}

double neuron_logistic_accuracy(const gsl_matrix *Z, const gsl_matrix *T)
{
    size_t right = 0;
    for (size_t i = 0; i < Z->size1; i++)
        right += (gsl_matrix_get(Z, i, 0) > 0.0) == (gsl_matrix_get(T, i, 0) > 0.5);
    return (double)right / (double)Z->size1;
}
