/* train.h: the training loop (word2vec.c's TrainModel and TrainModelThread): epochs over the
 * corpus, subsampling, the random shrinking of the window, the linearly decaying learning
 * rate, and lock-free threads (Hogwild: every thread updates the shared vectors without
 * locks; with sparse updates the collisions are rare and harmless, Recht et al. 2011). */
#ifndef W2V_TRAIN_H
#define W2V_TRAIN_H

#include "checkpoint.h"
#include "corpus.h"
#include "interrupt.h"
#include "model.h"

typedef struct {
    double seconds;       /* wall-clock training time (loading and allocating excluded) */
    double cpu_seconds;   /* processor time of all threads over the same span */
    long words;           /* corpus words processed, over all epochs (before subsampling) */
    long trained;         /* words left after subsampling, that were centre words */
    double words_per_sec; /* words / seconds */
    double loss;          /* mean loss per prediction over the last epoch */
    long epochs;          /* epochs completed */
    int signal;           /* SIGINT or SIGTERM when the run stopped on it, or 0 */
    long last_step;       /* the sentences thread 0 had trained (its steps), over all epochs */
} w2v_train_stats;

/* Where an interrupted run saves itself and how it goes on (interrupt.h). */
typedef struct {
    const char *ckpt_dir; /* on SIGINT/SIGTERM: the model and its resume state go here */
    const hparams *hp;    /* saved with it */
    const tstate *resume; /* --resume: the state of such a checkpoint, or NULL */
} w2v_resume;

/* Trains m on c for m->cfg.epochs epochs with m->cfg.threads threads; thread t draws from
 * its own generator (gsl_rng_taus2) seeded with cfg.seed + t, so that one thread and one seed give the same
 * vectors bit for bit. Progress on stderr unless quiet; log_path (or NULL) gets one CSV row
 * per epoch (epoch,words,alpha,loss,words_per_sec). CM_OK, or CM_ENOTFINITE when the loss
 * turned NaN or infinite ("diverged in epoch E near word N": the vectors are then garbage),
 * or an allocation or log error. On SIGINT or SIGTERM the threads stop after their current
 * sentence; with rs->ckpt_dir the model is saved there with its resume state (each thread's
 * place in its sentences, its generator and sums, the words done), stats->signal is set and
 * CM_OK returned. rs->resume continues such a run; with one thread exactly (rs may be NULL). */
int w2v_train(w2v_model *m, const w2v_corpus *c, int quiet, const char *log_path,
              const w2v_resume *rs, w2v_train_stats *stats);

/* The learning rate after `done` of `total` words: linear from alpha to min_alpha. */
double w2v_learning_rate(const w2v_config *cfg, long done, long total);

#endif
