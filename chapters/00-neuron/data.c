/* data.c: loading and splitting the data sets of chapter 00 (see data.h). */
#include "data.h"

#include <stdlib.h>
#include <gsl/gsl_rng.h>

#include "dataset.h"
#include "error.h"

void neuron_split_free(neuron_split *s)
{
    if (!s) return;
    if (s->Xtr) gsl_matrix_free(s->Xtr);
    if (s->Xte) gsl_matrix_free(s->Xte);
    free(s->ytr);
    free(s->yte);
    free(s);
}

/* Moves the matrices of two datasets into a split and reads their labels. */
static int to_split(const char *path, dataset *tr, dataset *te, neuron_split **out)
{
    int st = CM_OK, ktr = 0, kte = 0;
    neuron_split *s = cm_calloc(1, sizeof *s);
    if (!s) return CM_ENOMEM;
    s->ntr = tr->n;
    s->nte = te->n;
    s->d = tr->d;
    s->ytr = cm_calloc(tr->n, sizeof(int));
    s->yte = cm_calloc(te->n, sizeof(int));
    if (!s->ytr || !s->yte) {
        st = CM_ENOMEM;
        goto fail;
    }
    if ((st = dataset_labels(tr, s->ytr, &ktr)) != CM_OK) goto fail;
    if ((st = dataset_labels(te, s->yte, &kte)) != CM_OK) goto fail;
    s->k = ktr > kte ? ktr : kte;
    if (s->k < 2) {
        st = cm_error(CM_EFORMAT, "%s: the label column (the last) has a single class", path);
        goto fail;
    }
    s->Xtr = tr->X;
    s->Xte = te->X;
    tr->X = te->X = NULL;
    *out = s;
    return CM_OK;
fail:
    neuron_split_free(s);
    return st;
}

int neuron_split_digits(const char *path, int ordered, unsigned long seed, neuron_split **out)
{
    dataset *all = NULL, *tr = NULL, *te = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return cm_error(CM_ENOMEM, "out of memory");
    gsl_rng_set(r, seed);
    int st = dataset_from_csv(path, NULL, &all);
    if (st != CM_OK) goto done;
    if (all->d != 64 || all->n <= NEURON_DIGITS_TRAIN) {
        st = cm_error(CM_EFORMAT,
                      "%s: expected 64 pixel columns and more than %d rows, got %zu x %zu", path,
                      NEURON_DIGITS_TRAIN, all->n, all->d);
        goto done;
    }
    gsl_matrix_scale(all->X, 1.0 / 16.0); /* pixels 0..16 -> [0, 1] */
    if (ordered)
        st = dataset_split(all, NEURON_DIGITS_TRAIN, &tr, &te);
    else /* the same sizes: the test set takes ceil(frac * n) rows, and the half keeps the
          * rounding of frac * n away from an integer */
        st = dataset_split_random(
            all, ((double)(all->n - NEURON_DIGITS_TRAIN) - 0.5) / (double)all->n, r, &tr, &te);
    if (st != CM_OK) goto done;
    st = to_split(path, tr, te, out);
done:
    gsl_rng_free(r);
    dataset_free(all);
    dataset_free(tr);
    dataset_free(te);
    return st;
}

int neuron_split_random(const char *path, double test_frac, unsigned long seed, neuron_split **out)
{
    dataset *all = NULL, *tr = NULL, *te = NULL;
    double *mean = NULL, *sd = NULL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return cm_error(CM_ENOMEM, "out of memory");
    gsl_rng_set(r, seed);
    int st = dataset_from_csv(path, NULL, &all);
    if (st != CM_OK) goto done;
    if (all->n < 4) {
        st = cm_error(CM_EFORMAT, "%s: %zu rows, too few to split", path, all->n);
        goto done;
    }
    if ((st = dataset_split_random(all, test_frac, r, &tr, &te)) != CM_OK) goto done;
    mean = cm_calloc(all->d, sizeof(double));
    sd = cm_calloc(all->d, sizeof(double));
    if (!mean || !sd) {
        st = CM_ENOMEM;
        goto done;
    }
    dataset_column_stats(tr->X, mean, sd); /* training statistics only: no test leakage */
    dataset_standardize(tr->X, mean, sd);
    dataset_standardize(te->X, mean, sd);
    st = to_split(path, tr, te, out);
done:
    free(mean);
    free(sd);
    gsl_rng_free(r);
    dataset_free(all);
    dataset_free(tr);
    dataset_free(te);
    return st;
}
