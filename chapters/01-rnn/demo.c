/* demo.c: `rnn` with no subcommand (train an LSTM on Pride and Prejudice, report the held-out
 * loss, write a sample), and the subcommands train, eval, sample and gradcheck. */
#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_rng.h>

#include "corpus.h"
#include "error.h"
#include "gradcases.h"
#include "model_io.h"
#include "plot.h"
#include "sample.h"
#include "timer.h"
#include "train.h"

#define RNN_DEFAULT_TEXT "data/pride_prejudice.txt"
#define RNN_HELD_OUT     0.1
#define RNN_QUICK_STEPS  100 /* --quick: chunks of training, a few seconds */

void rnn_opts_defaults(rnn_opts *o, cli_common *c)
{
    *o = (rnn_opts){.c = c,
                    .cell = RNN_CELL_LSTM,
                    .hidden = 128,
                    .layers = 1,
                    .seq_len = 64,
                    .batch = 16,
                    .epochs = 6,
                    .lr = 0.015,
                    .clip = 5.0,
                    .schedule = LR_COSINE,
                    .forget_bias = 1.0,
                    .temperature = 0.8,
                    .length = 500,
                    .prime = "It is a truth"};
}

static const char *text_path(const rnn_opts *o)
{
    return o->c->data ? o->c->data : RNN_DEFAULT_TEXT;
}

static void load_corpus(const rnn_opts *o, rnn_corpus *corp)
{
    cm_die_status(rnn_corpus_load(corp, text_path(o), RNN_HELD_OUT));
    /* both parts must hold the streams: say so now, not after the model is built */
    rnn_streams s;
    cm_die_status(rnn_streams_init(&s, corp, 0, o->batch, o->seq_len));
    cm_die_status(rnn_streams_init(&s, corp, 1, o->batch, o->seq_len));
}

static gsl_rng *seeded_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, seed);
    return r;
}

/* The learning curves: training loss per step and held-out loss per epoch, in bits/char. */
static void plot_curves(const rnn_opts *o, const char *log_path, const rnn_train_result *res,
                        long first_epoch, size_t steps_per_epoch)
{
    const cli_common *c = o->c;
    plot_ctx ctx = {.dir = c->out, .mode = c->plot};
    plot_fig *f = plot_fig_new("curve", "character-level language model on the training text",
                               "step", "bits per character");
    if (!f) cm_die_status(CM_ENOMEM);
    /* the per-step losses come back from the log, so a resumed run draws its whole history */
    FILE *in = fopen(log_path, "r");
    size_t cap = 1024, n = 0;
    double *xs = cm_xcalloc(cap, sizeof(double)), *ys = cm_xcalloc(cap, sizeof(double));
    if (in) {
        char line[256];
        double step, epoch, bpc, gn;
        while (fgets(line, sizeof line, in))
            if (sscanf(line, "%lf,%lf,%lf,%lf", &step, &epoch, &bpc, &gn) == 4) {
                if (n == cap) {
                    double *nx = realloc(xs, 2 * cap * sizeof(double));
                    if (nx) xs = nx;
                    double *ny = nx ? realloc(ys, 2 * cap * sizeof(double)) : NULL;
                    if (!ny) cm_die("out of memory reading %s", log_path);
                    ys = ny, cap *= 2;
                }
                xs[n] = step, ys[n++] = bpc;
            }
        fclose(in);
    }
    plot_fig_line(f, "training chunk", xs, ys, n);
    double ex[1024], ey[1024];
    size_t ne = 0;
    for (long e = 0; e < res->epochs_run && ne < 1024; e++, ne++) {
        ex[ne] = (double)((size_t)(first_epoch + e + 1) * steps_per_epoch);
        if (res->steps < (long)steps_per_epoch) ex[ne] = (double)res->steps; /* partial epoch */
        ey[ne] = res->curve_valid[e];
    }
    plot_fig_points(f, "held out, after each epoch", ex, ey, ne);
    cm_die_status(plot_fig_write(&ctx, f));
    plot_fig_free(f);
    free(xs), free(ys);
}

