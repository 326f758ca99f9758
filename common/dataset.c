/* dataset.c: a labelled data set and the chores around training on it, each matching the
 * scikit-learn / PyTorch function a reader of the articles would otherwise call. */
#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "csv.h"
#include "error.h"
#include "matrix.h"

dataset *dataset_alloc(size_t n, size_t d)
{
    if (n == 0 || d == 0) {
        cm_error(CM_EINVAL, "a data set needs at least one row and one column (got %zu x %zu)", n,
                 d);
        return NULL;
    }
    dataset *ds = cm_calloc(1, sizeof *ds);
    if (!ds) return NULL;
    ds->n = n;
    ds->d = d;
    ds->y = cm_calloc(n, sizeof *ds->y);
    ds->X = ds->y ? cm_matrix_calloc(n, d) : NULL; /* message set on failure */
    if (!ds->X) {
        free(ds->y);
        free(ds);
        return NULL;
    }
    return ds;
}

void dataset_free(dataset *ds)
{
    if (!ds) return;
    if (ds->X) gsl_matrix_free(ds->X);
    free(ds->y);
    free(ds);
}

/* df = pandas.read_csv(path); X = df.drop(columns=label).to_numpy(); y = df[label] */
int dataset_from_csv(const char *path, const char *label_col, dataset **out)
{
    *out = NULL;
    csv_table *t;
    int st = csv_read(path, &t);
    if (st != CM_OK) return st;
    int lab = label_col ? csv_column(t, label_col) : (int)t->cols - 1;
    if (lab < 0) {
        st = cm_error(CM_EFORMAT, "%s: no column named '%s' for the labels", path, label_col);
        csv_free(t);
        return st;
    }
    if (t->cols < 2) {
        st = cm_error(CM_EFORMAT, "%s: one column only, no features beside the labels", path);
        csv_free(t);
        return st;
    }
    dataset *ds = dataset_alloc(t->rows, t->cols - 1);
    if (!ds) {
        csv_free(t);
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < t->rows; i++) {
        for (size_t j = 0, k = 0; j < t->cols; j++) {
            double x = gsl_matrix_get(t->X, i, j);
            if ((int)j == lab)
                ds->y[i] = x;
            else
                gsl_matrix_set(ds->X, i, k++, x);
        }
    }
    csv_free(t);
    *out = ds;
    return CM_OK;
}

/* Copies rows idx[0..m) of src (features and targets) into a new data set. */
static dataset *take_rows(const dataset *src, const size_t *idx, size_t m)
{
    dataset *ds = dataset_alloc(m, src->d);
    if (!ds) return NULL;
    dataset_gather_rows(src->X, idx, m, ds->X);
    for (size_t i = 0; i < m; i++) ds->y[i] = src->y[idx[i]];
    return ds;
}

/* Both parts from a list of row indices: order[0..n_a) to *a, the rest to *b. */
static int split_by(const dataset *ds, const size_t *order, size_t n_a, dataset **a, dataset **b)
{
    *a = take_rows(ds, order, n_a);
    *b = *a ? take_rows(ds, order + n_a, ds->n - n_a) : NULL;
    if (!*b) {
        dataset_free(*a);
        *a = NULL;
        return CM_ENOMEM;
    }
    return CM_OK;
}

/* X[:n_first], X[n_first:] */
int dataset_split(const dataset *ds, size_t n_first, dataset **a, dataset **b)
{
    *a = *b = NULL;
    if (n_first == 0 || n_first >= ds->n)
        return cm_error(CM_EINVAL, "cannot split %zu rows at row %zu: both parts must be non-empty",
                        ds->n, n_first);
    size_t *order = cm_calloc(ds->n, sizeof *order);
    if (!order) return CM_ENOMEM;
    for (size_t i = 0; i < ds->n; i++) order[i] = i;
    int st = split_by(ds, order, n_first, a, b);
    free(order);
    return st;
}

/* sklearn.model_selection.train_test_split(test_size=test_frac, shuffle=True):
 * n_test = ceil(test_frac * n); the test rows are the first n_test of a random permutation. */
int dataset_split_random(const dataset *ds, double test_frac, gsl_rng *r, dataset **train,
                         dataset **test)
{
    *train = *test = NULL;
    if (!(test_frac > 0.0 && test_frac < 1.0))
        return cm_error(CM_EINVAL, "test fraction %g is not in (0, 1)", test_frac);
    size_t n_test = (size_t)ceil(test_frac * (double)ds->n);
    if (n_test == 0 || n_test >= ds->n)
        return cm_error(CM_EINVAL,
                        "a test fraction of %g of %zu rows leaves one of the parts empty",
                        test_frac, ds->n);
    size_t *order = cm_calloc(ds->n, sizeof *order);
    if (!order) return CM_ENOMEM;
    for (size_t i = 0; i < ds->n; i++) order[i] = i;
    gsl_ran_shuffle(r, order, ds->n, sizeof *order);
    int st = split_by(ds, order, n_test, test, train);
    free(order);
    return st;
}

