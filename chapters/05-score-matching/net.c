/* net.c: the score MLP s_theta(x, sigma) = MLP(x, log sigma) / sigma, its backward pass, its
 * Jacobian-vector product and the backward pass of that product (net.h). */
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>

#include "error.h"
#include "init.h"
#include "matrix.h"
#include "vecmath.h"

score_net *score_net_alloc(size_t hidden, size_t cap)
{
    if (hidden < 1 || cap < 1) {
        cm_error(CM_EINVAL, "score net: hidden %zu and batch %zu must be >= 1", hidden, cap);
        return NULL;
    }
    score_net *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->hidden = hidden, m->cap = cap, m->second_order = 1;
    m->p = params_alloc();
    if (!m->p) goto fail;
    m->W1 = params_declare2(m->p, "fc1.weight", hidden, 3);
    m->b1 = params_declare1(m->p, "fc1.bias", hidden);
    m->W2 = params_declare2(m->p, "fc2.weight", hidden, hidden);
    m->b2 = params_declare1(m->p, "fc2.bias", hidden);
    m->W3 = params_declare2(m->p, "fc3.weight", 2, hidden);
    m->b3 = params_declare1(m->p, "fc3.bias", 2);
    if (m->W1 < 0 || m->b1 < 0 || m->W2 < 0 || m->b2 < 0 || m->W3 < 0 || m->b3 < 0 ||
        params_commit(m->p) != CM_OK)
        goto fail;
    gsl_matrix **bh[] = {&m->A1, &m->H1, &m->F1,  &m->Q1,  &m->A2,   &m->H2,   &m->F2,
                         &m->Q2, &m->dH, &m->dA2, &m->dA1, &m->dA2x, &m->dA1x, &m->D1,
                         &m->G1, &m->T2, &m->G2,  &m->dG,  &m->dT};
    for (size_t i = 0; i < sizeof bh / sizeof *bh; i++)
        if (!(*bh[i] = cm_matrix_calloc(cap, hidden))) goto fail;
    if (!(m->U = cm_matrix_calloc(cap, 3)) || !(m->V3 = cm_matrix_calloc(cap, 3)) ||
        !(m->O = cm_matrix_calloc(cap, 2)) || !(m->dO = cm_matrix_calloc(cap, 2)) ||
        !(m->Do = cm_matrix_calloc(cap, 2)))
        goto fail;
    return m;
fail:
    score_net_free(m);
    return NULL;
}

void score_net_free(score_net *m)
{
    if (!m) return;
    params_free(m->p);
    gsl_matrix *all[] = {m->U,  m->A1, m->H1, m->F1, m->Q1,  m->A2,  m->H2,   m->F2,
                         m->Q2, m->O,  m->dO, m->dH, m->dA2, m->dA1, m->dA2x, m->dA1x,
                         m->V3, m->D1, m->G1, m->T2, m->G2,  m->Do,  m->dG,   m->dT};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) cm_matrix_free(all[i]);
    free(m);
}

void score_net_init(score_net *m, gsl_rng *r)
{
    size_t H = m->hidden;
    init_torch_default(r, params_ptr(m->p, m->W1), H * 3, 3);
    init_torch_default(r, params_ptr(m->p, m->b1), H, 3);
    init_torch_default(r, params_ptr(m->p, m->W2), H * H, H);
    init_torch_default(r, params_ptr(m->p, m->b2), H, H);
    init_torch_default(r, params_ptr(m->p, m->W3), 2 * H, H);
    init_torch_default(r, params_ptr(m->p, m->b3), 2, H);
}

/* a (B, n) -> h = silu(a) = a sigmoid(a) (torch.nn.SiLU), and its first two derivatives
 *   f'(a)  = s (1 + a (1 - s)),            s = sigmoid(a) = 1 / (1 + exp(-a))
 *   f''(a) = s (1 - s) (2 + a (1 - 2 s))
 * The sigmoids of the whole (B, n) array at once through common/vecmath (libmvec: several exps
 * at a time; the scalar exp was a fifth of a training step), then plain arithmetic, vectorized
 * (see SCORE_CLONES in net.h). Q may be NULL: the first-order objective (DSM) and the samplers
 * need no f'', and a loop without it keeps the test out of the loop. */
