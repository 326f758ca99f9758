/* matrix.c: checked allocation of GSL vectors and matrices (see matrix.h). */
#include "matrix.h"

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_errno.h>

#include "error.h"

/* GSL allocators report failure through the error handler; with it switched off for the call
 * they return NULL, which we turn into our own message. */
gsl_matrix *cm_matrix_calloc(size_t rows, size_t cols)
{
    if (rows == 0 || cols == 0) {
        cm_error(CM_EINVAL, "a %zu x %zu matrix has no entries", rows, cols);
        return NULL;
    }
    if (rows > SIZE_MAX / cols / sizeof(double)) {
        cm_error(CM_ENOMEM, "a %zu x %zu matrix is too large", rows, cols);
        return NULL;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_matrix *m = gsl_matrix_calloc(rows, cols);
    gsl_set_error_handler(old);
    if (!m) cm_error(CM_ENOMEM, "out of memory for a %zu x %zu matrix", rows, cols);
    return m;
}

gsl_vector *cm_vector_calloc(size_t n)
{
    if (n == 0) {
        cm_error(CM_EINVAL, "a vector of 0 entries");
        return NULL;
    }
    if (n > SIZE_MAX / sizeof(double)) {
        cm_error(CM_ENOMEM, "a vector of %zu entries is too large", n);
        return NULL;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_vector *v = gsl_vector_calloc(n);
    gsl_set_error_handler(old);
    if (!v) cm_error(CM_ENOMEM, "out of memory for a vector of %zu", n);
    return v;
}

void cm_matrix_free(gsl_matrix *m)
{
    if (m) gsl_matrix_free(m);
}

void cm_vector_free(gsl_vector *v)
{
    if (v) gsl_vector_free(v);
}

gsl_matrix_view cm_matrix_rows(gsl_matrix *M, size_t n)
{
    return gsl_matrix_submatrix(M, 0, 0, n, M->size2);
}

int cm_matrix_all_finite(const gsl_matrix *M)
{
    for (size_t i = 0; i < M->size1; i++) {
        const double *row = gsl_matrix_const_ptr(M, i, 0);
        for (size_t j = 0; j < M->size2; j++)
            if (!isfinite(row[j])) return 0;
    }
    return 1;
}
