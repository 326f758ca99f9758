/* net.c: the score MLP s_theta(x, sigma) = MLP(x, log sigma) / sigma, its backward pass, its
 * Jacobian-vector product and the backward pass of that product (net.h). */
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>

#include "error.h"
#include "init.h"
#include "matrix.h"
#include "simd_libm.h"

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
    gsl_matrix **bh[] = {&m->H1,   &m->F1, &m->Q1, &m->H2, &m->F2, &m->Q2, &m->dA2x,
                         &m->dA1x, &m->D1, &m->G1, &m->T2, &m->G2, &m->dG, &m->dT};
    for (size_t i = 0; i < sizeof bh / sizeof *bh; i++)
        if (!(*bh[i] = cm_matrix_calloc(cap, hidden))) goto fail;
    size_t slab = cap < SCORE_SLAB ? cap : SCORE_SLAB;
    gsl_matrix **sh[] = {&m->A1, &m->A2, &m->dA2, &m->dH};
    for (size_t i = 0; i < sizeof sh / sizeof *sh; i++)
        if (!(*sh[i] = cm_matrix_calloc(slab, hidden))) goto fail;
    if (!(m->U = cm_matrix_calloc(cap, 3)) || !(m->V3 = cm_matrix_calloc(cap, 3)) ||
        !(m->O = cm_matrix_calloc(cap, 2)) || !(m->dO = cm_matrix_calloc(cap, 2)) ||
        !(m->Do = cm_matrix_calloc(cap, 2)) || !(m->W1t = cm_calloc(3 * hidden, sizeof(double))) ||
        !(m->W2t = cm_calloc(hidden * hidden, sizeof(double))) ||
        !(m->gW1t = cm_calloc(3 * hidden, sizeof(double))) ||
        !(m->dA1 = cm_calloc(hidden, sizeof(double))))
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
    gsl_matrix *all[] = {m->U,  m->A1, m->H1, m->F1, m->Q1,  m->A2,   m->H2,   m->F2,
                         m->Q2, m->O,  m->dO, m->dH, m->dA2, m->dA2x, m->dA1x, m->V3,
                         m->D1, m->G1, m->T2, m->G2, m->Do,  m->dG,   m->dT};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) cm_matrix_free(all[i]);
    free(m->W1t), free(m->W2t), free(m->gW1t), free(m->dA1);
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

/* a (n numbers) -> h = silu(a) = a sigmoid(a) (torch.nn.SiLU), and its first two derivatives
 *   f'(a)  = s (1 + a (1 - s)),            s = sigmoid(a) = 1 / (1 + exp(-a))
 *   f''(a) = s (1 - s) (2 + a (1 - 2 s))
 * in one vectorized loop (see SCORE_CLONES in net.h) whose exp is libmvec's, several at a time
 * (common/simd_libm.h: the scalar exp was a fifth of a training step; a separate sigmoid pass,
 * common/vecmath's vm_sigmoid, cost 4% more than this loop). q may be NULL: the first-order
 * objective (DSM) and the samplers need no f'', and a loop without it keeps the test out of the
 * loop. */
static SCORE_CLONES void silu(const double *restrict a, double *restrict y, double *restrict f,
                              double *restrict q, size_t n)
{
    if (q) {
#pragma omp simd
        for (size_t j = 0; j < n; j++) {
            double s = 1.0 / (1.0 + exp(-a[j]));
            y[j] = a[j] * s;
            f[j] = s * (1 + a[j] * (1 - s));
            q[j] = s * (1 - s) * (2 + a[j] * (1 - 2 * s));
        }
    } else {
#pragma omp simd
        for (size_t j = 0; j < n; j++) {
            double s = 1.0 / (1.0 + exp(-a[j]));
            y[j] = a[j] * s;
            f[j] = s * (1 + a[j] * (1 - s));
        }
    }
}

/* fc1 on n rows: a1 = u W1^T + b1 (torch.nn.Linear(3, H)). Three inputs are too few for a
 * product: each row is three multiples of W1's columns (W1t: fc1.weight transposed, each
 * column contiguous), vectorized over the H outputs. */
static SCORE_CLONES void fc1_rows(const double *restrict U, const double *restrict W1t,
                                  const double *restrict b1, double *restrict A, size_t n, size_t H)
{
    for (size_t i = 0; i < n; i++) {
        const double u0 = U[3 * i], u1 = U[3 * i + 1], u2 = U[3 * i + 2];
        double *restrict a = A + i * H;
#pragma omp simd
        for (size_t j = 0; j < H; j++)
            a[j] = (u0 * W1t[j] + u1 * W1t[H + j] + u2 * W1t[2 * H + j]) + b1[j];
    }
}

/* a += b on each of n rows of H numbers: the bias of fc2, after the product. */
static SCORE_CLONES void add_bias_rows(double *restrict A, const double *restrict b, size_t n,
                                       size_t H)
{
    for (size_t i = 0; i < n; i++) {
        double *restrict a = A + i * H;
#pragma omp simd
        for (size_t j = 0; j < H; j++) a[j] += b[j];
    }
}

