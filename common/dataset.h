/* dataset.h: a labelled data set in memory and what chapters do with it: split, standardize,
 * binarize, shuffled minibatches. */
#ifndef CM_DATASET_H
#define CM_DATASET_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

typedef struct {
    gsl_matrix *X; /* (n, d) features */
    double *y;     /* (n) targets (class labels stored as 0,1,2,...) */
    size_t n, d;
} dataset;

/* From a CSV file: every column but label_col is a feature; label_col is the target
 * (a name; NULL means the last column). */
int dataset_from_csv(const char *path, const char *label_col, dataset **out);
dataset *dataset_alloc(size_t n, size_t d); /* NULL on failure, message set */
void dataset_free(dataset *ds);

/* Rows [0, n_first) to *a and the rest to *b (copies). */
int dataset_split(const dataset *ds, size_t n_first, dataset **a, dataset **b);
/* A seeded random permutation of the rows, then the split: a fraction test_frac to *test
 * (ceil(test_frac * n) rows, as sklearn's train_test_split); test_frac in (0, 1) and both parts
 * non-empty, else CM_EINVAL. */
int dataset_split_random(const dataset *ds, double test_frac, gsl_rng *r, dataset **train,
                         dataset **test);

/* Per-column mean and standard deviation (population, ddof 0, as sklearn's StandardScaler);
 * a constant column gets sd 1. */
void dataset_column_stats(const gsl_matrix *X, double *mean, double *sd);
/* X = (X - mean) / sd, column-wise. */
void dataset_standardize(gsl_matrix *X, const double *mean, const double *sd);
/* x >= threshold becomes 1, else 0. */
void dataset_binarize(gsl_matrix *X, double threshold);
/* Integer labels from y; CM_EFORMAT (naming the row and value) if some y is not an integer in
 * [0, 2^20). *n_classes = 1 + max label. */
int dataset_labels(const dataset *ds, int *labels, int *n_classes);

/* Shuffled minibatches: each epoch a fresh permutation (gsl_ran_shuffle), then batches of
 * batch_size rows (the last one smaller). */
typedef struct {
    size_t n, batch_size, pos;
    size_t *perm; /* (n) */
} batcher;

int batcher_init(batcher *b, size_t n, size_t batch_size);
void batcher_shuffle(batcher *b, gsl_rng *r); /* start an epoch */
/* Next batch: *idx points at up to batch_size row indices; returns the count, 0 at epoch end. */
size_t batcher_next(batcher *b, const size_t **idx);
void batcher_free(batcher *b);
/* Copies the rows idx[0..m) of X into the first m rows of out (out has X's columns). */
void dataset_gather_rows(const gsl_matrix *X, const size_t *idx, size_t m, gsl_matrix *out);

#endif
