/* objective.c: the exact losses and their gradients (objective.h). Written for clarity, not
 * speed: the training loop uses update.c. */
#include "objective.h"

#include <stdlib.h>

#include "error.h"
#include "sigmoid.h"
#include "vecops.h"

double w2v_ns_loss(const double *h, const double *U, size_t D, int target, const int *neg, int k,
                   double *dh, double *dU)
{
    double loss = 0;
    for (int j = 0; j <= k; j++) {
        int w = j == 0 ? target : neg[j - 1];
        if (j > 0 && w == target) continue;
        double y = j == 0 ? 1.0 : 0.0;
        const double *u = U + (size_t)w * D;
        double s = w2v_dot(u, h, D);
        loss += w2v_softplus_neg(j == 0 ? s : -s); /* -log σ(s) or -log σ(-s) */
        if (!dh) continue;
        double g = w2v_sigmoid_exact(s) - y; /* dL/ds */
        w2v_axpy(g, u, dh, D);
        w2v_axpy(g, h, dU + (size_t)w * D, D);
    }
    return loss;
}

double w2v_hs_loss(const double *h, const double *S, size_t D, const unsigned char *code,
                   const int *point, int len, double *dh, double *dS)
{
    double loss = 0;
    for (int j = 0; j < len; j++) {
        const double *theta = S + (size_t)point[j] * D;
        double s = w2v_dot(theta, h, D);
        double sign = 1.0 - 2.0 * code[j];
        loss += w2v_softplus_neg(sign * s); /* -log σ((1 - 2c) s) */
        if (!dh) continue;
        double g = w2v_sigmoid_exact(s) - (1.0 - code[j]); /* dL/ds */
        w2v_axpy(g, theta, dh, D);
        w2v_axpy(g, h, dS + (size_t)point[j] * D, D);
    }
    return loss;
}

/* Both objectives on input h for the word `centre`; dh receives dL/dh when grad. */
static double both_losses(w2v_model *m, const double *h, int centre, const int *neg, double *dh)
{
    size_t D = m->dim;
    double loss = 0;
    if (m->syn1neg)
        loss += w2v_ns_loss(h, m->syn1neg, D, centre, neg, m->cfg.negative, dh,
                            dh ? m->dsyn1neg : NULL);
    if (m->syn1)
        loss += w2v_hs_loss(h, m->syn1, D, w2v_code(&m->tree, centre), w2v_point(&m->tree, centre),
                            m->tree.codelen[centre], dh, dh ? m->dsyn1 : NULL);
    return loss;
}

double w2v_sg_loss(w2v_model *m, int centre, int context, const int *neg, int grad)
{
    size_t D = m->dim;
    double *dh = grad ? w2v_row(m->dwv, D, context) : NULL; /* h is v_context itself */
    return both_losses(m, w2v_row(m->wv, D, context), centre, neg, dh);
}

double w2v_cbow_loss(w2v_model *m, int centre, const int *ctx, int n, const int *neg, int grad)
{
    size_t D = m->dim;
    double *h = cm_calloc(D, sizeof *h), *dh = cm_calloc(D, sizeof *dh);
    if (!h || !dh) {
        free(h);
        free(dh);
        return NAN;
    }
    for (int i = 0; i < n; i++) w2v_axpy(1.0 / n, w2v_row(m->wv, D, ctx[i]), h, D); /* h = mean */
    double loss = both_losses(m, h, centre, neg, grad ? dh : NULL);
    if (grad) /* dL/dv_{ctx_i} = (1/n) dL/dh, for each occurrence of a word in the window */
        for (int i = 0; i < n; i++) w2v_axpy(1.0 / n, dh, w2v_row(m->dwv, D, ctx[i]), D);
    free(h);
    free(dh);
    return loss;
}
