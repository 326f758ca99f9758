/* runs.c: the helpers the subcommands share (see runs.h). Program code: it prints, and exits
 * through cm_die on bad input. */
#include "runs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "matrix.h"
#include "ordering.h"
#include "plot.h"

const long AR_EPOCHS[2] = {200, 30}, AR_BENCH_EPOCHS[2] = {10, 2};

void ar_opts_defaults(ar_opts *o, cli_common *c)
{
    *o = (ar_opts){.c = c, .model = -1};
}

gsl_rng *ar_rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, seed);
    return r;
}

void ar_kv(const char *key, double v, const char *note)
{
    if (v == floor(v) && fabs(v) < 1e9)
        printf("  %-26s %.0f", key, v);
    else
        printf("  %-26s %.6f", key, v);
    printf(note && *note ? "    (%s)\n" : "\n", note);
}

long ar_pick_long(long v, const long dflt[2], const cli_common *c)
{
    return v > 0 ? v : dflt[c->quick ? 1 : 0];
}

ar_data *ar_load_data(const ar_opts *o)
{
    ar_data *d = NULL;
    cm_die_status(ar_data_load(o->c->data ? o->c->data : AR_DATA_DIGITS, !o->no_binarize, &d));
    return d;
}

ar_spec ar_spec_from_opts(const ar_opts *o, ar_kind kind, size_t D, size_t *order_buf)
{
    ar_spec s = {
        .kind = kind, .D = D, .orderings = 1, .mask_seed = o->c->seed + AR_MASK_SEED_OFFSET};
    if (o->ordering_file) {
        cm_die_status(ar_ordering_read(o->ordering_file, D, order_buf));
        s.order = order_buf;
    }
    if (kind == AR_NADE) {
        if (o->n_hidden > 1) cm_die("--hidden: NADE has one hidden layer, got %zu", o->n_hidden);
        s.n_hidden = 1;
        s.hidden[0] = o->n_hidden ? o->hidden[0] : AR_NADE_HIDDEN;
    } else if (kind == AR_MADE) {
        s.n_hidden = o->n_hidden ? o->n_hidden : 1;
        if (o->n_hidden)
            memcpy(s.hidden, o->hidden, o->n_hidden * sizeof(size_t));
        else
            s.hidden[0] = AR_MADE_HIDDEN;
        s.orderings = o->orderings ? o->orderings : 1;
        s.conn = (ar_connectivity)o->connectivity;
    }
    return s;
}

ar_model *ar_load_model(const char *dir, size_t cap, size_t *order_buf, size_t max_D)
{
    hparams h;
    hparams_init(&h);
    cm_die_status(ckpt_load_hparams(dir, &h));
    ar_spec s;
    cm_die_status(ar_spec_from_hparams(&h, dir, &s, order_buf, max_D));
    ar_model *m = ar_model_alloc(&s, cap);
    if (!m) cm_die_status(CM_EINVAL);
    cm_die_status(ckpt_load_params(dir, m->p));
    hparams_free(&h);
    return m;
}

int ar_train_run(const ar_opts *o, const ar_spec *s, const ar_data *d, const char *label,
                 const char *ckpt, int last_only, ar_model **out, ar_train_result *res)
{
    const cli_common *c = o->c;
    size_t batch = o->batch ? o->batch : AR_BATCH;
    ar_model *m = ar_model_alloc(s, batch > 256 ? batch : 256);
    if (!m) cm_die_status(CM_EINVAL);
    char line[512], logp[4200], ck[4200];
    ar_model_describe(m, line, sizeof line);
    printf("%s\n", line);
    gsl_rng *r = ar_rng_seeded(c->seed);
    ar_model_init(m, r);
    hparams h;
    hparams_init(&h);
    if (ckpt) cm_die_status(ar_spec_to_hparams(&m->spec, &h));
    snprintf(logp, sizeof logp, "%s/%s.csv", c->out, label);
    snprintf(ck, sizeof ck, "%s/%s", c->out, ckpt ? ckpt : "");
    ar_train_cfg cfg = {.epochs = ar_pick_long(o->epochs, AR_EPOCHS, c),
                        .batch = batch,
                        .lr = o->lr > 0 ? o->lr : AR_LR,
                        .eval_each_epoch = 1,
                        .quiet = c->quiet,
                        .label = label,
                        .log_path = logp,
                        .ckpt_dir = ckpt ? ck : NULL,
                        .ckpt_last_only = last_only,
                        .hp = ckpt ? &h : NULL};
    tstate *ts = NULL;
    if (o->resume) {
        /* the interrupted run's parameters and resume state (Adam, generator, place in the
         * epoch): a model of another shape is refused, exit 2 */
        if (!(ts = tstate_alloc())) cm_die_status(CM_ENOMEM);
        cm_die_status(ckpt_load_params(o->resume, m->p));
        cm_die_status(ckpt_load_tstate(o->resume, ts));
        cfg.resume = ts;
    }
    int st = ar_train(m, d->Xtr, d->Xte, &cfg, r, res);
    gsl_rng_free(r);
    hparams_free(&h);
    tstate_free(ts);
    if (st == CM_ENOTFINITE) {
        /* the last good checkpoint: this run's (after its first epoch), the one it resumed
         * from, or none */
        struct stat sb;
        int have = ckpt && !last_only && stat(ck, &sb) == 0;
        if (have || o->resume)
            fprintf(stderr, "%s: %s: %s; the last good checkpoint is %s\n", cm_progname(), label,
                    cm_errmsg(), have ? ck : o->resume);
        else
            fprintf(stderr, "%s: %s: %s; no checkpoint written\n", cm_progname(), label,
                    cm_errmsg());
        ar_model_free(m);
        return 3;
    }
    cm_die_status(st);
    if (res->signal) {
        int code = ckpt && !last_only
                       ? intr_report(res->signal, res->last_step, ck, NULL)
                       : intr_report(res->signal, res->last_step, NULL,
                                     "the demonstration keeps none (`autoregressive train` does)");
        ar_train_result_free(res);
        ar_model_free(m);
        return code;
    }
    char key[64], note[160];
    snprintf(key, sizeof key, "%s.train_nll", label);
    snprintf(note, sizeof note, "nats per image, mean over epoch %ld's minibatches",
             res->epochs_run);
    ar_kv(key, res->train_nll, note);
    snprintf(key, sizeof key, "%s.test_nll", label);
    snprintf(note, sizeof note, "exact -log p(x), nats per image, mean over %zu test images%s",
             d->nte, m->K > 1 ? ", mixture of the orderings" : "");
    ar_kv(key, res->test_nll, note);
    *out = m;
    return 0;
}

