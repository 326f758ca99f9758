/* gauss.c: the Gaussian VAE, forward and backward side by side (see gauss.h).
 * Every workspace matrix is allocated with its full width, so the first B rows of it are one
 * contiguous block of B * cols doubles: the elementwise loops below run over that block. */
#include "gauss.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>

#include "activations.h"
#include "dense.h"
#include "error.h"
#include "init.h"
#include "matrix.h"
#include "vecmath.h"

vae_gauss *vae_gauss_alloc(size_t in, size_t hidden, size_t latent)
{
    if (in == 0 || hidden == 0 || latent == 0) {
        cm_error(CM_EINVAL, "vae: sizes must be positive, got D=%zu H=%zu L=%zu", in, hidden,
                 latent);
        return NULL;
    }
    vae_gauss *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    *m = (vae_gauss){.in = in, .hidden = hidden, .latent = latent};
    if (!(m->p = params_alloc())) goto fail;
    m->enc_w = params_declare2(m->p, "enc.weight", hidden, in);
    m->enc_b = params_declare1(m->p, "enc.bias", hidden);
    m->mu_w = params_declare2(m->p, "enc_mu.weight", latent, hidden);
    m->mu_b = params_declare1(m->p, "enc_mu.bias", latent);
    m->lv_w = params_declare2(m->p, "enc_logvar.weight", latent, hidden);
    m->lv_b = params_declare1(m->p, "enc_logvar.bias", latent);
    m->dec_w = params_declare2(m->p, "dec.weight", hidden, latent);
    m->dec_b = params_declare1(m->p, "dec.bias", hidden);
    m->out_w = params_declare2(m->p, "dec_out.weight", in, hidden);
    m->out_b = params_declare1(m->p, "dec_out.bias", in);
    if (m->out_b < 0 || m->out_w < 0 || m->dec_b < 0 || m->dec_w < 0 || m->lv_b < 0 ||
        m->lv_w < 0 || m->mu_b < 0 || m->mu_w < 0 || m->enc_b < 0 || m->enc_w < 0)
        goto fail;
    if (params_commit(m->p) != CM_OK) goto fail;
    return m;
fail:
    vae_gauss_free(m);
    return NULL;
}

void vae_gauss_free(vae_gauss *m)
{
    if (!m) return;
    params_free(m->p);
    free(m);
}

/* A layer's weight (out, in) and bias (out) both U(-1/sqrt(in), 1/sqrt(in)), as nn.Linear. */
static void init_layer(params *p, int w, int b, gsl_rng *r)
{
    size_t fan_in = p->tensors[w].shape[1];
    init_torch_default(r, params_ptr(p, w), p->tensors[w].size, fan_in);
    init_torch_default(r, params_ptr(p, b), p->tensors[b].size, fan_in);
}

void vae_gauss_init(vae_gauss *m, gsl_rng *r)
{
    init_layer(m->p, m->enc_w, m->enc_b, r);
    init_layer(m->p, m->mu_w, m->mu_b, r);
    init_layer(m->p, m->lv_w, m->lv_b, r);
    init_layer(m->p, m->dec_w, m->dec_b, r);
    init_layer(m->p, m->out_w, m->out_b, r);
}

vae_gauss_ws *vae_gauss_ws_alloc(const vae_gauss *m, size_t cap)
{
    if (cap == 0) {
        cm_error(CM_EINVAL, "vae: batch capacity must be positive");
        return NULL;
    }
    vae_gauss_ws *w = cm_calloc(1, sizeof *w);
    if (!w) return NULL;
    size_t D = m->in, H = m->hidden, L = m->latent;
    w->cap = cap;
    gsl_matrix **mh[] = {&w->a1, &w->h1, &w->a2, &w->h2, &w->dh2, &w->dh1, &w->dtmp};
    gsl_matrix **ml[] = {&w->mu, &w->logvar, &w->sd, &w->eps, &w->z, &w->dz, &w->dmu, &w->dlogvar};
    for (size_t i = 0; i < sizeof mh / sizeof mh[0]; i++)
        if (!(*mh[i] = cm_matrix_calloc(cap, H))) goto fail;
    for (size_t i = 0; i < sizeof ml / sizeof ml[0]; i++)
        if (!(*ml[i] = cm_matrix_calloc(cap, L))) goto fail;
    if (!(w->logits = cm_matrix_calloc(cap, D)) || !(w->dlogits = cm_matrix_calloc(cap, D)) ||
        !(w->recon = cm_matrix_calloc(cap, 1)) || !(w->kl = cm_matrix_calloc(cap, 1)))
        goto fail;
    return w;
fail:
    vae_gauss_ws_free(w);
    cm_error(CM_ENOMEM, "vae: out of memory for a batch of %zu", cap);
    return NULL;
}

