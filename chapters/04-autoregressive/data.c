/* data.c: loading and splitting the binary images (see data.h). */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "matrix.h"

void ar_data_free(ar_data *d)
{
    if (!d) return;
    cm_matrix_free(d->Xtr);
    cm_matrix_free(d->Xte);
    free(d);
}

int ar_data_load(const char *path, int binarize, ar_data **out)
{
    *out = NULL;
    csv_table *t;
    int st = csv_read(path, &t);
    if (st != CM_OK) return st;
    int lab = csv_column(t, "label");
    size_t D = t->cols - (lab >= 0), n = t->rows;
    size_t ntr = (size_t)floor(AR_TRAIN_FRACTION * (double)n);
    if (D < 2) {
        st =
            cm_error(CM_EFORMAT, "%s: %zu variable column(s); the models need at least 2", path, D);
        goto fail_t;
    }
    if (ntr < 1 || ntr >= n) {
        st = cm_error(CM_EFORMAT, "%s: %zu rows, too few for a train and a test part", path, n);
        goto fail_t;
    }
    ar_data *d = cm_calloc(1, sizeof *d);
    if (!d) {
        st = CM_ENOMEM;
        goto fail_t;
    }
    d->D = D, d->ntr = ntr, d->nte = n - ntr;
    size_t side = (size_t)llround(sqrt((double)D));
    d->img_h = side * side == D ? side : 1;
    d->img_w = side * side == D ? side : D;
    d->Xtr = cm_matrix_calloc(d->ntr, D);
    d->Xte = cm_matrix_calloc(d->nte, D);
    if (!d->Xtr || !d->Xte) {
        st = CM_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        gsl_matrix *X = i < ntr ? d->Xtr : d->Xte;
        size_t row = i < ntr ? i : i - ntr;
        for (size_t j = 0, k = 0; j < t->cols; j++) {
            if ((int)j == lab) continue;
            double x = gsl_matrix_get(t->X, i, j);
            if (binarize)
                x = x >= AR_BINARIZE_AT ? 1.0 : 0.0;
            else if (x != 0.0 && x != 1.0) {
                /* line i + 2: the header is line 1 */
                st = cm_error(CM_EFORMAT,
                              "%s:%zu: column '%s' holds %g, not 0 or 1 (--no-binarize needs "
                              "binary data)",
                              path, i + 2, t->names[j], x);
                goto fail;
            }
            gsl_matrix_set(X, row, k++, x);
        }
    }
    csv_free(t);
    *out = d;
    return CM_OK;
fail:
    ar_data_free(d);
fail_t:
    csv_free(t);
    return st;
}
