/* boost_data.c: reading, splitting and generating the data of chapter 06. */
#include "boost_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "csv.h"
#include "error.h"

boost_xy boost_data_xy(const boost_data *ds)
{
    return (boost_xy){.n = ds->n,
                      .d = ds->d,
                      .X = ds->X,
                      .label = ds->label,
                      .n_classes = ds->n_classes,
                      .y = ds->y};
}

boost_data *boost_data_alloc(size_t n, size_t d)
{
    if (n == 0 || d == 0) {
        cm_error(CM_EINVAL, "a data set needs at least one row and one feature (got %zu x %zu)", n,
                 d);
        return NULL;
    }
    boost_data *ds = cm_calloc(1, sizeof *ds);
    if (!ds) return NULL;
    ds->n = n, ds->d = d;
    ds->X = cm_calloc(n * d, sizeof *ds->X);
    ds->y = cm_calloc(n, sizeof *ds->y);
    ds->names = cm_calloc(d, sizeof *ds->names);
    if (!ds->X || !ds->y || !ds->names) {
        boost_data_free(ds);
        return NULL;
    }
    return ds;
}

void boost_data_free(boost_data *ds)
{
    if (!ds) return;
    if (ds->names)
        for (size_t j = 0; j < ds->d; j++) free(ds->names[j]);
    free(ds->names);
    free(ds->X);
    free(ds->y);
    free(ds->label);
    free(ds);
}

static int set_name(boost_data *ds, size_t j, const char *name)
{
    ds->names[j] = strdup(name);
    return ds->names[j] ? CM_OK : cm_error(CM_ENOMEM, "out of memory for a column name");
}

/* Integer labels 0..K-1 from ds->y, at least two classes. */
static int make_labels(boost_data *ds, const char *what)
{
    ds->label = cm_calloc(ds->n, sizeof *ds->label);
    if (!ds->label) return CM_ENOMEM;
    int K = 0;
    for (size_t i = 0; i < ds->n; i++) {
        double v = ds->y[i];
        if (!(v >= 0 && v < BOOST_MAX_CLASSES && v == floor(v)))
            return cm_error(CM_EFORMAT,
                            "%s: data row %zu (line %zu without blank lines): the label %g is not "
                            "a class 0, 1, ..., 255 (a regression target? use --criterion "
                            "squared_error or --loss squared)",
                            what, i + 1, i + 2, v);
        ds->label[i] = (int)v;
        if ((int)v + 1 > K) K = (int)v + 1;
    }
    int *seen = cm_calloc((size_t)K, sizeof *seen);
    if (!seen) return CM_ENOMEM;
    int present = 0;
    for (size_t i = 0; i < ds->n; i++) present += !seen[ds->label[i]]++;
    free(seen);
    if (present < 2)
        return cm_error(CM_EFORMAT,
                        "%s: the label column holds only one class (%d): nothing to "
                        "classify",
                        what, ds->label[0]);
    ds->n_classes = K;
    return CM_OK;
}

int boost_data_read_csv(const char *path, int classification, boost_data **out)
{
    *out = NULL;
    csv_table *t;
    int st = csv_read(path, &t);
    if (st != CM_OK) return st;
    if (t->cols < 2) {
        csv_free(t);
        return cm_error(CM_EFORMAT, "%s: one column only: no features beside the target", path);
    }
    boost_data *ds = boost_data_alloc(t->rows, t->cols - 1);
    if (!ds) {
        csv_free(t);
        return CM_ENOMEM;
    }
    size_t n = ds->n, d = ds->d;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) ds->X[j * n + i] = gsl_matrix_get(t->X, i, j);
        ds->y[i] = gsl_matrix_get(t->X, i, d);
    }
    for (size_t j = 0; j < d && st == CM_OK; j++) st = set_name(ds, j, t->names[j]);
    csv_free(t);
    if (st == CM_OK && classification) st = make_labels(ds, path);
    if (st != CM_OK) {
        boost_data_free(ds);
        return st;
    }
    *out = ds;
    return CM_OK;
}

void boost_data_row(const boost_data *ds, size_t i, double *x)
{
    for (size_t j = 0; j < ds->d; j++) x[j] = ds->X[j * ds->n + i];
}

