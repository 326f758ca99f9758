/* cat.c: the categorical VAE through Gumbel-softmax, forward and backward (see cat.h). As in
 * gauss.c, the first B rows of every workspace matrix are one contiguous block. */
#include "cat.h"

#include <math.h>
#include <stdlib.h>

#include "activations.h"
#include "dense.h"
#include "error.h"
#include "gauss.h"
#include "gumbel.h"
#include "init.h"
#include "matrix.h"
#include "softmax.h"

vae_cat *vae_cat_alloc(size_t in, size_t hidden, size_t nvars, size_t ncats)
{
    if (in == 0 || hidden == 0 || nvars == 0 || ncats < 2) {
        cm_error(CM_EINVAL, "vae: sizes must be positive (and K >= 2), got D=%zu H=%zu N=%zu K=%zu",
                 in, hidden, nvars, ncats);
        return NULL;
    }
    vae_cat *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    *m = (vae_cat){.in = in, .hidden = hidden, .nvars = nvars, .ncats = ncats};
    size_t NK = nvars * ncats;
    if (!(m->p = params_alloc())) goto fail;
    m->enc_w = params_declare2(m->p, "enc.weight", hidden, in);
    m->enc_b = params_declare1(m->p, "enc.bias", hidden);
    m->lg_w = params_declare2(m->p, "enc_logits.weight", NK, hidden);
    m->lg_b = params_declare1(m->p, "enc_logits.bias", NK);
    m->dec_w = params_declare2(m->p, "dec.weight", hidden, NK);
    m->dec_b = params_declare1(m->p, "dec.bias", hidden);
    m->out_w = params_declare2(m->p, "dec_out.weight", in, hidden);
    m->out_b = params_declare1(m->p, "dec_out.bias", in);
    if (m->enc_w < 0 || m->enc_b < 0 || m->lg_w < 0 || m->lg_b < 0 || m->dec_w < 0 ||
        m->dec_b < 0 || m->out_w < 0 || m->out_b < 0)
        goto fail;
    if (params_commit(m->p) != CM_OK) goto fail;
    return m;
fail:
    vae_cat_free(m);
    return NULL;
}

void vae_cat_free(vae_cat *m)
{
    if (!m) return;
    params_free(m->p);
    free(m);
}

void vae_cat_init(vae_cat *m, gsl_rng *r)
{
    int layers[4][2] = {
        {m->enc_w, m->enc_b}, {m->lg_w, m->lg_b}, {m->dec_w, m->dec_b}, {m->out_w, m->out_b}};
    for (int l = 0; l < 4; l++) {
        size_t fan_in = m->p->tensors[layers[l][0]].shape[1];
        init_torch_default(r, params_ptr(m->p, layers[l][0]), m->p->tensors[layers[l][0]].size,
                           fan_in);
        init_torch_default(r, params_ptr(m->p, layers[l][1]), m->p->tensors[layers[l][1]].size,
                           fan_in);
    }
}

vae_cat_ws *vae_cat_ws_alloc(const vae_cat *m, size_t cap)
{
    if (cap == 0) {
        cm_error(CM_EINVAL, "vae: batch capacity must be positive");
        return NULL;
    }
    vae_cat_ws *w = cm_calloc(1, sizeof *w);
    if (!w) return NULL;
    size_t H = m->hidden, NK = m->nvars * m->ncats, D = m->in;
    w->cap = cap;
    gsl_matrix **mh[] = {&w->a1, &w->h1, &w->a2, &w->h2, &w->dh2, &w->dh1};
    gsl_matrix **mk[] = {&w->alpha, &w->logq, &w->g, &w->ysoft, &w->yin, &w->dy, &w->dalpha};
    for (size_t i = 0; i < sizeof mh / sizeof mh[0]; i++)
        if (!(*mh[i] = cm_matrix_calloc(cap, H))) goto fail;
    for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++)
        if (!(*mk[i] = cm_matrix_calloc(cap, NK))) goto fail;
    if (!(w->logits = cm_matrix_calloc(cap, D)) || !(w->dlogits = cm_matrix_calloc(cap, D)) ||
        !(w->recon = cm_matrix_calloc(cap, 1)) || !(w->kl = cm_matrix_calloc(cap, 1)))
        goto fail;
    return w;
fail:
    vae_cat_ws_free(w);
    cm_error(CM_ENOMEM, "vae: out of memory for a batch of %zu", cap);
    return NULL;
}