static SCORE_CLONES void silu_rows(const gsl_matrix *A, gsl_matrix *Y, gsl_matrix *F,
                                   gsl_matrix *Q, size_t B)
{
    size_t n = B * A->size2; /* the first B rows, contiguous */
    const double *restrict a = A->data;
    double *restrict y = Y->data, *restrict f = F->data;
    vm_sigmoid(a, f, n); /* f holds s = sigmoid(a) until the loops below */
    if (Q) {
        double *restrict q = Q->data;
#pragma omp simd
        for (size_t j = 0; j < n; j++) {
            double s = f[j];
            y[j] = a[j] * s;
            f[j] = s * (1 + a[j] * (1 - s));
            q[j] = s * (1 - s) * (2 + a[j] * (1 - 2 * s));
        }
    } else {
#pragma omp simd
        for (size_t j = 0; j < n; j++) {
            double s = f[j];
            y[j] = a[j] * s;
            f[j] = s * (1 + a[j] * (1 - s));
        }
    }
}

/* Y = X W^T + 1 b^T on B rows (torch.nn.Linear). */
static void linear(const gsl_matrix *X, params *p, int W, int b, gsl_matrix *Y, size_t B)
{
    gsl_matrix_view Wv = params_matrix(p, W);
    gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(X, 0, 0, B, X->size2);
    gsl_matrix_view Yb = gsl_matrix_submatrix(Y, 0, 0, B, Y->size2);
    const double *bias = params_ptr(p, b);
    for (size_t i = 0; i < B; i++) {
        double *y = gsl_matrix_ptr(&Yb.matrix, i, 0);
        for (size_t j = 0; j < Y->size2; j++) y[j] = bias[j];
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Xb.matrix, &Wv.matrix, 1.0, &Yb.matrix);
}

void score_net_forward(score_net *m, const gsl_matrix *X, const double *sigma, gsl_matrix *S)
{
    size_t B = X->size1;
    for (size_t i = 0; i < B; i++) { /* u = (x1, x2, log sigma) */
        const double *x = gsl_matrix_const_ptr(X, i, 0);
        double *u = gsl_matrix_ptr(m->U, i, 0);
        u[0] = x[0], u[1] = x[1], u[2] = log(sigma[i]);
    }
    linear(m->U, m->p, m->W1, m->b1, m->A1, B);                        /* a1 = u W1^T + b1 */
    silu_rows(m->A1, m->H1, m->F1, m->second_order ? m->Q1 : NULL, B); /* h1 = silu(a1) */
    linear(m->H1, m->p, m->W2, m->b2, m->A2, B);                       /* a2 = h1 W2^T + b2 */
    silu_rows(m->A2, m->H2, m->F2, m->second_order ? m->Q2 : NULL, B); /* h2 = silu(a2) */
    linear(m->H2, m->p, m->W3, m->b3, m->O, B);                        /* o = h2 W3^T + b3 */
    if (S)
        for (size_t i = 0; i < B; i++) { /* s = o / sigma */
            gsl_matrix_set(S, i, 0, gsl_matrix_get(m->O, i, 0) / sigma[i]);
            gsl_matrix_set(S, i, 1, gsl_matrix_get(m->O, i, 1) / sigma[i]);
        }
}

/* db += the column sums of dY (B rows, n columns): row by row, so that each sum adds its terms
 * in the same order as before, the columns vectorized. */
static SCORE_CLONES void column_sums_add(const double *restrict dY, size_t B, size_t n,
                                         double *restrict db)
{
    for (size_t i = 0; i < B; i++) {
        const double *restrict d = dY + i * n;
#pragma omp simd
        for (size_t j = 0; j < n; j++) db[j] += d[j];
    }
}

/* dW += dY^T X, db += column sums of dY (B rows). */
static void linear_backward_params(const gsl_matrix *X, const gsl_matrix *dY, params *p, int W,
                                   int b, size_t B)
{
    gsl_matrix_view dW = params_grad_matrix(p, W);
    gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(X, 0, 0, B, X->size2);
    gsl_matrix_const_view dYb = gsl_matrix_const_submatrix(dY, 0, 0, B, dY->size2);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &dYb.matrix, &Xb.matrix, 1.0, &dW.matrix);
    if (b < 0) return;
    column_sums_add(dY->data, B, dY->size2, params_grad_ptr(p, b));
}

