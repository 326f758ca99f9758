/* gradcases.c: the gradient checks of every objective (gradcases.h). The weights are
 * deterministic and varied (sin(1.7 i + phase) scaled), large enough that the SiLU units
 * sit on their curved part, where a wrong second derivative shows. */
#include "gradcases.h"

#include <math.h>
#include <stdio.h>

#include "error.h"
#include "gauss.h"
#include "net.h"
#include "objectives.h"

const char *score_gc_case_name(score_gc_case c)
{
    static const char *const n[] = {"exact score matching (trace of the Jacobian)",
                                    "denoising score matching", "sliced score matching (v^T J v)",
                                    "Gaussian model, Hyvarinen's objective"};
    return n[c];
}

typedef struct {
    score_net *m;
    score_batch *b;
    score_objective o;
    size_t B;
} net_ctx;

static double net_loss(void *ctx)
{
    net_ctx *c = ctx;
    return score_loss(c->m, c->o, c->b, c->B, 0);
}

typedef struct {
    score_gauss *g;
    gsl_matrix *X;
} gauss_ctx;

static double gauss_loss(void *ctx)
{
    gauss_ctx *c = ctx;
    return score_gauss_loss(c->g, c->X, 0);
}

static void fill(double *x, size_t n, double scale, double phase)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * sin(1.7 * (double)i + phase);
}

int score_gradcheck_case(score_gc_case k, unsigned long seed, gc_report *reps, size_t *n)
{
    gc_options opt = gc_default_options();
    opt.sample_seed = seed;
    opt.max_per_tensor = 100000; /* every entry */
    int failed;
    if (k == SCORE_GC_GAUSS) {
        score_gauss *g = score_gauss_alloc(3);
        gsl_matrix *X = gsl_matrix_alloc(11, 3);
        if (!g || !X) return -1;
        fill(X->data, 33, 1.3, 0.4);
        fill(params_ptr(g->p, g->mu), 3, 0.7, 2.0);
        fill(params_ptr(g->p, g->A), 9, 0.9, 1.1);
        gauss_ctx c = {g, X};
        params_zero_grad(g->p);
        score_gauss_loss(g, X, 1);
        failed = gc_check_params(g->p, gauss_loss, &c, &opt, reps);
        *n = g->p->n_tensors;
        score_gauss_free(g);
        gsl_matrix_free(X);
        return failed;
    }
    const size_t H = 7, B = 6;
    score_net *m = score_net_alloc(H, B);
    score_batch *b = score_batch_alloc(B);
    if (!m || !b) {
        score_net_free(m), score_batch_free(b);
        return -1;
    }
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        param_tensor *pt = &m->p->tensors[t];
        size_t fan_in = pt->ndim == 2 ? pt->shape[1] : H;
        fill(params_ptr(m->p, (int)t), pt->size, 1.6 / sqrt((double)fan_in), 0.3 + (double)t);
    }
    fill(b->X->data, 2 * B, 1.4, 0.1);
    fill(b->Z->data, 2 * B, 1.0, 0.9);
    fill(b->V->data, 2 * B, 1.2, 2.2);
    const double sig[6] = {0.3, 1.7, 0.05, 2.385, 0.8, 0.11};
    for (size_t i = 0; i < B; i++) b->sigma[i] = sig[i];
    net_ctx c = {m, b,
                 k == SCORE_GC_ESM   ? SCORE_ESM
                 : k == SCORE_GC_DSM ? SCORE_DSM
                                     : SCORE_SSM,
                 B};
    params_zero_grad(m->p);
    score_loss(m, c.o, b, B, 1);
    failed = gc_check_params(m->p, net_loss, &c, &opt, reps);
    *n = m->p->n_tensors;
    score_net_free(m);
    score_batch_free(b);
    return failed;
}
