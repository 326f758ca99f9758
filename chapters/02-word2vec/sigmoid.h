/* sigmoid.h: the logistic function σ(x) = 1 / (1 + e^-x) and log σ(x) from precomputed tables
 * (the speed trick of word2vec.c's expTable), and exactly.
 *
 * The tables cover (-W2V_MAX_EXP, W2V_MAX_EXP) in W2V_SIGMOID_TABLE_SIZE equal bins and hold
 * the value at each bin's centre (the original tool holds the value at the bin's left edge,
 * which is biased by half a bin). The largest error of the σ table is half a bin times the
 * largest slope, σ' <= 1/4: 0.5 * 0.012 * 0.25 = 0.0015 (tested against the exact function).
 *
 * Beyond the table a score is not looked up: what happens there differs by objective, as in
 * the original tool, and is the caller's business (update.c):
 *   - negative sampling takes σ as exactly 1 or 0 (the gradient label - σ is then 0 for a
 *     word already classified right, and ±1 for one badly wrong);
 *   - hierarchical softmax SKIPS the node: no update at all, not a clipped one. */
#ifndef W2V_SIGMOID_H
#define W2V_SIGMOID_H

#include <math.h>

#define W2V_MAX_EXP            6.0
#define W2V_SIGMOID_TABLE_SIZE 1000

extern double w2v_sigmoid_table[W2V_SIGMOID_TABLE_SIZE];    /* σ at the bin centres */
extern double w2v_logsigmoid_table[W2V_SIGMOID_TABLE_SIZE]; /* log σ at the bin centres */

/* Fills both tables (idempotent; called by w2v_model_alloc). */
void w2v_sigmoid_init(void);

/* The bin of x, for -W2V_MAX_EXP < x < W2V_MAX_EXP only. */
static inline int w2v_sigmoid_bin(double x)
{
    int i = (int)((x + W2V_MAX_EXP) * (W2V_SIGMOID_TABLE_SIZE / (2 * W2V_MAX_EXP)));
    return i < W2V_SIGMOID_TABLE_SIZE ? i : W2V_SIGMOID_TABLE_SIZE - 1;
}

static inline int w2v_in_table(double x)
{
    return x > -W2V_MAX_EXP && x < W2V_MAX_EXP; /* false for NaN too */
}

/* Exactly, without overflow for large |x|. */
static inline double w2v_sigmoid_exact(double x)
{
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}
/* -log σ(x) = log(1 + e^-x), the loss of a positive label with score x. */
static inline double w2v_softplus_neg(double x)
{
    return x >= 0 ? log1p(exp(-x)) : -x + log1p(exp(x));
}

#endif