/* dX = dY W (B rows). */
static void linear_backward_input(const gsl_matrix *dY, params *p, int W, gsl_matrix *dX, size_t B)
{
    gsl_matrix_view Wv = params_matrix(p, W);
    gsl_matrix_const_view dYb = gsl_matrix_const_submatrix(dY, 0, 0, B, dY->size2);
    gsl_matrix_view dXb = gsl_matrix_submatrix(dX, 0, 0, B, dX->size2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &dYb.matrix, &Wv.matrix, 0.0, &dXb.matrix);
}

/* dA = F * dH (+ X when add_jac) over n numbers: the backward pass of h = silu(a), whole arrays,
 * vectorized (the test kept out of the loop). */
static SCORE_CLONES void silu_backward(const double *restrict F, const double *restrict dH,
                                       const double *restrict X, int add_jac, double *restrict dA,
                                       size_t n)
{
    if (add_jac) {
#pragma omp simd
        for (size_t j = 0; j < n; j++) dA[j] = F[j] * dH[j] + X[j];
    } else {
#pragma omp simd
        for (size_t j = 0; j < n; j++) dA[j] = F[j] * dH[j];
    }
}

void score_net_backward(score_net *m, size_t B, int add_jac)
{
    size_t n = B * m->hidden; /* the first B rows of the (cap, H) arrays, contiguous */
    /* forward: o = h2 W3^T + b3  ->  dW3 += dO^T h2, db3 += sum dO, dh2 = dO W3 */
    linear_backward_params(m->H2, m->dO, m->p, m->W3, m->b3, B);
    linear_backward_input(m->dO, m->p, m->W3, m->dH, B);
    /* forward: h2 = silu(a2)  ->  da2 = silu'(a2) * dh2 (+ the Jacobian terms) */
    silu_backward(m->F2->data, m->dH->data, m->dA2x->data, add_jac, m->dA2->data, n);
    /* forward: a2 = h1 W2^T + b2  ->  dW2 += da2^T h1, db2 += sum da2, dh1 = da2 W2 */
    linear_backward_params(m->H1, m->dA2, m->p, m->W2, m->b2, B);
    linear_backward_input(m->dA2, m->p, m->W2, m->dH, B);
    /* forward: h1 = silu(a1)  ->  da1 = silu'(a1) * dh1 (+ the Jacobian terms) */
    silu_backward(m->F1->data, m->dH->data, m->dA1x->data, add_jac, m->dA1->data, n);
    /* forward: a1 = u W1^T + b1  ->  dW1 += da1^T u, db1 += sum da1 */
    linear_backward_params(m->U, m->dA1, m->p, m->W1, m->b1, B);
}

void score_net_zero_jac(score_net *m, size_t B)
{
    for (size_t i = 0; i < B; i++)
        for (size_t j = 0; j < m->hidden; j++) {
            gsl_matrix_set(m->dA1x, i, j, 0.0);
            gsl_matrix_set(m->dA2x, i, j, 0.0);
        }
}

/* D = A W^T without bias (B rows): the tangent of a linear layer. */
static void tangent_linear(const gsl_matrix *A, params *p, int W, gsl_matrix *D, size_t B)
{
    gsl_matrix_view Wv = params_matrix(p, W);
    gsl_matrix_const_view Ab = gsl_matrix_const_submatrix(A, 0, 0, B, A->size2);
    gsl_matrix_view Db = gsl_matrix_submatrix(D, 0, 0, B, D->size2);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Ab.matrix, &Wv.matrix, 0.0, &Db.matrix);
}

/* Y = S * X elementwise (B rows). */
static void hadamard(const gsl_matrix *S, const gsl_matrix *X, gsl_matrix *Y, size_t B)
{
    for (size_t i = 0; i < B; i++) {
        const double *s = gsl_matrix_const_ptr(S, i, 0), *x = gsl_matrix_const_ptr(X, i, 0);
        double *y = gsl_matrix_ptr(Y, i, 0);
        for (size_t j = 0; j < S->size2; j++) y[j] = s[j] * x[j];
    }
}

