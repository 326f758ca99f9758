/* runs.h: what the subcommands of bin/autoregressive share (program code, not the models):
 * the options, the default budgets, loading the data or a checkpoint or dying with exit 2, the
 * "key value (note)" result lines the golden test reads, one training run, and the figures
 * (sample grids, completions, learning curves). Each subcommand lives in its own file: demo.c
 * (no subcommand), cmd_train.c (train, eval, sample), cmd_grad.c (gradcheck, grad, bench). */
#ifndef AR_RUNS_H
#define AR_RUNS_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "cli.h"
#include "data.h"
#include "model.h"
#include "train.h"

typedef struct {
    cli_common *c;
    int model;                                   /* -1: the subcommand's default */
    long epochs;                                 /* <= 0: the default */
    double lr;                                   /* <= 0: the default */
    size_t batch;                                /* 0: the default */
    size_t hidden[AR_MADE_MAX_LAYERS], n_hidden; /* 0 layers: the model's default */
    size_t orderings;                            /* 0: 1 */
    int connectivity;                            /* MADE: AR_CONN_RANDOM or AR_CONN_EVEN */
    const char *ordering_file;
    int no_binarize;
    long samples;          /* sample: how many images (<= 0: 64) */
    const char *load;      /* eval, sample, grad: checkpoint directory */
    const char *resume;    /* train: the checkpoint of an interrupted run to continue */
    const char *batch_dir; /* grad: directory with X.npy */
} ar_opts;

/* The defaults: {full run, --quick}. */
extern const long AR_EPOCHS[2], AR_BENCH_EPOCHS[2];
#define AR_BATCH            64
#define AR_LR               1e-3
#define AR_NADE_HIDDEN      64
#define AR_MADE_HIDDEN      256
#define AR_GRID             64 /* samples per grid (8 x 8) */
#define AR_COMPLETE         10 /* test digits completed */
#define AR_COMPLETIONS      3  /* completions drawn per digit */
#define AR_MASK_SEED_OFFSET 1  /* MADE's mask_seed = --seed + this */

void ar_opts_defaults(ar_opts *o, cli_common *c);

int ar_run_demo(const ar_opts *o);
int ar_run_train(const ar_opts *o);
int ar_run_eval(const ar_opts *o);
int ar_run_sample(const ar_opts *o);
int ar_run_gradcheck(const ar_opts *o);
int ar_run_grad(const ar_opts *o);
int ar_run_bench(const ar_opts *o);

/* ---- helpers -------------------------------------------------------------------------- */
gsl_rng *ar_rng_seeded(unsigned long seed); /* dies when out of memory */
void ar_kv(const char *key, double v, const char *note);
long ar_pick_long(long v, const long dflt[2], const cli_common *c);
/* The data (--data or the shipped digits), or exit 2. */
ar_data *ar_load_data(const ar_opts *o);
/* The spec of model kind for D variables from the options (hidden, orderings); order: the
 * --ordering file read into order_buf (D), or NULL for raster order. Dies on bad options. */
ar_spec ar_spec_from_opts(const ar_opts *o, ar_kind kind, size_t D, size_t *order_buf);
/* Builds the model a checkpoint describes (workspace cap rows) and loads its values; exit 2 on
 * any mismatch. spec_order receives its ordering (D <= max_D). */
ar_model *ar_load_model(const char *dir, size_t cap, size_t *order_buf, size_t max_D);

/* Trains a fresh model of spec (init from the seed) on d: logs to OUT/<label>.csv, checkpoint
 * in OUT/<ckpt> if ckpt != NULL (after every epoch, or after the last one only if last_only). Prints the parameter line and the result lines
 * "<label>.train_nll", "<label>.test_nll". Returns the model (caller frees) in *out, and the
 * exit status: 0, or 3 when the loss turned NaN/inf (message printed). */
int ar_train_run(const ar_opts *o, const ar_spec *s, const ar_data *d, const char *label,
                 const char *ckpt, int last_only, ar_model **out, ar_train_result *res);

/* The figures of a trained model: samples_<label> (AR_GRID samples, seeded) and
 * completion_<label> (the upper half of the first AR_COMPLETE test digits given, the lower half
 * drawn AR_COMPLETIONS times), unless the ordering does not put the upper half first (then a
 * note, and no completion figure). Dies on a write error. */
void ar_write_samples(const ar_opts *o, ar_model *m, const ar_data *d, const char *label,
                      size_t n_samples, unsigned long seed);
void ar_write_completion(const ar_opts *o, ar_model *m, const ar_data *d, const char *label,
                         unsigned long seed);

#endif
