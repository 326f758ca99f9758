/* fvsbn.c: the fully visible sigmoid belief network (see fvsbn.h). */
#include "fvsbn.h"

#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "error.h"
#include "init.h"
#include "matrix.h"
#include "ordering.h"

ar_fvsbn *ar_fvsbn_alloc(size_t D, const size_t *order)
{
    ar_fvsbn *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->D = D;
    m->order = cm_calloc(D, sizeof(size_t));
    m->pos = cm_calloc(D, sizeof(size_t));
    m->mask = cm_matrix_calloc(D, D);
    m->Wm = cm_matrix_calloc(D, D);
    if (!m->order || !m->pos || !m->mask || !m->Wm || !(m->p = params_alloc())) goto fail;
    memcpy(m->order, order, D * sizeof(size_t));
    ar_ordering_inverse(order, D, m->pos);
    for (size_t v = 0; v < D; v++)
        for (size_t u = 0; u < D; u++)
            gsl_matrix_set(m->mask, v, u, m->pos[u] < m->pos[v] ? 1.0 : 0.0);
    if ((m->iW = params_declare2(m->p, "weight", D, D)) < 0 ||
        (m->ib = params_declare1(m->p, "bias", D)) < 0 || params_commit(m->p) != CM_OK)
        goto fail;
    return m;
fail:
    ar_fvsbn_free(m);
    return NULL;
}

void ar_fvsbn_free(ar_fvsbn *m)
{
    if (!m) return;
    params_free(m->p);
    cm_matrix_free(m->mask);
    cm_matrix_free(m->Wm);
    free(m->order);
    free(m->pos);
    free(m);
}

void ar_fvsbn_init(ar_fvsbn *m, gsl_rng *r)
{
    init_torch_default(r, params_ptr(m->p, m->iW), m->D * m->D, m->D);
    init_torch_default(r, params_ptr(m->p, m->ib), m->D, m->D);
    gsl_matrix_view W = params_matrix(m->p, m->iW);
    gsl_matrix_mul_elements(&W.matrix, m->mask);
}

size_t ar_fvsbn_n_free(const ar_fvsbn *m)
{
    return m->D * (m->D + 1) / 2;
}

/* Z = X (W . M)^T + b: the logit of x_v from the x_u before it. */
void ar_fvsbn_forward(ar_fvsbn *m, const gsl_matrix *X, gsl_matrix *Z)
{
    gsl_matrix_view W = params_matrix(m->p, m->iW);
    gsl_vector_view b = params_vector(m->p, m->ib);
    gsl_matrix_memcpy(m->Wm, &W.matrix);
    gsl_matrix_mul_elements(m->Wm, m->mask);
    dense_forward(X, m->Wm, &b.vector, Z);
}

/* Forward was Z = X (W . M)^T + b: so dW = (dZ^T X) . M (the masked entries get nothing) and
 * db = sum_rows dZ. The masking is done on the whole gradient block: it is zero outside the
 * mask before this call too, since a zero_grad cleared it. */
void ar_fvsbn_backward(ar_fvsbn *m, const gsl_matrix *X, const gsl_matrix *dZ)
{
    gsl_matrix_view dW = params_grad_matrix(m->p, m->iW);
    gsl_vector_view db = params_grad_vector(m->p, m->ib);
    dense_backward(X, m->Wm, dZ, NULL, &dW.matrix, &db.vector);
    gsl_matrix_mul_elements(&dW.matrix, m->mask);
}
