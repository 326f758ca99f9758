/* train.h: training the noise-conditional score model on a 2-D data set with one objective:
 * minibatches drawn with replacement, a noise level per row uniform over the ladder, Adam. */
#ifndef SCORE_TRAIN_H
#define SCORE_TRAIN_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "interrupt.h"
#include "net.h"
#include "objectives.h"

#define SCORE_MAX_LEVELS 64

typedef struct {
    score_objective obj;
    long steps;
    size_t batch;
    double lr;
    size_t L;                        /* levels of the ladder */
    double sigmas[SCORE_MAX_LEVELS]; /* decreasing */
    const char *log_path;            /* CSV step,loss,grad_norm,lr; NULL: none */
    int quiet;
    /* SIGINT/SIGTERM (interrupt.h): the run stops after the current step, saves the model to
     * ckpt_dir with hp and its resume state (Adam, the generator, the log's running mean, the
     * losses so far) and sets *interrupted to the signal; resume continues such a run exactly */
    const char *ckpt_dir; /* NULL: an interrupted run saves nothing */
    const hparams *hp;
    const tstate *resume; /* --resume: the checkpoint's resume state, or NULL */
    int *interrupted;     /* out: the signal that stopped the run, or 0 (may be NULL) */
    long *last_step;      /* out: the last step taken (may be NULL) */
} score_train_cfg;

/* Fills batch b (B rows) for one step: rows of data, sigma uniform over the ladder, Z and V
 * standard normal. */
void score_fill_batch(score_batch *b, size_t B, const gsl_matrix *data, const double *sigmas,
                      size_t L, gsl_rng *r);

/* Trains m (already initialized) on data (N, 2). loss_hist (cfg->steps, may be NULL) gets the
 * loss of every step. CM_OK, or CM_ENOTFINITE "... at step t" when the loss or the gradient
 * stops being finite (the weights are left at the last finite step's values), or an I/O error
 * of the log. */
int score_train(score_net *m, const gsl_matrix *data, const score_train_cfg *cfg, gsl_rng *r,
                double *loss_hist);

#endif
