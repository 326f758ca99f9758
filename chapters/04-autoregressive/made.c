/* made.c: MADE's masks, forward and backward passes (see made.h). */
#include "made.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "error.h"
#include "init.h"
#include "matrix.h"
#include "ordering.h"

static size_t layer_in(const ar_made *m, size_t l)
{
    return l == 0 ? m->D : m->hidden[l - 1];
}

static size_t layer_out(const ar_made *m, size_t l)
{
    return l == m->L ? m->D : m->hidden[l];
}

/* The hidden degrees of ordering k, layer l (0-based hidden layer). */
static size_t *degrees_of(const ar_made *m, size_t k, size_t l)
{
    size_t off = 0, tot = 0;
    for (size_t i = 0; i < m->L; i++) {
        if (i < l) off += m->hidden[i];
        tot += m->hidden[i];
    }
    return m->degrees + k * tot + off;
}

/* Ordering k's units sorted (see made.h's perm): set 0 the variables by position, set l >= 1
 * hidden layer l's units by degree. Layer l reads set l and writes set l + 1 (the output layer
 * writes set 0, the variables again). */
static size_t *units_of(const ar_made *m, size_t k, size_t set)
{
    size_t off = set ? m->D : 0, tot = m->D;
    for (size_t i = 0; i < m->L; i++) {
        if (i + 1 < set) off += m->hidden[i];
        tot += m->hidden[i];
    }
    return m->perm + k * tot + off;
}

static size_t *in_units(const ar_made *m, size_t k, size_t l)
{
    return units_of(m, k, l);
}

static size_t *out_units(const ar_made *m, size_t k, size_t l)
{
    return units_of(m, k, l == m->L ? 0 : l + 1);
}

static size_t *need_of(const ar_made *m, size_t k, size_t l)
{
    return m->need + (k * (m->L + 1) + l) * AR_MADE_BLOCKS;
}

/* Block b of a layer's out (sorted) units: [j0, j1). */
static void block_range(size_t out, size_t b, size_t *j0, size_t *j1)
{
    *j0 = out * b / AR_MADE_BLOCKS;
    *j1 = out * (b + 1) / AR_MADE_BLOCKS;
}

/* Sorts ordering k's units, then reads from its masks how many of a layer's sorted inputs each
 * block of its sorted units is connected to (the longest prefix in the block). The prefixes come
 * from the masks themselves, so the passes skip only zeros of W . M whatever the degrees. */
static void build_plan(ar_made *m, size_t k)
{
    const size_t D = m->D, L = m->L;
    memcpy(units_of(m, k, 0), m->orders + k * D, D * sizeof(size_t)); /* by position */
    for (size_t l = 0; l < L; l++) { /* a stable counting sort: degrees are below D */
        const size_t *deg = degrees_of(m, k, l);
        size_t *u = units_of(m, k, l + 1), n = 0;
        for (size_t d = 0; d < D; d++)
            for (size_t j = 0; j < m->hidden[l]; j++)
                if (deg[j] == d) u[n++] = j;
    }
    for (size_t l = 0; l <= L; l++) {
        const double *mk = m->masks[k * (L + 1) + l]->data;
        const size_t in = layer_in(m, l), *pi = in_units(m, k, l), *po = out_units(m, k, l);
        size_t *need = need_of(m, k, l);
        for (size_t b = 0; b < AR_MADE_BLOCKS; b++) {
            size_t j0, j1;
            block_range(layer_out(m, l), b, &j0, &j1);
            need[b] = 0;
            for (size_t j = j0; j < j1; j++)
                for (size_t i = in; i > need[b]; i--)
                    if (mk[po[j] * in + pi[i - 1]] != 0.0) {
                        need[b] = i;
                        break;
                    }
        }
    }
}

