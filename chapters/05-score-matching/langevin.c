/* langevin.c: plain and annealed Langevin dynamics (langevin.h). */
#include "langevin.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>

#include "error.h"
#include "matrix.h"

int score_track_init(score_track *t, size_t n_track, size_t cap)
{
    t->n_track = n_track, t->cap = cap, t->n_steps = 0;
    t->x = cm_calloc(n_track * cap, sizeof(double));
    t->y = cm_calloc(n_track * cap, sizeof(double));
    if (!t->x || !t->y) {
        score_track_free(t);
        return CM_ENOMEM;
    }
    return CM_OK;
}

void score_track_free(score_track *t)
{
    free(t->x), free(t->y);
    t->x = t->y = NULL;
}

static void record(score_track *t, const gsl_matrix *X)
{
    if (!t || t->n_steps >= t->cap) return;
    for (size_t j = 0; j < t->n_track && j < X->size1; j++) {
        t->x[j * t->cap + t->n_steps] = gsl_matrix_get(X, j, 0);
        t->y[j * t->cap + t->n_steps] = gsl_matrix_get(X, j, 1);
    }
    t->n_steps++;
}

int score_langevin_step(score_fn f, void *ctx, double sigma, double alpha, gsl_matrix *X,
                        gsl_matrix *S, gsl_rng *r)
{
    int st = f(ctx, X, sigma, S);
    if (st) return st;
    (void)alpha, (void)r; /* used by the exercise below: keeps a stub compiling with -Werror */
    /* BEGIN EXERCISE score-matching-2: the Langevin step */
    /* x <- x + alpha/2 s(x) + sqrt(alpha) z: alpha is the variance of the noise, the drift half
     * of it, so that the chain leaves p invariant as alpha -> 0 */
    double sd = sqrt(alpha);
    for (size_t i = 0; i < X->size1; i++)
        for (size_t k = 0; k < 2; k++) {
            double x = gsl_matrix_get(X, i, k) + 0.5 * alpha * gsl_matrix_get(S, i, k) +
                       sd * gsl_ran_gaussian_ziggurat(r, 1.0);
            gsl_matrix_set(X, i, k, x);
        }
    /* END EXERCISE */
    return CM_OK;
}

/* CM_OK if every particle is finite and within SCORE_DIVERGED of the origin. */
static int diverged(const gsl_matrix *X)
{
    for (size_t i = 0; i < X->size1; i++)
        for (size_t k = 0; k < 2; k++) {
            double x = gsl_matrix_get(X, i, k);
            if (!isfinite(x) || fabs(x) > SCORE_DIVERGED) return 1;
        }
    return 0;
}

int score_langevin(score_fn f, void *ctx, double sigma, double alpha, long T, gsl_matrix *X,
                   gsl_rng *r, score_track *track)
{
    gsl_matrix *S = cm_matrix_calloc(X->size1, 2);
    if (!S) return CM_ENOMEM;
    int st = CM_OK;
    record(track, X);
    for (long t = 0; t < T && !st; t++) {
        st = score_langevin_step(f, ctx, sigma, alpha, X, S, r);
        if (!st && diverged(X))
            st = cm_error(CM_ENOTFINITE,
                          "Langevin diverged at step %ld of %ld (step size %g): a particle left "
                          "|x| < %g; try a smaller step",
                          t + 1, T, alpha, SCORE_DIVERGED);
        record(track, X);
    }
    cm_matrix_free(S);
    return st;
}

int score_annealed_langevin(score_fn f, void *ctx, const double *sigmas, size_t L, double eps,
                            long T, gsl_matrix *X, gsl_rng *r, score_track *track)
{
    gsl_matrix *S = cm_matrix_calloc(X->size1, 2);
    if (!S) return CM_ENOMEM;
    int st = CM_OK;
    record(track, X);
    double sL = sigmas[L - 1];
    for (size_t i = 0; i < L && !st; i++) {
        double alpha = eps * sigmas[i] * sigmas[i] / (sL * sL); /* NCSN algorithm 1 */
        for (long t = 0; t < T && !st; t++) {
            st = score_langevin_step(f, ctx, sigmas[i], alpha, X, S, r);
            if (!st && diverged(X))
                st = cm_error(CM_ENOTFINITE,
                              "annealed Langevin diverged at level %zu (sigma %g, step %g), "
                              "step %ld: a particle left |x| < %g; try a smaller --eps",
                              i + 1, sigmas[i], alpha, t + 1, SCORE_DIVERGED);
        }
        record(track, X); /* the end of each level: the path of the annealing */
    }
    cm_matrix_free(S);
    return st;
}
