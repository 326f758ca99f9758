/* copytask.h: a long-range memory task, copy-memory with one symbol: a symbol from an alphabet
 * of A is shown at the first step, then `lag` steps of filler, then a recall marker, and at
 * that last step the model must name the symbol it saw lag + 1 steps before. The filler is
 * either blanks or random symbols of the same alphabet (distractors, which `rnn copy` uses:
 * the model must keep the first symbol while new ones keep arriving, as characters do in
 * text). Every other step has no target (-1), so the only gradient that can teach the model to
 * keep the symbol is the one that travels lag + 1 steps back through time: where that gradient
 * vanishes (memory.h), the task is not learnt and the accuracy stays at chance, 1/A.
 *
 * The model's vocabulary is the task's own: ids 0 .. A-1 the symbols, A the blank, A+1 the
 * marker (V = A + 2). Training draws fresh sequences at every step from a seeded gsl_rng and
 * runs rnn_forward / rnn_backward, global-norm clipping and Adam directly. */
#ifndef RNN_COPYTASK_H
#define RNN_COPYTASK_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "rnn.h"

#define RNN_COPY_ALPHABET 8

/* Ids of the task's tokens for an alphabet of A symbols. */
static inline int rnn_copy_blank(size_t A)
{
    return (int)A;
}
static inline int rnn_copy_marker(size_t A)
{
    return (int)A + 1;
}

/* B sequences of lag + 2 steps, time-major (x, y are ((lag + 2) B)): x[0] a symbol drawn
 * uniformly from [0, A), x[1 .. lag] blanks (distract 0) or symbols drawn uniformly from
 * [0, A) (distract 1), x[lag + 1] the marker; y -1 everywhere except y[lag + 1] = x[0]. */
void rnn_copy_batch(size_t A, size_t lag, int distract, size_t B, gsl_rng *r, int *x, int *y);

typedef struct {
    rnn_cell cell;
    size_t hidden;
    double forget_bias; /* an LSTM's forget-gate bias at initialization (NaN: torch's default) */
    size_t alphabet, lag;
    int distract; /* 1: the lag is filled with random symbols instead of blanks */
    long steps;   /* training steps, each on B fresh sequences */
    size_t batch; /* B */
    double lr, clip;
    size_t n_eval; /* fresh sequences for the accuracy after training */
} rnn_copy_cfg;

typedef struct {
    double accuracy;   /* on n_eval fresh sequences: the argmax at the marker is the symbol */
    double eval_loss;  /* their mean cross-entropy in nats (chance: log A) */
    double train_loss; /* mean over the last tenth of the training steps */
    long steps;
    double seconds;
    long bad_step; /* a step whose loss was not finite, or -1 */
    /* at initialization, on one batch: the mean |dL/dh| at the state that has just read the
     * symbol over that at the marker (distance lag + 1 against 0, memory.h): how much of the
     * gradient reaches back to the symbol before any training */
    double grad_reach;
} rnn_copy_result;

/* Accuracy on n fresh sequences (drawn from r), in batches of w->B; *loss (may be NULL) gets
 * their mean cross-entropy. w must hold lag + 2 steps. */
double rnn_copy_accuracy(const rnn_model *m, rnn_work *w, size_t A, size_t lag, int distract,
                         size_t n, gsl_rng *r, double *loss);

/* Builds a model (vocabulary A + 2, one layer), initializes it from r (torch's defaults),
 * trains it on the task and measures it. losses (may be NULL) receives the training loss of
 * every step (cfg->steps values). CM_OK, CM_ENOTFINITE (res->bad_step set, message names
 * it) or CM_ENOMEM / CM_EINVAL. */
int rnn_copy_run(const rnn_copy_cfg *cfg, gsl_rng *r, rnn_copy_result *res, double *losses);

#endif
