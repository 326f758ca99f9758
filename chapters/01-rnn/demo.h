/* demo.h: the subcommands of bin/rnn (chapter 01), each a function that runs, prints its key
 * numbers and writes its figures and logs under --out. main.c parses the command line into an
 * rnn_opts and calls one of these. They return the program's exit status: 0, 1 (a gradient
 * check failed), 2 (bad input, message printed) or 3 (the loss turned NaN or infinite). */
#ifndef RNN_DEMO_H
#define RNN_DEMO_H

#include <stddef.h>

#include "cli.h"
#include "optim.h"
#include "rnn.h"

typedef struct {
    cli_common *c;
    rnn_cell cell;      /* --cell [lstm] */
    size_t hidden;      /* --hidden [128] */
    size_t layers;      /* --layers [1] */
    size_t seq_len;     /* --seq-len [64] */
    size_t batch;       /* --batch [16; bench 32] */
    long epochs;        /* --epochs [6] */
    double lr;          /* --lr [0.015] */
    double clip;        /* --clip [5] */
    lr_kind schedule;   /* --lr-schedule [cosine, to a tenth of --lr at the last step] */
    double forget_bias; /* --forget-bias [1 for LSTMs; NaN: torch's plain default] */
    double max_seconds; /* --time [0: no limit] */
    double temperature; /* --temperature [0.8] */
    size_t length;      /* --length [500] */
    const char *prime;  /* --prime ["It is a truth"] */
    const char *resume; /* train: a checkpoint to continue from */
    const char *load;   /* eval, sample, grad: a checkpoint */
    const char *inputs; /* grad: directory with x.npy, y.npy, h0.npy (and c0.npy) */
    int cell_given, hidden_given, lr_given, epochs_given, batch_given;
} rnn_opts;

void rnn_opts_defaults(rnn_opts *o, cli_common *c);

int rnn_run_demo(const rnn_opts *o);      /* (no subcommand) train, sample, summary line */
int rnn_run_train(const rnn_opts *o);     /* train (or --resume) with checkpoints */
int rnn_run_eval(const rnn_opts *o);      /* held-out bits per character of --load */
int rnn_run_sample(const rnn_opts *o);    /* --load --prime --temperature --length */
int rnn_run_gradcheck(const rnn_opts *o); /* every cell, 1 and 2 layers (exit 1 on a failure) */
int rnn_run_grad(const rnn_opts *o);      /* cmd_grad.c: the parity hook */
int rnn_run_gradnorm(const rnn_opts *o);  /* memory.c: |dL_T/dh_t| against T - t */
int rnn_run_copy(const rnn_opts *o);      /* copytask.c: the long-range task against lag */
int rnn_run_bench(const rnn_opts *o);     /* characters per second of LSTM training */

#endif
