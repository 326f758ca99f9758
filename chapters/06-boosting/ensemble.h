/* ensemble.h: the three ensembles of the chapter on the tree engine of tree.h:
 * random forest (forest.c), AdaBoost (adaboost.c), gradient boosting (gbdt.c). */
#ifndef BOOST_ENSEMBLE_H
#define BOOST_ENSEMBLE_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "boost_data.h"
#include "progress.h"
#include "tree.h"

/* ---- random forest ------------------------------------------------------------------------- */

typedef struct {
    size_t n_trees;
    size_t max_features;    /* features tried per split (article: k = log2 d) */
    int bootstrap;          /* 1: each tree on n rows drawn with replacement */
    boost_tree_params tree; /* fully grown by default */
    progress *prog;         /* NULL, or updated after each tree */
} boost_forest_params;

typedef struct {
    size_t n_trees, d;
    int n_classes;
    boost_tree **tree;
    double oob_error; /* out-of-bag error rate (NaN without bootstrap or with no OOB row) */
    size_t oob_rows;  /* rows left out of at least one tree */
    int signal;       /* SIGINT/SIGTERM stopped the fit after n_trees trees (interrupt.h), or 0 */
} boost_forest;

/* max_features from "log2", "sqrt", "all" or a number 1..d; 0 with the message set if bad. */
size_t boost_max_features(const char *s, size_t d);
int boost_forest_fit(boost_forest **out, const boost_data *train, const boost_forest_params *p,
                     gsl_rng *r);
/* The class with the largest mean of the trees' class proportions (soft voting). */
int boost_forest_predict(const boost_forest *f, const double *x, size_t stride);
void boost_forest_importance(const boost_forest *f, double *imp);
void boost_forest_free(boost_forest *f);

/* ---- AdaBoost ------------------------------------------------------------------------------ */

typedef struct {
    size_t rounds;
    int max_depth;  /* of the weak learner: 1 (stumps) by default */
    double lr;      /* SAMME's learning rate (1: the plain algorithm) */
    int discrete;   /* 1: the article's binary AdaBoost (alpha = 1/2 ln((1-e)/e)); 0: SAMME */
    progress *prog; /* NULL, or updated after each round with the training error */
} boost_ada_params;

typedef struct {
    size_t rounds, d; /* weak learners kept (fewer than asked when a learner is perfect) */
    int n_classes, discrete;
    boost_tree **tree;
    double *alpha; /* (rounds) the learners' weights */
    double *error; /* (rounds) their weighted training errors e_m */
    int signal;    /* SIGINT/SIGTERM stopped the fit after `rounds` rounds (as an early stop) */
} boost_ada;

/* The weighted error e_m, the learner's weight alpha_m and the new sample weights, from the
 * learner's mistakes (miss[i] = 1 when h_m(x_i) != y_i). discrete: the article's binary
 * AdaBoost; else SAMME with K classes and learning rate lr. Returns 0 and updates w (summing
 * to 1), or 1 when e_m == 0 (w untouched, alpha_m set to 1: the learner is perfect), or -1
 * when e_m >= 1 - 1/K (no better than chance: w untouched, nothing set but *e). */
int boost_ada_reweight(const int *miss, double *w, size_t n, int n_classes, double lr, int discrete,
                       double *e, double *alpha);

/* Fits, and when train_err / test_err are not NULL fills them per round (rounds entries:
 * the error of the first m learners' vote after round m; rounds past an early stop repeat
 * the last value). test may be NULL. */
int boost_ada_fit(boost_ada **out, const boost_data *train, const boost_ada_params *p,
                  const boost_data *test, double *train_err, double *test_err);
int boost_ada_predict(const boost_ada *a, const double *x, size_t stride);
/* The error rate on ds of the vote of the first m learners, for m = 1..rounds (rounds past
 * the learners kept repeat the last value). Dies (exit 2) when out of memory. */
void boost_ada_staged_error(const boost_ada *a, const boost_data *ds, double *err, size_t rounds);
void boost_ada_free(boost_ada *a);

/* ---- gradient boosting --------------------------------------------------------------------- */

typedef enum { BOOST_LOSS_SQUARED, BOOST_LOSS_LOGISTIC } boost_loss;

