/* sample.h: writing with a trained model: feed a prime, then draw one character at a time
 * from softmax(o(t) / temperature) and feed it back in. */
#ifndef RNN_SAMPLE_H
#define RNN_SAMPLE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "rnn.h"
#include "text.h"

/* Writes the prime followed by len drawn characters into out (NUL-terminated; out holds
 * strlen(prime) + len + 1 bytes), from zero states; temperature > 0. A prime character the
 * vocabulary does not have is CM_EINVAL naming it. An empty prime starts from a newline (or,
 * if the text has none, its first character), which is not written to out. */
int rnn_sample(const rnn_model *m, const charvocab *v, const char *prime, size_t len,
               double temperature, gsl_rng *r, char *out);

/* Draws an index from softmax(logits / temperature) (n entries) with one uniform number. */
size_t rnn_draw(const double *logits, size_t n, double temperature, gsl_rng *r);

#endif