void score_net_jvp(score_net *m, const gsl_matrix *V)
{
    size_t B = V->size1;
    for (size_t i = 0; i < B; i++) { /* the direction moves x only, not log sigma */
        gsl_matrix_set(m->V3, i, 0, gsl_matrix_get(V, i, 0));
        gsl_matrix_set(m->V3, i, 1, gsl_matrix_get(V, i, 1));
        gsl_matrix_set(m->V3, i, 2, 0.0);
    }
    tangent_linear(m->V3, m->p, m->W1, m->D1, B); /* d a1 = v W1^T */
    hadamard(m->F1, m->D1, m->G1, B);             /* d h1 = silu'(a1) * d a1 */
    tangent_linear(m->G1, m->p, m->W2, m->T2, B); /* d a2 = d h1 W2^T */
    hadamard(m->F2, m->T2, m->G2, B);             /* d h2 = silu'(a2) * d a2 */
    tangent_linear(m->G2, m->p, m->W3, m->Do, B); /* d o = d h2 W3^T = (d o / d x) v */
}

void score_net_jvp_backward(score_net *m, const gsl_matrix *V, const double *c)
{
    size_t B = V->size1, H = m->hidden;
    /* J = sum_i c_i v_i . Do_i  ->  dDo_i = c_i v_i (kept in m->dO's rows is not allowed: the
     * caller's dO lives there; use m->Do itself, whose value is no longer needed) */
    for (size_t i = 0; i < B; i++) {
        gsl_matrix_set(m->Do, i, 0, c[i] * gsl_matrix_get(V, i, 0));
        gsl_matrix_set(m->Do, i, 1, c[i] * gsl_matrix_get(V, i, 1));
    }
    /* Do = G2 W3^T  ->  dW3 += dDo^T G2, dG2 = dDo W3 */
    linear_backward_params(m->G2, m->Do, m->p, m->W3, -1, B);
    linear_backward_input(m->Do, m->p, m->W3, m->dG, B);
    /* G2 = silu'(a2) * T2  ->  dT2 = silu'(a2) * dG2,  da2 += silu''(a2) * T2 * dG2 */
    for (size_t i = 0; i < B; i++) {
        const double *s = gsl_matrix_const_ptr(m->F2, i, 0), *t = gsl_matrix_const_ptr(m->T2, i, 0);
        const double *q = gsl_matrix_const_ptr(m->Q2, i, 0);
        const double *dg = gsl_matrix_const_ptr(m->dG, i, 0);
        double *dt = gsl_matrix_ptr(m->dT, i, 0), *dx = gsl_matrix_ptr(m->dA2x, i, 0);
        for (size_t j = 0; j < H; j++) {
            dt[j] = s[j] * dg[j];
            dx[j] += q[j] * t[j] * dg[j];
        }
    }
    /* T2 = G1 W2^T  ->  dW2 += dT2^T G1, dG1 = dT2 W2 */
    linear_backward_params(m->G1, m->dT, m->p, m->W2, -1, B);
    linear_backward_input(m->dT, m->p, m->W2, m->dG, B);
    /* G1 = silu'(a1) * D1  ->  dD1 = silu'(a1) * dG1,  da1 += silu''(a1) * D1 * dG1 */
    for (size_t i = 0; i < B; i++) {
        const double *s = gsl_matrix_const_ptr(m->F1, i, 0), *d = gsl_matrix_const_ptr(m->D1, i, 0);
        const double *q = gsl_matrix_const_ptr(m->Q1, i, 0);
        const double *dg = gsl_matrix_const_ptr(m->dG, i, 0);
        double *dd = gsl_matrix_ptr(m->dT, i, 0), *dx = gsl_matrix_ptr(m->dA1x, i, 0);
        for (size_t j = 0; j < H; j++) {
            dd[j] = s[j] * dg[j];
            dx[j] += q[j] * d[j] * dg[j];
        }
    }
    /* D1 = V3 W1^T  ->  dW1 += dD1^T V3 */
    linear_backward_params(m->V3, m->dT, m->p, m->W1, -1, B);
}
