/* parts.h: what the parts of bin/neuron share (program code, not the models): the shipped
 * data and default budgets, the "key value (note)" result lines that the golden test reads,
 * loading a split or dying with exit 2, writing a figure, and one training run of a classifier
 * with its log. Each part lives in its own file: part_perceptron.c, part_logistic.c,
 * part_classifiers.c (softmax, mlp), part_surrogate.c, demo.c (all of them), cmd_checkpoint.c
 * (train, eval), cmd_grad.c (gradcheck, grad), cmd_bench.c. */
#ifndef NEURON_PARTS_H
#define NEURON_PARTS_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "cli.h"
#include "data.h"
#include "demo.h"
#include "plot.h"
#include "train.h"

/* The shipped data and the default budgets: {full demonstration, --quick}. */
#define DATA_BREAST     "data/breast_cancer.csv"
#define DATA_IRIS       "data/iris.csv"
#define DATA_DIGITS     "data/digits.csv"
#define PERC_POINTS     50 /* per class */
#define PERC_MAX_EPOCHS 1000
extern const long LOGISTIC_EPOCHS[2], IRIS_EPOCHS[2], DIGITS_EPOCHS[2], BENCH_EPOCHS[2];
#define LOGISTIC_LR  0.01
#define SOFTMAX_LR   0.01
#define MLP_LR       1e-3
#define SURROGATE_LR 0.01
#define IRIS_BATCH   16
#define DIGITS_BATCH 64

typedef struct {
    neuron_model_kind kind;
    const char *run; /* log name: out/neuron/<run>.csv */
    long epochs;
    size_t batch;
    double lr;
    int adam;
    neuron_loss_kind loss;
} neuron_run_cfg;

/* A gsl_rng (MT19937) seeded with seed; dies when out of memory. */
gsl_rng *neuron_rng_seeded(unsigned long seed);
/* A result line "  key  value    (note)"; the golden test reads key and value. */
void neuron_kv(const char *key, double v, const char *note);
/* v if it was given (> 0), else the default of the full run or of --quick. */
long neuron_pick_long(long v, const long dflt[2], const cli_common *c);
double neuron_pick_double(double v, double dflt);
/* buf = "OUT/name". */
void neuron_out_path(const cli_common *c, const char *name, char *buf, size_t len);
/* The splits of data.h, or exit 2 with the message (a missing or malformed file is bad input). */
neuron_split *neuron_load_random(const char *path, unsigned long seed);
neuron_split *neuron_load_digits(const char *path, int ordered, unsigned long seed);
/* Writes f (its .csv, .gp and picture, as --plot says) into OUT and frees it; dies on error. */
void neuron_write_fig(const cli_common *c, plot_fig *f);
/* The settings of a run on iris / on digits: the options given, else the part's defaults. */
neuron_run_cfg neuron_iris_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run);
neuron_run_cfg neuron_digits_cfg(const neuron_opts *o, neuron_model_kind kind, const char *run);
/* Trains a fresh classifier (init from the seed) on s, logging to OUT/<run>.csv, and fills res;
 * returns the exit status: 0, or 3 when the loss turned NaN/inf (message printed). */
int neuron_train_run(const neuron_opts *o, const neuron_split *s, const neuron_run_cfg *rc,
                     neuron_train_result *res);

/* A checkpoint's hparams value, or exit 2 naming the checkpoint and the key. */
void neuron_hp_get_long(const hparams *h, const char *dir, const char *key, long *v);
void neuron_hp_get_str(const hparams *h, const char *dir, const char *key, const char **v);
void neuron_hp_get_double(const hparams *h, const char *dir, const char *key, double *v);
/* Builds the MLP a checkpoint describes (workspace for cap rows) and loads its values; exit 2
 * on any mismatch (model, sizes, a tensor of the wrong shape). */
neuron_clf *neuron_load_mlp(const char *dir, hparams *h, size_t cap);

#endif
