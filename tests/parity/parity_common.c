/* parity_common: the softmax and cross-entropy functions of common/ on inputs written by
 * tests/parity/common.py, with the results written back as .npy for comparison with torch.
 *
 *   parity_common IN_DIR OUT_DIR
 *     IN_DIR:  logits.npy (float64, B x K), labels.npy (int64 or int32, B),
 *              targets.npy (float64, B x K)
 *     OUT_DIR: softmax.npy, log_softmax.npy (B x K); ce.npy, bce.npy (scalars);
 *              dce.npy, dbce.npy (B x K, d loss / d logits); logits_echo.npy (the logits as
 *              read, written back: the .npy round trip check)
 * Exit status 0, or 2 with one line on stderr. */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_matrix.h>

#include "error.h"
#include "npy.h"
#include "softmax.h"

static npy_array *read_or_die(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    npy_array *a = NULL;
    cm_die_status(npy_read(path, &a));
    return a;
}

static void write_or_die(const char *dir, const char *name, int ndim, const size_t *shape,
                         const double *data)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cm_die_status(npy_write_f64(path, ndim, shape, data));
}

int main(int argc, char **argv)
{
    cm_set_progname("parity_common");
    if (argc != 3) cm_die("usage: parity_common IN_DIR OUT_DIR");
    npy_array *lg = read_or_die(argv[1], "logits.npy");
    npy_array *lb = read_or_die(argv[1], "labels.npy");
    npy_array *tg = read_or_die(argv[1], "targets.npy");
    if (lg->dtype != NPY_F64 || lg->ndim != 2) cm_die("logits.npy: want float64 (B, K)");
    size_t B = lg->shape[0], K = lg->shape[1], shape[2] = {B, K};
    if (tg->dtype != NPY_F64 || tg->ndim != 2 || tg->shape[0] != B || tg->shape[1] != K)
        cm_die("targets.npy: want float64 (%zu, %zu)", B, K);
    if (lb->ndim != 1 || lb->shape[0] != B || lb->dtype == NPY_F64)
        cm_die("labels.npy: want int64 or int32 (%zu)", B);

    int *labels = cm_xcalloc(B, sizeof *labels);
    for (size_t i = 0; i < B; i++) {
        long long v =
            lb->dtype == NPY_I64 ? ((const long long *)lb->data)[i] : ((const int *)lb->data)[i];
        if (v < 0 || (size_t)v >= K)
            cm_die("labels.npy: label %lld of row %zu not in [0, %zu)", v, i, K);
        labels[i] = (int)v;
    }
    gsl_matrix_view X = gsl_matrix_view_array(lg->data, B, K);
    gsl_matrix_view T = gsl_matrix_view_array(tg->data, B, K);
    gsl_matrix *out = gsl_matrix_alloc(B, K);
    if (!out) cm_die("out of memory for (%zu, %zu)", B, K);

    write_or_die(argv[2], "logits_echo.npy", 2, shape, lg->data);
    sm_softmax_rows(&X.matrix, out);
    write_or_die(argv[2], "softmax.npy", 2, shape, out->data);
    sm_log_softmax_rows(&X.matrix, out);
    write_or_die(argv[2], "log_softmax.npy", 2, shape, out->data);
    double ce = sm_cross_entropy(&X.matrix, labels, out);
    write_or_die(argv[2], "ce.npy", 0, shape, &ce);
    write_or_die(argv[2], "dce.npy", 2, shape, out->data);
    double bce = sm_bce_logits(&X.matrix, &T.matrix, out);
    write_or_die(argv[2], "bce.npy", 0, shape, &bce);
    write_or_die(argv[2], "dbce.npy", 2, shape, out->data);

    gsl_matrix_free(out);
    free(labels);
    npy_free(lg);
    npy_free(lb);
    npy_free(tg);
    return 0;
}