void ar_made_build_masks(ar_made *m, size_t k)
{
    const size_t D = m->D, L = m->L;
    size_t *pos = m->pos + k * D;
    ar_ordering_inverse(m->orders + k * D, D, pos);
    /* BEGIN EXERCISE autoregressive-3: MADE's masks from the degrees */
    for (size_t l = 0; l <= L; l++) {
        gsl_matrix *M = m->masks[k * (L + 1) + l];
        const size_t *dprev = l > 0 ? degrees_of(m, k, l - 1) : NULL;
        for (size_t j = 0; j < M->size1; j++)
            for (size_t i = 0; i < M->size2; i++) {
                size_t in_deg = l == 0 ? pos[i] + 1 : dprev[i]; /* m^{l-1}(i); m^0(v) = pos+1 */
                int keep;
                if (l < L) /* hidden: M^l[j,i] = 1[m^l(j) >= m^{l-1}(i)] */
                    keep = degrees_of(m, k, l)[j] >= in_deg;
                else /* output: M^out[v,j] = 1[m^0(v) > m^L(j)] */
                    keep = pos[j] + 1 > in_deg;
                gsl_matrix_set(M, j, i, keep ? 1.0 : 0.0);
            }
    }
    /* END EXERCISE */
}

/* Draws ordering k (k > 0: random) and its hidden degrees on {lo = min_i m^{l-1}(i), ..., D-1}:
 * uniform at random, or evenly in turn (lo, lo+1, ..., D-1, lo, ...). */
static void draw_connectivity(ar_made *m, size_t k, gsl_rng *r)
{
    const size_t D = m->D;
    size_t *o = m->orders + k * D;
    if (k > 0) ar_ordering_random(r, o, D);
    size_t lo = 1; /* min over the inputs of m^0 = pos + 1 */
    for (size_t l = 0; l < m->L; l++) {
        size_t *deg = degrees_of(m, k, l), next_lo = D;
        for (size_t j = 0; j < m->hidden[l]; j++) {
            deg[j] = lo + (m->conn == AR_CONN_EVEN ? j % (D - lo)
                                                   : gsl_rng_uniform_int(r, D - lo)); /* lo..D-1 */
            if (deg[j] < next_lo) next_lo = deg[j];
        }
        lo = next_lo;
    }
}