/* Trains per the options (the demonstration and `train` share this). */
static int train_run(const rnn_opts *o, int demo)
{
    const cli_common *c = o->c;
    rnn_corpus corp;
    load_corpus(o, &corp);
    rnn_model *m = rnn_model_alloc(o->cell, corp.vocab.size, o->hidden, o->layers);
    if (!m) cm_die_status(CM_ENOMEM);
    gsl_rng *r = seeded_rng(c->seed);
    rnn_model_init(m, r, o->cell == RNN_CELL_LSTM ? o->forget_bias : NAN);
    hparams hp;
    hparams_init(&hp);
    long start_epoch = 0;
    tstate *ts = NULL;
    if (o->resume) {
        rnn_model *got;
        charvocab v;
        hparams h2;
        hparams_init(&h2);
        cm_die_status(rnn_load(o->resume, &got, &v, &h2));
        cm_die_status(rnn_check_same(o->resume, m, &corp.vocab, got, &v));
        params_copy_values(m->p, got->p);
        if (hparams_get_long(&h2, "epoch", &start_epoch) != CM_OK) start_epoch = 0;
        /* Adam's moments, the place in the epoch and the streams' carried states, so that the
         * run goes on exactly as if it had not stopped */
        if (!(ts = tstate_alloc())) cm_die_status(CM_ENOMEM);
        cm_die_status(ckpt_load_tstate(o->resume, ts));
        rnn_model_free(got);
        hparams_free(&h2);
        if (start_epoch >= o->epochs)
            cm_die("--resume: %s has done %ld epochs already; ask for more with --epochs",
                   o->resume, start_epoch);
    }
    cli_prepare_out(c);
    char ckpt[4200], log_path[4200], elog_path[4200];
    snprintf(ckpt, sizeof ckpt, "%s/model", c->out);
    snprintf(log_path, sizeof log_path, "%s/train.csv", c->out);
    snprintf(elog_path, sizeof elog_path, "%s/epochs.csv", c->out);
    cm_die_status(rnn_hparams_describe(&hp, m, &corp.vocab));
    hparams_set_long(&hp, "seq_len", (long)o->seq_len);
    hparams_set_long(&hp, "batch", (long)o->batch);
    hparams_set_double(&hp, "lr", o->lr);
    hparams_set_double(&hp, "clip", o->clip);
    hparams_set_str(&hp, "lr_schedule",
                    o->schedule == LR_COSINE   ? "cosine"
                    : o->schedule == LR_LINEAR ? "linear"
                                               : "constant");
    hparams_set_long(&hp, "seed", (long)c->seed);
    if (!c->quiet)
        printf("model: %s, hidden %zu, %zu layer%s, %zu characters, %zu parameters; text %s: "
               "%zu characters, %zu held out\n",
               rnn_cell_name(m->cell), m->H, m->L, m->L == 1 ? "" : "s", m->V, m->p->size,
               text_path(o), corp.n, corp.n - corp.n_train);
    rnn_train_cfg cfg = {.T = o->seq_len,
                         .B = o->batch,
                         .epochs = c->quick ? start_epoch + 1 : o->epochs,
                         .start_epoch = start_epoch,
                         .max_seconds = o->max_seconds,
                         .max_steps = c->quick ? RNN_QUICK_STEPS : 0,
                         .lr = o->lr,
                         .clip = o->clip,
                         .schedule = o->schedule,
                         .lr_final_frac = 0.1,
                         .quiet = c->quiet,
                         .label = rnn_cell_name(m->cell),
                         .log_path = log_path,
                         .epoch_log_path = elog_path,
                         .ckpt_dir = ckpt,
                         .hp = &hp,
                         .resume = ts};
    rnn_train_result res;
    int st = rnn_train(m, &corp, &cfg, &res);
    tstate_free(ts);
    if (st == CM_ENOTFINITE) {
        /* the last good checkpoint: this run's, the one it resumed from, or none */
        struct stat sb;
        if (stat(ckpt, &sb) == 0 || o->resume)
            fprintf(stderr, "rnn: %s; the last good checkpoint is %s\n", cm_errmsg(),
                    stat(ckpt, &sb) == 0 ? ckpt : o->resume);
        else
            fprintf(stderr, "rnn: %s; no epoch completed, no checkpoint written\n", cm_errmsg());
        rnn_train_result_free(&res);
        hparams_free(&hp);
        gsl_rng_free(r);
        rnn_model_free(m);
        rnn_corpus_free(&corp);
        return 3;
    }
    cm_die_status(st);
    if (res.signal) {
        int code = intr_report(res.signal, res.last_step, ckpt, NULL);
        rnn_train_result_free(&res);
        hparams_free(&hp);
        gsl_rng_free(r);
        rnn_model_free(m);
        rnn_corpus_free(&corp);
        return code;
    }
    rnn_streams s;
    rnn_streams_init(&s, &corp, 0, o->batch, o->seq_len);
    plot_curves(o, log_path, &res, start_epoch, rnn_streams_chunks(&s));
    printf("trained: %ld epoch%s, %ld steps in %.1f s (%.0f characters/s with evaluation)\n",
           res.epochs_run, res.epochs_run == 1 ? "" : "s", res.steps, res.seconds,
           res.chars_per_second);
    printf("parameters %zu\nsteps %ld\ntrain_bpc %.4f\nheld_out_bpc %.4f\n", m->p->size, res.steps,
           res.train_bpc, res.valid_bpc);
    char *text = cm_xcalloc(strlen(o->prime) + o->length + 1, 1);
    int sst = rnn_sample(m, &corp.vocab, o->prime, demo ? (c->quick ? 200 : o->length) : 0,
                         o->temperature, r, text);
    if (demo && sst == CM_OK) printf("sample (temperature %.2f):\n%s\n", o->temperature, text);
    if (demo && sst != CM_OK) printf("sample: %s\n", cm_errmsg());
    const char *ext = c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp";
    printf("checkpoint: %s/ (hparams.txt and one .npy per tensor); logs %s, %s; figure "
           "%s/curve.%s\n",
           ckpt, log_path, elog_path, c->out, ext);
    if (demo) {
        /* the sample's first words, on one line, for the tour */
        char snip[61];
        size_t k = 0;
        for (const char *p = text; *p && k < 60; p++) snip[k++] = *p == '\n' ? ' ' : *p;
        snip[k] = '\0';
        printf("summary: %s held-out %.3f bits/char after %ld step%s (%.0f s); \"%s...\"; figures "
               "in %s/\n",
               rnn_cell_name(m->cell), res.valid_bpc, res.steps, res.steps == 1 ? "" : "s",
               res.seconds, snip, c->out);
    }
    free(text);
    rnn_train_result_free(&res);
    hparams_free(&hp);
    gsl_rng_free(r);
    rnn_model_free(m);
    rnn_corpus_free(&corp);
    return 0;
}

