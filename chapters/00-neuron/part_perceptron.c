/* part_perceptron.c: `neuron perceptron`, the perceptron with and without a bias (perceptron.h)
 * on a seeded 2-D set, and its figure perceptron.png. */
#include "parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "error.h"
#include "perceptron.h"

/* ---- 1. the perceptron, with and without a bias ----------------------------------------- */

/* NB points of the line w . x + b = 0 across the plot's box [lo, hi]^2: y as a function of x
 * when the line is closer to horizontal, else x as a function of y. Many points, because
 * gnuplot does not draw a segment whose two ends both lie outside the plot. */
#define BOUNDARY_NB 200
static void boundary_points(double w0, double w1, double b, double lo, double hi, double *x,
                            double *y)
{
    for (int i = 0; i < BOUNDARY_NB; i++) {
        double t = lo + (hi - lo) * i / (BOUNDARY_NB - 1.0);
        if (fabs(w1) >= fabs(w0))
            x[i] = t, y[i] = -(w0 * t + b) / w1;
        else
            y[i] = t, x[i] = -(w1 * t + b) / w0;
    }
}

int neuron_run_perceptron(const neuron_opts *o, neuron_summary *s)
{
    const cli_common *c = o->c;
    long max_epochs = o->epochs > 0 ? o->epochs : PERC_MAX_EPOCHS;
    size_t n = 2 * PERC_POINTS;
    gsl_matrix *X = cm_matrix_calloc(n, 2);
    int *y = cm_xcalloc(n, sizeof(int));
    if (!X) cm_die("out of memory");
    gsl_rng *r = neuron_rng_seeded(c->seed);
    neuron_perceptron_data(r, PERC_POINTS, X, y);
    gsl_rng_free(r);

    neuron_perceptron with, without;
    neuron_perceptron_reset(&with, 1);
    neuron_perceptron_train(&with, X, y, max_epochs);
    neuron_perceptron_reset(&without, 0);
    neuron_perceptron_train(&without, X, y, max_epochs);

    char note[160];
    printf("perceptron: %zu points, class +1 around (2,2), class -1 around (4,4)\n", n);
    snprintf(note, sizeof note,
             "converged after %ld epochs, %ld updates; w = (%.3f, %.3f), b = %.3f", with.epochs,
             with.updates, with.w[0], with.w[1], with.b);
    neuron_kv("perceptron.bias.errors", (double)with.errors, note);
    neuron_kv("perceptron.bias.epochs", (double)with.epochs, NULL);
    snprintf(note, sizeof note, "best %zu of %zu wrong at epoch %ld; the line must pass the origin",
             without.best_errors, n, without.best_epoch);
    neuron_kv("perceptron.nobias.best_error_rate", (double)without.best_errors / (double)n, note);
    neuron_kv("perceptron.nobias.epochs", (double)without.epochs, "stopped at the epoch limit");

    plot_fig *f = plot_fig_new(
        "perceptron", "Perceptron: the bias lets the boundary miss the origin", "x1", "x2");
    int cls[2 * PERC_POINTS];
    double px[BOUNDARY_NB], py[BOUNDARY_NB];
    for (size_t i = 0; i < n; i++) cls[i] = y[i] > 0 ? 0 : 1;
    static const char *const names[] = {"class +1", "class -1"};
    gsl_vector_view c0 = gsl_matrix_column(X, 0), c1 = gsl_matrix_column(X, 1);
    double *x0 = cm_xcalloc(n, sizeof(double)), *x1 = cm_xcalloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        x0[i] = gsl_vector_get(&c0.vector, i);
        x1[i] = gsl_vector_get(&c1.vector, i);
    }
    plot_fig_classes(f, x0, x1, cls, n, 2, names);
    boundary_points(with.w[0], with.w[1], with.b, -0.5, 6.0, px, py);
    plot_fig_line(f, "with bias: w.x + b = 0", px, py, BOUNDARY_NB);
    boundary_points(without.best_w[0], without.best_w[1], 0.0, -0.5, 6.0, px, py);
    plot_fig_line(f, "without bias (best): w.x = 0", px, py, BOUNDARY_NB);
    double ox = 0.0, oy = 0.0;
    plot_fig_points(f, "origin", &ox, &oy, 1);
    plot_fig_xrange(f, -0.5, 6.0);
    plot_fig_yrange(f, -0.5, 6.0);
    neuron_write_fig(c, f);
    free(x0);
    free(x1);

    if (s) {
        s->perc_n = n;
        s->perc_bias_errors = with.errors;
        s->perc_bias_epochs = with.epochs;
        s->perc_nobias_best = without.best_errors;
        s->perc_nobias_epochs = without.epochs;
    }
    free(y);
    gsl_matrix_free(X);
    return 0;
}