void vae_gauss_ws_free(vae_gauss_ws *w)
{
    if (!w) return;
    gsl_matrix *ms[] = {w->a1,  w->h1,   w->mu,     w->logvar, w->sd,     w->eps,     w->z,
                        w->a2,  w->h2,   w->logits, w->recon,  w->kl,     w->dlogits, w->dh2,
                        w->dh1, w->dtmp, w->dz,     w->dmu,    w->dlogvar};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) cm_matrix_free(ms[i]);
    free(w);
}

/* ---- the two pieces of the ELBO that the articles derive ---------------------------------- */

/* KL(q || p) of q = N(mu, diag sigma^2), p = N(0, I), in closed form (the article's
 *     KL = 1/2 sum_k (mu_k^2 + sigma_k^2 - log sigma_k^2 - 1) ),
 * and its gradient  dKL/dmu_k = mu_k,  dKL/dlogvar_k = (sigma_k^2 - 1) / 2. */
double vae_kl_normal(const double *mu, const double *logvar, size_t L, double scale, double *dmu,
                     double *dlogvar)
{
    /* BEGIN EXERCISE vae-1: the KL term and its gradient */
    double kl = 0.0;
    for (size_t k = 0; k < L; k++) {
        double var = exp(logvar[k]);
        kl += 0.5 * (mu[k] * mu[k] + var - logvar[k] - 1.0);
        if (dmu) {
            dmu[k] += scale * mu[k];
            dlogvar[k] += scale * 0.5 * (var - 1.0);
        }
    }
    return kl;
    /* END EXERCISE */
}

/* The reparameterization trick: z ~ N(mu, sigma^2) written as z = mu + sigma * eps with
 * eps ~ N(0, 1), so that z is a differentiable function of (mu, logvar) for a fixed eps. */
void vae_reparam_forward(const double *mu, const double *logvar, const double *eps, size_t L,
                         double *sd, double *z)
{
    /* BEGIN EXERCISE vae-2: the reparameterized sample (forward) */
    for (size_t k = 0; k < L; k++) {
        sd[k] = exp(0.5 * logvar[k]);
        z[k] = mu[k] + sd[k] * eps[k];
    }
    /* END EXERCISE */
}

/* In the forward pass this was z = mu + exp(logvar/2) eps, so
 *     dz/dmu = 1,   dz/dlogvar = eps exp(logvar/2) / 2 = eps sd / 2. */
void vae_reparam_backward(const double *eps, const double *sd, const double *dz, size_t L,
                          double *dmu, double *dlogvar)
{
    /* BEGIN EXERCISE vae-3: the reparameterized sample (backward) */
    for (size_t k = 0; k < L; k++) {
        dmu[k] += dz[k];
        dlogvar[k] += dz[k] * eps[k] * sd[k] * 0.5;
    }
    /* END EXERCISE */
}

/* -log Bernoulli(x | sigmoid(l)) = softplus(l) - x l, summed over the pixels: torch's
 * binary_cross_entropy_with_logits(l, x, reduction='sum'). */
double vae_bernoulli_nll(const double *x, const double *logits, size_t D)
{
    /* the softplus terms a chunk at a time through libmvec (common/vecmath.h: 12% of the
     * training time with the scalar exp and log1p), then summed in order as before */
    enum { CHUNK = 64 };
    double s = 0.0, sp[CHUNK];
    for (size_t j0 = 0; j0 < D; j0 += CHUNK) {
        size_t n = D - j0 < CHUNK ? D - j0 : CHUNK;
        vm_softplus(logits + j0, sp, n);
        for (size_t j = 0; j < n; j++) s += sp[j] - x[j0 + j] * logits[j0 + j];
    }
    return s;
}

/* ---- forward and backward ----------------------------------------------------------------- */

/* a1 = X W1^T + b1 (B,H);  h1 = relu(a1);  mu = h1 Wmu^T + bmu (B,L);  logvar = h1 Wlv^T + blv */
void vae_gauss_encode(vae_gauss *m, const gsl_matrix *X, vae_gauss_ws *w)
{
    size_t B = X->size1, H = m->hidden;
    gsl_matrix_view W1 = params_matrix(m->p, m->enc_w), Wmu = params_matrix(m->p, m->mu_w),
                    Wlv = params_matrix(m->p, m->lv_w);
    gsl_vector_view b1 = params_vector(m->p, m->enc_b), bmu = params_vector(m->p, m->mu_b),
                    blv = params_vector(m->p, m->lv_b);
    gsl_matrix_view a1 = cm_matrix_rows(w->a1, B), h1 = cm_matrix_rows(w->h1, B),
                    mu = cm_matrix_rows(w->mu, B), lv = cm_matrix_rows(w->logvar, B);
    dense_forward(X, &W1.matrix, &b1.vector, &a1.matrix);
    act_relu_array(a1.matrix.data, h1.matrix.data, B * H);
    dense_forward(&h1.matrix, &Wmu.matrix, &bmu.vector, &mu.matrix);
    dense_forward(&h1.matrix, &Wlv.matrix, &blv.vector, &lv.matrix);
}