/* How a GBDT's tree ranks its splits:
 *   BOOST_SPLIT_RESIDUAL  the article's (Friedman 2001; scikit-learn's GradientBoosting*): a
 *                         regression tree fitted to the pseudo-residuals r = -g by squared error,
 *                         S_L^2/n_L + S_R^2/n_R, then a Newton step -G/H in each leaf;
 *   BOOST_SPLIT_NEWTON    xgboost's (Chen & Guestrin 2016): by the Newton gain
 *                         G_L^2/(H_L + lambda) + G_R^2/(H_R + lambda) - G^2/(H + lambda), each
 *                         node's value -G/(H + lambda) (BOOST_NEWTON in tree.h).
 * For the squared loss (h = 1, lambda 0) the two are the same trees, bit for bit. */
typedef enum { BOOST_SPLIT_RESIDUAL, BOOST_SPLIT_NEWTON } boost_split_gain;

typedef struct {
    boost_loss loss;
    size_t rounds;
    double lr;        /* shrinkage nu: F_m = F_{m-1} + nu h_m */
    double subsample; /* fraction of rows drawn (without replacement) per round; 1: all */
    int max_depth;
    size_t min_samples_leaf;
    boost_split_gain split; /* how the trees rank splits (residual: the article's) */
    double lambda;          /* BOOST_SPLIT_NEWTON: L2 penalty on the leaf values (0: none) */
    size_t bins;    /* 0: exact split search; else the histogram search with this many bins */
    size_t threads; /* 0 or 1: one; else the histogram search's features and the residuals'
                     * rows shared among this many threads (the same model for any number) */
    progress *prog; /* NULL, or updated after each round (with the training loss if tracked) */
} boost_gbdt_params;

typedef struct {
    boost_loss loss;
    boost_split_gain split;
    size_t rounds, d;
    double f0, lr, lambda;
    boost_tree **tree;
    int signal; /* SIGINT/SIGTERM stopped the fit after `rounds` rounds (interrupt.h), or 0 */
} boost_gbdt;

/* The loss of one row, its gradient g = dL/dF and its second derivative h:
 *   squared:   L = (y - F)^2 / 2,              g = F - y,   h = 1
 *   logistic:  L = log(1 + e^F) - y F,  p = sigmoid(F),  g = p - y,   h = p (1 - p)
 * (y in {0, 1} for the logistic loss, F the log-odds). */
double boost_loss_eval(boost_loss loss, double y, double F, double *g, double *h);
/* The initial constant F_0 = argmin_c sum L(y_i, c): the mean, or the log-odds of the mean. */
double boost_gbdt_init(boost_loss loss, const double *y, size_t n);
/* The pseudo-residuals r_i = -dL/dF at F_i (the targets of the next tree). */
void boost_gbdt_residuals(boost_loss loss, const double *y, const double *F, size_t n, double *r);
/* A leaf's Newton step: the gamma that minimizes the second-order expansion
 * sum_i (g_i gamma + h_i gamma^2 / 2), gamma = -sum g / sum h (0 when sum h ~ 0). */
double boost_newton_leaf(const double *g, const double *h, const size_t *rows, size_t m);

/* Fits; train_loss / test_loss (rounds + 1 entries: before the first tree and after each)
 * may be NULL (then they are not computed: a fit alone, as xgboost's without an eval set),
 * test may be NULL. Mean loss per row: squared error (y - F)^2 for the squared
 * loss (scikit-learn's train_score_), log loss for the logistic. r for subsampling (may be
 * NULL when subsample == 1). A non-finite loss stops with CM_ENOTFINITE naming the round.
 * SIGINT or SIGTERM stop it between two rounds: CM_OK with the ensemble of the rounds done
 * and (*out)->signal set (the losses past them are not filled). */
int boost_gbdt_fit(boost_gbdt **out, const boost_data *train, const boost_gbdt_params *p,
                   const boost_data *test, double *train_loss, double *test_loss, gsl_rng *r);
/* The loss reported per row: (y - F)^2 (squared; scikit-learn's train_score_) or the log loss. */
double boost_gbdt_eval_loss(boost_loss loss, double y, double F);
/* The raw score F(x): the prediction (squared) or the log-odds (logistic). */
double boost_gbdt_predict(const boost_gbdt *g, const double *x, size_t stride);
void boost_gbdt_importance(const boost_gbdt *g, double *imp);
void boost_gbdt_free(boost_gbdt *g);

#endif
