/* train.h: the training loop of both VAEs: shuffled minibatches, Adam on the flat parameter
 * block, the loss logged as its two terms (reconstruction and KL, each in nats per example),
 * the test negative ELBO after every epoch (one sample per row), the Gumbel-softmax temperature
 * annealed, a checkpoint after every epoch, and a stop naming the step when the loss is not
 * finite (the last good checkpoint kept). */
#ifndef VAE_TRAIN_H
#define VAE_TRAIN_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "interrupt.h"
#include "model.h"

typedef struct {
    long epochs;
    size_t batch;
    double lr;
    /* the temperature of the categorical VAE: tau = max(tau_min, tau0 exp(-rate step)), with
     * the rate that reaches tau_min after anneal_frac of the steps (Jang et al.'s schedule) */
    double tau0, tau_min, anneal_frac;
    int quiet;
    const char *label;    /* for the progress line */
    const char *log_path; /* CSV log, or NULL */
    const char *ckpt_dir; /* checkpoint after every epoch, or NULL */
    hparams *hp;          /* saved with the checkpoint (the model's own keys are added) */
    const tstate *resume; /* --resume: the checkpoint's resume state, or NULL */
} vae_train_cfg;

typedef struct {
    long epochs_run, steps;
    double loss, recon, kl;           /* means over the last epoch's training batches */
    double test_neg_elbo;             /* after the last epoch, one sample per row */
    double *curve_train, *curve_test; /* (epochs) */
    long bad_step;                    /* the step whose loss was not finite, or -1 */
    int signal;     /* SIGINT or SIGTERM when the run stopped on it (checkpoint written), or 0 */
    long last_step; /* the last step taken */
    double seconds;
} vae_train_result;

/* Trains m on Xtr, evaluates on Xte (may be NULL) after every epoch. CM_OK, CM_ENOTFINITE
 * ("loss is nan at step N (epoch E)"), or another error code with the message set. On SIGINT
 * or SIGTERM (interrupt.h) it stops after the current step, writes the checkpoint with its
 * resume state (Adam, the generator, the shuffled order and the epoch's sums so far, the
 * curves) and returns CM_OK with res->signal set; cfg->resume continues such a run exactly. */
int vae_train(vae_model *m, const gsl_matrix *Xtr, const gsl_matrix *Xte, const vae_train_cfg *cfg,
              gsl_rng *r, vae_train_result *res);
void vae_train_result_free(vae_train_result *res);

/* The temperature at a step of a run of total steps (see vae_train_cfg). */
double vae_tau_at(const vae_train_cfg *cfg, long step, long total);

#endif