void vae_cat_ws_free(vae_cat_ws *w)
{
    if (!w) return;
    gsl_matrix *ms[] = {w->a1,     w->h1,     w->a2,      w->h2,    w->dh2, w->dh1,
                        w->alpha,  w->logq,   w->g,       w->ysoft, w->yin, w->dy,
                        w->dalpha, w->logits, w->dlogits, w->recon, w->kl};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) cm_matrix_free(ms[i]);
    free(w);
}

/* a1 = X W1^T + b1;  h1 = relu(a1);  alpha = h1 Wa^T + ba;  log q = log_softmax per group */
void vae_cat_encode(vae_cat *m, const gsl_matrix *X, vae_cat_ws *w)
{
    size_t B = X->size1, K = m->ncats;
    gsl_matrix_view W1 = params_matrix(m->p, m->enc_w), Wa = params_matrix(m->p, m->lg_w);
    gsl_vector_view b1 = params_vector(m->p, m->enc_b), ba = params_vector(m->p, m->lg_b);
    gsl_matrix_view a1 = cm_matrix_rows(w->a1, B), h1 = cm_matrix_rows(w->h1, B),
                    al = cm_matrix_rows(w->alpha, B);
    dense_forward(X, &W1.matrix, &b1.vector, &a1.matrix);
    act_relu_array(a1.matrix.data, h1.matrix.data, B * m->hidden);
    dense_forward(&h1.matrix, &Wa.matrix, &ba.vector, &al.matrix);
    for (size_t g = 0; g < B * m->nvars; g++)
        sm_log_softmax(w->alpha->data + g * K, w->logq->data + g * K, K);
}

void vae_cat_decode(vae_cat *m, const gsl_matrix *Y, vae_cat_ws *w, gsl_matrix *logits)
{
    size_t B = Y->size1;
    gsl_matrix_view Wd = params_matrix(m->p, m->dec_w), Wo = params_matrix(m->p, m->out_w);
    gsl_vector_view bd = params_vector(m->p, m->dec_b), bo = params_vector(m->p, m->out_b);
    gsl_matrix_view a2 = cm_matrix_rows(w->a2, B), h2 = cm_matrix_rows(w->h2, B);
    dense_forward(Y, &Wd.matrix, &bd.vector, &a2.matrix);
    act_relu_array(a2.matrix.data, h2.matrix.data, B * m->hidden);
    dense_forward(&h2.matrix, &Wo.matrix, &bo.vector, logits);
}

double vae_cat_forward(vae_cat *m, const gsl_matrix *X, const gsl_matrix *G, double tau, int hard,
                       vae_cat_ws *w, double *recon, double *kl)
{
    size_t B = X->size1, N = m->nvars, K = m->ncats, NK = N * K, D = m->in;
    double logK = log((double)K);
    vae_cat_encode(m, X, w);
    gsl_matrix_view Gw = cm_matrix_rows(w->g, B), Y = cm_matrix_rows(w->yin, B),
                    lg = cm_matrix_rows(w->logits, B);
    if (G->data != w->g->data) gsl_matrix_memcpy(&Gw.matrix, G);
    double sr = 0.0, sk = 0.0;
    for (size_t i = 0; i < B; i++) {
        double kli = 0.0;
        for (size_t n = 0; n < N; n++) {
            size_t o = i * NK + n * K;
            vae_gumbel_softmax_forward(w->alpha->data + o, w->g->data + o, K, tau,
                                       w->ysoft->data + o);
            if (hard)
                vae_one_hot_argmax(w->ysoft->data + o, K, w->yin->data + o);
            else
                for (size_t k = 0; k < K; k++) w->yin->data[o + k] = w->ysoft->data[o + k];
            for (size_t k = 0; k < K; k++) { /* KL(q || uniform) = sum q (log q + log K) */
                double lq = w->logq->data[o + k];
                kli += exp(lq) * (lq + logK);
            }
        }
        gsl_matrix_set(w->kl, i, 0, kli);
        sk += kli;
    }
    vae_cat_decode(m, &Y.matrix, w, &lg.matrix);
    for (size_t i = 0; i < B; i++) {
        double r = vae_bernoulli_nll(gsl_matrix_const_ptr(X, i, 0), w->logits->data + i * D, D);
        gsl_matrix_set(w->recon, i, 0, r);
        sr += r;
    }
    if (recon) *recon = sr / (double)B;
    if (kl) *kl = sk / (double)B;
    return (sr + sk) / (double)B;
}

