/* boost_data.h: the data sets of chapter 06 in the layout of the tree engine (tree.h):
 * the shipped CSV files, the ESL example 10.2 generator, and a larger synthetic set for the
 * benchmark. */
#ifndef BOOST_DATA_H
#define BOOST_DATA_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "tree.h"

#define BOOST_MAX_CLASSES 256 /* class labels 0..255 (the votes are kept in arrays this long) */

typedef struct {
    size_t n, d;
    double *X;     /* (d, n) column-major: X[j * n + i] */
    double *y;     /* (n) the target as read */
    int *label;    /* (n) classes 0..n_classes-1 when the target is a class, else NULL */
    int n_classes; /* 0 for a regression target */
    char **names;  /* (d) feature names */
} boost_data;

/* A view of the data for the tree engine. */
boost_xy boost_data_xy(const boost_data *ds);

boost_data *boost_data_alloc(size_t n, size_t d); /* NULL on failure, message set */
void boost_data_free(boost_data *ds);

/* A CSV file with a header row, the target in the last column. classification: the target
 * must hold integer labels 0..K-1 with at least two classes (CM_EFORMAT naming the row, or
 * "only one class"); else it is a real number. */
int boost_data_read_csv(const char *path, int classification, boost_data **out);

/* Row i of ds as one contiguous array x (d). */
void boost_data_row(const boost_data *ds, size_t i, double *x);

/* A seeded shuffle of the rows, then the first ceil(test_frac * n) to *test, the rest to
 * *train (as scikit-learn's train_test_split, though with another generator). */
int boost_data_split(const boost_data *ds, double test_frac, gsl_rng *r, boost_data **train,
                     boost_data **test);

/* Hastie, Tibshirani and Friedman, "The Elements of Statistical Learning", example 10.2:
 * ten independent standard normal features, y = 1 when sum_j x_j^2 > 9.34 (the median of a
 * chi-squared with 10 degrees of freedom), else 0. Rows drawn one after another from r. */
boost_data *boost_esl_10_2(size_t n, gsl_rng *r);

/* The benchmark's synthetic binary task: d >= 10 standard normal features, of which the first
 * ten matter through a nonlinear score with interactions, plus Gaussian label noise:
 *   f = 2 sin(x0) + x1 x2 + (x3^2 - 1) + 0.8 x4 - |x5| + 0.5 x6 x7 + 0.3 (x8 + x9) + 0.8,
 *   y = 1 when f + 0.5 e > 0 (e standard normal). */
boost_data *boost_synthetic(size_t n, size_t d, gsl_rng *r);

/* Writes ds as CSV (features, then a last column "y"), full precision. */
int boost_data_write_csv(const boost_data *ds, const char *path);

#endif
