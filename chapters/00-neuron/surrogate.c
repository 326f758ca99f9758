/* surrogate.c: cross-entropy and the smooth surrogate of accuracy (see surrogate.h). */
#include "surrogate.h"

#include <math.h>

#include "softmax.h"

const char *neuron_loss_name(neuron_loss_kind k)
{
    return k == NEURON_LOSS_CE ? "ce" : "smooth";
}

/* p_y = exp(z_y - logsumexp(z)): the probability of the true class without a buffer. */
static double prob_true(const gsl_matrix *logits, size_t i, int y)
{
    const double *z = gsl_matrix_const_ptr(logits, i, 0);
    return exp(z[y] - sm_logsumexp(z, logits->size2));
}

double neuron_smooth_accuracy(const gsl_matrix *logits, const int *labels)
{
    double s = 0.0;
    for (size_t i = 0; i < logits->size1; i++) s += prob_true(logits, i, labels[i]);
    return s / (double)logits->size1;
}

/* Smooth accuracy loss L = 1 - (1/B) sum_i p_i[y_i]  (B,K) -> scalar.
 * Backward: dp_y/dz_k = p_y (onehot_k - p_k), so dL/dz_ik = -(1/B) p_y (onehot_k - p_k). */
double neuron_smooth_acc_loss(const gsl_matrix *logits, const int *labels, gsl_matrix *dlogits)
{
    double loss = 1.0 - neuron_smooth_accuracy(logits, labels);
    if (!dlogits) return loss;
    /* BEGIN EXERCISE neuron-3: the gradient of the smooth accuracy loss */
    size_t B = logits->size1, K = logits->size2;
    for (size_t i = 0; i < B; i++) {
        const double *z = gsl_matrix_const_ptr(logits, i, 0);
        double *dz = gsl_matrix_ptr(dlogits, i, 0); /* (K) */
        sm_softmax(z, dz, K);                       /* dz holds p_i for now */
        double py = dz[labels[i]];
        for (size_t k = 0; k < K; k++) {
            double onehot = (int)k == labels[i] ? 1.0 : 0.0;
            dz[k] = -py * (onehot - dz[k]) / (double)B;
        }
    }
    /* END EXERCISE */
    return loss;
}

double neuron_loss(neuron_loss_kind k, const gsl_matrix *logits, const int *labels,
                   gsl_matrix *dlogits)
{
    /* cross-entropy: -(1/B) sum_i log p_i[y_i], gradient (p - onehot)/B (common/softmax.c) */
    if (k == NEURON_LOSS_CE) return sm_cross_entropy(logits, labels, dlogits);
    return neuron_smooth_acc_loss(logits, labels, dlogits);
}

double neuron_accuracy(const gsl_matrix *logits, const int *labels)
{
    size_t B = logits->size1, K = logits->size2, right = 0;
    for (size_t i = 0; i < B; i++) { /* one row at a time: no label buffer to allocate */
        gsl_matrix_const_view row = gsl_matrix_const_submatrix(logits, i, 0, 1, K);
        int best;
        sm_argmax_rows(&row.matrix, &best);
        right += best == labels[i];
    }
    return (double)right / (double)B;
}
