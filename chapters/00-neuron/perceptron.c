/* perceptron.c: the perceptron learning rule with and without a bias (see perceptron.h). */
#include "perceptron.h"

#include <math.h>
#include <gsl/gsl_randist.h>

void neuron_perceptron_data(gsl_rng *r, size_t n, gsl_matrix *X, int *y)
{
    static const double centre[2][2] = {{2.0, 2.0}, {4.0, 4.0}};
    for (size_t i = 0; i < 2 * n; i++) {
        int c = (int)(i % 2); /* class +1 (c = 0) and -1 (c = 1) alternate */
        double dx, dy, rad = sqrt(gsl_rng_uniform(r)); /* uniform in the disc */
        gsl_ran_dir_2d(r, &dx, &dy);
        gsl_matrix_set(X, i, 0, centre[c][0] + rad * dx);
        gsl_matrix_set(X, i, 1, centre[c][1] + rad * dy);
        y[i] = c == 0 ? +1 : -1;
    }
}

void neuron_perceptron_reset(neuron_perceptron *p, int use_bias)
{
    *p = (neuron_perceptron){.use_bias = use_bias, .best_errors = (size_t)-1};
}

int neuron_perceptron_predict(const neuron_perceptron *p, const double *x)
{
    return p->w[0] * x[0] + p->w[1] * x[1] + p->b > 0.0 ? +1 : -1;
}

/* Mistake when y (w . x + b) <= 0; then w += y x, b += y (the bias is a weight on a constant
 * input 1, so it follows the same rule). */
int neuron_perceptron_step(neuron_perceptron *p, const double *x, int y)
{
    /* BEGIN EXERCISE neuron-1: the perceptron update */
    double margin = y * (p->w[0] * x[0] + p->w[1] * x[1] + p->b);
    if (margin > 0.0) return 0;
    p->w[0] += y * x[0];
    p->w[1] += y * x[1];
    if (p->use_bias) p->b += y;
    p->updates++;
    return 1;
    /* END EXERCISE */
}

size_t neuron_perceptron_errors(const neuron_perceptron *p, const gsl_matrix *X, const int *y)
{
    size_t e = 0;
    for (size_t i = 0; i < X->size1; i++)
        e += neuron_perceptron_predict(p, gsl_matrix_const_ptr(X, i, 0)) != y[i];
    return e;
}

void neuron_perceptron_train(neuron_perceptron *p, const gsl_matrix *X, const int *y,
                             long max_epochs)
{
    for (p->epochs = 0; p->epochs < max_epochs;) {
        size_t mistakes = 0;
        for (size_t i = 0; i < X->size1; i++)
            mistakes += (size_t)neuron_perceptron_step(p, gsl_matrix_const_ptr(X, i, 0), y[i]);
        p->epochs++;
        size_t e = neuron_perceptron_errors(p, X, y);
        if (e < p->best_errors) { /* keep the best weights seen (the "pocket" algorithm) */
            p->best_errors = e;
            p->best_epoch = p->epochs;
            p->best_w[0] = p->w[0];
            p->best_w[1] = p->w[1];
            p->best_b = p->b;
        }
        if (mistakes == 0) break;
    }
    p->errors = neuron_perceptron_errors(p, X, y);
}
