/* memory.h: how far back a recurrent layer's gradient reaches. With the loss L at the last step
 * T of a sequence only, back-propagation through time carries d L / d h_t back one step at a
 * time; each step multiplies it by the Jacobian d h_t / d h_{t-1}. For the tanh RNN that is
 * diag(1 - h_t^2) W_hh, and a product of T - t such factors shrinks geometrically when W_hh is
 * small (vanishing gradients); the LSTM's cell state adds a path scaled by the forget gates
 * only, and the GRU's update gate a path scaled by z (the Transformer article's account of why
 * RNNs forget and how the gated cells mend it). `rnn gradnorm` measures |d L / d h_t| against
 * the distance T - t for the three cells, before and after training on the text. */
#ifndef RNN_MEMORY_H
#define RNN_MEMORY_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "corpus.h"
#include "rnn.h"

/* B windows of warm + T + 1 characters drawn at random positions of a part of the corpus
 * (held_out 1: the held-out part): xw (warm B) the characters run first to give the state a
 * history, x (T B) the T characters measured, y (T B) -1 everywhere except the last step,
 * whose target is the character that follows. Time-major. CM_EINVAL when the part is too
 * short for one window. */
int rnn_gradnorm_batch(const rnn_corpus *c, int held_out, size_t warm, size_t T, size_t B,
                       gsl_rng *r, int *xw, int *x, int *y);

/* Runs the model over xw (warm steps from zero states; warm may be 0), then over x with the
 * targets y, back-propagates, and stores in norm[d], d = 0 .. T-1, the mean over the B
 * sequences of |d L / d h| of the top layer at the state d steps before the last one (d = 0:
 * the last step's own state), L the sum of the sequences' losses, so that each sequence
 * contributes the gradient of its own loss. The model's gradient is left zeroed. Returns the
 * mean loss in nats at the targets, or NAN on an error (message set). */
double rnn_gradnorm_measure(rnn_model *m, size_t warm, const int *xw, size_t T, size_t B,
                            const int *x, const int *y, double *norm);

#endif
