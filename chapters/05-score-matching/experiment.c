/* experiment.c: train, measure, sample, save: one objective end to end (experiment.h). */
#include "experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "csv.h"
#include "error.h"
#include "langevin.h"
#include "matrix.h"
#include "metrics.h"
#include "timer.h"

#define MMD_H 0.5 /* kernel bandwidth: a few times the ring's sd, well below its radius */

void score_uniform_start(gsl_rng *r, gsl_matrix *X, double a)
{
    for (size_t i = 0; i < X->size1; i++)
        for (size_t k = 0; k < 2; k++) gsl_matrix_set(X, i, k, -a + 2 * a * gsl_rng_uniform(r));
}

static void ladder_str(const double *s, size_t L, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < L && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%.17g", i ? "," : "", s[i]);
}

/* The checkpoint's hyperparameters: the model, its objective, the ladder, the data. */
static void model_hparams(const score_opts *o, const score_net *m, score_objective obj, hparams *h)
{
    char lad[SCORE_MAX_LEVELS * 26];
    ladder_str(o->sigmas, o->L, lad, sizeof lad);
    int st = hparams_set_str(h, "model", "score_mlp");
    if (!st) st = hparams_set_long(h, "hidden", (long)m->hidden);
    if (!st) st = hparams_set_str(h, "objective", score_objective_name(obj));
    if (!st) st = hparams_set_str(h, "sigmas", lad);
    if (!st) st = hparams_set_double(h, "eps", o->eps);
    if (!st)
        st =
            hparams_set_str(h, "dataset", o->c->data ? o->c->data : score_dataset_name(o->dataset));
    if (!st) st = hparams_set_long(h, "seed", (long)o->c->seed);
    cm_die_status(st);
}

static void save_model(const score_opts *o, score_net *m, score_objective obj, const char *dir)
{
    hparams h;
    hparams_init(&h);
    model_hparams(o, m, obj, &h);
    int st = ckpt_save(dir, m->p, &h);
    hparams_free(&h);
    cm_die_status(st);
}

score_net *score_load_model(const char *dir, size_t cap, double *sigmas, size_t *L)
{
    hparams h;
    hparams_init(&h);
    cm_die_status(ckpt_load_hparams(dir, &h));
    long hidden;
    const char *lad;
    cm_die_status(hparams_get_long(&h, "hidden", &hidden));
    if (hidden < 1 || hidden > 100000) cm_die("%s: hidden = %ld is out of range", dir, hidden);
    cm_die_status(hparams_get_str(&h, "sigmas", &lad));
    if (score_ladder_parse(lad, sigmas, SCORE_MAX_LEVELS, L) != CM_OK)
        cm_die("%s/hparams.txt: sigmas: %s", dir, cm_errmsg());
    score_net *m = score_net_alloc((size_t)hidden, cap);
    if (!m) cm_die_status(CM_ENOMEM);
    cm_die_status(ckpt_load_params(dir, m->p));
    hparams_free(&h);
    return m;
}