/* a2 = Z Wd^T + bd (B,H);  h2 = relu(a2);  logits = h2 Wo^T + bo (B,D) */
void vae_gauss_decode(vae_gauss *m, const gsl_matrix *Z, vae_gauss_ws *w, gsl_matrix *logits)
{
    size_t B = Z->size1;
    gsl_matrix_view Wd = params_matrix(m->p, m->dec_w), Wo = params_matrix(m->p, m->out_w);
    gsl_vector_view bd = params_vector(m->p, m->dec_b), bo = params_vector(m->p, m->out_b);
    gsl_matrix_view a2 = cm_matrix_rows(w->a2, B), h2 = cm_matrix_rows(w->h2, B);
    dense_forward(Z, &Wd.matrix, &bd.vector, &a2.matrix);
    act_relu_array(a2.matrix.data, h2.matrix.data, B * m->hidden);
    dense_forward(&h2.matrix, &Wo.matrix, &bo.vector, logits);
}

double vae_gauss_forward(vae_gauss *m, const gsl_matrix *X, const gsl_matrix *eps, vae_gauss_ws *w,
                         double *recon, double *kl)
{
    size_t B = X->size1, D = m->in, L = m->latent;
    vae_gauss_encode(m, X, w);
    gsl_matrix_view E = cm_matrix_rows(w->eps, B), Z = cm_matrix_rows(w->z, B);
    gsl_matrix_view lg = cm_matrix_rows(w->logits, B);
    if (eps->data != w->eps->data) gsl_matrix_memcpy(&E.matrix, eps);
    for (size_t i = 0; i < B; i++)
        vae_reparam_forward(gsl_matrix_ptr(w->mu, i, 0), gsl_matrix_ptr(w->logvar, i, 0),
                            gsl_matrix_ptr(w->eps, i, 0), L, gsl_matrix_ptr(w->sd, i, 0),
                            gsl_matrix_ptr(w->z, i, 0));
    vae_gauss_decode(m, &Z.matrix, w, &lg.matrix);
    double sr = 0.0, sk = 0.0;
    for (size_t i = 0; i < B; i++) {
        double r =
            vae_bernoulli_nll(gsl_matrix_const_ptr(X, i, 0), gsl_matrix_ptr(w->logits, i, 0), D);
        double k = vae_kl_normal(gsl_matrix_ptr(w->mu, i, 0), gsl_matrix_ptr(w->logvar, i, 0), L,
                                 0.0, NULL, NULL);
        gsl_matrix_set(w->recon, i, 0, r);
        gsl_matrix_set(w->kl, i, 0, k);
        sr += r;
        sk += k;
    }
    if (recon) *recon = sr / (double)B;
    if (kl) *kl = sk / (double)B;
    return (sr + sk) / (double)B;
}

/* The forward's lines in reverse, with loss = (1/B) sum_i (recon_i + kl_i):
 *   recon = softplus(l) - x l       =>  dl = (sigmoid(l) - x) / B                      (B,D)
 *   logits = h2 Wo^T + bo           =>  dWo += dl^T h2, dbo += 1^T dl, dh2 = dl Wo      (B,H)
 *   h2 = relu(a2)                   =>  da2 = dh2 [a2 > 0]           (in place in dh2)
 *   a2 = z Wd^T + bd                =>  dWd += da2^T z, dbd += 1^T da2, dz = da2 Wd     (B,L)
 *   z = mu + sd eps                 =>  dmu = dz, dlogvar = dz eps sd / 2
 *   kl(mu, logvar)                  =>  dmu += mu / B, dlogvar += (e^logvar - 1) / 2B
 *   mu, logvar = h1 W^T + b         =>  dW += d^T h1, db += 1^T d, dh1 = dmu Wmu + dlogvar Wlv
 *   h1 = relu(a1)                   =>  da1 = dh1 [a1 > 0]
 *   a1 = X W1^T + b1                =>  dW1 += da1^T X, db1 += 1^T da1 */
