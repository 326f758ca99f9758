/* experiment.h: one objective end to end, shared by the demonstration and `train`: train the
 * model, measure the score error per noise level against the exact score (when the data have
 * one), sample by annealed Langevin, compare the samples with fresh data (MMD, modes), save the
 * checkpoint, the log and the figures. */
#ifndef SCORE_EXPERIMENT_H
#define SCORE_EXPERIMENT_H

#include "demo.h"

typedef struct {
    score_objective obj;
    double final_loss;            /* mean loss of the last 10% of the steps */
    double err[SCORE_MAX_LEVELS]; /* E||s_theta - grad log p_sigma||^2 per level */
    double ref[SCORE_MAX_LEVELS]; /* E||grad log p_sigma||^2 (the zero field's error) */
    double rel_mean;              /* mean over levels of err / ref */
    double mmd, mmd_ref;          /* MMD^2(samples, fresh data), MMD^2(data, fresh data) */
    double frac[TOY2D_MAX_COMPONENTS];
    double max_frac_dev; /* max_k |frac_k - w_k| */
    double train_secs, sample_secs;
} score_result;

/* Runs objective obj on data (N, 2) (g: its mixture when has_g). Figures and files go to
 * o->c->out with the objective's name in them. Exit status 0, or dies (2: bad input, 3: the
 * training or the sampler diverged, 130/143: SIGINT/SIGTERM during training, the checkpoint
 * saved with its resume state; o->resume continues such a run). init_seed fixes the initial weights. */
int score_experiment(const score_opts *o, score_objective obj, const gsl_matrix *data,
                     const toy2d_gmm *g, int has_g, score_result *res, int trajectory);

/* Builds a model from a checkpoint directory (hparams: hidden, sigmas). */
score_net *score_load_model(const char *dir, size_t cap, double *sigmas, size_t *L);

/* uniform particles on [-a, a]^2 */
void score_uniform_start(gsl_rng *r, gsl_matrix *X, double a);

#endif
