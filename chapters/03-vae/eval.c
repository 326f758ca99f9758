/* eval.c: the negative ELBO and the importance-weighted NLL on a data set (see eval.h). */
#include "eval.h"

#include <math.h>
#include <gsl/gsl_randist.h>

#include "gauss.h"
#include "gumbel.h"
#include "matrix.h"
#include "progress.h"

void vae_lme_init(vae_lme *a)
{
    *a = (vae_lme){.max = -INFINITY, .sum = 0.0, .n = 0};
}

/* log-mean-exp, one value at a time:  keep m = max v and s = sum exp(v - m); a new maximum
 * rescales s by exp(m_old - m_new). The result is m + log(s / n). */
void vae_lme_add(vae_lme *a, double v)
{
    /* BEGIN EXERCISE vae-5: the importance-weighted bound (log-mean-exp) */
    a->n++;
    if (v <= a->max) {
        a->sum += exp(v - a->max);
    } else {
        a->sum = a->sum * exp(a->max - v) + 1.0; /* exp(-inf) = 0 for the first value */
        a->max = v;
    }
    /* END EXERCISE */
}

double vae_lme_value(const vae_lme *a)
{
    if (a->n == 0) return -INFINITY;
    return a->max + log(a->sum / (double)a->n);
}

/* log N(z; 0, I) - log N(z; mu, sigma^2): the 2 pi terms cancel, leaving
 *   -1/2 sum_k [ z_k^2 - ((z_k - mu_k)^2 / sigma_k^2 + log sigma_k^2) ]. */
double vae_log_weight(double log_px_given_z, const double *z, const double *mu,
                      const double *logvar, size_t L)
{
    /* BEGIN EXERCISE vae-6: the importance weight log p(x|z) + log p(z) - log q(z|x) */
    double s = 0.0;
    for (size_t k = 0; k < L; k++) {
        double e = (z[k] - mu[k]) * exp(-0.5 * logvar[k]);
        s += z[k] * z[k] - e * e - logvar[k];
    }
    return log_px_given_z - 0.5 * s;
    /* END EXERCISE */
}

/* The Gaussian VAE on rows [i0, i0 + B) of X: encode once, then K decodes. */
static void eval_gauss_chunk(vae_model *m, const gsl_matrix *X, size_t K, gsl_rng *r,
                             double *sum_recon, double *sum_kl, double *sum_nll, progress *prog,
                             long done0)
{
    vae_gauss *g = m->g;
    vae_gauss_ws *w = m->gw;
    size_t B = X->size1, L = g->latent, D = g->in;
    vae_gauss_encode(g, X, w);
    gsl_matrix_view Z = cm_matrix_rows(w->z, B), lg = cm_matrix_rows(w->logits, B);
    vae_lme acc[B];
    for (size_t i = 0; i < B; i++) {
        vae_lme_init(&acc[i]);
        *sum_kl += vae_kl_normal(w->mu->data + i * L, w->logvar->data + i * L, L, 0, NULL, NULL);
    }
    for (size_t k = 0; k < K; k++) {
        for (size_t j = 0; j < B * L; j++) w->eps->data[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
        for (size_t i = 0; i < B; i++)
            vae_reparam_forward(w->mu->data + i * L, w->logvar->data + i * L, w->eps->data + i * L,
                                L, w->sd->data + i * L, w->z->data + i * L);
        vae_gauss_decode(g, &Z.matrix, w, &lg.matrix);
        for (size_t i = 0; i < B; i++) {
            double rec =
                vae_bernoulli_nll(gsl_matrix_const_ptr(X, i, 0), w->logits->data + i * D, D);
            *sum_recon += rec / (double)K;
            vae_lme_add(&acc[i], vae_log_weight(-rec, w->z->data + i * L, w->mu->data + i * L,
                                                w->logvar->data + i * L, L));
        }
        if (prog) progress_update(prog, done0 + (long)k + 1, NAN);
    }
    for (size_t i = 0; i < B; i++) *sum_nll -= vae_lme_value(&acc[i]);
}

/* The categorical VAE: z is a one-hot sample of q(c|x) (Gumbel-max on log q), p(c) = K^-N. */
static void eval_cat_chunk(vae_model *m, const gsl_matrix *X, size_t K, gsl_rng *r,
                           double *sum_recon, double *sum_kl, double *sum_nll, progress *prog,
                           long done0)
{
    vae_cat *c = m->c;
    vae_cat_ws *w = m->cw;
    size_t B = X->size1, N = c->nvars, C = c->ncats, NK = N * C, D = c->in;
    double log_prior = -(double)N * log((double)C);
    vae_cat_encode(c, X, w);
    gsl_matrix_view Y = cm_matrix_rows(w->yin, B), lg = cm_matrix_rows(w->logits, B);
    vae_lme acc[B];
    double log_q[B];
    for (size_t i = 0; i < B; i++) {
        vae_lme_init(&acc[i]);
        for (size_t j = 0; j < NK; j++) {
            double lq = w->logq->data[i * NK + j];
            *sum_kl += exp(lq) * (lq + log((double)C));
        }
    }
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < B; i++) {
            log_q[i] = 0.0;
            for (size_t n = 0; n < N; n++) {
                size_t o = i * NK + n * C, s = vae_gumbel_max(w->logq->data + o, C, r);
                for (size_t j = 0; j < C; j++) w->yin->data[o + j] = j == s ? 1.0 : 0.0;
                log_q[i] += w->logq->data[o + s];
            }
        }
        vae_cat_decode(c, &Y.matrix, w, &lg.matrix);
        for (size_t i = 0; i < B; i++) {
            double rec =
                vae_bernoulli_nll(gsl_matrix_const_ptr(X, i, 0), w->logits->data + i * D, D);
            *sum_recon += rec / (double)K;
            vae_lme_add(&acc[i], -rec + log_prior - log_q[i]);
        }
        if (prog) progress_update(prog, done0 + (long)k + 1, NAN);
    }
    for (size_t i = 0; i < B; i++) *sum_nll -= vae_lme_value(&acc[i]);
}

void vae_evaluate(vae_model *m, const gsl_matrix *X, size_t K, gsl_rng *r, vae_eval_result *res)
{
    vae_evaluate_progress(m, X, K, r, res, NULL, 1);
}

void vae_evaluate_progress(vae_model *m, const gsl_matrix *X, size_t K, gsl_rng *r,
                           vae_eval_result *res, const char *label, int quiet)
{
    double sr = 0.0, sk = 0.0, sn = 0.0;
    size_t n = X->size1, chunks = (n + m->cap - 1) / m->cap;
    progress *prog = label ? progress_start(label, (long)(chunks * K), "sample", quiet) : NULL;
    for (size_t i0 = 0, ch = 0; i0 < n; i0 += m->cap, ch++) {
        size_t B = n - i0 < m->cap ? n - i0 : m->cap;
        gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(X, i0, 0, B, X->size2);
        if (m->kind == VAE_GAUSS)
            eval_gauss_chunk(m, &Xb.matrix, K, r, &sr, &sk, &sn, prog, (long)(ch * K));
        else
            eval_cat_chunk(m, &Xb.matrix, K, r, &sr, &sk, &sn, prog, (long)(ch * K));
    }
    if (prog) progress_finish(prog);
    res->recon = sr / (double)n;
    res->kl = sk / (double)n;
    res->neg_elbo = res->recon + res->kl;
    res->iw_nll = sn / (double)n;
    res->k = K;
}
