/* train.h: maximum likelihood training of any of the models: shuffled minibatches, Adam on the
 * flat parameter block, the mean negative log-likelihood in nats per image as the loss, the test
 * NLL after every epoch, a CSV log, a checkpoint after each epoch, and a stop (keeping the last
 * good checkpoint) when the loss is not finite. MADE with K orderings draws one ordering per
 * minibatch. */
#ifndef AR_TRAIN_H
#define AR_TRAIN_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "interrupt.h"
#include "model.h"

typedef struct {
    long epochs;
    size_t batch;
    double lr;           /* Adam, betas (0.9, 0.999), eps 1e-8 as torch */
    int eval_each_epoch; /* 0: the test NLL only after the last epoch (the benchmark) */
    int quiet;
    const char *label;    /* for the progress line */
    const char *log_path; /* CSV log, or NULL */
    const char *ckpt_dir; /* checkpoint after every epoch, or NULL */
    int ckpt_last_only;   /* 1: only after the last epoch (the demonstration: each save fsyncs) */
    hparams *hp;          /* saved with the checkpoint ("epoch" is updated) */
    const tstate *resume; /* --resume: the checkpoint's resume state, or NULL */
} ar_train_cfg;

typedef struct {
    long epochs_run, steps;
    double train_nll, test_nll; /* after the last completed epoch (train: mean over its batches) */
    double *curve_train, *curve_test; /* (epochs) */
    long bad_step;                    /* the step whose loss was not finite, or -1 */
    double seconds;                   /* training only, without the evaluations */
    int signal;                       /* SIGINT or SIGTERM when the run stopped on it, or 0 */
    long last_step;                   /* the last step taken */
} ar_train_result;

/* CM_OK, CM_ENOTFINITE ("loss is nan at step N (epoch E)", res->bad_step set) or another error.
 * After CM_OK free the curves with ar_train_result_free (on an error they are already freed).
 * Xte may be NULL (no evaluation). On SIGINT or SIGTERM (interrupt.h) it stops after the
 * current step, writes the checkpoint with its resume state (Adam, the generator, the shuffled
 * order, the epoch's sum so far, the curves; unless ckpt_last_only) and returns CM_OK with
 * res->signal set; cfg->resume continues such a run exactly. */
int ar_train(ar_model *m, const gsl_matrix *Xtr, const gsl_matrix *Xte, const ar_train_cfg *cfg,
             gsl_rng *r, ar_train_result *res);
void ar_train_result_free(ar_train_result *res);

#endif
