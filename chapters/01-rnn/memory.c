/* memory.c: `rnn gradnorm`, the vanishing-gradient measurement (see memory.h). */
#include "memory.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "error.h"
#include "plot.h"
#include "train.h"

#define GN_TEXT        "data/pride_prejudice.txt"
#define GN_HELD_OUT    0.1
#define GN_HIDDEN      64  /* the same for the three cells unless --hidden is given */
#define GN_T           128 /* steps measured: distances 0 .. 127 */
#define GN_WARM        64  /* characters run before them, so the state has a history */
#define GN_SEQS        64  /* sequences averaged over */
#define GN_STEPS       300 /* training chunks per cell (about one pass over the text) */
#define GN_QUICK_STEPS 30

int rnn_gradnorm_batch(const rnn_corpus *c, int held_out, size_t warm, size_t T, size_t B,
                       gsl_rng *r, int *xw, int *x, int *y)
{
    size_t lo = held_out ? c->n_train : 0, hi = held_out ? c->n : c->n_train;
    size_t len = warm + T + 1; /* a window, with the last step's target */
    if (T == 0 || B == 0 || hi - lo < len)
        return cm_error(CM_EINVAL, "the %s part has %zu characters: too few for windows of %zu",
                        held_out ? "held-out" : "training", hi - lo, len);
    for (size_t b = 0; b < B; b++) {
        const int *s = c->ids + lo + gsl_rng_uniform_int(r, hi - lo - len + 1);
        for (size_t t = 0; t < warm; t++) xw[t * B + b] = s[t];
        for (size_t t = 0; t < T; t++) {
            x[t * B + b] = s[warm + t];
            y[t * B + b] = t + 1 == T ? s[warm + T] : -1; /* the loss at the last step only */
        }
    }
    return CM_OK;
}

double rnn_gradnorm_measure(rnn_model *m, size_t warm, const int *xw, size_t T, size_t B,
                            const int *x, const int *y, double *norm)
{
    size_t S = rnn_state_size(m, B);
    double loss = NAN;
    rnn_work *w = rnn_work_alloc(m, T, B);
    rnn_work *ww = warm > 0 ? rnn_work_alloc(m, warm, B) : NULL;
    double *h = cm_calloc(S, sizeof(double)), *c = cm_calloc(S, sizeof(double));
    double *dh_norm = cm_calloc(T, sizeof(double));
    if (!w || (warm > 0 && !ww) || !h || !c || !dh_norm) goto done;
    if (warm > 0) { /* the history: no targets, only the final states are kept */
        rnn_forward(m, ww, warm, xw, NULL, h, c);
        rnn_final_state(m, ww, h, c);
    }
    params_zero_grad(m->p);
    loss = rnn_forward(m, w, T, x, y, h, c);
    w->dh_norm = dh_norm; /* rnn_backward records |dL/dh| of the top layer per step */
    rnn_backward(m, w, NULL, NULL);
    params_zero_grad(m->p);
    for (size_t d = 0; d < T; d++) norm[d] = dh_norm[T - 1 - d]; /* step t = T-1-d */
done:
    rnn_work_free(w);
    rnn_work_free(ww);
    free(h), free(c), free(dh_norm);
    return loss;
}

/* ---- the subcommand -------------------------------------------------------------------- */

static const size_t table_d[] = {1, 10, 25, 50, 100};
#define N_TABLE_D (sizeof table_d / sizeof table_d[0])

static void print_tables(double norm[3][2][GN_T], const double bpc[3][2], long steps)
{
    static const char *const state[2] = {"init", "trained"};
    printf("\nmean |dL_T/dh_t| over %d sequences of %d held-out characters, by distance d = T - t"
           " (loss at the last step T only):\n",
           GN_SEQS, GN_T);
    printf("%-5s %-8s %9s", "cell", "state", "held-out");
    for (size_t k = 0; k < N_TABLE_D; k++) printf("   d=%-6zu", table_d[k]);
    printf("\n");
    for (int cell = 0; cell < 3; cell++)
        for (int s = 0; s < 2; s++) {
            printf("%-5s %-8s %5.2f bpc", rnn_cell_name((rnn_cell)cell), state[s], bpc[cell][s]);
            for (size_t k = 0; k < N_TABLE_D; k++) printf("  %9.2e", norm[cell][s][table_d[k]]);
            printf("\n");
        }
    printf("\nthe same as a fraction of the gradient one step back, |dL/dh| at d over at d = 1 "
           "(trained: %ld chunks of the text):\n",
           steps);
    printf("%-5s %-8s", "cell", "state");
    for (size_t k = 1; k < N_TABLE_D; k++) printf("   d=%-6zu", table_d[k]);
    printf("\n");
    for (int cell = 0; cell < 3; cell++)
        for (int s = 0; s < 2; s++) {
            printf("%-5s %-8s", rnn_cell_name((rnn_cell)cell), state[s]);
            for (size_t k = 1; k < N_TABLE_D; k++)
                printf("  %9.2e", norm[cell][s][table_d[k]] / norm[cell][s][1]);
            printf("\n");
        }
}

