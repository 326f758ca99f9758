/* demo.c: the demonstration of chapter 00, part by part, and the subcommands (see demo.h).
 * This is program code: it prints the results and exits through cm_die on bad input. */
#include "demo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "gradcases.h"
#include "checkpoint.h"
#include "data.h"
#include "dataset.h"
#include "error.h"
#include "linear.h"
#include "npy.h"
#include "optim.h"
#include "perceptron.h"
#include "plot.h"
#include "timer.h"
#include "train.h"

/* The shipped data and the default budgets: {full demonstration, --quick}. */
#define DATA_BREAST     "data/breast_cancer.csv"
#define DATA_IRIS       "data/iris.csv"
#define DATA_DIGITS     "data/digits.csv"
#define PERC_POINTS     50 /* per class */
#define PERC_MAX_EPOCHS 1000
static const long LOGISTIC_EPOCHS[2] = {300, 100}, IRIS_EPOCHS[2] = {100, 30},
                  DIGITS_EPOCHS[2] = {50, 5}, BENCH_EPOCHS[2] = {10, 2};
#define LOGISTIC_LR  0.01
#define SOFTMAX_LR   0.01
#define MLP_LR       1e-3
#define SURROGATE_LR 0.01
#define IRIS_BATCH   16
#define DIGITS_BATCH 64

void neuron_opts_defaults(neuron_opts *o, cli_common *c)
{
    *o = (neuron_opts){
        .c = c, .momentum = 0.9, .hidden = 128, .optimizer = -1, .loss = NEURON_LOSS_CE};
}

/* ---- small helpers -------------------------------------------------------------------- */

static gsl_rng *rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, seed);
    return r;
}

/* A number line of the results: "  key  value  (note)"; the golden test reads key and value. */
static void kv(const char *key, double v, const char *note)
{
    if (v == floor(v) && fabs(v) < 1e9)
        printf("  %-34s %.0f", key, v);
    else
        printf("  %-34s %.6f", key, v);
    printf(note && *note ? "    (%s)\n" : "\n", note);
}

static long pick_long(long v, const long dflt[2], const cli_common *c)
{
    return v > 0 ? v : dflt[c->quick ? 1 : 0];
}

static double pick_double(double v, double dflt)
{
    return v > 0 ? v : dflt;
}

static void path_in_out(const cli_common *c, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", c->out, name);
}

/* Loads a split or dies with exit 2 (a missing or malformed file is bad input). */
static neuron_split *load_random(const char *path, unsigned long seed)
{
    neuron_split *s = NULL;
    cm_die_status(neuron_split_random(path, 0.2, seed, &s));
    return s;
}

static neuron_split *load_digits(const char *path, int ordered, unsigned long seed)
{
    neuron_split *s = NULL;
    cm_die_status(neuron_split_digits(path, ordered, seed, &s));
    return s;
}

static void write_fig(const cli_common *c, plot_fig *f)
{
    if (!f) cm_die_status(CM_ENOMEM);
    plot_ctx ctx = {.dir = c->out, .mode = c->plot};
    int st = plot_fig_write(&ctx, f);
    plot_fig_free(f);
    cm_die_status(st);
}

/* ---- 1. the perceptron, with and without a bias ----------------------------------------- */

/* NB points of the line w . x + b = 0 across the plot's box [lo, hi]^2: y as a function of x
 * when the line is closer to horizontal, else x as a function of y. Many points, because
 * gnuplot does not draw a segment whose two ends both lie outside the plot. */
#define BOUNDARY_NB 200
static void boundary_points(double w0, double w1, double b, double lo, double hi, double *x,
                            double *y)
{
    for (int i = 0; i < BOUNDARY_NB; i++) {
        double t = lo + (hi - lo) * i / (BOUNDARY_NB - 1.0);
        if (fabs(w1) >= fabs(w0))
            x[i] = t, y[i] = -(w0 * t + b) / w1;
        else
            y[i] = t, x[i] = -(w1 * t + b) / w0;
    }
}