int score_experiment(const score_opts *o, score_objective obj, const gsl_matrix *data,
                     const toy2d_gmm *g, int has_g, score_result *res, int trajectory)
{
    const cli_common *c = o->c;
    const char *on = score_objective_name(obj);
    memset(res, 0, sizeof *res);
    res->obj = obj;
    size_t cap = o->batch > 512 ? o->batch : 512;
    score_net *m = score_net_alloc(o->hidden, cap);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *hist = cm_calloc((size_t)o->steps, sizeof(double));
    if (!m || !r || !hist) cm_die_status(CM_ENOMEM);
    gsl_rng_set(r, c->seed); /* the same initial weights and minibatches for every objective */
    score_net_init(m, r);

    score_train_cfg cfg = {.obj = obj,
                           .steps = o->steps,
                           .batch = o->batch,
                           .lr = o->lr,
                           .L = o->L,
                           .quiet = c->quiet};
    memcpy(cfg.sigmas, o->sigmas, o->L * sizeof(double));
    char path[4200];
    snprintf(path, sizeof path, "%s/train_%s.csv", c->out, on);
    cfg.log_path = path;
    /* SIGINT/SIGTERM save the model with its resume state where the finished run would */
    char ckpt[4200];
    snprintf(ckpt, sizeof ckpt, "%s/model_%s", c->out, on);
    hparams hp;
    hparams_init(&hp);
    model_hparams(o, m, obj, &hp);
    int sig = 0;
    long last_step = 0;
    cfg.ckpt_dir = ckpt, cfg.hp = &hp, cfg.interrupted = &sig, cfg.last_step = &last_step;
    tstate *ts = NULL;
    if (o->resume) { /* the interrupted run's weights, Adam, generator and losses so far */
        if (!(ts = tstate_alloc())) cm_die_status(CM_ENOMEM);
        cm_die_status(ckpt_load_params(o->resume, m->p));
        cm_die_status(ckpt_load_tstate(o->resume, ts));
        cfg.resume = ts;
    }
    cm_timer tm;
    timer_start(&tm);
    int st = score_train(m, data, &cfg, r, hist);
    tstate_free(ts);
    hparams_free(&hp);
    if (st == CM_OK && sig) { /* as for divergence below: the checkpoint is saved, stop */
        int code = intr_report(sig, last_step, ckpt, NULL);
        free(hist);
        score_net_free(m);
        gsl_rng_free(r);
        exit(code);
    }
    if (st == CM_ENOTFINITE) { /* keep the last good weights as a checkpoint, then stop */
        char why[512];
        snprintf(why, sizeof why, "%s", cm_errmsg());
        snprintf(path, sizeof path, "%s/model_%s", c->out, on);
        save_model(o, m, obj, path);
        fprintf(stderr, "%s: %s; checkpoint %s\n", cm_progname(), why, path);
        exit(3);
    }
    cm_die_status(st);
    res->train_secs = timer_elapsed(&tm);
    long tail = o->steps / 10 > 0 ? o->steps / 10 : 1;
    for (long t = o->steps - tail; t < o->steps; t++) res->final_loss += hist[t] / (double)tail;
    snprintf(path, sizeof path, "%s/model_%s", c->out, on);
    save_model(o, m, obj, path);

    score_model_ctx mc = {m, cm_xcalloc(cap, sizeof(double))};
    size_t n_err = c->quick ? 400 : 2000;
    if (has_g) {
        gsl_rng_set(r, c->seed + 7); /* the same test points for every objective */
        for (size_t i = 0; i < o->L; i++) {
            res->err[i] = score_error(score_fn_model, &mc, g, o->sigmas[i], n_err, r, &res->ref[i]);
            res->rel_mean += res->err[i] / res->ref[i] / (double)o->L;
        }
    }

    /* annealed Langevin from uniform noise on [-8, 8]^2 */
    size_t n = o->n_samples;
    gsl_matrix *X = cm_matrix_calloc(n, 2), *D = cm_matrix_calloc(n, 2),
               *D2 = cm_matrix_calloc(n, 2);
    if (!X || !D || !D2) cm_die_status(CM_ENOMEM);
    gsl_rng_set(r, c->seed + 11);
    score_uniform_start(r, X, 8.0);
    score_track tr = {0};
    if (trajectory && score_track_init(&tr, 6, o->L + 1)) cm_die_status(CM_ENOMEM);
    timer_start(&tm);
    st = score_annealed_langevin(score_fn_model, &mc, o->sigmas, o->L, o->eps, o->T, X, r,
                                 trajectory ? &tr : NULL);
    if (st) cm_die("%s (%s model)", cm_errmsg(), on);
    res->sample_secs = timer_elapsed(&tm);

    /* fresh data: from the mixture, or (no mixture) rows of the data drawn at random */
    if (has_g) {
        cm_die_status(toy2d_gmm_sample(g, r, D, NULL));
        cm_die_status(toy2d_gmm_sample(g, r, D2, NULL));
    } else {
        for (size_t i = 0; i < n; i++)
            for (int pass = 0; pass < 2; pass++) {
                size_t j = gsl_rng_uniform_int(r, data->size1);
                gsl_matrix *Y = pass ? D2 : D;
                gsl_matrix_set(Y, i, 0, gsl_matrix_get(data, j, 0));
                gsl_matrix_set(Y, i, 1, gsl_matrix_get(data, j, 1));
            }
    }
    res->mmd = score_mmd2(X, D, MMD_H);
    res->mmd_ref = score_mmd2(D2, D, MMD_H);
    if (has_g) {
        score_mode_fractions(g, X, res->frac);
        for (int k = 0; k < g->k; k++)
            res->max_frac_dev = fmax(res->max_frac_dev, fabs(res->frac[k] - g->w[k]));
    }

    /* files: the samples, the figures */
    snprintf(path, sizeof path, "%s/particles_%s.csv", c->out, on);
    static const char *const cols[] = {"x1", "x2"};
    cm_die_status(csv_write(path, X, cols));
    char name[64], title[200];
    snprintf(name, sizeof name, "samples_%s", on);
    snprintf(title, sizeof title, "%s score matching: annealed Langevin samples against data",
             score_objective_title(obj));
    cm_die_status(score_fig_samples(o, name, title, D, X, "samples"));
    snprintf(name, sizeof name, "score_field_%s", on);
    cm_die_status(score_fig_field(o, name, m, g, has_g, data, o->sigmas[o->L / 2]));
    if (trajectory) {
        plot_ctx ctx = {c->out, c->plot};
        snprintf(title, sizeof title,
                 "annealed Langevin (%s): 6 particles, one point per level, sigma %g .. %g", on,
                 o->sigmas[0], o->sigmas[o->L - 1]);
        plot_fig *f = plot_fig_new("annealing", title, "x1", "x2");
        if (!f) cm_die_status(CM_ENOMEM);
        plot_fig_xrange(f, -9, 9);
        plot_fig_yrange(f, -9, 9);
        cm_die_status(score_fig_add_points(f, "data", D, n < 1000 ? n : 1000, 0.0));
        for (size_t j = 0; j < tr.n_track && j < n; j++) {
            char lab[32];
            snprintf(lab, sizeof lab, "particle %zu", j + 1);
            cm_die_status(plot_fig_line(f, lab, tr.x + j * tr.cap, tr.y + j * tr.cap, tr.n_steps));
        }
        cm_die_status(plot_fig_write(&ctx, f));
        plot_fig_free(f);
        score_track_free(&tr);
    }
    free(mc.sig);
    free(hist);
    cm_matrix_free(X), cm_matrix_free(D), cm_matrix_free(D2);
    score_net_free(m);
    gsl_rng_free(r);
    return 0;
}
