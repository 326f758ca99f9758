/* dense.h: the fully connected layer Y = X W^T + b on a minibatch, as torch.nn.Linear,
 * forward and backward side by side, both through gsl_blas_dgemm.
 * Shapes: X (B, in), W (out, in), b (out), Y (B, out). No allocation. */
#ifndef CM_DENSE_H
#define CM_DENSE_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* Y = X W^T + 1 b^T  (b may be NULL: no bias). */
void dense_forward(const gsl_matrix *X, const gsl_matrix *W, const gsl_vector *b, gsl_matrix *Y);

/* Given dY = dL/dY (B, out), accumulates
 *   dW += dY^T X,  db += sum over rows of dY,  and sets dX = dY W (if dX != NULL).
 * db may be NULL when the layer has no bias. */
void dense_backward(const gsl_matrix *X, const gsl_matrix *W, const gsl_matrix *dY, gsl_matrix *dX,
                    gsl_matrix *dW, gsl_vector *db);

#endif
