/* demo.h: the parts of chapter 03's demonstration and its subcommands. main.c parses the
 * command line into a vae_opts and calls one of these; each prints its key numbers as
 * "key value (note)" lines (the golden test reads them), writes its figures and logs, and
 * returns the exit status: 0, 1 (a gradient check failed), 2 (bad input, message printed) or
 * 3 (the loss turned NaN/inf). */
#ifndef VAE_DEMO_H
#define VAE_DEMO_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "cli.h"
#include "data.h"
#include "eval.h"
#include "model.h"
#include "plot.h"
#include "train.h"

/* Defaults: {full run, --quick}. */
#define VAE_HIDDEN  256
#define VAE_LATENT  2
#define VAE_BATCH   64
#define VAE_LR      1e-3
#define VAE_NVARS   8
#define VAE_NCATS   10
#define VAE_TAU0    1.0
#define VAE_TAU_MIN 0.5
#define VAE_IW_MAX  5000
extern const long VAE_EPOCHS[2], VAE_CAT_EPOCHS[2], VAE_IW[2], VAE_REPS[2];

typedef struct {
    cli_common *c;
    long epochs; /* <= 0: the part's default */
    size_t hidden, latent, batch, nvars, ncats;
    double lr, tau0, tau_min;
    long iw;               /* --iw-samples, <= 0: default */
    long reps;             /* estimator repeats, <= 0: default */
    int model;             /* train: 0 gauss, 1 cat (relaxed), 2 cat-st (straight-through) */
    const char *load;      /* eval, sample, grad: a checkpoint */
    const char *resume;    /* train: the checkpoint of an interrupted run to continue */
    const char *batch_dir; /* grad: X.npy and the noise */
} vae_opts;

typedef struct {
    vae_train_result tr;
    vae_eval_result ev;
} vae_run_result;

void vae_opts_defaults(vae_opts *o, cli_common *c);

int vae_run_demo(const vae_opts *o);
int vae_run_gauss(const vae_opts *o, vae_run_result *out);    /* train + eval + pictures */
int vae_run_estimators(const vae_opts *o);                    /* the estimator experiment */
int vae_run_gumbel(const vae_opts *o, vae_run_result out[2]); /* relaxed and straight-through */
int vae_run_train(const vae_opts *o);
int vae_run_eval(const vae_opts *o);
int vae_run_sample(const vae_opts *o);
int vae_run_gradcheck(const vae_opts *o);
int vae_run_grad(const vae_opts *o);
int vae_run_bench(const vae_opts *o);

/* ---- what the parts share ---- */
gsl_rng *vae_rng_seeded(unsigned long seed); /* dies when out of memory */
void vae_kv(const char *key, double v, const char *note);
long vae_pick(long v, const long dflt[2], const cli_common *c);
vae_data *vae_load_or_die(const cli_common *c);
void vae_write_fig(const cli_common *c, plot_fig *f); /* writes, frees, dies on error */
/* The pictures of a trained model (figures.c): reconstructions beside originals, samples from
 * the prior, and with a 2-D Gaussian latent the test means by digit and the decoded manifold.
 * prefix names the files ("gauss" -> gauss_recon.png, ...). */
void vae_pictures(const cli_common *c, vae_model *m, const vae_data *d, const char *prefix,
                  gsl_rng *r);
/* The learning curves of a run: train loss and test negative ELBO per epoch. */
void vae_curve_fig(const cli_common *c, const char *name, const char *title,
                   const vae_train_result *tr);

#endif