int neuron_run_perceptron(const neuron_opts *o, neuron_summary *s)
{
    const cli_common *c = o->c;
    long max_epochs = o->epochs > 0 ? o->epochs : PERC_MAX_EPOCHS;
    size_t n = 2 * PERC_POINTS;
    gsl_matrix *X = gsl_matrix_alloc(n, 2);
    int *y = cm_xcalloc(n, sizeof(int));
    if (!X) cm_die("out of memory");
    gsl_rng *r = rng_seeded(c->seed);
    neuron_perceptron_data(r, PERC_POINTS, X, y);
    gsl_rng_free(r);

    neuron_perceptron with, without;
    neuron_perceptron_reset(&with, 1);
    neuron_perceptron_train(&with, X, y, max_epochs);
    neuron_perceptron_reset(&without, 0);
    neuron_perceptron_train(&without, X, y, max_epochs);

    char note[160];
    printf("perceptron: %zu points, class +1 around (2,2), class -1 around (4,4)\n", n);
    snprintf(note, sizeof note,
             "converged after %ld epochs, %ld updates; w = (%.3f, %.3f), b = %.3f", with.epochs,
             with.updates, with.w[0], with.w[1], with.b);
    kv("perceptron.bias.errors", (double)with.errors, note);
    kv("perceptron.bias.epochs", (double)with.epochs, NULL);
    snprintf(note, sizeof note, "best %zu of %zu wrong at epoch %ld; the line must pass the origin",
             without.best_errors, n, without.best_epoch);
    kv("perceptron.nobias.best_error_rate", (double)without.best_errors / (double)n, note);
    kv("perceptron.nobias.epochs", (double)without.epochs, "stopped at the epoch limit");

    plot_fig *f = plot_fig_new(
        "perceptron", "Perceptron: the bias lets the boundary miss the origin", "x1", "x2");
    int cls[2 * PERC_POINTS];
    double px[BOUNDARY_NB], py[BOUNDARY_NB];
    for (size_t i = 0; i < n; i++) cls[i] = y[i] > 0 ? 0 : 1;
    static const char *const names[] = {"class +1", "class -1"};
    gsl_vector_view c0 = gsl_matrix_column(X, 0), c1 = gsl_matrix_column(X, 1);
    double *x0 = cm_xcalloc(n, sizeof(double)), *x1 = cm_xcalloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        x0[i] = gsl_vector_get(&c0.vector, i);
        x1[i] = gsl_vector_get(&c1.vector, i);
    }
    plot_fig_classes(f, x0, x1, cls, n, 2, names);
    boundary_points(with.w[0], with.w[1], with.b, -0.5, 6.0, px, py);
    plot_fig_line(f, "with bias: w.x + b = 0", px, py, BOUNDARY_NB);
    boundary_points(without.best_w[0], without.best_w[1], 0.0, -0.5, 6.0, px, py);
    plot_fig_line(f, "without bias (best): w.x = 0", px, py, BOUNDARY_NB);
    double ox = 0.0, oy = 0.0;
    plot_fig_points(f, "origin", &ox, &oy, 1);
    plot_fig_xrange(f, -0.5, 6.0);
    plot_fig_yrange(f, -0.5, 6.0);
    write_fig(c, f);
    free(x0);
    free(x1);

    if (s) {
        s->perc_n = n;
        s->perc_bias_errors = with.errors;
        s->perc_bias_epochs = with.epochs;
        s->perc_nobias_best = without.best_errors;
        s->perc_nobias_epochs = without.epochs;
    }
    free(y);
    gsl_matrix_free(X);
    return 0;
}

/* ---- 2. logistic regression on breast_cancer ------------------------------------------- */

