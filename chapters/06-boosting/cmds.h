/* cmds.h: the demonstration and the subcommands of bin/boosting. main.c parses the command
 * line into a boost_opts and calls one of these; each returns the exit status: 0, 1 (a check
 * failed), 2 (bad input, message printed) or 3 (a loss turned NaN/inf). */
#ifndef BOOST_CMDS_H
#define BOOST_CMDS_H

#include <stddef.h>

#include "cli.h"
#include "ensemble.h"

typedef struct {
    cli_common *c;
    const char *test;  /* --test: a test CSV; NULL: a seeded 25% of --data */
    int criterion;     /* -1: gini (tree), or by task */
    int max_depth;     /* -2: the command's default; -1: unlimited */
    size_t max_leaves; /* 0: unlimited */
    size_t min_samples_leaf;
    double min_impurity_decrease;
    size_t bins;              /* 0: exact split search */
    size_t trees;             /* forest */
    const char *max_features; /* forest: log2, sqrt, all or N */
    size_t rounds;            /* 0: the command's default */
    double lr;                /* <= 0: the command's default */
    double subsample;
    int loss;      /* -1: squared unless the command says otherwise */
    int algorithm; /* AdaBoost: -1 default (discrete when binary), 0 discrete, 1 samme */
    size_t rows, features, test_rows; /* gen, esl */
    const char *gen_kind;             /* gen: esl or synthetic */
    int fit_only;   /* gbdt: no per-round losses during the fit (the benchmark's) */
    size_t threads; /* gbdt: --threads, 1 by default */
    int split_gain; /* gbdt: --split-gain, 0 residual (default), 1 newton */
    double lambda;  /* gbdt: --lambda (Newton gain only); < 0: not given (0) */
} boost_opts;

void boost_opts_defaults(boost_opts *o, cli_common *c);

/* The key figures of the demonstration, for its summary line. */
typedef struct {
    double stump_err, tree_err, ada_err_400, ada_err_final;
    size_t tree_nodes, ada_rounds;
    double gb_diab_mse, gb_breast_acc, rf_breast_acc, rf_iris_acc, rf_wine_acc, rf_breast_oob;
    double ada_iris_acc, ada_wine_acc;
} boost_summary;

int boost_run_demo(const boost_opts *o);
int boost_run_figure(const boost_opts *o, boost_summary *s);
int boost_run_tree(const boost_opts *o);
int boost_run_forest(const boost_opts *o);
int boost_run_adaboost(const boost_opts *o);
int boost_run_gbdt(const boost_opts *o);
int boost_run_gen(const boost_opts *o);
int boost_run_check(const boost_opts *o);

#endif
