/* matrix.c: checked allocation of GSL vectors and matrices (see matrix.h). */
#include "matrix.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "error.h"

/* We build the matrix ourselves, field by field as gsl_matrix_alloc does, from memory that
 * cm_calloc checked: GSL's own allocator reports a failure through its error handler (abort by
 * default) and, in GSL 2.7, leaks the struct when the data block cannot be had. The result is
 * an ordinary owning gsl_matrix: gsl_matrix_free releases all of it. */
static gsl_block *block_calloc(size_t n)
{
    gsl_block *b = cm_calloc(1, sizeof *b);
    double *data = b ? cm_calloc(n, sizeof(double)) : NULL;
    if (!data) {
        free(b);
        return NULL;
    }
    b->size = n;
    b->data = data;
    return b;
}

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
    gsl_matrix *m = cm_calloc(1, sizeof *m);
    gsl_block *b = m ? block_calloc(rows * cols) : NULL;
    if (!b) {
        free(m);
        cm_error(CM_ENOMEM, "out of memory for a %zu x %zu matrix", rows, cols);
        return NULL;
    }
    m->size1 = rows;
    m->size2 = cols;
    m->tda = cols;
    m->data = b->data;
    m->block = b;
    m->owner = 1;
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
    gsl_vector *v = cm_calloc(1, sizeof *v);
    gsl_block *b = v ? block_calloc(n) : NULL;
    if (!b) {
        free(v);
        cm_error(CM_ENOMEM, "out of memory for a vector of %zu", n);
        return NULL;
    }
    v->size = n;
    v->stride = 1;
    v->data = b->data;
    v->block = b;
    v->owner = 1;
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
