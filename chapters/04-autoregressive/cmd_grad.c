/* cmd_grad.c: `autoregressive gradcheck` (the numeric gradient check of every model), `grad`
 * (a checkpoint's log-likelihoods and gradients on a batch, as .npy: the parity hook) and
 * `bench` (seconds per training epoch, for tools/bench/autoregressive). */
#include "runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gradcases.h"
#include "matrix.h"
#include "npy.h"

int ar_run_gradcheck(const ar_opts *o)
{
    int failed = 0;
    for (int k = 0; k < AR_N_KINDS; k++) {
        gc_report reps[AR_GC_MAX_REPORTS];
        size_t n;
        int f = ar_gradcheck_case((ar_kind)k, o->c->seed, reps, &n);
        if (f < 0) cm_die_status(CM_EINVAL);
        printf("%s (%s), every entry, tolerance 1e-6:\n", ar_kind_name((ar_kind)k),
               ar_gc_case_sizes((ar_kind)k));
        gc_print_table(stdout, reps, n);
        failed += f;
    }
    printf("gradcheck: %s (%d tensors failed)\n", failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}

static void write_npy(const cli_common *c, const char *name, int ndim, const size_t *shape,
                      const double *x)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.npy", c->out, name);
    cm_die_status(npy_write_f64(path, ndim, shape, x));
}

/* Reads X.npy (float64, (B, D)). */
static gsl_matrix *read_batch(const char *dir, size_t D)
{
    char path[4200];
    npy_array *a = NULL;
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cm_die_status(npy_read(path, &a));
    if (a->dtype != NPY_F64 || a->ndim != 2 || a->shape[1] != D || a->shape[0] == 0)
        cm_die("%s: expected float64 of shape (B, %zu)", path, D);
    gsl_matrix *X = cm_matrix_calloc(a->shape[0], D);
    if (!X) cm_die_status(CM_ENOMEM);
    memcpy(X->data, a->data, a->shape[0] * D * sizeof(double));
    npy_free(a);
    return X;
}

int ar_run_grad(const ar_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load || !o->batch_dir)
        cm_die("grad: --load DIR (checkpoint) and --batch DIR (X.npy) are required");
    size_t *order = cm_xcalloc(100000, sizeof(size_t));
    ar_model *probe = ar_load_model(o->load, 1, order, 100000);
    gsl_matrix *X = read_batch(o->batch_dir, probe->D);
    ar_model_free(probe);
    ar_model *m = ar_load_model(o->load, X->size1, order, 100000);
    cli_prepare_out(c);
    const size_t B = X->size1, D = m->D;
    /* log p(x) per row (the mixture over orderings for MADE), then the loss and gradients under
     * ordering 0 */
    double *lp = cm_xcalloc(B, sizeof(double));
    ar_model_logp(m, X, lp);
    write_npy(c, "logp", 1, &B, lp);
    double L = ar_model_loss_backward(m, X, 0);
    write_npy(c, "loss", 0, NULL, &L);
    gsl_matrix_view Z = cm_matrix_rows(m->Z, B);
    size_t zs[2] = {B, D};
    write_npy(c, "logits", 2, zs, Z.matrix.data);
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        write_npy(c, pt->name, pt->ndim, pt->shape, params_grad_ptr(m->p, (int)t));
    }
    if (m->made) { /* the masks and orderings, so that the parity script can rebuild them */
        for (size_t k = 0; k < m->K; k++)
            for (size_t l = 0; l <= m->made->L; l++) {
                char name[64];
                const gsl_matrix *M = m->made->masks[k * (m->made->L + 1) + l];
                size_t sh[2] = {M->size1, M->size2};
                snprintf(name, sizeof name, "mask.%zu.%zu", k, l);
                write_npy(c, name, 2, sh, M->data);
            }
        double *ord = cm_xcalloc(m->K * D, sizeof(double));
        for (size_t i = 0; i < m->K * D; i++) ord[i] = (double)m->made->orders[i];
        size_t sh[2] = {m->K, D};
        write_npy(c, "orderings", 2, sh, ord);
        free(ord);
    }
    if (!c->quiet)
        printf("grad: %s, loss %.17g on %zu rows; wrote logp.npy, loss.npy, logits.npy and %zu "
               "gradients to %s\n",
               ar_kind_name(m->spec.kind), L, B, m->p->n_tensors, c->out);
    free(lp);
    free(order);
    cm_matrix_free(X);
    ar_model_free(m);
    return 0;
}

/* Seconds per epoch of training (shuffled batches, forward, backward, Adam; no evaluation): the
 * same work as tools/bench/autoregressive's torch loop. */
int ar_run_bench(const ar_opts *o)
{
    const cli_common *c = o->c;
    ar_data *d = ar_load_data(o);
    ar_kind kind = o->model >= 0 ? (ar_kind)o->model : AR_NADE;
    size_t *order = cm_xcalloc(d->D, sizeof(size_t));
    ar_spec s = ar_spec_from_opts(o, kind, d->D, order);
    size_t batch = o->batch ? o->batch : AR_BATCH;
    ar_model *m = ar_model_alloc(&s, batch);
    if (!m) cm_die_status(CM_EINVAL);
    gsl_rng *r = ar_rng_seeded(c->seed);
    ar_model_init(m, r);
    ar_train_cfg cfg = {.epochs = ar_pick_long(o->epochs, AR_BENCH_EPOCHS, c),
                        .batch = batch,
                        .lr = o->lr > 0 ? o->lr : AR_LR,
                        .quiet = 1};
    ar_train_result res;
    int st = ar_train(m, d->Xtr, NULL, &cfg, r, &res);
    if (st == CM_OK && res.signal) {
        ar_train_result_free(&res);
        gsl_rng_free(r);
        ar_model_free(m);
        free(order);
        ar_data_free(d);
        return intr_report(res.signal, res.last_step, NULL, "a benchmark keeps none");
    }
    if (st != CM_OK) {
        gsl_rng_free(r);
        ar_model_free(m);
        free(order);
        ar_data_free(d);
        if (st != CM_ENOTFINITE) cm_die_status(st);
        fprintf(stderr, "%s: bench: %s\n", cm_progname(), cm_errmsg());
        return 3;
    }
    char line[512];
    ar_model_describe(m, line, sizeof line);
    printf("bench: %s\n", line);
    ar_kv("seconds_per_epoch", res.seconds / (double)res.epochs_run, "training only");
    ar_kv("train_nll", res.train_nll, "last epoch");
    ar_train_result_free(&res);
    gsl_rng_free(r);
    ar_model_free(m);
    free(order);
    ar_data_free(d);
    return 0;
}