int neuron_run_logistic(const neuron_opts *o, neuron_summary *sum)
{
    const cli_common *c = o->c;
    const char *path = c->data ? c->data : DATA_BREAST;
    neuron_split *s = load_random(path, c->seed);
    if (s->k != 2) cm_die("%s: logistic regression needs two classes (0/1), found %d", path, s->k);
    long epochs = pick_long(o->epochs, LOGISTIC_EPOCHS, c);
    double lr = pick_double(o->lr, LOGISTIC_LR);
    int use_adam = o->optimizer != 0;

    neuron_linear *m = neuron_linear_alloc(s->d, 1);
    gsl_matrix *Z = gsl_matrix_alloc(s->ntr, 1), *dZ = gsl_matrix_alloc(s->ntr, 1);
    gsl_matrix *T = gsl_matrix_alloc(s->ntr, 1), *Zte = gsl_matrix_alloc(s->nte, 1);
    gsl_matrix *Tte = gsl_matrix_alloc(s->nte, 1);
    if (!m || !Z || !dZ || !T || !Zte || !Tte) cm_die("out of memory");
    for (size_t i = 0; i < s->ntr; i++) gsl_matrix_set(T, i, 0, s->ytr[i]);
    for (size_t i = 0; i < s->nte; i++) gsl_matrix_set(Tte, i, 0, s->yte[i]);
    gsl_rng *r = rng_seeded(c->seed);
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
            fprintf(stderr, "%s: loss is %s at step %ld\n", cm_progname(), isnan(L) ? "nan" : "inf",
                    e + 1);
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
    kv("logistic.train_loss", L, "binary cross-entropy");
    snprintf(note, sizeof note, "%.0f of %zu test rows right", acc * (double)s->nte, s->nte);
    kv("logistic.test_acc", acc, note);
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

/* ---- 3. softmax regression and the MLP on iris and digits -------------------------------- */

typedef struct {
    neuron_model_kind kind;
    const char *run; /* log name: out/neuron/<run>.csv */
    long epochs;
    size_t batch;
    double lr;
    int adam;
    neuron_loss_kind loss;
} run_cfg;

/* Trains a fresh classifier (init from the seed) and fills res; exit status 0 or 3. */
static int train_run(const neuron_opts *o, const neuron_split *s, const run_cfg *rc,
                     neuron_train_result *res)
{
    const cli_common *c = o->c;
    char log_path[4200];
    path_in_out(c, rc->run, log_path, sizeof log_path - 8);
    strcat(log_path, ".csv");
    size_t cap = rc->batch > 256 ? rc->batch : 256; /* evaluation runs in chunks of cap */
    neuron_clf *clf = neuron_clf_alloc(rc->kind, s->d, o->hidden, (size_t)s->k, cap);
    if (!clf) cm_die_status(CM_ENOMEM);
    gsl_rng *r = rng_seeded(c->seed);
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
    return 0;
}

static int run_and_print(const neuron_opts *o, const neuron_split *s, const run_cfg *rc,
                         const char *key, double *acc_out)
{
    neuron_train_result res;
    int rcode = train_run(o, s, rc, &res);
    if (rcode) {
        neuron_train_result_free(&res);
        return rcode;
    }
    char k[96], note[160];
    snprintf(note, sizeof note, "%.0f of %zu right; train loss %.4f after %ld epochs",
             res.test_acc * (double)s->nte, s->nte, res.train_loss, res.epochs_run);
    snprintf(k, sizeof k, "%s.test_acc", key);
    kv(k, res.test_acc, note);
    if (acc_out) *acc_out = res.test_acc;
    neuron_train_result_free(&res);
    return 0;
}

static run_cfg iris_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run)
{
    return (run_cfg){.kind = kind,
                     .run = run,
                     .epochs = pick_long(o->epochs, IRIS_EPOCHS, o->c),
                     .batch = o->batch ? o->batch : IRIS_BATCH,
                     .lr = pick_double(o->lr, kind == NEURON_MODEL_MLP ? MLP_LR * 10 : SOFTMAX_LR),
                     .adam = o->optimizer != 0,
                     .loss = o->loss};
}

static run_cfg digits_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run)
{
    return (run_cfg){.kind = kind,
                     .run = run,
                     .epochs = pick_long(o->epochs, DIGITS_EPOCHS, o->c),
                     .batch = o->batch ? o->batch : DIGITS_BATCH,
                     .lr = pick_double(o->lr, kind == NEURON_MODEL_MLP ? MLP_LR : SOFTMAX_LR),
                     .adam = o->optimizer != 0,
                     .loss = o->loss};
}

