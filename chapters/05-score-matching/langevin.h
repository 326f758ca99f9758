/* langevin.h: Langevin dynamics and annealed Langevin dynamics (NCSN, Song and Ermon 2019,
 * algorithm 1), driven by any score: the learned model or the exact score of a mixture.
 *
 * The step-size convention (papers and articles differ; this chapter uses NCSN's):
 *
 *     x <- x + (alpha / 2) s(x) + sqrt(alpha) z,   z ~ N(0, I)
 *
 * so that alpha is the variance of the injected noise and the drift is half of it (Welling and
 * Teh 2011 write the same update with epsilon = alpha; other texts write x + eps s + sqrt(2 eps)
 * z, which is this one with alpha = 2 eps). Annealed: for each level sigma_i of the ladder,
 * largest first, T steps with alpha_i = eps sigma_i^2 / sigma_L^2, so that eps is the step at
 * the smallest level and alpha_i / sigma_i^2 (the "signal-to-noise" of a step) is the same at
 * every level. */
#ifndef SCORE_LANGEVIN_H
#define SCORE_LANGEVIN_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

/* A score: S (n, 2) = s(X, sigma) for X (n, 2) at the noise level sigma. CM_OK or an error. */
typedef int (*score_fn)(void *ctx, const gsl_matrix *X, double sigma, gsl_matrix *S);

/* Records the path of the first n_track particles: the start and the end of every step (plain
 * Langevin) or of every level (annealed Langevin). */
typedef struct {
    size_t n_track, n_steps, cap; /* cap: steps the buffers hold */
    double *x, *y;                /* (n_track * cap): particle j's step t at j * cap + t */
} score_track;

/* A particle farther than this from the origin, or not finite, means the step diverged. */
#define SCORE_DIVERGED 1e6

/* One Langevin step on every row of X (S is scratch, n x 2): the exercise. */
int score_langevin_step(score_fn f, void *ctx, double sigma, double alpha, gsl_matrix *X,
                        gsl_matrix *S, gsl_rng *r);

/* T steps of plain Langevin with step alpha, the score taken at noise level sigma (the
 * smallest, for a learned model; any value for an exact data score that ignores it).
 * CM_OK, or CM_ENOTFINITE "... diverged at step t" (message set). track may be NULL. */
int score_langevin(score_fn f, void *ctx, double sigma, double alpha, long T, gsl_matrix *X,
                   gsl_rng *r, score_track *track);

/* Annealed Langevin over the ladder sigmas[0] > ... > sigmas[L-1], T steps per level,
 * alpha_i = eps sigma_i^2 / sigma_L^2. CM_OK or CM_ENOTFINITE naming the level and step. */
int score_annealed_langevin(score_fn f, void *ctx, const double *sigmas, size_t L, double eps,
                            long T, gsl_matrix *X, gsl_rng *r, score_track *track);

int score_track_init(score_track *t, size_t n_track, size_t cap);
void score_track_free(score_track *t);

#endif
