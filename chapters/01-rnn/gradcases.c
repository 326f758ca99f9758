/* gradcases.c: the numeric gradient checks (common/gradcheck.h) of the recurrent language
 * model, through rnn_forward and rnn_backward exactly as training calls them. */
#include "gradcases.h"

#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "error.h"
#include "init.h"

typedef struct {
    rnn_model *m;
    rnn_work *w;
    int x[RNN_GC_T * RNN_GC_B], y[RNN_GC_T * RNN_GC_B];
    double *h0, *c0;
} gc_ctx;

static double gc_loss(void *p)
{
    gc_ctx *g = p;
    return rnn_forward(g->m, g->w, RNN_GC_T, g->x, g->y, g->h0, g->c0);
}

int rnn_gradcheck_case(rnn_gc_case gc, unsigned long seed, gc_report *reps, size_t *n)
{
    int failed = -1;
    gc_ctx g = {0};
    double *dh0 = NULL, *dc0 = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return cm_error(CM_ENOMEM, "out of memory"), -1;
    gsl_rng_set(r, seed);
    g.m = rnn_model_alloc(gc.cell, RNN_GC_V, RNN_GC_H, gc.layers);
    if (!g.m) goto done;
    g.w = rnn_work_alloc(g.m, RNN_GC_T, RNN_GC_B);
    size_t S = rnn_state_size(g.m, RNN_GC_B);
    g.h0 = cm_calloc(S, sizeof(double)), g.c0 = cm_calloc(S, sizeof(double));
    dh0 = cm_calloc(S, sizeof(double)), dc0 = cm_calloc(S, sizeof(double));
    if (!g.w || !g.h0 || !g.c0 || !dh0 || !dc0) goto done;
    /* weights larger than torch's default, so that the gates are not all near 1/2 and tanh
     * is used away from its linear part: a wrong derivative cannot hide there */
    for (size_t t = 0; t < g.m->p->n_tensors; t++)
        init_uniform(r, params_ptr(g.m->p, (int)t), g.m->p->tensors[t].size, -0.8, 0.8);
    init_uniform(r, g.h0, S, -0.9, 0.9);
    init_uniform(r, g.c0, S, -1.5, 1.5);
    for (size_t i = 0; i < RNN_GC_T * RNN_GC_B; i++) {
        g.x[i] = (int)gsl_rng_uniform_int(r, RNN_GC_V);
        g.y[i] = i % 5 == 2 ? -1 : (int)gsl_rng_uniform_int(r, RNN_GC_V); /* some ignored */
    }
    params_zero_grad(g.m->p);
    gc_loss(&g);
    rnn_backward(g.m, g.w, dh0, dc0);
    gc_options opt = gc_default_options();
    opt.sample_seed = seed;
    int f = gc_check_params(g.m->p, gc_loss, &g, &opt, reps);
    if (f < 0) goto done;
    size_t k = g.m->p->n_tensors;
    gc_check_array("h0", g.h0, dh0, S, gc_loss, &g, &opt, &reps[k]);
    f += !reps[k++].passed;
    if (gc.cell == RNN_CELL_LSTM) {
        gc_check_array("c0", g.c0, dc0, S, gc_loss, &g, &opt, &reps[k]);
        f += !reps[k++].passed;
    }
    *n = k;
    failed = f;
done:
    free(dh0), free(dc0), free(g.h0), free(g.c0);
    rnn_work_free(g.w);
    rnn_model_free(g.m);
    gsl_rng_free(r);
    return failed;
}
