/* surrogate.h: the losses of chapter 00 and the metrics they stand in for.
 *
 * Accuracy, (1/B) sum_i [argmax_k z_ik == y_i], is a step function of the weights: its gradient
 * is zero almost everywhere, so it cannot be trained on directly. Its smooth surrogate replaces
 * the indicator by the predicted probability of the true class,
 *     smooth accuracy  = (1/B) sum_i p_i[y_i],     p_i = softmax(z_i),
 * and the loss "1 - smooth accuracy" can be minimized by gradient descent. Cross-entropy is
 * -log of the same probability: (1/B) sum_i -log p_i[y_i].
 *
 * Gradients with respect to the logits z (B, K), per row i (onehot = e_{y_i}):
 *     cross-entropy:      dz_i = (p_i - onehot) / B
 *     1 - smooth acc.:    dz_i = -p_i[y_i] (onehot - p_i) / B
 * The second carries the factor p_i[y_i]: a sample the model gets confidently wrong (p_y ~ 0)
 * gives almost no gradient, which is why the surrogate learns more slowly. */
#ifndef NEURON_SURROGATE_H
#define NEURON_SURROGATE_H

#include <gsl/gsl_matrix.h>

typedef enum { NEURON_LOSS_CE, NEURON_LOSS_SMOOTH } neuron_loss_kind;

/* "ce" / "smooth": the names of --loss, in the order of the enum (main.c relies on it). */
const char *neuron_loss_name(neuron_loss_kind k);

/* 1 - (1/B) sum_i softmax(z_i)[y_i]. logits (B, K), labels (B). If dlogits (B, K) is not
 * NULL it receives (set, not accumulated) d loss / d logits. */
double neuron_smooth_acc_loss(const gsl_matrix *logits, const int *labels, gsl_matrix *dlogits);

/* The loss of the given kind and, if dlogits != NULL, its gradient (set). */
double neuron_loss(neuron_loss_kind k, const gsl_matrix *logits, const int *labels,
                   gsl_matrix *dlogits);

/* (1/B) sum_i softmax(z_i)[y_i]: the smooth accuracy, a number in (0, 1). */
double neuron_smooth_accuracy(const gsl_matrix *logits, const int *labels);
/* (1/B) #{i : argmax_k z_ik == y_i} (ties: the first index, as torch.argmax). */
double neuron_accuracy(const gsl_matrix *logits, const int *labels);

#endif
