/* train.h: the training loop (word2vec.c's TrainModel and TrainModelThread): epochs over the
 * corpus, subsampling, the random shrinking of the window, the linearly decaying learning
 * rate, and lock-free threads (Hogwild: every thread updates the shared vectors without
 * locks; with sparse updates the collisions are rare and harmless, Recht et al. 2011). */
#ifndef W2V_TRAIN_H
#define W2V_TRAIN_H

#include "corpus.h"
#include "model.h"

typedef struct {
    double seconds;       /* wall-clock training time (loading and allocating excluded) */
    double cpu_seconds;   /* processor time of all threads over the same span */
    long words;           /* corpus words processed, over all epochs (before subsampling) */
    long trained;         /* words left after subsampling, that were centre words */
    double words_per_sec; /* words / seconds */
    double loss;          /* mean loss per prediction over the last epoch */
    long epochs;          /* epochs completed */
} w2v_train_stats;

/* Trains m on c for m->cfg.epochs epochs with m->cfg.threads threads; thread t draws from
 * its own generator (gsl_rng_taus2) seeded with cfg.seed + t, so that one thread and one seed give the same
 * vectors bit for bit. Progress on stderr unless quiet; log_path (or NULL) gets one CSV row
 * per epoch (epoch,words,alpha,loss,words_per_sec). CM_OK, or CM_ENOTFINITE when the loss
 * turned NaN or infinite ("diverged in epoch E near word N": the vectors are then garbage),
 * or an allocation or log error. */
int w2v_train(w2v_model *m, const w2v_corpus *c, int quiet, const char *log_path,
              w2v_train_stats *stats);

/* The learning rate after `done` of `total` words: linear from alpha to min_alpha. */
double w2v_learning_rate(const w2v_config *cfg, long done, long total);

#endif
