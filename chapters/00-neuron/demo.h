/* demo.h: the parts of chapter 00's demonstration and its subcommands, each a function that
 * runs, prints its key numbers as "key value" lines and writes its figures and logs.
 * main.c parses the command line into a neuron_opts and calls one of these. They return the
 * program's exit status: 0, 1 (a gradient check failed), 2 (bad input, message printed) or
 * 3 (the loss turned NaN/inf). */
#ifndef NEURON_DEMO_H
#define NEURON_DEMO_H

#include <stddef.h>

#include "cli.h"
#include "surrogate.h"

typedef struct {
    cli_common *c;
    long epochs;     /* <= 0: the part's default */
    double lr;       /* <= 0: the part's default */
    double momentum; /* SGD momentum */
    double weight_decay;
    size_t hidden; /* MLP hidden units */
    size_t batch;  /* 0: the part's default */
    int optimizer; /* -1: the part's default, 0 SGD, 1 Adam */
    neuron_loss_kind loss;
    int digits_ordered;    /* digits: rows 0..1436 train, the rest test (as chapters 03, 04) */
    const char *resume;    /* train: checkpoint directory to continue from */
    const char *load;      /* eval, grad: checkpoint directory */
    const char *batch_dir; /* grad: directory with X.npy and y.npy */
} neuron_opts;

/* The key figures the full demonstration gathers for its summary line. */
typedef struct {
    size_t perc_bias_errors, perc_nobias_best, perc_n;
    long perc_bias_epochs, perc_nobias_epochs;
    double logistic_acc, softmax_iris_acc, softmax_digits_acc, mlp_iris_acc, mlp_digits_acc;
    double sur_ce_acc, sur_smooth_acc;
} neuron_summary;

void neuron_opts_defaults(neuron_opts *o, cli_common *c);

int neuron_run_demo(const neuron_opts *o); /* everything, then the summary line */
int neuron_run_perceptron(const neuron_opts *o, neuron_summary *s);
int neuron_run_logistic(const neuron_opts *o, neuron_summary *s);
int neuron_run_softmax(const neuron_opts *o, neuron_summary *s);
int neuron_run_mlp(const neuron_opts *o, neuron_summary *s);
int neuron_run_surrogate(const neuron_opts *o, neuron_summary *s);
int neuron_run_train(const neuron_opts *o);
int neuron_run_eval(const neuron_opts *o);
int neuron_run_gradcheck(const neuron_opts *o);
int neuron_run_grad(const neuron_opts *o);
int neuron_run_bench(const neuron_opts *o);

#endif
