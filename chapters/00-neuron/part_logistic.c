/* part_logistic.c: `neuron logistic`, logistic regression on breast_cancer (linear.h), full
 * batch. */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "error.h"
#include "linear.h"
#include "optim.h"

/* ---- 2. logistic regression on breast_cancer ------------------------------------------- */

int neuron_run_logistic(const neuron_opts *o, neuron_summary *sum)
{
    const cli_common *c = o->c;
    const char *path = c->data ? c->data : DATA_BREAST;
    neuron_split *s = neuron_load_random(path, c->seed);
    if (s->k != 2) cm_die("%s: logistic regression needs two classes (0/1), found %d", path, s->k);
    long epochs = neuron_pick_long(o->epochs, LOGISTIC_EPOCHS, c);
    double lr = neuron_pick_double(o->lr, LOGISTIC_LR);
    int use_adam = o->optimizer != 0;

    neuron_linear *m = neuron_linear_alloc(s->d, 1);
    gsl_matrix *Z = cm_matrix_calloc(s->ntr, 1), *dZ = cm_matrix_calloc(s->ntr, 1);
    gsl_matrix *T = cm_matrix_calloc(s->ntr, 1), *Zte = cm_matrix_calloc(s->nte, 1);
    gsl_matrix *Tte = cm_matrix_calloc(s->nte, 1);
    if (!m || !Z || !dZ || !T || !Zte || !Tte) cm_die("out of memory");
    for (size_t i = 0; i < s->ntr; i++) gsl_matrix_set(T, i, 0, s->ytr[i]);
    for (size_t i = 0; i < s->nte; i++) gsl_matrix_set(Tte, i, 0, s->yte[i]);
    gsl_rng *r = neuron_rng_seeded(c->seed);
    neuron_linear_init(m, r);
    gsl_rng_free(r);
    adam opt_a = {0};
    sgd opt_s = {0};
    int st = use_adam ? adam_init(&opt_a, m->p->size, lr, 0.9, 0.999, 1e-8, o->weight_decay)
                      : sgd_init(&opt_s, m->p->size, lr, o->momentum, o->weight_decay, 0);
    cm_die_status(st);

    double L = NAN;
    for (long e = 0; e < epochs; e++) { /* full-batch: one step per epoch */
        params_zero_grad(m->p);
        neuron_linear_forward(m, s->Xtr, Z);
        L = neuron_logistic_loss(Z, T, dZ);
        if (!isfinite(L)) {
            fprintf(stderr, "%s: logistic: loss is %s at step %ld\n", cm_progname(),
                    isnan(L) ? "nan" : "inf", e + 1);
            return 3;
        }
        neuron_linear_backward(m, s->Xtr, dZ, NULL);
        if (use_adam)
            adam_step(&opt_a, m->p->data, m->p->grad);
        else
            sgd_step(&opt_s, m->p->data, m->p->grad);
    }
    neuron_linear_forward(m, s->Xte, Zte);
    double acc = neuron_logistic_accuracy(Zte, Tte);
    char note[160];
    printf("logistic regression: %s, %zu train / %zu test rows, %zu features, %ld full-batch %s "
           "steps\n",
           path, s->ntr, s->nte, s->d, epochs, use_adam ? "Adam" : "SGD");
    neuron_kv("logistic.train_loss", L, "binary cross-entropy");
    snprintf(note, sizeof note, "%.0f of %zu test rows right", acc * (double)s->nte, s->nte);
    neuron_kv("logistic.test_acc", acc, note);
    if (sum) sum->logistic_acc = acc;
    adam_free(&opt_a);
    sgd_free(&opt_s);
    gsl_matrix_free(Z);
    gsl_matrix_free(dZ);
    gsl_matrix_free(T);
    gsl_matrix_free(Zte);
    gsl_matrix_free(Tte);
    neuron_linear_free(m);
    neuron_split_free(s);
    return 0;
}
