/* train.h: training the character-level language model by truncated back-propagation through
 * time: B streams through the training text in chunks of T characters, the hidden state
 * carried from chunk to chunk (but no gradient), Adam, global-norm clipping, the held-out loss
 * in bits per character after every epoch, a log, and a checkpoint after every epoch. */
#ifndef RNN_TRAIN_H
#define RNN_TRAIN_H

#include <stddef.h>

#include "checkpoint.h"
#include "corpus.h"
#include "interrupt.h"
#include "optim.h"
#include "rnn.h"

typedef struct {
    size_t T, B;        /* --seq-len, --batch */
    long epochs;        /* the run ends after this many epochs in all (counting start_epoch) */
    long start_epoch;   /* epochs already done (--resume) */
    double max_seconds; /* > 0: also stop after the epoch during which this much time passed */
    long max_steps;     /* > 0: stop after this many steps (the --quick budget), mid-epoch */
    double lr, clip;    /* Adam's learning rate; clip the gradient's norm to this (<= 0: none) */
    lr_kind schedule;   /* the learning rate over the run's steps (optim.h lr_at): constant,
                           or decaying to lr_final_frac * lr at the last step */
    double lr_final_frac;
    int quiet;
    const char *label;          /* for the progress line */
    const char *log_path;       /* per-step CSV log (step,epoch,bpc,grad_norm), or NULL */
    const char *epoch_log_path; /* per-epoch CSV (epoch,step,train_bpc,held_out_bpc,seconds) */
    const char *ckpt_dir;       /* checkpoint after every epoch, or NULL */
    hparams *hp;                /* saved with the checkpoint ("epoch" is updated) */
    const tstate *resume;       /* --resume: the checkpoint's resume state (Adam's moments, the
                                   place in the epoch and the carried states), or NULL */
} rnn_train_cfg;

typedef struct {
    long epochs_run, steps;            /* completed by this call */
    double train_bpc;                  /* mean over the last epoch's (or partial epoch's) chunks */
    double valid_bpc;                  /* the held-out loss after the last epoch */
    double *curve_train, *curve_valid; /* (epochs run) per epoch, bits per character */
    double seconds, chars_per_second;
    long bad_step;  /* the step whose loss was not finite, or -1 */
    int signal;     /* SIGINT or SIGTERM when the run stopped on it (checkpoint written), or 0 */
    long last_step; /* the last step taken, counting a resumed run's earlier steps */
} rnn_train_result;

/* CM_OK; CM_ENOTFINITE ("loss is nan at step N (epoch E)", the last good checkpoint kept);
 * or another error. On SIGINT or SIGTERM (interrupt.h) it stops after the current step, writes
 * the checkpoint with its resume state, and returns CM_OK with res->signal set. Free res with rnn_train_result_free. */
int rnn_train(rnn_model *m, const rnn_corpus *c, const rnn_train_cfg *cfg, rnn_train_result *res);
void rnn_train_result_free(rnn_train_result *res);

/* The mean loss in bits per character over a part of the corpus (held_out 1: the held-out
 * part), read as B streams in chunks of T from zero states, the state carried across chunks. */
double rnn_evaluate(const rnn_model *m, const rnn_corpus *c, int held_out, size_t B, size_t T);

#endif
