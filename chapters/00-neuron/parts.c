/* parts.c: the helpers the parts of bin/neuron share (see parts.h). Program code: it prints and
 * exits through cm_die on bad input. */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "checkpoint.h"

const long LOGISTIC_EPOCHS[2] = {300, 100}, IRIS_EPOCHS[2] = {100, 30}, DIGITS_EPOCHS[2] = {50, 5},
           BENCH_EPOCHS[2] = {10, 2};

/* ---- small helpers -------------------------------------------------------------------- */

gsl_rng *neuron_rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, seed);
    return r;
}

/* A number line of the results: "  key  value  (note)"; the golden test reads key and value. */
void neuron_kv(const char *key, double v, const char *note)
{
    if (v == floor(v) && fabs(v) < 1e9)
        printf("  %-34s %.0f", key, v);
    else
        printf("  %-34s %.6f", key, v);
    printf(note && *note ? "    (%s)\n" : "\n", note);
}

long neuron_pick_long(long v, const long dflt[2], const cli_common *c)
{
    return v > 0 ? v : dflt[c->quick ? 1 : 0];
}

double neuron_pick_double(double v, double dflt)
{
    return v > 0 ? v : dflt;
}

void neuron_out_path(const cli_common *c, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", c->out, name);
}

/* Loads a split or dies with exit 2 (a missing or malformed file is bad input). */
neuron_split *neuron_load_random(const char *path, unsigned long seed)
{
    neuron_split *s = NULL;
    cm_die_status(neuron_split_random(path, 0.2, seed, &s));
    return s;
}

neuron_split *neuron_load_digits(const char *path, int ordered, unsigned long seed)
{
    neuron_split *s = NULL;
    cm_die_status(neuron_split_digits(path, ordered, seed, &s));
    return s;
}

void neuron_write_fig(const cli_common *c, plot_fig *f)
{
    if (!f) cm_die_status(CM_ENOMEM);
    plot_ctx ctx = {.dir = c->out, .mode = c->plot};
    int st = plot_fig_write(&ctx, f);
    plot_fig_free(f);
    cm_die_status(st);
}

/* The defaults of one data set's runs, each overridden by its option when given. */
static neuron_run_cfg run_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run,
                              const long epochs[2], size_t batch, double mlp_lr)
{
    return (neuron_run_cfg){
        .kind = kind,
        .run = run,
        .epochs = neuron_pick_long(o->epochs, epochs, o->c),
        .batch = o->batch ? o->batch : batch,
        .lr = neuron_pick_double(o->lr, kind == NEURON_MODEL_MLP ? mlp_lr : SOFTMAX_LR),
        .adam = o->optimizer != 0,
        .loss = o->loss};
}

neuron_run_cfg neuron_iris_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run)
{
    return run_cfg(o, kind, run, IRIS_EPOCHS, IRIS_BATCH, MLP_LR * 10);
}

neuron_run_cfg neuron_digits_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run)
{
    return run_cfg(o, kind, run, DIGITS_EPOCHS, DIGITS_BATCH, MLP_LR);
}

/* Trains a fresh classifier (init from the seed) and fills res; exit status 0, 3 (divergence)
 * or 130 / 143 (SIGINT / SIGTERM: these runs keep no checkpoint). */
int neuron_train_run(const neuron_opts *o, const neuron_split *s, const neuron_run_cfg *rc,
                     neuron_train_result *res)
{
    const cli_common *c = o->c;
    char log_path[4200];
    neuron_out_path(c, rc->run, log_path, sizeof log_path - 8);
    strcat(log_path, ".csv");
    size_t cap = rc->batch > 256 ? rc->batch : 256; /* evaluation runs in chunks of cap */
    neuron_clf *clf = neuron_clf_alloc(rc->kind, s->d, o->hidden, (size_t)s->k, cap);
    if (!clf) cm_die_status(CM_ENOMEM);
    gsl_rng *r = neuron_rng_seeded(c->seed);
    neuron_clf_init(clf, r);
    neuron_train_cfg cfg = {.epochs = rc->epochs,
                            .batch = rc->batch,
                            .lr = rc->lr,
                            .momentum = o->momentum,
                            .weight_decay = o->weight_decay,
                            .adam = rc->adam,
                            .loss = rc->loss,
                            .quiet = c->quiet,
                            .label = rc->run,
                            .log_path = log_path};
    int st = neuron_train(clf, s, &cfg, r, res);
    gsl_rng_free(r);
    neuron_clf_free(clf);
    if (st == CM_ENOTFINITE) {
        fprintf(stderr, "%s: %s: %s\n", cm_progname(), rc->run, cm_errmsg());
        return 3;
    }
    cm_die_status(st);
    if (res->signal)
        return intr_report(res->signal, res->last_step, NULL,
                           "the demonstration keeps none (`neuron train` does)");
    return 0;
}

void neuron_hp_get_long(const hparams *h, const char *dir, const char *key, long *v)
{
    if (hparams_get_long(h, key, v) != CM_OK) cm_die("checkpoint %s: %s", dir, cm_errmsg());
}

void neuron_hp_get_double(const hparams *h, const char *dir, const char *key, double *v)
{
    if (hparams_get_double(h, key, v) != CM_OK) cm_die("checkpoint %s: %s", dir, cm_errmsg());
}

void neuron_hp_get_str(const hparams *h, const char *dir, const char *key, const char **v)
{
    if (hparams_get_str(h, key, v) != CM_OK) cm_die("checkpoint %s: %s", dir, cm_errmsg());
}

/* Builds the MLP a checkpoint describes and loads its values; dies (exit 2) on any mismatch. */
neuron_clf *neuron_load_mlp(const char *dir, hparams *h, size_t cap)
{
    long in, hid, out;
    const char *model;
    cm_die_status(ckpt_load_hparams(dir, h));
    neuron_hp_get_str(h, dir, "model", &model);
    if (strcmp(model, "mlp") != 0)
        cm_die("checkpoint %s: model is '%s', expected 'mlp'", dir, model);
    neuron_hp_get_long(h, dir, "in_features", &in);
    neuron_hp_get_long(h, dir, "hidden", &hid);
    neuron_hp_get_long(h, dir, "out_features", &out);
    if (in < 1 || hid < 1 || out < 2 || in > 1000000 || hid > 1000000 || out > 100000)
        cm_die("checkpoint %s: bad sizes in_features %ld, hidden %ld, out_features %ld", dir, in,
               hid, out);
    neuron_clf *m = neuron_clf_alloc(NEURON_MODEL_MLP, (size_t)in, (size_t)hid, (size_t)out, cap);
    if (!m) cm_die_status(CM_ENOMEM);
    cm_die_status(ckpt_load_params(dir, m->p));
    return m;
}
