/* perceptron.h: Rosenblatt's perceptron, the role of the bias term.
 *
 * Prediction: yhat = sign(w . x + b), y in {-1, +1}. Learning rule, on a mistake
 * (y (w . x + b) <= 0):   w += y x,   b += y.
 * Without a bias (b fixed at 0) the decision boundary w . x = 0 is a line through the origin,
 * so two classes that only a line missing the origin can separate are never separated,
 * however long it trains; with the bias it converges (Novikoff: at most (R / gamma)^2
 * mistakes on a linearly separable set). */
#ifndef NEURON_PERCEPTRON_H
#define NEURON_PERCEPTRON_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

typedef struct {
    double w[2];        /* the weight vector (2-D inputs) */
    double b;           /* the bias; stays 0 when use_bias is 0 */
    int use_bias;       /* 1: learn b; 0: the boundary passes through the origin */
    long epochs;        /* epochs run */
    long updates;       /* mistakes corrected */
    size_t errors;      /* training errors of the final (w, b) */
    size_t best_errors; /* fewest errors seen at the end of an epoch ("pocket") */
    long best_epoch;    /* when */
    double best_w[2], best_b;
} neuron_perceptron;

/* A linearly separable 2-D set, n points per class, interleaved (+1, -1, +1, ...):
 * class +1 uniform in the unit disc around (2, 2), class -1 around (4, 4). Both centres lie on
 * the line x2 = x1 through the origin, so every line through the origin leaves points of both
 * classes on each side: only a line with an intercept separates them.
 * X (2n, 2), y (2n) in {-1, +1}. */
void neuron_perceptron_data(gsl_rng *r, size_t n, gsl_matrix *X, int *y);

void neuron_perceptron_reset(neuron_perceptron *p, int use_bias);
/* sign(w . x + b) as +1 / -1 (0 counts as -1: a point on the boundary is a mistake for +1). */
int neuron_perceptron_predict(const neuron_perceptron *p, const double *x);
/* One step of the learning rule on (x, y); returns 1 if it was a mistake (and updated). */
int neuron_perceptron_step(neuron_perceptron *p, const double *x, int y);
size_t neuron_perceptron_errors(const neuron_perceptron *p, const gsl_matrix *X, const int *y);
/* Epochs over the rows in order until an epoch makes no mistake or max_epochs is reached. */
void neuron_perceptron_train(neuron_perceptron *p, const gsl_matrix *X, const int *y,
                             long max_epochs);

#endif
