/* gradcases.c: the gradient checks of the negative-sampling and hierarchical-softmax
 * objectives, for a skip-gram pair and a CBOW window. */
#include "gradcases.h"

#include <math.h>
#include <gsl/gsl_rng.h>

#include "error.h"
#include "model.h"
#include "objective.h"

#define GC_V 12
#define GC_D 7

const char *w2v_gc_case_name(w2v_gc_case c)
{
    static const char *const names[] = {
        "skip-gram pair, negative sampling", "skip-gram pair, hierarchical softmax",
        "CBOW window, negative sampling", "CBOW window, hierarchical softmax"};
    return c < W2V_GC_N ? names[c] : "?";
}

typedef struct {
    w2v_model *m;
    int cbow;
    int centre, context;
    int ctx[4];
    int neg[5];
} gc_ctx;

static double case_loss(void *arg)
{
    gc_ctx *g = arg;
    return g->cbow ? w2v_cbow_loss(g->m, g->centre, g->ctx, 4, g->neg, 0)
                   : w2v_sg_loss(g->m, g->centre, g->context, g->neg, 0);
}

int w2v_gradcheck_case(w2v_gc_case c, gc_report *reps, size_t *n)
{
    *n = 0;
    if (c >= W2V_GC_N) {
        cm_error(CM_EINVAL, "no gradient-check case %d", (int)c);
        return -1;
    }
    const long counts[GC_V] = {40, 31, 22, 17, 13, 9, 7, 5, 4, 3, 2, 1};
    w2v_config cfg;
    w2v_config_defaults(&cfg);
    cfg.dim = GC_D;
    cfg.hs = c == W2V_GC_SG_HS || c == W2V_GC_CBOW_HS;
    cfg.negative = cfg.hs ? 0 : 5;
    cfg.exact_sigmoid = 1;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        cm_error(CM_ENOMEM, "out of memory");
        return -1;
    }
    w2v_model *m = w2v_model_alloc(&cfg, counts, GC_V, r);
    gsl_rng_free(r);
    if (!m) return -1;
    /* varied weights of size about 0.5..0.9 (genann's sin(i * 1.7)), so that the scores
     * u·h are of order 1 and σ is neither flat nor saturated; the output vectors get their own
     * phase, so that no gradient is trivially zero (they start at 0 in training) */
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        double *x = params_ptr(m->p, (int)t);
        for (size_t i = 0; i < m->p->tensors[t].size; i++)
            x[i] = 0.9 * sin((double)i * 1.7 + 0.4 * (double)t);
    }
    /* the centre word 3 appears again in the negatives (it must be skipped) and the window
     * holds one word twice (both occurrences get the gradient) */
    gc_ctx g = {.m = m,
                .cbow = c == W2V_GC_CBOW_NS || c == W2V_GC_CBOW_HS,
                .centre = 3,
                .context = 8,
                .ctx = {8, 1, 10, 8},
                .neg = {0, 5, 3, 11, 0}};
    params_zero_grad(m->p);
    if (g.cbow)
        w2v_cbow_loss(m, g.centre, g.ctx, 4, g.neg, 1);
    else
        w2v_sg_loss(m, g.centre, g.context, g.neg, 1);
    gc_options opt = gc_default_options();
    opt.max_per_tensor = GC_V * GC_D; /* every entry */
    int failed = gc_check_params(m->p, case_loss, &g, &opt, reps);
    *n = m->p->n_tensors;
    w2v_model_free(m);
    return failed;
}