int rnn_run_demo(const rnn_opts *o)
{
    return train_run(o, 1);
}

int rnn_run_train(const rnn_opts *o)
{
    return train_run(o, 0);
}

static rnn_model *load_or_die(const rnn_opts *o, charvocab *v, hparams *h)
{
    if (!o->load) cm_die("--load DIR is required (a checkpoint, such as out/rnn/model)");
    rnn_model *m;
    hparams_init(h);
    cm_die_status(rnn_load(o->load, &m, v, h));
    return m;
}

int rnn_run_eval(const rnn_opts *o)
{
    charvocab v;
    hparams h;
    rnn_model *m = load_or_die(o, &v, &h);
    rnn_corpus corp;
    load_corpus(o, &corp);
    if (corp.vocab.size != v.size || memcmp(corp.vocab.chars, v.chars, v.size))
        cm_die("%s: its characters differ from those %s was trained on", text_path(o), o->load);
    double bpc = rnn_evaluate(m, &corp, 1, o->batch, o->seq_len);
    printf("held_out_bpc %.4f (%s, %zu characters held out, %zu streams, chunks of %zu)\n", bpc,
           text_path(o), corp.n - corp.n_train, o->batch, o->seq_len);
    rnn_corpus_free(&corp);
    rnn_model_free(m);
    hparams_free(&h);
    return 0;
}

int rnn_run_sample(const rnn_opts *o)
{
    charvocab v;
    hparams h;
    rnn_model *m = load_or_die(o, &v, &h);
    gsl_rng *r = seeded_rng(o->c->seed);
    char *text = cm_xcalloc(strlen(o->prime) + o->length + 1, 1);
    cm_die_status(rnn_sample(m, &v, o->prime, o->length, o->temperature, r, text));
    printf("%s\n", text);
    free(text);
    gsl_rng_free(r);
    rnn_model_free(m);
    hparams_free(&h);
    return 0;
}

int rnn_run_gradcheck(const rnn_opts *o)
{
    int failed = 0;
    for (int cell = 0; cell < 3; cell++)
        for (size_t L = 1; L <= 2; L++) {
            rnn_gc_case gc = {(rnn_cell)cell, L};
            gc_report reps[RNN_GC_MAX_REPORTS];
            size_t n;
            int f = rnn_gradcheck_case(gc, o->c->seed, reps, &n);
            if (f < 0) cm_die_status(CM_ENOMEM);
            printf("%s, %zu layer%s (V %d, H %d, T %d steps, B %d streams), tolerance 1e-6:\n",
                   rnn_cell_name(gc.cell), L, L == 1 ? "" : "s", RNN_GC_V, RNN_GC_H, RNN_GC_T,
                   RNN_GC_B);
            gc_print_table(stdout, reps, n);
            failed += f;
        }
    printf("gradcheck: %s (%d failed)\n", failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}
