/* update.c: the SGD steps of skip-gram and CBOW with negative sampling and hierarchical
 * softmax (word2vec.c's TrainModelThread, the inner loops). */
#include "update.h"

#include <string.h>

#include "sigmoid.h"
#include "vecops.h"

W2V_HOT double w2v_ns_update(const w2v_model *m, const double *h, double *neu1e, int target,
                             const int *neg, double alpha)
{
    const size_t D = m->dim;
    const int exact = m->cfg.exact_sigmoid;
    double loss = 0;
    /* Speed: ask for the negatives' rows now, so that fetching them from memory overlaps the
     * work on the first ones (a hint only: no effect on the results). */
    for (int j = 0; j < m->cfg.negative; j++) __builtin_prefetch(w2v_out_row(m, neg[j]));
    /* BEGIN EXERCISE word2vec-1: the negative-sampling update */
    /* For the target (label y = 1) and each negative draw (y = 0; a draw equal to the target is
     * skipped): s = u·h, g = alpha (y - σ(s)) = -alpha dL/ds; then neu1e += g u (the step for
     * h, applied by the caller) and u += g h (the step for the output vector). */
    for (int j = 0; j <= m->cfg.negative; j++) {
        int w = j == 0 ? target : neg[j - 1];
        if (j > 0 && w == target) continue;
        double y = j == 0 ? 1.0 : 0.0;
        double *u = w2v_out_row(m, w);
        double s = w2v_dot(u, h, D);
        double sig, logsig_y; /* σ(s), and log σ(±s): the log-likelihood of the label */
        if (exact) {
            sig = w2v_sigmoid_exact(s);
            logsig_y = -w2v_softplus_neg(j == 0 ? s : -s);
        } else if (w2v_in_table(s)) {
            int b = w2v_sigmoid_bin(s);
            sig = w2v_sigmoid_table[b];
            /* log σ(-s) = log σ(s) - s */
            logsig_y = j == 0 ? w2v_logsigmoid_table[b] : w2v_logsigmoid_table[b] - s;
        } else {
            /* beyond the table σ is taken as 1 or 0 (NaN falls here too and shows in the loss) */
            sig = s > 0 ? 1.0 : 0.0;
            logsig_y = -w2v_softplus_neg(j == 0 ? s : -s);
        }
        loss -= logsig_y;
        double g = alpha * (y - sig);
        w2v_step_pair(g, u, h, neu1e, D); /* neu1e += g u; u += g h */
    }
    /* END EXERCISE */
    return loss;
}

W2V_HOT double w2v_hs_update(const w2v_model *m, const double *h, double *neu1e, int word,
                             double alpha)
{
    const size_t D = m->dim;
    const unsigned char *code = w2v_code(&m->tree, word);
    const int *point = w2v_point(&m->tree, word);
    const int len = m->tree.codelen[word];
    const int exact = m->cfg.exact_sigmoid;
    double loss = 0;
    /* BEGIN EXERCISE word2vec-2: the hierarchical-softmax update */
    /* At each inner node p_j on the word's path: s = θ·h, the label is 1 - c_j, and
     * g = alpha (1 - c_j - σ(s)); neu1e += g θ, θ += g h. A score beyond the table is
     * SKIPPED (no update, as in the tool): only its loss is counted. */
    for (int j = 0; j < len; j++) {
        double *theta = w2v_row(m->syn1, D, point[j]);
        double s = w2v_dot(theta, h, D);
        double sign = 1.0 - 2.0 * code[j];
        double sig;
        if (exact) {
            sig = w2v_sigmoid_exact(s);
            loss += w2v_softplus_neg(sign * s); /* -log σ((1 - 2c) s) */
        } else if (w2v_in_table(s)) {
            int b = w2v_sigmoid_bin(s);
            sig = w2v_sigmoid_table[b];
            /* -log σ(s) for branch 0; -log σ(-s) = s - log σ(s) for branch 1 */
            loss += code[j] ? s - w2v_logsigmoid_table[b] : -w2v_logsigmoid_table[b];
        } else {
            loss += w2v_softplus_neg(sign * s);
            continue; /* beyond the table: skipped, not clipped */
        }
        double g = alpha * (1.0 - code[j] - sig);
        w2v_step_pair(g, theta, h, neu1e, D); /* neu1e += g θ; θ += g h */
    }
    /* END EXERCISE */
    return loss;
}

W2V_HOT double w2v_sg_step(w2v_model *m, int centre, int context, const int *neg, double alpha,
                           double *neu1e)
{
    const size_t D = m->dim;
    double *h = w2v_in_row(m, context); /* the context word's input vector ... */
    memset(neu1e, 0, D * sizeof *neu1e);
    double loss = 0;
    if (m->syn1) loss += w2v_hs_update(m, h, neu1e, centre, alpha); /* ... predicts the centre */
    if (m->syn1neg) loss += w2v_ns_update(m, h, neu1e, centre, neg, alpha);
    w2v_axpy(1.0, neu1e, h, D);
    return loss;
}

W2V_HOT double w2v_cbow_step(w2v_model *m, int centre, const int *ctx, int n, const int *neg,
                             double alpha, double *neu1, double *neu1e)
{
    const size_t D = m->dim;
    memset(neu1, 0, D * sizeof *neu1);
    memset(neu1e, 0, D * sizeof *neu1e);
    for (int i = 0; i < n; i++) w2v_axpy(1.0, w2v_in_row(m, ctx[i]), neu1, D);
    for (size_t d = 0; d < D; d++) neu1[d] /= n; /* h = mean of the window's input vectors */
    double loss = 0;
    if (m->syn1) loss += w2v_hs_update(m, neu1, neu1e, centre, alpha);
    if (m->syn1neg) loss += w2v_ns_update(m, neu1, neu1e, centre, neg, alpha);
    for (int i = 0; i < n; i++) w2v_axpy(1.0, neu1e, w2v_in_row(m, ctx[i]), D); /* whole */
    return loss;
}
