/* cat.h: the VAE with categorical latents, trained through the Gumbel-softmax relaxation
 * (article: the reparameterization trick, its discrete part). N latent variables of K
 * categories each; the encoder gives the logits alpha (N groups of K), q(c_n | x) =
 * softmax(alpha_n); the decoder reads the N x K (relaxed or one-hot) sample. As PyTorch:
 *     enc        = nn.Linear(D, H)      h1    = relu(enc(x))
 *     enc_logits = nn.Linear(H, N*K)    alpha = enc_logits(h1)        (N groups of K)
 *     y_n = softmax((alpha_n + g_n) / tau)                             Gumbel-softmax
 *           (hard: one_hot(argmax y_n) - y_n.detach() + y_n)           straight-through
 *     dec        = nn.Linear(N*K, H)    h2    = relu(dec(y))
 *     dec_out    = nn.Linear(H, D)      logits = dec_out(h2)
 * Parameters: enc.weight (H, D), enc.bias (H), enc_logits.weight (N*K, H), enc_logits.bias
 * (N*K), dec.weight (H, N*K), dec.bias (H), dec_out.weight (D, H), dec_out.bias (D).
 *
 * Loss per example, averaged over the batch: recon_i + kl_i with
 *     recon_i = sum_j softplus(l_ij) - x_ij l_ij   (the decoder on the sample y)
 *     kl_i    = sum_n KL(q(c_n|x_i) || Uniform(K)) = sum_n sum_k q_nk (log q_nk + log K)
 * (the KL in closed form, as the Gaussian VAE's). The noise g (B, N*K) is an input. */
#ifndef VAE_CAT_H
#define VAE_CAT_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

typedef struct {
    size_t in, hidden, nvars, ncats; /* D, H, N, K */
    params *p;
    int enc_w, enc_b, lg_w, lg_b, dec_w, dec_b, out_w, out_b;
} vae_cat;

typedef struct {
    size_t cap;
    gsl_matrix *a1, *h1, *a2, *h2, *dh2, *dh1; /* (cap, H) */
    gsl_matrix *alpha, *logq, *g, *ysoft,
        *yin;                     /* (cap, N*K): logits, log q, noise, y, decoder input */
    gsl_matrix *dy, *dalpha;      /* (cap, N*K) */
    gsl_matrix *logits, *dlogits; /* (cap, D) */
    gsl_matrix *recon, *kl;       /* (cap, 1) */
} vae_cat_ws;

vae_cat *vae_cat_alloc(size_t in, size_t hidden, size_t nvars, size_t ncats);
void vae_cat_free(vae_cat *m);
void vae_cat_init(vae_cat *m, gsl_rng *r); /* nn.Linear's default init */
vae_cat_ws *vae_cat_ws_alloc(const vae_cat *m, size_t cap);
void vae_cat_ws_free(vae_cat_ws *w);

/* Encoder only: alpha and log q (first B rows of the workspace). */
void vae_cat_encode(vae_cat *m, const gsl_matrix *X, vae_cat_ws *w);
/* Decoder only: Y (B, N*K) -> logits (B, D). */
void vae_cat_decode(vae_cat *m, const gsl_matrix *Y, vae_cat_ws *w, gsl_matrix *logits);
/* Forward with the Gumbel noise G (B, N*K) given, temperature tau, hard = 1 for the
 * straight-through variant. Returns the mean loss; *recon, *kl (may be NULL) its two terms. */
double vae_cat_forward(vae_cat *m, const gsl_matrix *X, const gsl_matrix *G, double tau, int hard,
                       vae_cat_ws *w, double *recon, double *kl);
/* Backward after vae_cat_forward: accumulates into m->p->grad. With hard = 1 the gradient is
 * the straight-through estimate (the gradient of the relaxed sample), not that of the loss. */
void vae_cat_backward(vae_cat *m, const gsl_matrix *X, double tau, vae_cat_ws *w);
/* Zeroes the gradients, draws the noise from r, forward and backward: returns the loss. */
double vae_cat_step(vae_cat *m, const gsl_matrix *X, double tau, int hard, vae_cat_ws *w,
                    gsl_rng *r, double *recon, double *kl);

#endif