static void plot_norms(const rnn_opts *o, double norm[3][2][GN_T])
{
    plot_ctx ctx = {.dir = o->c->out, .mode = o->c->plot};
    plot_fig *f =
        plot_fig_new("gradnorm", "how far back the gradient reaches: |dL_T/dh_t|",
                     "distance T - t (steps back from the loss)", "mean |dL_T/dh_t| (log scale)");
    if (!f) cm_die_status(CM_ENOMEM);
    double d[GN_T];
    for (size_t i = 0; i < GN_T; i++) d[i] = (double)i;
    for (int cell = 0; cell < 3; cell++)
        for (int s = 0; s < 2; s++) {
            char label[64];
            snprintf(label, sizeof label, "%s, %s", rnn_cell_name((rnn_cell)cell),
                     s ? "trained" : "at initialization");
            cm_die_status(plot_fig_line(f, label, d, norm[cell][s], GN_T));
        }
    plot_fig_logy(f);
    cm_die_status(plot_fig_write(&ctx, f));
    plot_fig_free(f);
}

int rnn_run_gradnorm(const rnn_opts *o)
{
    const cli_common *cc = o->c;
    const char *path = cc->data ? cc->data : GN_TEXT;
    size_t H = o->hidden_given ? o->hidden : GN_HIDDEN;
    /* a short run by default; --epochs N trains N whole passes over the text instead */
    long steps = o->epochs_given ? 0 : cc->quick ? GN_QUICK_STEPS : GN_STEPS, steps_run = 0;
    rnn_corpus corp;
    cm_die_status(rnn_corpus_load(&corp, path, GN_HELD_OUT));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    int *xw = cm_xcalloc(GN_WARM * GN_SEQS, sizeof(int));
    int *x = cm_xcalloc(GN_T * GN_SEQS, sizeof(int)), *y = cm_xcalloc(GN_T * GN_SEQS, sizeof(int));
    if (!r) cm_die_status(CM_ENOMEM);
    /* one set of held-out windows, measured before and after training, for every cell */
    gsl_rng_set(r, cc->seed);
    cm_die_status(rnn_gradnorm_batch(&corp, 1, GN_WARM, GN_T, GN_SEQS, r, xw, x, y));
    cli_prepare_out(cc);
    printf("gradnorm: %s, %zu characters; hidden %zu, %zu layer%s; %d windows of %d + %d "
           "held-out characters; training: chunks of %zu x %zu, Adam lr %g, clip %g, LSTM forget "
           "bias %g\n",
           path, corp.n, H, o->layers, o->layers == 1 ? "" : "s", GN_SEQS, GN_WARM, GN_T, o->batch,
           o->seq_len, o->lr, o->clip, o->forget_bias);
    double norm[3][2][GN_T];
    double bpc[3][2];
    for (int cell = 0; cell < 3; cell++) {
        rnn_model *m = rnn_model_alloc((rnn_cell)cell, corp.vocab.size, H, o->layers);
        if (!m) cm_die_status(CM_ENOMEM);
        gsl_rng_set(r, cc->seed); /* the same draws for every cell */
        rnn_model_init(m, r, cell == RNN_CELL_LSTM ? o->forget_bias : NAN);
        for (int s = 0; s < 2; s++) {
            if (s == 1) { /* a short run on the training text, as `rnn train` does */
                rnn_train_cfg cfg = {.T = o->seq_len,
                                     .B = o->batch,
                                     .epochs = o->epochs_given ? o->epochs : 1,
                                     .max_steps = steps,
                                     .lr = o->lr,
                                     .schedule = o->schedule,
                                     .lr_final_frac = 0.1, /* as `rnn train` */
                                     .clip = o->clip,
                                     .quiet = cc->quiet,
                                     .label = rnn_cell_name(m->cell)};
                rnn_train_result res;
                int st = rnn_train(m, &corp, &cfg, &res);
                if (st == CM_ENOTFINITE) {
                    fprintf(stderr, "rnn: gradnorm: %s: %s\n", rnn_cell_name(m->cell), cm_errmsg());
                    return 3;
                }
                cm_die_status(st);
                steps_run = res.steps;
                rnn_train_result_free(&res);
            }
            bpc[cell][s] = rnn_evaluate(m, &corp, 1, o->batch, o->seq_len);
            double L = rnn_gradnorm_measure(m, GN_WARM, xw, GN_T, GN_SEQS, x, y, norm[cell][s]);
            if (isnan(L)) cm_die_status(CM_ENOMEM);
        }
        rnn_model_free(m);
    }
    print_tables(norm, bpc, steps_run);
    plot_norms(o, norm);
    char fig[4200];
    plot_ctx ctx = {.dir = cc->out, .mode = cc->plot};
    plot_path(&ctx, "gradnorm", cc->plot == PLOT_PNG || cc->plot == PLOT_WINDOW ? "png" : "gp", fig,
              sizeof fig);
    printf("\ngradnorm: |dL/dh| 50 steps back over 1 step back: at initialization rnn %.1e, "
           "lstm %.1e, gru %.1e; trained rnn %.1e, lstm %.1e, gru %.1e; figure %s\n",
           norm[0][0][50] / norm[0][0][1], norm[1][0][50] / norm[1][0][1],
           norm[2][0][50] / norm[2][0][1], norm[0][1][50] / norm[0][1][1],
           norm[1][1][50] / norm[1][1][1], norm[2][1][50] / norm[2][1][1], fig);
    free(xw), free(x), free(y);
    gsl_rng_free(r);
    rnn_corpus_free(&corp);
    return 0;
}