/* fc3 on n rows: o = h2 W3^T + b3 (torch.nn.Linear(H, 2)): two dot products over H per row.
 * (The reduction's order follows the vector width, as OpenBLAS's kernels' does.) */
static SCORE_CLONES void fc3_rows(const double *restrict H2, const double *restrict W3,
                                  const double *restrict b3, double *restrict O, size_t n, size_t H)
{
    for (size_t i = 0; i < n; i++) {
        const double *restrict h = H2 + i * H;
        double o0 = 0, o1 = 0;
#pragma omp simd reduction(+ : o0, o1)
        for (size_t j = 0; j < H; j++) {
            o0 += h[j] * W3[j];
            o1 += h[j] * W3[H + j];
        }
        O[2 * i] = o0 + b3[0], O[2 * i + 1] = o1 + b3[1];
    }
}

/* T (cols, rows) = W (rows, cols) transposed, in 8 x 8 tiles. */
static void transpose(const double *W, size_t rows, size_t cols, double *T)
{
    for (size_t i0 = 0; i0 < rows; i0 += 8)
        for (size_t j0 = 0; j0 < cols; j0 += 8)
            for (size_t i = i0; i < i0 + 8 && i < rows; i++)
                for (size_t j = j0; j < j0 + 8 && j < cols; j++) T[j * rows + i] = W[i * cols + j];
}

/* The batch goes through the network in slabs of SCORE_SLAB rows (net.h), each slab through
 * every layer before the next one starts, and back through the layers in the backward pass, the
 * last slab first. Measured on this machine (AMD EPYC, AVX-512, one thread, batch 256, H = 128),
 * two reasons:
 *  - a slab's (32, H) arrays stay in the core's caches from one layer to the next; as whole
 *    (256, H) arrays, the forward and backward passes kept nine arrays of 256 KB alive, more
 *    than the 1 MB L2 cache. The pre-activations and the backward pass's da2, dh1 now live only
 *    for a slab.
 *  - OpenBLAS multiplies products with M N K <= 100^3 by its small-matrix kernels, which skip
 *    packing the operands: a batch's eight (32, 128) x (128, 128) products take 150 us against
 *    175 us as one (256, 128) x (128, 128) product.
 * With the fused loops below, a training step went from 0.83 ms to 0.69 ms. Every row gets the
 * same arithmetic as before; only the order in which the rows add into a gradient differs. */