/* With --data: one run on that file (random split); otherwise iris then digits. */
static int run_model_part(const neuron_opts *o, neuron_model_kind kind, neuron_summary *sum)
{
    const cli_common *c = o->c;
    const char *name = kind == NEURON_MODEL_MLP ? "mlp" : "softmax";
    char run[64], key[64];
    int st;
    if (c->data) {
        neuron_split *s = load_random(c->data, c->seed);
        cli_prepare_out(c);
        snprintf(run, sizeof run, "%s_data_%s", name, neuron_loss_name(o->loss));
        run_cfg rc = iris_cfg(o, kind, run);
        printf("%s: %s, %zu train / %zu test rows, %d classes\n", name, c->data, s->ntr, s->nte,
               s->k);
        st = run_and_print(o, s, &rc, name, NULL);
        neuron_split_free(s);
        return st;
    }
    neuron_split *iris = load_random(DATA_IRIS, c->seed),
                 *dig = load_digits(DATA_DIGITS, o->digits_ordered, c->seed);
    cli_prepare_out(c);
    if (kind == NEURON_MODEL_MLP)
        printf("mlp (hidden %zu, ReLU)", o->hidden);
    else
        printf("softmax regression");
    printf(": iris (%zu/%zu rows, shuffled split) and digits (%zu/%zu rows, %s split)\n", iris->ntr,
           iris->nte, dig->ntr, dig->nte, o->digits_ordered ? "ordered" : "shuffled");
    snprintf(run, sizeof run, "%s_iris_%s", name, neuron_loss_name(o->loss));
    snprintf(key, sizeof key, "%s.iris", name);
    run_cfg rc = iris_cfg(o, kind, run);
    double *a1 =
        sum ? (kind == NEURON_MODEL_MLP ? &sum->mlp_iris_acc : &sum->softmax_iris_acc) : NULL;
    if ((st = run_and_print(o, iris, &rc, key, a1))) goto done;

    snprintf(run, sizeof run, "%s_digits_%s", name, neuron_loss_name(o->loss));
    snprintf(key, sizeof key, "%s.digits", name);
    rc = digits_cfg(o, kind, run);
    if (kind == NEURON_MODEL_MLP) { /* the curves of the digits MLP: mlp_digits.png */
        neuron_train_result res;
        if ((st = train_run(o, dig, &rc, &res))) goto done;
        char note[160];
        snprintf(note, sizeof note, "%.0f of %zu right after %ld epochs",
                 res.test_acc * (double)dig->nte, dig->nte, res.epochs_run);
        kv("mlp.digits.train_loss", res.train_loss, "cross-entropy, mean over the last epoch");
        kv("mlp.digits.test_acc", res.test_acc, note);
        if (sum) sum->mlp_digits_acc = res.test_acc;
        double *ep = cm_xcalloc((size_t)res.epochs_run, sizeof(double));
        for (long e = 0; e < res.epochs_run; e++) ep[e] = (double)(e + 1);
        plot_fig *f = plot_fig_new("mlp_digits", "MLP on digits: training curves", "epoch",
                                   "loss / accuracy");
        plot_fig_line(f, "train loss (cross-entropy)", ep, res.curve_loss, (size_t)res.epochs_run);
        plot_fig_line(f, "test accuracy", ep, res.curve_acc, (size_t)res.epochs_run);
        write_fig(c, f);
        free(ep);
        neuron_train_result_free(&res);
    } else {
        st = run_and_print(o, dig, &rc, key, sum ? &sum->softmax_digits_acc : NULL);
    }
done:
    neuron_split_free(iris);
    neuron_split_free(dig);
    return st;
}

int neuron_run_softmax(const neuron_opts *o, neuron_summary *s)
{
    return run_model_part(o, NEURON_MODEL_SOFTMAX, s);
}

int neuron_run_mlp(const neuron_opts *o, neuron_summary *s)
{
    return run_model_part(o, NEURON_MODEL_MLP, s);
}

/* ---- 4. the smooth surrogate of accuracy versus cross-entropy ---------------------------- */

