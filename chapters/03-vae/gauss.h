/* gauss.h: the Gaussian VAE (articles: the VAE as a transform of a simple latent distribution
 * into the data distribution; the reparameterization trick). As the PyTorch module
 *     enc        = nn.Linear(D, H)    h1     = relu(enc(x))
 *     enc_mu     = nn.Linear(H, L)    mu     = enc_mu(h1)
 *     enc_logvar = nn.Linear(H, L)    logvar = enc_logvar(h1)          log sigma^2
 *     z = mu + exp(logvar / 2) * eps,  eps ~ N(0, I)                    the reparameterized sample
 *     dec        = nn.Linear(L, H)    h2     = relu(dec(z))
 *     dec_out    = nn.Linear(H, D)    logits = dec_out(h2)             Bernoulli logits of x
 * Parameters, one block (params.h), the names and shapes torch uses:
 *     enc.weight (H, D)  enc.bias (H)  enc_mu.weight (L, H)  enc_mu.bias (L)
 *     enc_logvar.weight (L, H)  enc_logvar.bias (L)  dec.weight (H, L)  dec.bias (H)
 *     dec_out.weight (D, H)  dec_out.bias (D)
 *
 * The loss of a batch is the negative ELBO per example, in nats, averaged over the B rows:
 *     loss = (1/B) sum_i [ recon_i + kl_i ]
 *     recon_i = -log p(x_i | z_i) = sum_j softplus(l_ij) - x_ij l_ij     (BCE with logits, summed)
 *     kl_i    = KL(N(mu_i, sigma_i^2) || N(0, I)) = -1/2 sum_k (1 + logvar - mu^2 - e^logvar)
 * The noise eps is an input of the forward pass, so that a gradient check and a parity test
 * can fix it (the training loop draws it from the gsl_rng). */
#ifndef VAE_GAUSS_H
#define VAE_GAUSS_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

typedef struct {
    size_t in, hidden, latent; /* D, H, L */
    params *p;
    int enc_w, enc_b, mu_w, mu_b, lv_w, lv_b, dec_w, dec_b, out_w, out_b; /* tensor indices */
} vae_gauss;

/* The forward pass's intermediate values for up to cap rows (a batch of B <= cap uses the first
 * B rows), and their gradients. */
typedef struct {
    size_t cap;
    gsl_matrix *a1, *h1;            /* (cap, H) encoder pre-activation and relu */
    gsl_matrix *mu, *logvar;        /* (cap, L) */
    gsl_matrix *sd, *eps, *z;       /* (cap, L) sigma = exp(logvar/2), the noise, the sample */
    gsl_matrix *a2, *h2;            /* (cap, H) decoder pre-activation and relu */
    gsl_matrix *logits;             /* (cap, D) */
    gsl_matrix *recon, *kl;         /* (cap, 1) per-example terms */
    gsl_matrix *dlogits;            /* (cap, D) */
    gsl_matrix *dh2, *dh1, *dtmp;   /* (cap, H) */
    gsl_matrix *dz, *dmu, *dlogvar; /* (cap, L) */
} vae_gauss_ws;

vae_gauss *vae_gauss_alloc(size_t in, size_t hidden, size_t latent); /* NULL: message set */
void vae_gauss_free(vae_gauss *m);
/* torch.nn.Linear's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), for every layer. */
void vae_gauss_init(vae_gauss *m, gsl_rng *r);
vae_gauss_ws *vae_gauss_ws_alloc(const vae_gauss *m, size_t cap); /* NULL: message set */
void vae_gauss_ws_free(vae_gauss_ws *w);

/* The KL term of one row and its gradient (exercise vae-1): returns
 * KL(N(mu, diag e^logvar) || N(0, I)) and, if dmu != NULL, accumulates scale * dKL/dmu into dmu
 * and scale * dKL/dlogvar into dlogvar. */
double vae_kl_normal(const double *mu, const double *logvar, size_t L, double scale, double *dmu,
                     double *dlogvar);
/* The reparameterized sample of one row (exercise vae-2): sd = exp(logvar/2), z = mu + sd eps. */
void vae_reparam_forward(const double *mu, const double *logvar, const double *eps, size_t L,
                         double *sd, double *z);
/* Its backward: given dz, accumulates dmu += dz and dlogvar += dz * eps * sd / 2. */
void vae_reparam_backward(const double *eps, const double *sd, const double *dz, size_t L,
                          double *dmu, double *dlogvar);

/* Encoder: X (B, D) -> w->mu, w->logvar (first B rows). */
void vae_gauss_encode(vae_gauss *m, const gsl_matrix *X, vae_gauss_ws *w);
/* Decoder: Z (B, L) -> logits (B, D) (w->a2, w->h2 hold its hidden layer). */
void vae_gauss_decode(vae_gauss *m, const gsl_matrix *Z, vae_gauss_ws *w, gsl_matrix *logits);
/* -log p(x | logits) = sum_j softplus(l_j) - x_j l_j for one row of D pixels. */
double vae_bernoulli_nll(const double *x, const double *logits, size_t D);

/* The whole forward pass with the noise eps (B, L) given: fills the workspace and returns the
 * mean loss; *recon and *kl (may be NULL) receive the means of the two terms. */
double vae_gauss_forward(vae_gauss *m, const gsl_matrix *X, const gsl_matrix *eps, vae_gauss_ws *w,
                         double *recon, double *kl);
/* Backward after vae_gauss_forward on the same X: accumulates d loss / d params into m->p->grad
 * (the caller zeroes it first). */
void vae_gauss_backward(vae_gauss *m, const gsl_matrix *X, vae_gauss_ws *w);

/* Zeroes the gradients, draws eps ~ N(0, I) from r, forward and backward: returns the loss. */
double vae_gauss_step(vae_gauss *m, const gsl_matrix *X, vae_gauss_ws *w, gsl_rng *r, double *recon,
                      double *kl);

#endif
