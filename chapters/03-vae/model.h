/* model.h: the two VAEs of the chapter behind one interface, for the training loop, the
 * evaluation and the checkpoints: the Gaussian VAE (gauss.h) and the categorical VAE through
 * Gumbel-softmax (cat.h), each with its workspace. */
#ifndef VAE_MODEL_H
#define VAE_MODEL_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "cat.h"
#include "checkpoint.h"
#include "gauss.h"
#include "params.h"

typedef enum { VAE_GAUSS, VAE_CAT } vae_kind;

typedef struct {
    vae_kind kind;
    vae_gauss *g; /* VAE_GAUSS */
    vae_gauss_ws *gw;
    vae_cat *c; /* VAE_CAT */
    vae_cat_ws *cw;
    int hard;   /* VAE_CAT: straight-through */
    double tau; /* VAE_CAT: the current temperature */
    params *p;  /* the model's parameter block */
    size_t cap; /* workspace rows */
} vae_model;

/* A model of D inputs and H hidden units: the Gaussian one with `latent` dimensions, or the
 * categorical one with nvars variables of ncats categories. NULL: message set. */
vae_model *vae_model_gauss(size_t D, size_t H, size_t latent, size_t cap);
vae_model *vae_model_cat(size_t D, size_t H, size_t nvars, size_t ncats, int hard, size_t cap);
void vae_model_free(vae_model *m);
void vae_model_init(vae_model *m, gsl_rng *r);

/* One training step's loss and gradient on X (B <= cap rows) with fresh noise from r. */
double vae_model_step(vae_model *m, const gsl_matrix *X, gsl_rng *r, double *recon, double *kl);

/* The hyperparameters that describe the model (model, in_features, hidden, latent or
 * nvars/ncats/hard) into h; and a model built from a checkpoint's (its values loaded). */
int vae_model_hparams(const vae_model *m, hparams *h);
/* Reads dir/hparams.txt and the tensors; CM_OK and *out, or an error with the message set
 * (another model, a tensor of another size: "checkpoint DIR: enc.weight has shape ..."). */
int vae_model_load(const char *dir, size_t cap, vae_model **out);

/* Decodes Z (B, L or N*K) into pixel probabilities P (B, D) = sigmoid(logits). */
void vae_model_decode_probs(vae_model *m, const gsl_matrix *Z, gsl_matrix *P);

#endif
