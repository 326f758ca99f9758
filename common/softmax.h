/* softmax.h: log-sum-exp, softmax, log-softmax and the cross-entropy losses, computed so that
 * logits of +-1000 neither overflow nor lose the answer (logsumexp([1000,1000]) = 1000+log 2).
 * The losses match torch.nn.functional.cross_entropy and binary_cross_entropy_with_logits
 * with reduction='mean'. */
#ifndef CM_SOFTMAX_H
#define CM_SOFTMAX_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

double sm_logsumexp(const double *x, size_t n);            /* log sum_i exp(x_i); -inf for n = 0 */
void sm_softmax(const double *x, double *y, size_t n);     /* y may equal x */
void sm_log_softmax(const double *x, double *y, size_t n); /* y may equal x */

/* Row-wise over a (B, K) matrix, in place allowed. */
void sm_softmax_rows(const gsl_matrix *logits, gsl_matrix *probs);
void sm_log_softmax_rows(const gsl_matrix *logits, gsl_matrix *logp);

/* Mean over the B rows of -log softmax(logits)[label]. labels[i] in [0, K).
 * If dlogits != NULL it receives (set, not accumulated) d loss / d logits
 * = (softmax - onehot) / B. */
double sm_cross_entropy(const gsl_matrix *logits, const int *labels, gsl_matrix *dlogits);

/* Mean over all entries of  softplus(z) - t z  (targets t in [0,1]), the binary
 * cross-entropy from logits. If dlogits != NULL it receives (sigmoid(z) - t) / N. */
double sm_bce_logits(const gsl_matrix *logits, const gsl_matrix *targets, gsl_matrix *dlogits);

/* Index of the largest entry of each row (ties: the first). */
void sm_argmax_rows(const gsl_matrix *m, int *out);

#endif