int neuron_run_surrogate(const neuron_opts *o, neuron_summary *sum)
{
    const cli_common *c = o->c;
    neuron_split *dig = load_digits(c->data ? c->data : DATA_DIGITS, o->digits_ordered, c->seed);
    cli_prepare_out(c);
    neuron_train_result res[2];
    static const neuron_loss_kind kinds[2] = {NEURON_LOSS_CE, NEURON_LOSS_SMOOTH};
    static const char *const runs[2] = {"surrogate_ce", "surrogate_smooth"};
    run_cfg rc = digits_cfg(o, NEURON_MODEL_MLP, "");
    rc.adam = o->optimizer == 1; /* plain SGD by default: the gradients' sizes show */
    rc.lr = pick_double(o->lr, rc.adam ? MLP_LR : SURROGATE_LR);
    for (int i = 0; i < 2; i++) {
        rc.run = runs[i];
        rc.loss = kinds[i];
        int st = train_run(o, dig, &rc, &res[i]);
        if (st) {
            if (i) neuron_train_result_free(&res[0]);
            neuron_split_free(dig);
            return st;
        }
    }
    printf("surrogate: the MLP (hidden %zu) on digits, same init, split and seed, %ld epochs of "
           "%s lr %g\n",
           o->hidden, rc.epochs, rc.adam ? "Adam" : "SGD", rc.lr);
    printf("  %-34s %10s %10s %16s\n", "loss", "train_loss", "test_acc", "test_smooth_acc");
    for (int i = 0; i < 2; i++)
        printf("  %-34s %10.6f %10.6f %16.6f\n", runs[i], res[i].train_loss, res[i].test_acc,
               res[i].test_smooth);
    printf("  (surrogate_ce trains on -log p_y, surrogate_smooth on 1 - p_y; train_loss is each "
           "run's own loss)\n");
    if (sum) {
        sum->sur_ce_acc = res[0].test_acc;
        sum->sur_smooth_acc = res[1].test_acc;
    }
    size_t ne = (size_t)res[0].epochs_run;
    double *ep = cm_xcalloc(ne, sizeof(double));
    for (size_t e = 0; e < ne; e++) ep[e] = (double)(e + 1);
    plot_fig *f = plot_fig_new("surrogate", "Cross-entropy vs the smooth accuracy as the loss",
                               "epoch", "test accuracy");
    plot_fig_line(f, "trained on cross-entropy", ep, res[0].curve_acc, ne);
    plot_fig_line(f, "trained on 1 - smooth accuracy", ep, res[1].curve_acc, ne);
    plot_fig_line(f, "smooth accuracy (cross-entropy run)", ep, res[0].curve_smooth, ne);
    plot_fig_line(f, "smooth accuracy (smooth run)", ep, res[1].curve_smooth, ne);
    write_fig(c, f);
    free(ep);
    neuron_train_result_free(&res[0]);
    neuron_train_result_free(&res[1]);
    neuron_split_free(dig);
    return 0;
}

/* ---- the whole demonstration -------------------------------------------------------------- */

int neuron_run_demo(const neuron_opts *o)
{
    const cli_common *c = o->c;
    if (c->data)
        cm_die("--data: the demonstration uses the shipped data; give --data to a "
               "subcommand (logistic, softmax, mlp, train)");
    /* Read every data file first, so that a missing one stops us before --out is created. */
    neuron_split_free(load_random(DATA_BREAST, c->seed));
    neuron_split_free(load_random(DATA_IRIS, c->seed));
    neuron_split_free(load_digits(DATA_DIGITS, o->digits_ordered, c->seed));
    cli_prepare_out(c);
    neuron_summary s = {0};
    cm_timer t;
    timer_start(&t);
    int st;
    if ((st = neuron_run_perceptron(o, &s)) || (st = neuron_run_logistic(o, &s)) ||
        (st = neuron_run_softmax(o, &s)) || (st = neuron_run_mlp(o, &s)) ||
        (st = neuron_run_surrogate(o, &s)))
        return st;
    if (!c->quiet) {
        printf("figures: %s/perceptron.png, %s/mlp_digits.png, %s/surrogate.png%s\n", c->out,
               c->out, c->out, c->plot == PLOT_PNG ? "" : " (data and scripts only: --plot)");
        printf("logs: %s/<run>.csv; %.1f s\n", c->out, timer_elapsed(&t));
    }
    printf("summary: perceptron errors with bias %zu, without >= %.0f%%; logistic %.1f%%; "
           "softmax iris %.1f%% digits %.1f%%; mlp iris %.1f%% digits %.1f%%; "
           "ce %.1f%% vs smooth %.1f%%; figures in %s/\n",
           s.perc_bias_errors, 100.0 * (double)s.perc_nobias_best / (double)s.perc_n,
           100 * s.logistic_acc, 100 * s.softmax_iris_acc, 100 * s.softmax_digits_acc,
           100 * s.mlp_iris_acc, 100 * s.mlp_digits_acc, 100 * s.sur_ce_acc, 100 * s.sur_smooth_acc,
           c->out);
    return 0;
}

/* ---- train, eval: the digits MLP with a checkpoint ---------------------------------------- */

/* The split a checkpoint was trained on, from its hparams (data, split, seed). */
static neuron_split *split_from(const char *data, const char *split, unsigned long seed)
{
    if (strcmp(split, "digits") == 0) return load_digits(data, 0, seed);
    if (strcmp(split, "digits-ordered") == 0) return load_digits(data, 1, seed);
    return load_random(data, seed);
}