ar_made *ar_made_alloc(size_t D, const size_t *hidden, size_t L, size_t K, const size_t *order0,
                       ar_connectivity conn, unsigned long mask_seed, size_t cap)
{
    if (D < 2 || L < 1 || L > AR_MADE_MAX_LAYERS || K < 1 || cap < 1) {
        cm_error(CM_EINVAL, "MADE: needs D >= 2 (got %zu), 1 to %d hidden layers (got %zu), K >= 1",
                 D, AR_MADE_MAX_LAYERS, L);
        return NULL;
    }
    for (size_t l = 0; l < L; l++)
        if (hidden[l] == 0) {
            cm_error(CM_EINVAL, "MADE: hidden layer %zu has 0 units", l + 1);
            return NULL;
        }
    ar_made *m = cm_calloc(1, sizeof *m);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_error(CM_ENOMEM, "out of memory for MADE's random generator");
    if (!m || !r) goto fail; /* cm_calloc has said why for m */
    m->D = D, m->L = L, m->K = K, m->mask_seed = mask_seed, m->cap = cap, m->conn = conn;
    size_t tot = 0;
    for (size_t l = 0; l < L; l++) tot += (m->hidden[l] = hidden[l]);
    m->orders = cm_calloc(K * D, sizeof(size_t));
    m->pos = cm_calloc(K * D, sizeof(size_t));
    m->degrees = cm_calloc(K * tot, sizeof(size_t));
    m->masks = cm_calloc(K * (L + 1), sizeof(gsl_matrix *));
    m->Wm = cm_calloc(L + 1, sizeof(gsl_matrix *));
    m->gW = cm_calloc(L + 1, sizeof(gsl_matrix *));
    m->act = cm_calloc(L, sizeof(gsl_matrix *));
    m->dact = cm_calloc(L, sizeof(gsl_matrix *));
    m->perm = cm_calloc(K * (D + tot), sizeof(size_t));
    m->need = cm_calloc(K * (L + 1) * AR_MADE_BLOCKS, sizeof(size_t));
    size_t wide = D;
    for (size_t l = 0; l < L; l++) wide = hidden[l] > wide ? hidden[l] : wide;
    m->bp = cm_calloc(wide, sizeof(double));
    m->Xp = cm_matrix_calloc(cap, D);
    m->Zp = cm_matrix_calloc(cap, D);
    m->dXp = cm_matrix_calloc(cap, D);
    if (!m->orders || !m->pos || !m->degrees || !m->masks || !m->Wm || !m->gW || !m->act ||
        !m->dact || !m->perm || !m->need || !m->bp || !m->Xp || !m->Zp || !m->dXp ||
        !(m->p = params_alloc()))
        goto fail;
    for (size_t l = 0; l <= L; l++) {
        char name[PARAMS_NAME_LEN];
        snprintf(name, sizeof name, "layers.%zu.weight", l);
        if ((m->iW[l] = params_declare2(m->p, name, layer_out(m, l), layer_in(m, l))) < 0)
            goto fail;
        snprintf(name, sizeof name, "layers.%zu.bias", l);
        if ((m->ib[l] = params_declare1(m->p, name, layer_out(m, l))) < 0) goto fail;
        if (!(m->Wm[l] = cm_matrix_calloc(layer_out(m, l), layer_in(m, l)))) goto fail;
        if (!(m->gW[l] = cm_matrix_calloc(layer_out(m, l), layer_in(m, l)))) goto fail;
        for (size_t k = 0; k < K; k++)
            if (!(m->masks[k * (L + 1) + l] = cm_matrix_calloc(layer_out(m, l), layer_in(m, l))))
                goto fail;
        if (l < L && (!(m->act[l] = cm_matrix_calloc(cap, hidden[l])) ||
                      !(m->dact[l] = cm_matrix_calloc(cap, hidden[l]))))
            goto fail;
    }
    if (params_commit(m->p) != CM_OK) goto fail;
    if (order0)
        memcpy(m->orders, order0, D * sizeof(size_t));
    else
        ar_ordering_identity(m->orders, D);
    gsl_rng_set(r, mask_seed);
    for (size_t k = 0; k < K; k++) {
        draw_connectivity(m, k, r);
        ar_made_build_masks(m, k);
        build_plan(m, k);
    }
    gsl_rng_free(r);
    return m;
fail:
    if (r) gsl_rng_free(r);
    ar_made_free(m);
    return NULL;
}

void ar_made_free(ar_made *m)
{
    if (!m) return;
    params_free(m->p);
    if (m->masks)
        for (size_t i = 0; i < m->K * (m->L + 1); i++) cm_matrix_free(m->masks[i]);
    for (size_t l = 0; l <= m->L; l++) {
        if (m->Wm) cm_matrix_free(m->Wm[l]);
        if (m->gW) cm_matrix_free(m->gW[l]);
        if (l < m->L && m->act) cm_matrix_free(m->act[l]);
        if (l < m->L && m->dact) cm_matrix_free(m->dact[l]);
    }
    free(m->masks);
    free(m->Wm);
    free(m->gW);
    free(m->act);
    free(m->dact);
    free(m->orders);
    free(m->pos);
    free(m->degrees);
    free(m->perm);
    free(m->need);
    free(m->bp);
    cm_matrix_free(m->Xp);
    cm_matrix_free(m->Zp);
    cm_matrix_free(m->dXp);
    free(m);
}

void ar_made_init(ar_made *m, gsl_rng *r)
{
    for (size_t l = 0; l <= m->L; l++) {
        size_t in = layer_in(m, l), out = layer_out(m, l);
        init_torch_default(r, params_ptr(m->p, m->iW[l]), out * in, in);
        init_torch_default(r, params_ptr(m->p, m->ib[l]), out, in);
    }
}