static void write_grid(const ar_opts *o, const char *name, const char *title, const gsl_matrix *G,
                       const ar_data *d, size_t ncols)
{
    plot_ctx ctx = {.dir = o->c->out, .mode = o->c->plot};
    cm_die_status(plot_image_grid(&ctx, name, title, G, d->img_h, d->img_w, ncols, 0.0, 1.0, NULL));
}

void ar_write_samples(const ar_opts *o, ar_model *m, const ar_data *d, const char *label,
                      size_t n_samples, unsigned long seed)
{
    gsl_matrix *S = cm_matrix_calloc(n_samples, m->D);
    if (!S) cm_die_status(CM_ENOMEM);
    gsl_rng *r = ar_rng_seeded(seed);
    /* one ordering: whole chunks at once; a mixture of K: each sample picks its component k
     * uniformly, then is drawn from p_k (one row at a time) */
    size_t chunk = m->K > 1 ? 1 : m->cap;
    for (size_t i0 = 0; i0 < n_samples; i0 += chunk) {
        size_t B = n_samples - i0 < chunk ? n_samples - i0 : chunk;
        gsl_matrix_view X = gsl_matrix_submatrix(S, i0, 0, B, m->D);
        size_t k = m->K > 1 ? gsl_rng_uniform_int(r, m->K) : 0;
        ar_model_sample(m, &X.matrix, 0, k, r);
    }
    double mean = 0.0;
    for (size_t i = 0; i < n_samples * m->D; i++) mean += S->data[i];
    char name[64], title[128], note[128];
    snprintf(name, sizeof name, "samples_%s", label);
    snprintf(title, sizeof title, "%s: %zu samples, ancestral sampling (seed %lu)", label,
             n_samples, seed);
    write_grid(o, name, title, S, d, 8);
    snprintf(name, sizeof name, "%s.sample_on", label);
    double on_test = 0.0;
    for (size_t i = 0; i < d->nte * d->D; i++) on_test += d->Xte->data[i];
    snprintf(note, sizeof note, "fraction of pixels on in %zu samples; the test images: %.3f",
             n_samples, on_test / (double)(d->nte * d->D));
    ar_kv(name, mean / (double)(n_samples * m->D), note);
    gsl_rng_free(r);
    cm_matrix_free(S);
}

void ar_write_completion(const ar_opts *o, ar_model *m, const ar_data *d, const char *label,
                         unsigned long seed)
{
    const size_t D = m->D, half = (d->img_h > 1 ? d->img_h / 2 * d->img_w : D / 2);
    const size_t *ord = ar_model_order(m, 0);
    for (size_t t = 0; t < half; t++)
        if (ord[t] >= half) {
            printf("  %s: no completion: its ordering does not generate the upper half first\n",
                   label);
            return;
        }
    size_t n = AR_COMPLETE < d->nte ? AR_COMPLETE : d->nte, rows = 2 + AR_COMPLETIONS;
    gsl_matrix *G = cm_matrix_calloc(rows * n, D), *X = cm_matrix_calloc(n, D);
    if (!G || !X) cm_die_status(CM_ENOMEM);
    gsl_rng *r = ar_rng_seeded(seed);
    for (size_t i = 0; i < n; i++)
        for (size_t v = 0; v < D; v++) {
            double x = gsl_matrix_get(d->Xte, i, v);
            gsl_matrix_set(G, i, v, x);                      /* row 1: the test digit */
            gsl_matrix_set(G, n + i, v, v < half ? x : 0.5); /* row 2: what is given */
        }
    for (size_t s = 0; s < AR_COMPLETIONS; s++) {
        for (size_t i = 0; i < n; i++)
            for (size_t v = 0; v < D; v++) gsl_matrix_set(X, i, v, gsl_matrix_get(d->Xte, i, v));
        ar_model_sample(m, X, half, 0, r); /* the first `half` steps of ordering 0 are given */
        gsl_matrix_view dst = gsl_matrix_submatrix(G, (2 + s) * n, 0, n, D);
        gsl_matrix_memcpy(&dst.matrix, X);
    }
    char name[64], title[160];
    snprintf(name, sizeof name, "completion_%s", label);
    snprintf(title, sizeof title,
             "%s: test digits, their upper half, and %d completions of the lower half", label,
             AR_COMPLETIONS);
    write_grid(o, name, title, G, d, n);
    gsl_rng_free(r);
    cm_matrix_free(G);
    cm_matrix_free(X);
}
