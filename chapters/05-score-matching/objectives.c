/* objectives.c: denoising, exact and sliced score matching on a minibatch, forward and backward
 * side by side (objectives.h). */
#include "objectives.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "matrix.h"

static const char *const names[] = {"esm", "dsm", "ssm"};
static const char *const titles[] = {"exact", "denoising", "sliced"};

const char *score_objective_name(score_objective o)
{
    return names[o];
}
const char *score_objective_title(score_objective o)
{
    return titles[o];
}
int score_objective_parse(const char *s, score_objective *o)
{
    for (int k = 0; k < SCORE_N_OBJ; k++)
        if (!strcmp(s, names[k])) {
            *o = (score_objective)k;
            return CM_OK;
        }
    return cm_error(CM_EINVAL, "unknown objective '%s' (esm, dsm or ssm)", s);
}

score_batch *score_batch_alloc(size_t cap)
{
    score_batch *b = cm_calloc(1, sizeof *b);
    if (!b) return NULL;
    b->cap = cap;
    if (!(b->X = cm_matrix_calloc(cap, 2)) || !(b->Z = cm_matrix_calloc(cap, 2)) ||
        !(b->V = cm_matrix_calloc(cap, 2)) || !(b->Xt = cm_matrix_calloc(cap, 2)) ||
        !(b->E = cm_matrix_calloc(cap, 2)) || !(b->sigma = cm_calloc(cap, sizeof(double))) ||
        !(b->c = cm_calloc(cap, sizeof(double)))) {
        score_batch_free(b);
        return NULL;
    }
    return b;
}

void score_batch_free(score_batch *b)
{
    if (!b) return;
    cm_matrix_free(b->X), cm_matrix_free(b->Z), cm_matrix_free(b->V);
    cm_matrix_free(b->Xt), cm_matrix_free(b->E);
    free(b->sigma), free(b->c);
    free(b);
}

/* DSM: L = 1/B sum_i 1/2 ||o_i + z_i||^2, dL/do_i = (o_i + z_i) / B. */
static double dsm(score_net *m, score_batch *b, size_t B, int backward)
{
    double L = 0;
    (void)b; /* used by the exercise below: the cast keeps a stub compiling with -Werror */
    /* BEGIN EXERCISE score-matching-1: the denoising target */
    /* The score of the noising kernel N(x~; x, sigma^2 I) is -(x~ - x) / sigma^2 = -z / sigma.
     * Weighted by sigma^2: sigma^2/2 ||o/sigma + z/sigma||^2 = 1/2 ||o + z||^2. */
    for (size_t i = 0; i < B; i++)
        for (size_t k = 0; k < 2; k++) {
            double r = gsl_matrix_get(m->O, i, k) + gsl_matrix_get(b->Z, i, k);
            L += 0.5 * r * r;
            gsl_matrix_set(m->dO, i, k, r / (double)B);
        }
    /* END EXERCISE */
    if (backward) score_net_backward(m, B, 0);
    return L / (double)B;
}

/* ESM: L = 1/B sum_i (sigma_i tr(d o_i/d x) + 1/2 ||o_i||^2). The trace is e1.J e1 + e2.J e2:
 * two Jacobian-vector products along the unit directions, each with its backward pass. */
static double esm(score_net *m, score_batch *b, size_t B, int backward)
{
    double L = 0;
    for (size_t i = 0; i < B; i++)
        for (size_t k = 0; k < 2; k++) {
            double o = gsl_matrix_get(m->O, i, k);
            L += 0.5 * o * o;
            gsl_matrix_set(m->dO, i, k, o / (double)B); /* d(1/2 ||o||^2)/do = o */
        }
    if (backward) score_net_zero_jac(m, B);
    for (size_t k = 0; k < 2; k++) {
        gsl_matrix_view E = cm_matrix_rows(b->E, B);
        for (size_t i = 0; i < B; i++) {
            gsl_matrix_set(&E.matrix, i, k, 1.0);
            gsl_matrix_set(&E.matrix, i, 1 - k, 0.0);
            b->c[i] = b->sigma[i] / (double)B; /* d L / d (e_k . J e_k) */
        }
        score_net_jvp(m, &E.matrix);
        for (size_t i = 0; i < B; i++) L += b->sigma[i] * gsl_matrix_get(m->Do, i, k);
        if (backward) score_net_jvp_backward(m, &E.matrix, b->c);
    }
    if (backward) score_net_backward(m, B, 1);
    return L / (double)B;
}

/* SSM: L = 1/B sum_i (sigma_i v_i.J_i v_i + 1/2 (v_i.o_i)^2). */
static double ssm(score_net *m, score_batch *b, size_t B, int backward)
{
    double L = 0;
    gsl_matrix_view V = cm_matrix_rows(b->V, B);
    /* BEGIN EXERCISE score-matching-3: the sliced objective */
    for (size_t i = 0; i < B; i++) { /* 1/2 (v.o)^2, d/do = (v.o) v */
        double v0 = gsl_matrix_get(b->V, i, 0), v1 = gsl_matrix_get(b->V, i, 1);
        double vo = v0 * gsl_matrix_get(m->O, i, 0) + v1 * gsl_matrix_get(m->O, i, 1);
        L += 0.5 * vo * vo;
        gsl_matrix_set(m->dO, i, 0, vo * v0 / (double)B);
        gsl_matrix_set(m->dO, i, 1, vo * v1 / (double)B);
        b->c[i] = b->sigma[i] / (double)B; /* d L / d (v.J v) */
    }
    score_net_jvp(m, &V.matrix); /* Do = J v */
    for (size_t i = 0; i < B; i++)
        L += b->sigma[i] * (gsl_matrix_get(b->V, i, 0) * gsl_matrix_get(m->Do, i, 0) +
                            gsl_matrix_get(b->V, i, 1) * gsl_matrix_get(m->Do, i, 1));
    /* END EXERCISE */
    if (backward) {
        score_net_zero_jac(m, B);
        score_net_jvp_backward(m, &V.matrix, b->c);
        score_net_backward(m, B, 1);
    }
    return L / (double)B;
}

double score_loss(score_net *m, score_objective o, score_batch *b, size_t B, int backward)
{
    /* x~ = x + sigma z: every objective sees the noised data */
    gsl_matrix_view Xt = cm_matrix_rows(b->Xt, B);
    for (size_t i = 0; i < B; i++) {
        const double *x = gsl_matrix_const_ptr(b->X, i, 0), *z = gsl_matrix_const_ptr(b->Z, i, 0);
        double *xt = gsl_matrix_ptr(b->Xt, i, 0);
        xt[0] = x[0] + b->sigma[i] * z[0], xt[1] = x[1] + b->sigma[i] * z[1];
    }
    m->second_order = o != SCORE_DSM; /* only the Jacobian's backward pass needs silu'' */
    score_net_forward(m, &Xt.matrix, b->sigma, NULL);
    switch (o) {
    case SCORE_DSM:
        return dsm(m, b, B, backward);
    case SCORE_ESM:
        return esm(m, b, B, backward);
    default:
        return ssm(m, b, B, backward);
    }
}