/* sklearn.preprocessing.StandardScaler().fit(X): mean_ and scale_ (population sd, ddof 0;
 * a constant column, whose sd is exactly 0, gets scale 1 so that it standardizes to 0). */
void dataset_column_stats(const gsl_matrix *X, double *mean, double *sd)
{
    for (size_t j = 0; j < X->size2; j++) {
        const double *col = X->data + j;
        mean[j] = gsl_stats_mean(col, X->tda, X->size1);
        /* sqrt(sum (x - mean)^2 / n): the population sd */
        sd[j] = gsl_stats_sd_with_fixed_mean(col, X->tda, X->size1, mean[j]);
        if (sd[j] == 0.0) sd[j] = 1.0;
    }
}

/* StandardScaler.transform: (x - mean_) / scale_ */
void dataset_standardize(gsl_matrix *X, const double *mean, const double *sd)
{
    for (size_t i = 0; i < X->size1; i++) {
        double *row = X->data + i * X->tda;
        for (size_t j = 0; j < X->size2; j++) row[j] = (row[j] - mean[j]) / sd[j];
    }
}

/* sklearn.preprocessing.Binarizer, but with >= (Binarizer uses >): (X >= threshold) */
void dataset_binarize(gsl_matrix *X, double threshold)
{
    for (size_t i = 0; i < X->size1; i++) {
        double *row = X->data + i * X->tda;
        for (size_t j = 0; j < X->size2; j++) row[j] = row[j] >= threshold ? 1.0 : 0.0;
    }
}

/* y.astype(int), checking that every target is a class label 0, 1, 2, ... */
int dataset_labels(const dataset *ds, int *labels, int *n_classes)
{
    int max = -1;
    for (size_t i = 0; i < ds->n; i++) {
        double y = ds->y[i];
        /* a label bound of 2^20 classes catches a regression target passed by mistake */
        if (!(y >= 0.0 && y < 1048576.0) || y != floor(y))
            return cm_error(CM_EFORMAT, "row %zu: label %g is not a class number 0, 1, 2, ...",
                            i + 1, y);
        labels[i] = (int)y;
        if (labels[i] > max) max = labels[i];
    }
    *n_classes = max + 1;
    return CM_OK;
}

/* ---- minibatches: torch.utils.data.DataLoader(shuffle=True, drop_last=False) ------------ */

int batcher_init(batcher *b, size_t n, size_t batch_size)
{
    memset(b, 0, sizeof *b);
    if (n == 0 || batch_size == 0)
        return cm_error(CM_EINVAL, "minibatches need rows and a batch size > 0 (got %zu, %zu)", n,
                        batch_size);
    b->perm = cm_calloc(n, sizeof *b->perm);
    if (!b->perm) return CM_ENOMEM;
    b->n = n;
    b->batch_size = batch_size;
    for (size_t i = 0; i < n; i++) b->perm[i] = i;
    return CM_OK;
}

/* A fresh permutation each epoch, torch.randperm(n): from the identity, so that an epoch's
 * order depends only on the generator's state. */
void batcher_shuffle(batcher *b, gsl_rng *r)
{
    for (size_t i = 0; i < b->n; i++) b->perm[i] = i;
    gsl_ran_shuffle(r, b->perm, b->n, sizeof *b->perm);
    b->pos = 0;
}

size_t batcher_next(batcher *b, const size_t **idx)
{
    if (b->pos >= b->n) {
        *idx = NULL;
        return 0;
    }
    size_t m = b->n - b->pos < b->batch_size ? b->n - b->pos : b->batch_size;
    *idx = b->perm + b->pos;
    b->pos += m;
    return m;
}

void batcher_free(batcher *b)
{
    free(b->perm);
    memset(b, 0, sizeof *b);
}

/* out[:m] = X[idx[:m]] (torch.index_select(X, 0, idx)) */
void dataset_gather_rows(const gsl_matrix *X, const size_t *idx, size_t m, gsl_matrix *out)
{
    for (size_t i = 0; i < m; i++)
        memcpy(out->data + i * out->tda, X->data + idx[i] * X->tda, X->size2 * sizeof(double));
}
