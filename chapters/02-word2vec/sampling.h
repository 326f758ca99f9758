/* sampling.h: the two random draws of word2vec besides the window size.
 *
 *  - Negative samples from the unigram distribution raised to 3/4, P(w) ∝ count(w)^0.75
 *    (Mikolov et al. 2013, "Distributed representations ...", section 2.2). The original tool
 *    fills a table of 10^8 word indices and reads a random entry: that table (400 MB of ints)
 *    misses the cache at every draw. GSL's gsl_ran_discrete uses Walker's alias method: a
 *    table the size of the vocabulary, one uniform number and one comparison per draw.
 *  - Subsampling of frequent words (section 2.3): a word of count c in a corpus of T words is
 *    kept with probability (sqrt(c / (s T)) + 1) * (s T) / c, the formula of the tool's code
 *    (the paper writes 1 - sqrt(t / f) instead). */
#ifndef W2V_SAMPLING_H
#define W2V_SAMPLING_H

#include <stddef.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define W2V_NS_POWER 0.75

/* The alias table of P(w) ∝ counts[w]^0.75 (NULL on failure, message set). */
gsl_ran_discrete_t *w2v_negative_table(const long *counts, size_t n);

/* Draws k negative samples into neg. A draw may equal the word being predicted: the update
 * skips it then, as the tool and gensim do. */
static inline void w2v_draw_negatives(const gsl_ran_discrete_t *t, gsl_rng *r, int *neg, int k)
{
    for (int i = 0; i < k; i++) neg[i] = (int)gsl_ran_discrete(r, t);
}

/* The probability of keeping a word of count `count` out of `total` tokens with threshold
 * `sample` (> 0); 1 or more means always kept. sample = 0 turns subsampling off (1). */
double w2v_keep_probability(long count, long total, double sample);

#endif
