/* gradcases.c: gradient checks of FVSBN, NADE and MADE (see gradcases.h). */
#include "gradcases.h"

#include <gsl/gsl_rng.h>

#include "bernoulli.h"
#include "error.h"
#include "init.h"
#include "matrix.h"
#include "ordering.h"

enum { GC_B = 5, GC_D = 7, GC_K = 3 };

const char *ar_gc_case_sizes(ar_kind k)
{
    switch (k) {
    case AR_FVSBN:
        return "B=5, D=7, a random ordering";
    case AR_NADE:
        return "B=5, D=7, H=6, a random ordering";
    default:
        return "B=5, D=7, hidden 9,8, 3 orderings (checked under ordering 1)";
    }
}

typedef struct {
    ar_model *m;
    gsl_matrix *X, *Z;
    size_t k;
} gc_ctx;

/* The loss from the current values only: the mean NLL under ordering k. */
static double gc_loss(void *p)
{
    gc_ctx *g = p;
    ar_model_logits(g->m, g->X, g->k, g->Z);
    return ar_bern_nll_rows(g->Z, g->X, NULL, NULL);
}

int ar_gradcheck_case(ar_kind kind, unsigned long seed, gc_report *reps, size_t *n_reps)
{
    *n_reps = 0;
    int ret = -1;
    gc_ctx g = {0};
    size_t order[GC_D];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    g.X = cm_matrix_calloc(GC_B, GC_D);
    g.Z = cm_matrix_calloc(GC_B, GC_D);
    if (!r || !g.X || !g.Z) {
        cm_error(CM_ENOMEM, "out of memory");
        goto done;
    }
    gsl_rng_set(r, seed);
    ar_ordering_random(r, order, GC_D);
    for (size_t i = 0; i < GC_B * GC_D; i++) {
        double u = gsl_rng_uniform(r);
        g.X->data[i] = u < 0.4 ? 0.0 : u < 0.8 ? 1.0 : gsl_rng_uniform(r);
    }
    ar_spec s = {.kind = kind, .D = GC_D, .orderings = 1, .order = order, .mask_seed = seed};
    if (kind == AR_NADE) s.n_hidden = 1, s.hidden[0] = 6;
    if (kind == AR_MADE) s.n_hidden = 2, s.hidden[0] = 9, s.hidden[1] = 8, s.orderings = GC_K;
    if (!(g.m = ar_model_alloc(&s, GC_B))) goto done;
    g.k = kind == AR_MADE ? 1 : 0;
    params *p = g.m->p;
    init_uniform(r, p->data, p->size, -1.5, 1.5);
    if (kind == AR_FVSBN) { /* the weights outside the mask stay 0, as training keeps them */
        gsl_matrix_view W = params_matrix(p, g.m->fvsbn->iW);
        gsl_matrix_mul_elements(&W.matrix, g.m->fvsbn->mask);
    }
    ar_model_loss_backward(g.m, g.X, g.k);
    gc_options opt = gc_default_options();
    int failed = gc_check_params(p, gc_loss, &g, &opt, reps);
    if (failed < 0) goto done;
    *n_reps = p->n_tensors;
    ret = failed;
done:
    ar_model_free(g.m);
    cm_matrix_free(g.X);
    cm_matrix_free(g.Z);
    if (r) gsl_rng_free(r);
    return ret;
}
