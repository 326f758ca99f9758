/* cmd_train.c: `autoregressive train` (one model, a checkpoint after every epoch), `eval` (the
 * exact NLL of a checkpoint) and `sample` (its sample grid and completions). */
#include "runs.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"

int ar_run_train(const ar_opts *o)
{
    const cli_common *c = o->c;
    ar_data *d = ar_load_data(o);
    ar_kind kind = o->model >= 0 ? (ar_kind)o->model : AR_NADE;
    size_t *order = cm_xcalloc(d->D, sizeof(size_t));
    ar_spec s = ar_spec_from_opts(o, kind, d->D, order);
    cli_prepare_out(c);
    const char *label = ar_kind_name(kind);
    printf("train: %s on %s, %zu train / %zu test images; checkpoint %s/%s/\n", label,
           c->data ? c->data : AR_DATA_DIGITS, d->ntr, d->nte, c->out, label);
    ar_model *m = NULL;
    ar_train_result res;
    int st = ar_train_run(o, &s, d, label, label, 0, &m, &res);
    if (st == 0) {
        printf("summary: %s test NLL %.4f nats after %ld epochs (%.1f s); checkpoint %s/%s/\n",
               label, res.test_nll, res.epochs_run, res.seconds, c->out, label);
        ar_train_result_free(&res);
    }
    ar_model_free(m);
    free(order);
    ar_data_free(d);
    return st;
}

static void need_load(const ar_opts *o, const char *sub)
{
    if (!o->load) cm_die("%s: --load DIR (a checkpoint written by train) is required", sub);
}

int ar_run_eval(const ar_opts *o)
{
    need_load(o, "eval");
    ar_data *d = ar_load_data(o);
    size_t *order = cm_xcalloc(d->D, sizeof(size_t));
    ar_model *m = ar_load_model(o->load, 256, order, d->D);
    if (m->D != d->D)
        cm_die("checkpoint %s: a model of %zu variables, the data have %zu", o->load, m->D, d->D);
    char line[512];
    ar_model_describe(m, line, sizeof line);
    printf("eval: %s on %s\n%s\n", o->load, o->c->data ? o->c->data : AR_DATA_DIGITS, line);
    ar_kv("eval.train_nll", ar_model_nll(m, d->Xtr), "exact -log p(x), nats per image");
    double te = ar_model_nll(m, d->Xte);
    ar_kv("eval.test_nll", te, "exact -log p(x), nats per image");
    printf("summary: %s test NLL %.4f nats on %zu test images\n", ar_kind_name(m->spec.kind), te,
           d->nte);
    ar_model_free(m);
    free(order);
    ar_data_free(d);
    return 0;
}

int ar_run_sample(const ar_opts *o)
{
    need_load(o, "sample");
    ar_data *d = ar_load_data(o);
    size_t *order = cm_xcalloc(d->D, sizeof(size_t));
    ar_model *m = ar_load_model(o->load, 256, order, d->D);
    if (m->D != d->D)
        cm_die("checkpoint %s: a model of %zu variables, the data have %zu", o->load, m->D, d->D);
    cli_prepare_out(o->c);
    const char *label = ar_kind_name(m->spec.kind);
    size_t n = o->samples > 0 ? (size_t)o->samples : AR_GRID;
    ar_write_samples(o, m, d, label, n, o->c->seed);
    ar_write_completion(o, m, d, label, o->c->seed);
    printf("summary: %zu samples of %s in %s/samples_%s, completions in %s/completion_%s\n", n,
           o->load, o->c->out, label, o->c->out, label);
    ar_model_free(m);
    free(order);
    ar_data_free(d);
    return 0;
}
