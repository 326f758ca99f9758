/* cmd_bench.c: `neuron bench`: seconds per epoch of the digits MLP (tools/bench/neuron). */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "error.h"
#include "dataset.h"
#include "optim.h"
#include "timer.h"

int neuron_run_bench(const neuron_opts *o)
{
    const cli_common *c = o->c;
    neuron_split *s =
        neuron_load_digits(c->data ? c->data : DATA_DIGITS, o->digits_ordered, c->seed);
    size_t B = o->batch ? o->batch : DIGITS_BATCH;
    long epochs = neuron_pick_long(o->epochs, BENCH_EPOCHS, c);
    neuron_clf *m = neuron_clf_alloc(NEURON_MODEL_MLP, s->d, o->hidden, (size_t)s->k, B);
    gsl_matrix *Xb = cm_matrix_calloc(B, s->d);
    int *yb = cm_xcalloc(B, sizeof(int));
    if (!m || !Xb) cm_die("out of memory");
    gsl_rng *r = neuron_rng_seeded(c->seed);
    neuron_clf_init(m, r);
    adam opt;
    batcher bt;
    cm_die_status(
        adam_init(&opt, m->p->size, neuron_pick_double(o->lr, MLP_LR), 0.9, 0.999, 1e-8, 0));
    cm_die_status(batcher_init(&bt, s->ntr, B));
    if (!c->quiet)
        printf("bench: mlp %zu-%zu-%zu, batch %zu, Adam, %ld epochs of %zu rows\n", s->d, o->hidden,
               (size_t)s->k, B, epochs, s->ntr);
    cm_timer t;
    timer_start(&t);
    double L = 0;
    for (long e = 0; e < epochs; e++) {
        size_t n;
        const size_t *idx;
        batcher_shuffle(&bt, r);
        while ((n = batcher_next(&bt, &idx)) > 0) {
            gsl_matrix_view Xv = gsl_matrix_submatrix(Xb, 0, 0, n, s->d);
            dataset_gather_rows(s->Xtr, idx, n, &Xv.matrix);
            for (size_t i = 0; i < n; i++) yb[i] = s->ytr[idx[i]];
            L = neuron_clf_loss_backward(m, &Xv.matrix, yb, NEURON_LOSS_CE, NULL);
            adam_step(&opt, m->p->data, m->p->grad);
        }
    }
    double sec = timer_elapsed(&t) / (double)epochs;
    if (!c->quiet) printf("final batch loss %.6f\n", L);
    printf("seconds_per_epoch %.6g\n", sec);
    batcher_free(&bt);
    adam_free(&opt);
    gsl_rng_free(r);
    free(yb);
    gsl_matrix_free(Xb);
    neuron_clf_free(m);
    neuron_split_free(s);
    return 0;
}