/* Reverse of the forward:
 *   logits, h2, a2 as in the Gaussian VAE    =>  dl, dWo, dbo, dh2, da2, dWd, dbd,
 *   a2 = yin Wd^T + bd                       =>  dy = da2 Wd                        (B,N*K)
 *   yin = y (relaxed) or one_hot(y) (ST)     =>  dy passes through unchanged to y
 *   y = softmax((alpha + g) / tau)           =>  dalpha = y (dy - <y, dy>) / tau
 *   kl = sum q (log q + log K), q = softmax(alpha)
 *                                            =>  dalpha_j += q_j (log q_j + log K - kl_n) / B
 *   alpha = h1 Wa^T + ba, h1 = relu(a1), a1 = X W1^T + b1  =>  as in the Gaussian VAE */
void vae_cat_backward(vae_cat *m, const gsl_matrix *X, double tau, vae_cat_ws *w)
{
    size_t B = X->size1, N = m->nvars, K = m->ncats, NK = N * K, D = m->in, H = m->hidden;
    double invB = 1.0 / (double)B, logK = log((double)K);
    params *p = m->p;
    gsl_matrix_view dl = cm_matrix_rows(w->dlogits, B), dh2 = cm_matrix_rows(w->dh2, B),
                    dh1 = cm_matrix_rows(w->dh1, B), dy = cm_matrix_rows(w->dy, B),
                    da = cm_matrix_rows(w->dalpha, B), h1 = cm_matrix_rows(w->h1, B),
                    h2 = cm_matrix_rows(w->h2, B), yin = cm_matrix_rows(w->yin, B);
    gsl_matrix_view W1 = params_matrix(p, m->enc_w), Wa = params_matrix(p, m->lg_w),
                    Wd = params_matrix(p, m->dec_w), Wo = params_matrix(p, m->out_w);
    gsl_matrix_view dW1 = params_grad_matrix(p, m->enc_w), dWa = params_grad_matrix(p, m->lg_w),
                    dWd = params_grad_matrix(p, m->dec_w), dWo = params_grad_matrix(p, m->out_w);
    gsl_vector_view db1 = params_grad_vector(p, m->enc_b), dba = params_grad_vector(p, m->lg_b),
                    dbd = params_grad_vector(p, m->dec_b), dbo = params_grad_vector(p, m->out_b);

    for (size_t i = 0; i < B; i++)
        for (size_t j = 0; j < D; j++)
            dl.matrix.data[i * D + j] =
                (act_sigmoid(w->logits->data[i * D + j]) - X->data[i * X->tda + j]) * invB;
    dense_backward(&h2.matrix, &Wo.matrix, &dl.matrix, &dh2.matrix, &dWo.matrix, &dbo.vector);
    for (size_t k = 0; k < B * H; k++)
        if (w->a2->data[k] <= 0.0) dh2.matrix.data[k] = 0.0;
    dense_backward(&yin.matrix, &Wd.matrix, &dh2.matrix, &dy.matrix, &dWd.matrix, &dbd.vector);
    gsl_matrix_set_zero(&da.matrix);
    for (size_t i = 0; i < B; i++)
        for (size_t n = 0; n < N; n++) {
            size_t o = i * NK + n * K;
            vae_gumbel_softmax_backward(w->ysoft->data + o, w->dy->data + o, K, tau,
                                        w->dalpha->data + o);
            const double *lq = w->logq->data + o;
            double kln = 0.0;
            for (size_t k = 0; k < K; k++) kln += exp(lq[k]) * (lq[k] + logK);
            for (size_t k = 0; k < K; k++)
                w->dalpha->data[o + k] += invB * exp(lq[k]) * (lq[k] + logK - kln);
        }
    dense_backward(&h1.matrix, &Wa.matrix, &da.matrix, &dh1.matrix, &dWa.matrix, &dba.vector);
    for (size_t k = 0; k < B * H; k++)
        if (w->a1->data[k] <= 0.0) dh1.matrix.data[k] = 0.0;
    dense_backward(X, &W1.matrix, &dh1.matrix, NULL, &dW1.matrix, &db1.vector);
}

double vae_cat_step(vae_cat *m, const gsl_matrix *X, double tau, int hard, vae_cat_ws *w,
                    gsl_rng *r, double *recon, double *kl)
{
    size_t B = X->size1;
    gsl_matrix_view G = cm_matrix_rows(w->g, B);
    for (size_t k = 0; k < B * m->nvars * m->ncats; k++) G.matrix.data[k] = vae_gumbel_draw(r);
    params_zero_grad(m->p);
    double loss = vae_cat_forward(m, X, &G.matrix, tau, hard, w, recon, kl);
    vae_cat_backward(m, X, tau, w);
    return loss;
}
