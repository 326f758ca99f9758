/* update.h: the training steps: one step of stochastic gradient descent on the objectives of
 * objective.h, for one prediction, written for speed (the σ table, no allocation).
 *
 * Which vector predicts which. In skip-gram the paper says "the centre word predicts its
 * context"; the tool (and gensim) loop the other way round: for each context word c in the
 * window of centre word w, the INPUT vector v_c predicts w through w's output vector (or w's
 * Huffman path). Over a whole corpus the same pairs (w, c) are seen either way, since c is in
 * the window of w exactly when w is in the window of c; the order only makes the updates of
 * one window touch one output row many times instead of many input rows once.
 *
 * In CBOW the mean h of the window's input vectors predicts the centre word, and the gradient
 * with respect to h is added, WHOLE, to every input vector of the window: the exact gradient
 * of the mean would be 1/n of it (objective.c). The tool and gensim (cbow_mean=1) do the
 * same; it amounts to a learning rate n times larger for the input vectors.
 *
 * The caller passes neu1e, D numbers cleared before the prediction: the steps add
 * -alpha dL/dh to it, and the caller adds it to the input vector(s) after the prediction, so
 * that every output vector of the prediction sees the same h. Each step returns the loss of
 * the prediction (from the log σ table; exactly beyond it). */
#ifndef W2V_UPDATE_H
#define W2V_UPDATE_H

#include "model.h"

double w2v_ns_update(const w2v_model *m, const double *h, double *neu1e, int target, const int *neg,
                     double alpha);
double w2v_hs_update(const w2v_model *m, const double *h, double *neu1e, int word, double alpha);

/* Skip-gram: v_context predicts centre; neg holds cfg.negative draws (if any). */
double w2v_sg_step(w2v_model *m, int centre, int context, const int *neg, double alpha,
                   double *neu1e);
/* CBOW: the mean of v_{ctx_0..n-1} predicts centre; neu1 is D numbers of workspace. */
double w2v_cbow_step(w2v_model *m, int centre, const int *ctx, int n, const int *neg, double alpha,
                     double *neu1, double *neu1e);

#endif
