/* dense.c: the fully connected layer Y = X W^T + b, as torch.nn.Linear (see dense.h).
 * Shapes: X (B, in), W (out, in), b (out), Y (B, out). */
#include "dense.h"

#include <gsl/gsl_blas.h>

/* Y = X W^T + 1 b^T: each row of Y starts as b, then dgemm adds X W^T (beta = 1). */
void dense_forward(const gsl_matrix *X, const gsl_matrix *W, const gsl_vector *b, gsl_matrix *Y)
{
    if (b) {
        for (size_t i = 0; i < Y->size1; i++) {
            gsl_vector_view row = gsl_matrix_row(Y, i);
            gsl_vector_memcpy(&row.vector, b);
        }
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, X, W, b ? 1.0 : 0.0, Y);
}

/* In the forward pass this was Y[n][o] = sum_i X[n][i] W[o][i] + b[o], so:
 *   dW[o][i] += sum_n dY[n][o] X[n][i]   i.e. dW += dY^T X   (out, in)
 *   db[o]    += sum_n dY[n][o]                               (out)
 *   dX[n][i]  = sum_o dY[n][o] W[o][i]   i.e. dX  = dY W     (B, in)
 * dW and db accumulate (a parameter may be used several times, as across the steps of an
 * RNN); dX is set, since X's gradient flows back to whatever produced it. */
void dense_backward(const gsl_matrix *X, const gsl_matrix *W, const gsl_matrix *dY, gsl_matrix *dX,
                    gsl_matrix *dW, gsl_vector *db)
{
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, dY, X, 1.0, dW);
    if (db) {
        /* row after row as gsl_vector_add would, in the same order (the same sums), but as one
         * vectorizable loop per row rather than a strided library call */
        double *d = db->data;
        size_t ds = db->stride, out = dY->size2;
        for (size_t n = 0; n < dY->size1; n++) {
            const double *row = dY->data + n * dY->tda;
#pragma omp simd
            for (size_t o = 0; o < out; o++) d[o * ds] += row[o];
        }
    }
    if (dX) gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, dY, W, 0.0, dX);
}