size_t ar_made_n_connected(const ar_made *m, size_t k)
{
    size_t n = 0;
    for (size_t l = 0; l <= m->L; l++) {
        const gsl_matrix *M = m->masks[k * (m->L + 1) + l];
        for (size_t i = 0; i < M->size1 * M->size2; i++) n += M->data[i] != 0.0;
    }
    return n;
}

/* AVX2 and AVX-512 copies of the passes, picked at start-up (as chapter 01's RNN_CLONES), for
 * their element-wise loops (masks, ReLUs); the same numbers, since ISO C mode does not contract
 * to FMA. On definitions only: GCC 12 would link a declaration's callers to unexported names. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define MADE_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define MADE_CLONES
#endif

/* h^l = relu(h^{l-1} (W^l . M^l)^T + b^l) for the hidden layers, z = h^L (W . M)^T + b, with
 * every layer's units sorted (made.h): block by block, each over its prefix of the inputs. */
MADE_CLONES void ar_made_forward(ar_made *m, const gsl_matrix *X, size_t k, gsl_matrix *Z)
{
    const size_t B = X->size1, D = m->D, L = m->L, *ord = units_of(m, k, 0);
    m->cur = k;
    gsl_matrix_view Xp = cm_matrix_rows(m->Xp, B), Zp = cm_matrix_rows(m->Zp, B);
    for (size_t r = 0; r < B; r++) /* the variables in the ordering's order */
        for (size_t p = 0; p < D; p++) Xp.matrix.data[r * D + p] = X->data[r * X->tda + ord[p]];
    for (size_t l = 0; l <= L; l++) {
        const size_t in = layer_in(m, l), out = layer_out(m, l);
        const size_t *pi = in_units(m, k, l), *po = out_units(m, k, l), *need = need_of(m, k, l);
        const double *w = params_ptr(m->p, m->iW[l]), *b = params_ptr(m->p, m->ib[l]);
        const double *mk = m->masks[k * (L + 1) + l]->data;
        double *wm = m->Wm[l]->data;
        for (size_t j = 0; j < out; j++) { /* W . M, rows and columns sorted */
            const double *wr = w + po[j] * in, *mr = mk + po[j] * in;
            for (size_t i = 0; i < in; i++) wm[j * in + i] = wr[pi[i]] * mr[pi[i]];
        }
        gsl_matrix_view inp = l ? cm_matrix_rows(m->act[l - 1], B) : Xp;
        gsl_matrix_view Y = l < L ? cm_matrix_rows(m->act[l], B) : Zp;
        for (size_t j = 0; j < out; j++) m->bp[j] = b[po[j]];
        for (size_t r = 0; r < B; r++) memcpy(Y.matrix.data + r * out, m->bp, out * sizeof(double));
        for (size_t bl = 0; bl < AR_MADE_BLOCKS; bl++) { /* Y[:, block] += X[:, prefix] Wb^T */
            size_t j0, j1;
            block_range(out, bl, &j0, &j1);
            if (j1 == j0 || need[bl] == 0) continue;
            gsl_matrix_const_view x = gsl_matrix_const_submatrix(&inp.matrix, 0, 0, B, need[bl]);
            gsl_matrix_const_view wb =
                gsl_matrix_const_submatrix(m->Wm[l], j0, 0, j1 - j0, need[bl]);
            gsl_matrix_view y = gsl_matrix_submatrix(&Y.matrix, 0, j0, B, j1 - j0);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &x.matrix, &wb.matrix, 1.0, &y.matrix);
        }
        if (l < L) {
            double *hd = Y.matrix.data; /* rows are contiguous: the workspace has H_l columns */
            const size_t nh = B * out;
#pragma omp simd
            for (size_t i = 0; i < nh; i++) hd[i] = hd[i] > 0.0 ? hd[i] : 0.0;
        }
    }
    for (size_t r = 0; r < B; r++) /* the logits back in the variables' order */
        for (size_t p = 0; p < D; p++) Z->data[r * Z->tda + ord[p]] = Zp.matrix.data[r * D + p];
}

/* The forward pass backwards, in the same sorted units and blocks:
 * y = x (W . M)^T + b, so dW += (dy^T x) . M, db += sum dy, dx = dy (W . M). */