static void hp_get_long(const hparams *h, const char *dir, const char *key, long *v)
{
    if (hparams_get_long(h, key, v) != CM_OK) cm_die("checkpoint %s: %s", dir, cm_errmsg());
}

static void hp_get_str(const hparams *h, const char *dir, const char *key, const char **v)
{
    if (hparams_get_str(h, key, v) != CM_OK) cm_die("checkpoint %s: %s", dir, cm_errmsg());
}

/* Builds the MLP a checkpoint describes and loads its values; dies (exit 2) on any mismatch. */
static neuron_clf *load_mlp(const char *dir, hparams *h, size_t cap)
{
    long in, hid, out;
    const char *model;
    cm_die_status(ckpt_load_hparams(dir, h));
    hp_get_str(h, dir, "model", &model);
    if (strcmp(model, "mlp") != 0)
        cm_die("checkpoint %s: model is '%s', expected 'mlp'", dir, model);
    hp_get_long(h, dir, "in_features", &in);
    hp_get_long(h, dir, "hidden", &hid);
    hp_get_long(h, dir, "out_features", &out);
    if (in < 1 || hid < 1 || out < 2 || in > 1000000 || hid > 1000000 || out > 100000)
        cm_die("checkpoint %s: bad sizes in_features %ld, hidden %ld, out_features %ld", dir, in,
               hid, out);
    neuron_clf *m = neuron_clf_alloc(NEURON_MODEL_MLP, (size_t)in, (size_t)hid, (size_t)out, cap);
    if (!m) cm_die_status(CM_ENOMEM);
    cm_die_status(ckpt_load_params(dir, m->p));
    return m;
}

int neuron_run_train(const neuron_opts *o)
{
    const cli_common *c = o->c;
    const char *data = c->data ? c->data : DATA_DIGITS;
    const char *split = c->data ? "random" : o->digits_ordered ? "digits-ordered" : "digits";
    neuron_split *s = split_from(data, split, c->seed);
    size_t batch = o->batch ? o->batch : DIGITS_BATCH;
    long more = pick_long(o->epochs, DIGITS_EPOCHS, c), start = 0;
    hparams h;
    hparams_init(&h);
    neuron_clf *m;
    size_t cap = batch > 256 ? batch : 256;
    if (o->resume) {
        m = load_mlp(o->resume, &h, cap);
        hp_get_long(&h, o->resume, "epoch", &start);
        if (m->in != s->d || m->out != (size_t)s->k)
            cm_die("checkpoint %s: in_features %zu, out_features %zu, but %s has %zu features and "
                   "%d classes",
                   o->resume, m->in, m->out, data, s->d, s->k);
    } else {
        m = neuron_clf_alloc(NEURON_MODEL_MLP, s->d, o->hidden, (size_t)s->k, cap);
        if (!m) cm_die_status(CM_ENOMEM);
    }
    cli_prepare_out(c);
    char ckpt[4200], log_path[4200];
    path_in_out(c, "mlp", ckpt, sizeof ckpt);
    path_in_out(c, "train.csv", log_path, sizeof log_path);
    /* a resumed run draws fresh shuffles: seed + epochs already done */
    gsl_rng *r = rng_seeded(c->seed + (unsigned long)start);
    if (!o->resume) neuron_clf_init(m, r);
    int adam = o->optimizer != 0;
    double lr = pick_double(o->lr, adam ? MLP_LR : SURROGATE_LR);
    int st = hparams_set_str(&h, "model", "mlp");
    st = st ? st : hparams_set_long(&h, "in_features", (long)m->in);
    st = st ? st : hparams_set_long(&h, "hidden", (long)m->hidden);
    st = st ? st : hparams_set_long(&h, "out_features", (long)m->out);
    st = st ? st : hparams_set_str(&h, "data", data);
    st = st ? st : hparams_set_str(&h, "split", split);
    st = st ? st : hparams_set_long(&h, "seed", (long)c->seed);
    st = st ? st : hparams_set_str(&h, "loss", neuron_loss_name(o->loss));
    st = st ? st : hparams_set_str(&h, "optimizer", adam ? "adam" : "sgd");
    st = st ? st : hparams_set_double(&h, "lr", lr);
    st = st ? st : hparams_set_long(&h, "batch", (long)batch);
    cm_die_status(st);
    if (!c->quiet)
        printf("train: mlp %zu-%zu-%zu on %s, %ld epochs from epoch %ld, batch %zu, %s lr %g, "
               "loss %s\n",
               m->in, m->hidden, m->out, data, more, start, batch, adam ? "Adam" : "SGD", lr,
               neuron_loss_name(o->loss));
    neuron_train_cfg cfg = {.epochs = start + more,
                            .start_epoch = start,
                            .batch = batch,
                            .lr = lr,
                            .momentum = o->momentum,
                            .weight_decay = o->weight_decay,
                            .adam = adam,
                            .loss = o->loss,
                            .quiet = c->quiet,
                            .label = "train",
                            .log_path = log_path,
                            .ckpt_dir = ckpt,
                            .hp = &h};
    neuron_train_result res;
    st = neuron_train(m, s, &cfg, r, &res);
    int code = 0;
    if (st == CM_ENOTFINITE) {
        if (start + res.epochs_run > 0)
            fprintf(stderr, "%s: %s; kept the last good checkpoint %s (epoch %ld)\n", cm_progname(),
                    cm_errmsg(), ckpt, start + res.epochs_run);
        else
            fprintf(stderr, "%s: %s; no epoch completed, no checkpoint written\n", cm_progname(),
                    cm_errmsg());
        code = 3;
    } else {
        cm_die_status(st);
        kv("train.train_loss", res.train_loss, neuron_loss_name(o->loss));
        kv("train.test_acc", res.test_acc, NULL);
        kv("train.test_smooth_acc", res.test_smooth, NULL);
        printf("checkpoint: %s (epoch %ld); log: %s\n", ckpt, start + res.epochs_run, log_path);
    }
    neuron_train_result_free(&res);
    gsl_rng_free(r);
    hparams_free(&h);
    neuron_clf_free(m);
    neuron_split_free(s);
    return code;
}

