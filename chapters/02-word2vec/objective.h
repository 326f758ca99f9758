/* objective.h: the two objectives of word2vec, exactly (no tables), with their gradients:
 * what the numeric gradient check verifies and what the training steps of update.c follow.
 *
 * A prediction has an input h (skip-gram: the input vector of one context word; CBOW: the
 * mean of the input vectors of the window) and a word w to predict.
 *
 * Negative sampling (Mikolov et al. 2013b, eq. 4), with K words n_1..n_K drawn from P^0.75:
 *     L = -log σ(u_w · h) - Σ_k log σ(-u_{n_k} · h)
 *     dL/du_j = (σ(u_j · h) - y_j) h,   dL/dh = Σ_j (σ(u_j · h) - y_j) u_j
 * with y = 1 for w and 0 for each n_k; a draw n_k equal to w is skipped.
 *
 * Hierarchical softmax (eq. 3): the path from the root to w's leaf visits inner nodes p_j and
 * takes branch c_j (0 or 1) at each; the probability of the branch is σ(±s_j), s_j = θ_{p_j}·h:
 *     L = -Σ_j log σ((1 - 2 c_j) s_j)
 *     dL/dθ_{p_j} = (σ(s_j) - (1 - c_j)) h,   dL/dh = Σ_j (σ(s_j) - (1 - c_j)) θ_{p_j}
 * (the tool's label is 1 - code: branch 0 is the "positive" side). */
#ifndef W2V_OBJECTIVE_H
#define W2V_OBJECTIVE_H

#include "model.h"

/* The loss of one prediction; when dh and dU are not NULL, adds dL/dh to dh (D) and dL/du_j
 * to the rows of dU (V, D). U is syn1neg (negative sampling) or syn1 (hierarchical softmax). */
double w2v_ns_loss(const double *h, const double *U, size_t D, int target, const int *neg, int k,
                   double *dh, double *dU);
double w2v_hs_loss(const double *h, const double *S, size_t D, const unsigned char *code,
                   const int *point, int len, double *dh, double *dS);

/* The loss of the model for one skip-gram pair: the input vector of `context` predicts
 * `centre` (as in the tool and gensim: see update.h). neg holds cfg.negative draws. With
 * grad != 0 the gradients are added to m->dwv, m->dsyn1neg, m->dsyn1. */
double w2v_sg_loss(w2v_model *m, int centre, int context, const int *neg, int grad);
/* The loss of one CBOW window: h = (1/n) Σ v_{ctx_i} predicts centre. */
double w2v_cbow_loss(w2v_model *m, int centre, const int *ctx, int n, const int *neg, int grad);

#endif