void vae_gauss_backward(vae_gauss *m, const gsl_matrix *X, vae_gauss_ws *w)
{
    size_t B = X->size1, D = m->in, H = m->hidden, L = m->latent;
    params *p = m->p;
    double invB = 1.0 / (double)B;
    gsl_matrix_view dl = cm_matrix_rows(w->dlogits, B), dh2 = cm_matrix_rows(w->dh2, B),
                    dh1 = cm_matrix_rows(w->dh1, B), dtmp = cm_matrix_rows(w->dtmp, B),
                    dz = cm_matrix_rows(w->dz, B), dmu = cm_matrix_rows(w->dmu, B),
                    dlv = cm_matrix_rows(w->dlogvar, B), h1 = cm_matrix_rows(w->h1, B),
                    h2 = cm_matrix_rows(w->h2, B), z = cm_matrix_rows(w->z, B);
    gsl_matrix_view W1 = params_matrix(p, m->enc_w), Wmu = params_matrix(p, m->mu_w),
                    Wlv = params_matrix(p, m->lv_w), Wd = params_matrix(p, m->dec_w),
                    Wo = params_matrix(p, m->out_w);
    gsl_matrix_view dW1 = params_grad_matrix(p, m->enc_w), dWmu = params_grad_matrix(p, m->mu_w),
                    dWlv = params_grad_matrix(p, m->lv_w), dWd = params_grad_matrix(p, m->dec_w),
                    dWo = params_grad_matrix(p, m->out_w);
    gsl_vector_view db1 = params_grad_vector(p, m->enc_b), dbmu = params_grad_vector(p, m->mu_b),
                    dblv = params_grad_vector(p, m->lv_b), dbd = params_grad_vector(p, m->dec_b),
                    dbo = params_grad_vector(p, m->out_b);

    /* The element-wise loops below are written without branches and marked omp simd so that
     * they run several values at a time: the ReLU masks, as an if per element, mispredicted a
     * jump every other value (half the pre-activations are negative) and took a third of the
     * time outside the matrix products; the sigmoids are libmvec's (common/vecmath.h). */
    const double *x = X->data;
    double *dlg = dl.matrix.data;
    vm_sigmoid(w->logits->data, dlg, B * D);
    for (size_t i = 0; i < B; i++) {
        const double *xi = x + i * X->tda;
        double *di = dlg + i * D;
#pragma omp simd
        for (size_t j = 0; j < D; j++) di[j] = (di[j] - xi[j]) * invB;
    }
    dense_backward(&h2.matrix, &Wo.matrix, &dl.matrix, &dh2.matrix, &dWo.matrix, &dbo.vector);
    const double *a2 = w->a2->data, *a1 = w->a1->data, *dt = dtmp.matrix.data;
    double *d2 = dh2.matrix.data, *d1 = dh1.matrix.data;
#pragma omp simd
    for (size_t k = 0; k < B * H; k++) d2[k] = a2[k] > 0.0 ? d2[k] : 0.0;
    dense_backward(&z.matrix, &Wd.matrix, &dh2.matrix, &dz.matrix, &dWd.matrix, &dbd.vector);
    gsl_matrix_set_zero(&dmu.matrix);
    gsl_matrix_set_zero(&dlv.matrix);
    for (size_t i = 0; i < B; i++) {
        vae_reparam_backward(gsl_matrix_ptr(w->eps, i, 0), gsl_matrix_ptr(w->sd, i, 0),
                             gsl_matrix_ptr(w->dz, i, 0), L, gsl_matrix_ptr(w->dmu, i, 0),
                             gsl_matrix_ptr(w->dlogvar, i, 0));
        vae_kl_normal(gsl_matrix_ptr(w->mu, i, 0), gsl_matrix_ptr(w->logvar, i, 0), L, invB,
                      gsl_matrix_ptr(w->dmu, i, 0), gsl_matrix_ptr(w->dlogvar, i, 0));
    }
    dense_backward(&h1.matrix, &Wmu.matrix, &dmu.matrix, &dh1.matrix, &dWmu.matrix, &dbmu.vector);
    dense_backward(&h1.matrix, &Wlv.matrix, &dlv.matrix, &dtmp.matrix, &dWlv.matrix, &dblv.vector);
#pragma omp simd
    for (size_t k = 0; k < B * H; k++) d1[k] += dt[k];
#pragma omp simd
    for (size_t k = 0; k < B * H; k++) d1[k] = a1[k] > 0.0 ? d1[k] : 0.0;
    dense_backward(X, &W1.matrix, &dh1.matrix, NULL, &dW1.matrix, &db1.vector);
}

double vae_gauss_step(vae_gauss *m, const gsl_matrix *X, vae_gauss_ws *w, gsl_rng *r, double *recon,
                      double *kl)
{
    size_t B = X->size1;
    gsl_matrix_view E = cm_matrix_rows(w->eps, B);
    for (size_t k = 0; k < B * m->latent; k++) E.matrix.data[k] = gsl_ran_gaussian_ziggurat(r, 1.0);
    params_zero_grad(m->p);
    double loss = vae_gauss_forward(m, X, &E.matrix, w, recon, kl);
    vae_gauss_backward(m, X, w);
    return loss;
}