MADE_CLONES void ar_made_backward(ar_made *m, const gsl_matrix *X, const gsl_matrix *dZ,
                                  gsl_matrix *dX)
{
    const size_t B = X->size1, D = m->D, L = m->L, k = m->cur, *ord = units_of(m, k, 0);
    gsl_matrix_view Xp = cm_matrix_rows(m->Xp, B), dZp = cm_matrix_rows(m->Zp, B),
                    dXp = cm_matrix_rows(m->dXp, B);
    for (size_t r = 0; r < B; r++)
        for (size_t p = 0; p < D; p++) {
            Xp.matrix.data[r * D + p] = X->data[r * X->tda + ord[p]];
            dZp.matrix.data[r * D + p] = dZ->data[r * dZ->tda + ord[p]];
        }
    for (size_t l = L + 1; l-- > 0;) {
        const size_t in = layer_in(m, l), out = layer_out(m, l);
        const size_t *pi = in_units(m, k, l), *po = out_units(m, k, l), *need = need_of(m, k, l);
        const double *mk = m->masks[k * (L + 1) + l]->data, *g = m->gW[l]->data;
        double *dw = params_grad_ptr(m->p, m->iW[l]), *db = params_grad_ptr(m->p, m->ib[l]);
        gsl_matrix_view inp = l ? cm_matrix_rows(m->act[l - 1], B) : Xp;
        gsl_matrix_view dY = l < L ? cm_matrix_rows(m->dact[l], B) : dZp;
        gsl_matrix_view dIn = l ? cm_matrix_rows(m->dact[l - 1], B) : dXp;
        const int want_din = l > 0 || dX;
        if (want_din) gsl_matrix_set_zero(&dIn.matrix);
        for (size_t bl = 0; bl < AR_MADE_BLOCKS; bl++) {
            size_t j0, j1;
            block_range(out, bl, &j0, &j1);
            if (j1 == j0 || need[bl] == 0) continue;
            gsl_matrix_const_view x = gsl_matrix_const_submatrix(&inp.matrix, 0, 0, B, need[bl]);
            gsl_matrix_const_view dy = gsl_matrix_const_submatrix(&dY.matrix, 0, j0, B, j1 - j0);
            gsl_matrix_view gb = gsl_matrix_submatrix(m->gW[l], j0, 0, j1 - j0, need[bl]);
            gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &dy.matrix, &x.matrix, 0.0, &gb.matrix);
            for (size_t j = j0; j < j1; j++) { /* dW += gW . M, in the parameters' order */
                double *dwr = dw + po[j] * in;
                const double *mr = mk + po[j] * in;
                for (size_t i = 0; i < need[bl]; i++) dwr[pi[i]] += g[j * in + i] * mr[pi[i]];
            }
            if (want_din) { /* dx[:, prefix] += dy[:, block] Wb */
                gsl_matrix_const_view wb =
                    gsl_matrix_const_submatrix(m->Wm[l], j0, 0, j1 - j0, need[bl]);
                gsl_matrix_view dx = gsl_matrix_submatrix(&dIn.matrix, 0, 0, B, need[bl]);
                gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &dy.matrix, &wb.matrix, 1.0,
                               &dx.matrix);
            }
        }
        for (size_t r = 0; r < B; r++)
            for (size_t j = 0; j < out; j++) db[po[j]] += dY.matrix.data[r * out + j];
        if (l > 0) { /* forward: h^{l-1} = relu(pre): dpre = dh where h > 0 */
            const double *h = inp.matrix.data;
            double *dh = dIn.matrix.data;
            const size_t nh = B * in;
#pragma omp simd
            for (size_t i = 0; i < nh; i++) dh[i] = h[i] > 0.0 ? dh[i] : 0.0;
        }
    }
    if (dX)
        for (size_t r = 0; r < B; r++)
            for (size_t p = 0; p < D; p++)
                dX->data[r * dX->tda + ord[p]] = dXp.matrix.data[r * D + p];
}