static boost_data *take_rows(const boost_data *src, const size_t *idx, size_t m)
{
    boost_data *ds = boost_data_alloc(m, src->d);
    if (!ds) return NULL;
    for (size_t j = 0; j < src->d; j++)
        if (set_name(ds, j, src->names[j] ? src->names[j] : "x") != CM_OK) {
            boost_data_free(ds);
            return NULL;
        }
    for (size_t k = 0; k < m; k++) {
        for (size_t j = 0; j < src->d; j++) ds->X[j * m + k] = src->X[j * src->n + idx[k]];
        ds->y[k] = src->y[idx[k]];
    }
    if (src->label) {
        ds->label = cm_calloc(m, sizeof *ds->label);
        if (!ds->label) {
            boost_data_free(ds);
            return NULL;
        }
        for (size_t k = 0; k < m; k++) ds->label[k] = src->label[idx[k]];
        ds->n_classes = src->n_classes;
    }
    return ds;
}

int boost_data_split(const boost_data *ds, double test_frac, gsl_rng *r, boost_data **train,
                     boost_data **test)
{
    *train = *test = NULL;
    size_t n = ds->n, n_test = (size_t)ceil(test_frac * (double)n);
    if (!(test_frac > 0 && test_frac < 1) || n_test == 0 || n_test >= n)
        return cm_error(CM_EINVAL, "cannot split %zu rows with a test fraction of %g", n,
                        test_frac);
    size_t *perm = cm_calloc(n, sizeof *perm);
    if (!perm) return CM_ENOMEM;
    for (size_t i = 0; i < n; i++) perm[i] = i;
    gsl_ran_shuffle(r, perm, n, sizeof *perm);
    *test = take_rows(ds, perm, n_test);
    *train = *test ? take_rows(ds, perm + n_test, n - n_test) : NULL;
    free(perm);
    if (!*train) {
        boost_data_free(*test);
        *test = NULL;
        return CM_ENOMEM;
    }
    return CM_OK;
}

static int name_features(boost_data *ds)
{
    char buf[32];
    for (size_t j = 0; j < ds->d; j++) {
        snprintf(buf, sizeof buf, "x%zu", j);
        if (set_name(ds, j, buf) != CM_OK) return CM_ENOMEM;
    }
    return CM_OK;
}

boost_data *boost_esl_10_2(size_t n, gsl_rng *r)
{
    boost_data *ds = boost_data_alloc(n, 10);
    if (!ds) return NULL;
    ds->label = cm_calloc(n, sizeof *ds->label);
    if (!ds->label || name_features(ds) != CM_OK) {
        boost_data_free(ds);
        return NULL;
    }
    ds->n_classes = 2;
    for (size_t i = 0; i < n; i++) {
        double ss = 0;
        for (size_t j = 0; j < 10; j++) {
            double x = gsl_ran_gaussian_ziggurat(r, 1.0);
            ds->X[j * n + i] = x;
            ss += x * x;
        }
        ds->label[i] = ss > 9.34; /* chi-squared(10) median */
        ds->y[i] = ds->label[i];
    }
    return ds;
}

boost_data *boost_synthetic(size_t n, size_t d, gsl_rng *r)
{
    if (d < 10) {
        cm_error(CM_EINVAL, "the synthetic task needs at least 10 features, got %zu", d);
        return NULL;
    }
    boost_data *ds = boost_data_alloc(n, d);
    if (!ds) return NULL;
    ds->label = cm_calloc(n, sizeof *ds->label);
    if (!ds->label || name_features(ds) != CM_OK) {
        boost_data_free(ds);
        return NULL;
    }
    ds->n_classes = 2;
    double x[64];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) {
            double v = gsl_ran_gaussian_ziggurat(r, 1.0);
            ds->X[j * n + i] = v;
            if (j < 64) x[j] = v;
        }
        double f = 2 * sin(x[0]) + x[1] * x[2] + (x[3] * x[3] - 1) + 0.8 * x[4] - fabs(x[5]) +
                   0.5 * x[6] * x[7] + 0.3 * (x[8] + x[9]) + 0.8;
        ds->label[i] = f + 0.5 * gsl_ran_gaussian_ziggurat(r, 1.0) > 0;
        ds->y[i] = ds->label[i];
    }
    return ds;
}

int boost_data_write_csv(const boost_data *ds, const char *path)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return cm_error(CM_EINVAL, "path too long: %s", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return cm_error(CM_EIO, "cannot write %s", tmp);
    for (size_t j = 0; j < ds->d; j++) fprintf(f, "%s,", ds->names[j] ? ds->names[j] : "x");
    fprintf(f, "y\n");
    for (size_t i = 0; i < ds->n; i++) {
        for (size_t j = 0; j < ds->d; j++) fprintf(f, "%.17g,", ds->X[j * ds->n + i]);
        fprintf(f, "%.17g\n", ds->y[i]);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return cm_error(CM_EIO, "cannot write %s", path);
    }
    return CM_OK;
}
