/* matrix.h: GSL vectors and matrices with checked allocation, and the row views that a
 * minibatch workspace needs.
 *
 * gsl_matrix_alloc reports a failure through GSL's error handler, which aborts by default (and
 * calls a zero dimension an error). These return NULL with a one-line message instead, as every
 * allocation in common/ does, so that a program can say "out of memory for a 60000 x 784
 * matrix" and exit 2 (error.h). */
#ifndef CM_MATRIX_H
#define CM_MATRIX_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* A zeroed rows x cols matrix, or NULL (CM_EINVAL for a zero dimension, CM_ENOMEM). */
gsl_matrix *cm_matrix_calloc(size_t rows, size_t cols);
/* A zeroed vector of n, or NULL (message set). */
gsl_vector *cm_vector_calloc(size_t n);
void cm_matrix_free(gsl_matrix *m); /* NULL is fine */
void cm_vector_free(gsl_vector *v); /* NULL is fine */

/* The first n rows of M (n <= M->size1), for a workspace allocated for the largest batch and
 * used for a smaller last batch. */
gsl_matrix_view cm_matrix_rows(gsl_matrix *M, size_t n);

/* 1 if every entry is finite. */
int cm_matrix_all_finite(const gsl_matrix *M);

#endif