void score_net_forward(score_net *m, const gsl_matrix *X, const double *sigma, gsl_matrix *S)
{
    size_t B = X->size1, H = m->hidden;
    params *p = m->p;
    for (size_t i = 0; i < B; i++) { /* u = (x1, x2, log sigma) */
        const double *x = gsl_matrix_const_ptr(X, i, 0);
        double *u = gsl_matrix_ptr(m->U, i, 0);
        u[0] = x[0], u[1] = x[1], u[2] = log(sigma[i]);
    }
    transpose(params_ptr(p, m->W1), H, 3, m->W1t);
    transpose(params_ptr(p, m->W2), H, H, m->W2t); /* a2 = h1 W2t: the product without packing */
    for (size_t r0 = 0; r0 < B; r0 += SCORE_SLAB) {
        size_t n = B - r0 < SCORE_SLAB ? B - r0 : SCORE_SLAB, at = r0 * H;
        /* a1 = u W1^T + b1;  h1 = silu(a1) */
        fc1_rows(m->U->data + 3 * r0, m->W1t, params_ptr(p, m->b1), m->A1->data, n, H);
        silu(m->A1->data, m->H1->data + at, m->F1->data + at,
             m->second_order ? m->Q1->data + at : NULL, n * H);
        /* a2 = h1 W2^T + b2;  h2 = silu(a2) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)H, (int)H, 1.0,
                    m->H1->data + at, (int)H, m->W2t, (int)H, 0.0, m->A2->data, (int)H);
        add_bias_rows(m->A2->data, params_ptr(p, m->b2), n, H);
        silu(m->A2->data, m->H2->data + at, m->F2->data + at,
             m->second_order ? m->Q2->data + at : NULL, n * H);
        /* o = h2 W3^T + b3 */
        fc3_rows(m->H2->data + at, params_ptr(p, m->W3), params_ptr(p, m->b3), m->O->data + 2 * r0,
                 n, H);
    }
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

/* The backward pass of fc3 and of the second SiLU on n rows, in one sweep over each row:
 *   o = h2 W3^T + b3  ->  dW3 += dO^T h2, db3 += sum dO, dh2 = dO W3
 *   h2 = silu(a2)     ->  da2 = silu'(a2) * dh2 (+ X, the Jacobian terms, when X is not NULL)
 *   and db2 += the column sums of da2 (fc2's bias). */
static SCORE_CLONES void fc3_silu_backward_rows(const double *restrict dO,
                                                const double *restrict H2,
                                                const double *restrict F2, const double *restrict X,
                                                const double *restrict W3, double *restrict dW3,
                                                double *restrict db3, double *restrict dA2,
                                                double *restrict db2, size_t n, size_t H)
{
    for (size_t i = 0; i < n; i++) {
        const double d0 = dO[2 * i], d1 = dO[2 * i + 1];
        const double *restrict h = H2 + i * H, *restrict f = F2 + i * H;
        double *restrict da = dA2 + i * H;
        db3[0] += d0, db3[1] += d1;
#pragma omp simd
        for (size_t j = 0; j < H; j++) {
            dW3[j] += d0 * h[j];
            dW3[H + j] += d1 * h[j];
            da[j] = f[j] * (d0 * W3[j] + d1 * W3[H + j]);
        }
        if (X) {
            const double *restrict x = X + i * H;
#pragma omp simd
            for (size_t j = 0; j < H; j++) da[j] += x[j];
        }
#pragma omp simd
        for (size_t j = 0; j < H; j++) db2[j] += da[j];
    }
}

/* The backward pass of the first SiLU and of fc1 on n rows, da1 one row at a time (dA1):
 *   h1 = silu(a1)         ->  da1 = silu'(a1) * dh1 (+ X, the Jacobian terms)
 *   a1 = u W1^T + b1      ->  db1 += sum da1, dW1 += da1^T u (into gW1t, dW1 transposed, so
 *                             that each input's column is contiguous) */
static SCORE_CLONES void silu_fc1_backward_rows(const double *restrict dH1,
                                                const double *restrict F1, const double *restrict X,
                                                const double *restrict U, double *restrict dA1,
                                                double *restrict db1, double *restrict gW1t,
                                                size_t n, size_t H)
{
    for (size_t i = 0; i < n; i++) {
        const double u0 = U[3 * i], u1 = U[3 * i + 1], u2 = U[3 * i + 2];
        const double *restrict dh = dH1 + i * H, *restrict f = F1 + i * H;
        double *restrict da = dA1;
#pragma omp simd
        for (size_t j = 0; j < H; j++) da[j] = f[j] * dh[j];
        if (X) {
            const double *restrict x = X + i * H;
#pragma omp simd
            for (size_t j = 0; j < H; j++) da[j] += x[j];
        }
#pragma omp simd
        for (size_t j = 0; j < H; j++) {
            db1[j] += da[j];
            gW1t[j] += da[j] * u0;
            gW1t[H + j] += da[j] * u1;
            gW1t[2 * H + j] += da[j] * u2;
        }
    }
}

void score_net_backward(score_net *m, size_t B, int add_jac)
{
    size_t H = m->hidden, nslab = (B + SCORE_SLAB - 1) / SCORE_SLAB;
    params *p = m->p;
    double *dW1 = params_grad_ptr(p, m->W1), *dA2 = m->dA2->data, *dH1 = m->dH->data;
    for (size_t k = 0; k < 3 * H; k++) m->gW1t[k] = 0.0;
    /* the slabs of the forward pass, last first: the forward pass's last arrays are the ones
     * still in cache */
    for (size_t s = nslab; s-- > 0;) {
        size_t r0 = s * SCORE_SLAB, at = r0 * H;
        size_t n = B - r0 < SCORE_SLAB ? B - r0 : SCORE_SLAB;
        /* fc3 and h2 = silu(a2): dW3, db3, da2 (+ the Jacobian terms), db2 */
        fc3_silu_backward_rows(m->dO->data + 2 * r0, m->H2->data + at, m->F2->data + at,
                               add_jac ? m->dA2x->data + at : NULL, params_ptr(p, m->W3),
                               params_grad_ptr(p, m->W3), params_grad_ptr(p, m->b3), dA2,
                               params_grad_ptr(p, m->b2), n, H);
        /* a2 = h1 W2^T + b2  ->  dW2 += da2^T h1, dh1 = da2 W2 */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)H, (int)H, (int)n, 1.0, dA2,
                    (int)H, m->H1->data + at, (int)H, 1.0, params_grad_ptr(p, m->W2), (int)H);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)H, (int)H, 1.0, dA2,
                    (int)H, params_ptr(p, m->W2), (int)H, 0.0, dH1, (int)H);
        /* h1 = silu(a1) and fc1: da1 (+ the Jacobian terms), db1, dW1 */
        silu_fc1_backward_rows(dH1, m->F1->data + at, add_jac ? m->dA1x->data + at : NULL,
                               m->U->data + 3 * r0, m->dA1, params_grad_ptr(p, m->b1), m->gW1t, n,
                               H);
    }
    for (size_t j = 0; j < H; j++) /* dW1 (H, 3) += gW1t transposed */
        for (size_t k = 0; k < 3; k++) dW1[3 * j + k] += m->gW1t[k * H + j];
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