int neuron_run_eval(const neuron_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load) cm_die("eval: --load DIR is required (a checkpoint written by `train`)");
    hparams h;
    hparams_init(&h);
    neuron_clf *m = load_mlp(o->load, &h, 256);
    const char *data, *split;
    long seed;
    hp_get_str(&h, o->load, "data", &data);
    hp_get_str(&h, o->load, "split", &split);
    hp_get_long(&h, o->load, "seed", &seed);
    if (c->data) data = c->data;
    neuron_split *s = split_from(data, split, (unsigned long)seed);
    if (m->in != s->d || (size_t)s->k > m->out)
        cm_die("checkpoint %s: in_features %zu, out_features %zu, but %s has %zu features and %d "
               "classes",
               o->load, m->in, m->out, data, s->d, s->k);
    double ce, acc, sm;
    neuron_clf_evaluate(m, s->Xte, s->yte, &ce, &acc, &sm);
    printf("eval: %s on the %zu test rows of %s\n", o->load, s->nte, data);
    kv("eval.test_loss", ce, "cross-entropy");
    kv("eval.test_acc", acc, NULL);
    kv("eval.test_smooth_acc", sm, NULL);
    hparams_free(&h);
    neuron_clf_free(m);
    neuron_split_free(s);
    return 0;
}

/* ---- gradcheck, grad, bench --------------------------------------------------------------- */

