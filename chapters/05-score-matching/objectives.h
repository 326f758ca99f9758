/* objectives.h: the three score-matching objectives of chapter 05 on a minibatch, each with its
 * hand-written gradient. All are noise-conditional: row i is a data point x_i, a noise level
 * sigma_i drawn from the ladder, a standard normal z_i and (sliced) a projection v_i; the model
 * sees the noised point  x~_i = x_i + sigma_i z_i, and every term carries the weight
 * lambda(sigma) = sigma^2 of NCSN, so that all levels contribute on the same scale. With
 * s = o / sigma (net.h):
 *
 *   DSM (denoising, Vincent 2011; NCSN eq. 2):
 *     L = 1/B sum_i  sigma_i^2 / 2 || s(x~_i) - (-(x~_i - x_i) / sigma_i^2) ||^2
 *       = 1/B sum_i  1/2 || o_i + z_i ||^2
 *   ESM (exact, Hyvarinen 2005: E[ tr(d s / d x) + 1/2 ||s||^2 ], here on the noised data):
 *     L = 1/B sum_i  sigma_i^2 ( tr(d s_i / d x) + 1/2 ||s_i||^2 )
 *       = 1/B sum_i  ( sigma_i tr(d o_i / d x) + 1/2 ||o_i||^2 )
 *   SSM (sliced, Song et al. 2019: E_v[ v^T (d s / d x) v + 1/2 (v^T s)^2 ], v ~ N(0, I)):
 *     L = 1/B sum_i  ( sigma_i v_i^T (d o_i / d x) v_i + 1/2 (v_i . o_i)^2 )
 *
 * The trace and v^T J v are computed exactly by forward-mode Jacobian-vector products (two of
 * them for the trace: the input is 2-D), and their gradients by the backward pass of those
 * products (score_net_jvp_backward): derivatives of derivatives, written by hand. */
#ifndef SCORE_OBJECTIVES_H
#define SCORE_OBJECTIVES_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

#include "net.h"

typedef enum { SCORE_ESM, SCORE_DSM, SCORE_SSM, SCORE_N_OBJ } score_objective;

const char *score_objective_name(score_objective o);  /* "esm", "dsm", "ssm" */
const char *score_objective_title(score_objective o); /* "exact", "denoising", "sliced" */
int score_objective_parse(const char *s, score_objective *o);

/* The batch of one step: X (B, 2) data, sigma (B), Z (B, 2) standard normals, V (B, 2)
 * projections (used by SSM only; may be NULL otherwise). Xt, E (B, 2) and c (B) are scratch. */
typedef struct {
    size_t cap;
    gsl_matrix *X, *Z, *V, *Xt, *E;
    double *sigma, *c;
} score_batch;

score_batch *score_batch_alloc(size_t cap); /* NULL on failure (message set) */
void score_batch_free(score_batch *b);

/* The loss of objective o on the first B rows of the batch. With backward = 1 the gradients of
 * every parameter are accumulated into m->p->grad (the caller zeroes them). */
double score_loss(score_net *m, score_objective o, score_batch *b, size_t B, int backward);

#endif
