/* gradcases.c: gradient checks of every model and loss (see gradcases.h). */
#include "gradcases.h"

#include <stdio.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "matrix.h"
#include "error.h"
#include "init.h"
#include "linear.h"
#include "train.h"

enum { GC_B = 5, GC_D = 4, GC_H = 6, GC_K = 3 }; /* small: every entry is checked */

const char *neuron_gc_case_name(neuron_gc_case c)
{
    static const char *names[] = {"logistic regression + BCE", "softmax regression + CE",
                                  "softmax regression + smooth acc", "MLP + CE",
                                  "MLP + smooth acc"};
    return c < NEURON_GC_COUNT ? names[c] : "?";
}

const char *neuron_gc_case_sizes(neuron_gc_case c)
{
    switch (c) {
    case NEURON_GC_LOGISTIC:
        return "B=5, D=4, K=1";
    case NEURON_GC_SOFTMAX_CE:
    case NEURON_GC_SOFTMAX_SMOOTH:
        return "B=5, D=4, K=3";
    default:
        return "B=5, D=4, H=6, K=3";
    }
}

typedef struct {
    neuron_gc_case c;
    neuron_clf *clf;       /* softmax regression or MLP cases */
    neuron_linear *lin;    /* the logistic case */
    gsl_matrix *X, *T, *Z; /* input (B,D); logistic targets and logits (B,1) */
    int labels[GC_B];
} gc_ctx;

static neuron_loss_kind case_loss(neuron_gc_case c)
{
    return c == NEURON_GC_SOFTMAX_SMOOTH || c == NEURON_GC_MLP_SMOOTH ? NEURON_LOSS_SMOOTH
                                                                      : NEURON_LOSS_CE;
}

/* The loss from the current values only (no backward): what the check differentiates. */
static double gc_loss(void *p)
{
    gc_ctx *g = p;
    if (g->lin) {
        neuron_linear_forward(g->lin, g->X, g->Z);
        return neuron_logistic_loss(g->Z, g->T, NULL);
    }
    gsl_matrix_view z = neuron_clf_forward(g->clf, g->X);
    return neuron_loss(case_loss(g->c), &z.matrix, g->labels, NULL);
}

int neuron_gradcheck_case(neuron_gc_case c, unsigned long seed, gc_report *reps, size_t *n_reps)
{
    *n_reps = 0;
    if (c >= NEURON_GC_COUNT) return cm_error(CM_EINVAL, "no gradient check case %d", (int)c);
    int ret = -1;
    gc_ctx g = {.c = c};
    params *p = NULL;
    gsl_matrix *dX = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    g.X = cm_matrix_calloc(GC_B, GC_D);
    dX = cm_matrix_calloc(GC_B, GC_D);
    if (!r || !g.X || !dX) {
        cm_error(CM_ENOMEM, "out of memory");
        goto done;
    }
    gsl_rng_set(r, seed);
    init_uniform(r, g.X->data, GC_B * GC_D, -2.0, 2.0);
    for (int i = 0; i < GC_B; i++) g.labels[i] = (int)gsl_rng_uniform_int(r, GC_K);

    if (c == NEURON_GC_LOGISTIC) {
        g.T = cm_matrix_calloc(GC_B, 1);
        g.Z = cm_matrix_calloc(GC_B, 1);
        if (!g.T || !g.Z || !(g.lin = neuron_linear_alloc(GC_D, 1))) goto done;
        for (int i = 0; i < GC_B; i++) gsl_matrix_set(g.T, i, 0, g.labels[i] % 2);
        p = g.lin->p;
        init_uniform(r, p->data, p->size, -1.5, 1.5);
        params_zero_grad(p);
        neuron_linear_forward(g.lin, g.X, g.Z);
        gsl_matrix *dZ = cm_matrix_calloc(GC_B, 1);
        if (!dZ) goto done;
        neuron_logistic_loss(g.Z, g.T, dZ);
        neuron_linear_backward(g.lin, g.X, dZ, dX);
        gsl_matrix_free(dZ);
    } else {
        int mlp = c == NEURON_GC_MLP_CE || c == NEURON_GC_MLP_SMOOTH;
        g.clf =
            neuron_clf_alloc(mlp ? NEURON_MODEL_MLP : NEURON_MODEL_SOFTMAX, GC_D, GC_H, GC_K, GC_B);
        if (!g.clf) goto done;
        p = g.clf->p;
        init_uniform(r, p->data, p->size, -1.5, 1.5);
        neuron_clf_loss_backward(g.clf, g.X, g.labels, case_loss(c), dX);
    }
    gc_options opt = gc_default_options();
    int failed = gc_check_params(p, gc_loss, &g, &opt, reps);
    if (failed < 0) goto done;
    gc_report *in = &reps[p->n_tensors];
    if (gc_check_array("input", g.X->data, dX->data, GC_B * GC_D, gc_loss, &g, &opt, in) != CM_OK)
        goto done;
    *n_reps = p->n_tensors + 1;
    ret = failed + !in->passed;
done:
    neuron_clf_free(g.clf);
    neuron_linear_free(g.lin);
    if (g.X) gsl_matrix_free(g.X);
    if (g.T) gsl_matrix_free(g.T);
    if (g.Z) gsl_matrix_free(g.Z);
    if (dX) gsl_matrix_free(dX);
    if (r) gsl_rng_free(r);
    return ret;
}