int neuron_run_gradcheck(const neuron_opts *o)
{
    int failed = 0;
    for (int k = 0; k < NEURON_GC_COUNT; k++) {
        gc_report reps[NEURON_GC_MAX_REPORTS];
        size_t n;
        int f = neuron_gradcheck_case((neuron_gc_case)k, o->c->seed, reps, &n);
        if (f < 0) cm_die_status(CM_EINVAL);
        printf("%s (B=5, D=4, H=6, K=3):\n", neuron_gc_case_name((neuron_gc_case)k));
        gc_print_table(stdout, reps, n);
        failed += f;
    }
    printf("gradcheck: %s (%d failed; the perceptron is not differentiable, not checked)\n",
           failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}

/* Reads X.npy (float64, (B, D)) and y.npy (int64 or int32, (B)) of a batch directory. */
static void read_batch(const char *dir, size_t D, size_t K, gsl_matrix **X, int **y)
{
    char path[4200];
    npy_array *a = NULL, *b = NULL;
    snprintf(path, sizeof path, "%s/X.npy", dir);
    cm_die_status(npy_read(path, &a));
    if (a->dtype != NPY_F64 || a->ndim != 2 || a->shape[1] != D || a->shape[0] == 0)
        cm_die("%s: expected float64 of shape (B, %zu), got %s of %d dimensions (last %zu)", path,
               D, a->dtype == NPY_F64 ? "float64" : "integers", a->ndim,
               a->ndim ? a->shape[a->ndim - 1] : 0);
    size_t B = a->shape[0];
    snprintf(path, sizeof path, "%s/y.npy", dir);
    cm_die_status(npy_read(path, &b));
    if (b->dtype == NPY_F64 || b->ndim != 1 || b->shape[0] != B)
        cm_die("%s: expected int64 of shape (%zu)", path, B);
    *X = gsl_matrix_alloc(B, D);
    *y = cm_xcalloc(B, sizeof(int));
    if (!*X) cm_die("out of memory");
    memcpy((*X)->data, a->data, B * D * sizeof(double));
    for (size_t i = 0; i < B; i++) {
        long v = b->dtype == NPY_I64 ? (long)((const int64_t *)b->data)[i]
                                     : (long)((const int32_t *)b->data)[i];
        if (v < 0 || (size_t)v >= K) cm_die("%s: label %ld at %zu outside [0, %zu)", path, v, i, K);
        (*y)[i] = (int)v;
    }
    npy_free(a);
    npy_free(b);
}

int neuron_run_grad(const neuron_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load || !o->batch_dir)
        cm_die("grad: --load DIR (checkpoint) and --batch DIR (X.npy, y.npy) are required");
    hparams h;
    hparams_init(&h);
    gsl_matrix *X;
    int *y;
    /* the batch's size is only known after reading X: load the model with capacity 1 first */
    neuron_clf *probe = load_mlp(o->load, &h, 1);
    read_batch(o->batch_dir, probe->in, probe->out, &X, &y);
    neuron_clf_free(probe);
    hparams_free(&h);
    hparams_init(&h);
    neuron_clf *m = load_mlp(o->load, &h, X->size1);
    cli_prepare_out(c); /* every input is valid: now create --out */
    double L = neuron_clf_loss_backward(m, X, y, o->loss, NULL);
    char path[4200];
    snprintf(path, sizeof path, "%s/loss.npy", c->out);
    cm_die_status(npy_write_f64(path, 0, NULL, &L));
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        snprintf(path, sizeof path, "%s/%s.npy", c->out, pt->name);
        cm_die_status(npy_write_f64(path, pt->ndim, pt->shape, params_grad_ptr(m->p, (int)t)));
    }
    if (!c->quiet)
        printf("grad: %s loss %.17g on %zu rows; wrote loss.npy and %zu gradients to %s\n",
               neuron_loss_name(o->loss), L, X->size1, m->p->n_tensors, c->out);
    gsl_matrix_free(X);
    free(y);
    hparams_free(&h);
    neuron_clf_free(m);
    return 0;
}

/* Seconds per epoch of the digits MLP: shuffled batches, forward, backward, Adam (no
 * evaluation), the same work as tools/bench/neuron's torch loop. */
int neuron_run_bench(const neuron_opts *o)
{
    const cli_common *c = o->c;
    neuron_split *s = load_digits(c->data ? c->data : DATA_DIGITS, o->digits_ordered, c->seed);
    size_t B = o->batch ? o->batch : DIGITS_BATCH;
    long epochs = pick_long(o->epochs, BENCH_EPOCHS, c);
    neuron_clf *m = neuron_clf_alloc(NEURON_MODEL_MLP, s->d, o->hidden, (size_t)s->k, B);
    gsl_matrix *Xb = gsl_matrix_alloc(B, s->d);
    int *yb = cm_xcalloc(B, sizeof(int));
    if (!m || !Xb) cm_die("out of memory");
    gsl_rng *r = rng_seeded(c->seed);
    neuron_clf_init(m, r);
    adam opt;
    batcher bt;
    cm_die_status(adam_init(&opt, m->p->size, pick_double(o->lr, MLP_LR), 0.9, 0.999, 1e-8, 0));
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
            gather_rows(s->Xtr, idx, n, &Xv.matrix);
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
