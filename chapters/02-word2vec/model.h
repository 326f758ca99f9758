/* model.h: the word2vec model: the two embedding tables, the Huffman tree, the sampling
 * tables, and its hyperparameters.
 *
 * Parameters (params.h, named as gensim's attributes so that np.load(...) lines up with
 * model.wv.vectors, model.syn1neg, model.syn1):
 *   wv.vectors (V, D)  the input vectors v_w: the word embeddings that are written out
 *   syn1neg    (V, D)  the output vectors u_w of negative sampling (with --negative K > 0)
 *   syn1       (V, D)  the vectors of the V - 1 inner nodes of the Huffman tree (with --hs;
 *                      the last row is unused, as in gensim)
 * Input vectors start uniform in [-0.5/D, 0.5/D), output vectors at zero, as in the tool. */
#ifndef W2V_MODEL_H
#define W2V_MODEL_H

#include <stddef.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "huffman.h"
#include "params.h"

typedef struct {
    size_t dim;         /* D, the embedding size [100] */
    size_t window;      /* the largest distance from the centre word [5] */
    int cbow;           /* 0: skip-gram, 1: CBOW */
    int hs;             /* hierarchical softmax */
    int negative;       /* K negative samples per prediction, 0: none [5] */
    double sample;      /* subsampling threshold [1e-3], 0: off */
    double alpha;       /* starting learning rate [0.025] */
    double min_alpha;   /* the rate at the end of the last epoch [1e-4] */
    long epochs;        /* passes over the corpus [5] */
    long min_count;     /* words seen fewer times are dropped [5] */
    int threads;        /* worker threads [1] */
    size_t hot_words;   /* with threads > 1: rows each thread keeps its own copy of [4096] */
    int exact_sigmoid;  /* 1: σ and log σ computed exactly instead of from the tables */
    unsigned long seed; /* the generators of initialization and of each thread */
} w2v_config;

void w2v_config_defaults(w2v_config *cfg);

typedef struct {
    w2v_config cfg;
    size_t vocab_size; /* V */
    size_t dim;        /* D */
    params *p;
    double *wv;                     /* (V, D) input vectors: &wv[w * D] is v_w */
    double *syn1neg;                /* (V, D) or NULL */
    double *syn1;                   /* (V, D) or NULL */
    double *dwv, *dsyn1neg, *dsyn1; /* their gradients in p->grad (gradient checks only) */
    w2v_huffman tree;               /* with hs */
    gsl_ran_discrete_t *neg_table;  /* with negative > 0 */
    double *keep;                   /* (V) probability of keeping each word (subsampling) */
    /* With two or more threads, each thread trains a view of the model (a copy of this struct)
     * whose rows of the n_hot most frequent words are its own copies, hot_wv and hot_syn1neg
     * (n_hot, D), merged into wv and syn1neg from time to time (hotrows.h). The model itself
     * has n_hot = 0: every row is in wv and syn1neg. */
    size_t n_hot;
    double *hot_wv, *hot_syn1neg;
} w2v_model;

/* Allocates the model for a vocabulary of V words with these counts (sorted, descending) and
 * initializes the input vectors from rng. NULL on failure (message set). */
w2v_model *w2v_model_alloc(const w2v_config *cfg, const long *counts, size_t V, gsl_rng *rng);
void w2v_model_free(w2v_model *m);

static inline double *w2v_row(double *table, size_t D, int w)
{
    return table + (size_t)w * D;
}

/* The input vector v_w and the output vector u_w (negative sampling) that training reads and
 * writes: the thread's own copy for a frequent word (see n_hot), the shared row otherwise. */
static inline double *w2v_in_row(const w2v_model *m, int w)
{
    return (size_t)w < m->n_hot ? w2v_row(m->hot_wv, m->dim, w) : w2v_row(m->wv, m->dim, w);
}
static inline double *w2v_out_row(const w2v_model *m, int w)
{
    return (size_t)w < m->n_hot ? w2v_row(m->hot_syn1neg, m->dim, w)
                                : w2v_row(m->syn1neg, m->dim, w);
}

#endif
