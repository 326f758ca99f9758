/* model.c: the two VAEs behind one interface (see model.h). */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "error.h"
#include "matrix.h"

vae_model *vae_model_gauss(size_t D, size_t H, size_t latent, size_t cap)
{
    vae_model *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    *m = (vae_model){.kind = VAE_GAUSS, .cap = cap, .tau = 1.0};
    if (!(m->g = vae_gauss_alloc(D, H, latent)) || !(m->gw = vae_gauss_ws_alloc(m->g, cap))) {
        vae_model_free(m);
        return NULL;
    }
    m->p = m->g->p;
    return m;
}

vae_model *vae_model_cat(size_t D, size_t H, size_t nvars, size_t ncats, int hard, size_t cap)
{
    vae_model *m = cm_calloc(1, sizeof *m);
    if (!m) return NULL;
    *m = (vae_model){.kind = VAE_CAT, .cap = cap, .hard = hard, .tau = 1.0};
    if (!(m->c = vae_cat_alloc(D, H, nvars, ncats)) || !(m->cw = vae_cat_ws_alloc(m->c, cap))) {
        vae_model_free(m);
        return NULL;
    }
    m->p = m->c->p;
    return m;
}

void vae_model_free(vae_model *m)
{
    if (!m) return;
    vae_gauss_ws_free(m->gw);
    vae_gauss_free(m->g);
    vae_cat_ws_free(m->cw);
    vae_cat_free(m->c);
    free(m);
}

void vae_model_init(vae_model *m, gsl_rng *r)
{
    if (m->kind == VAE_GAUSS)
        vae_gauss_init(m->g, r);
    else
        vae_cat_init(m->c, r);
}

double vae_model_step(vae_model *m, const gsl_matrix *X, gsl_rng *r, double *recon, double *kl)
{
    if (m->kind == VAE_GAUSS) return vae_gauss_step(m->g, X, m->gw, r, recon, kl);
    return vae_cat_step(m->c, X, m->tau, m->hard, m->cw, r, recon, kl);
}

int vae_model_hparams(const vae_model *m, hparams *h)
{
    int st;
    if (m->kind == VAE_GAUSS) {
        if ((st = hparams_set_str(h, "model", "gauss")) ||
            (st = hparams_set_long(h, "in_features", (long)m->g->in)) ||
            (st = hparams_set_long(h, "hidden", (long)m->g->hidden)) ||
            (st = hparams_set_long(h, "latent", (long)m->g->latent)))
            return st;
        return CM_OK;
    }
    if ((st = hparams_set_str(h, "model", "cat")) ||
        (st = hparams_set_long(h, "in_features", (long)m->c->in)) ||
        (st = hparams_set_long(h, "hidden", (long)m->c->hidden)) ||
        (st = hparams_set_long(h, "nvars", (long)m->c->nvars)) ||
        (st = hparams_set_long(h, "ncats", (long)m->c->ncats)) ||
        (st = hparams_set_long(h, "hard", m->hard)) || (st = hparams_set_double(h, "tau", m->tau)))
        return st;
    return CM_OK;
}

/* A size from hparams, within [lo, hi], or CM_EFORMAT naming the checkpoint and the key. */
static int hp_size(const hparams *h, const char *dir, const char *key, long lo, long hi,
                   size_t *out)
{
    long v;
    if (hparams_get_long(h, key, &v) != CM_OK)
        return cm_error(CM_EFORMAT, "checkpoint %s: hparams.txt has no integer '%s'", dir, key);
    if (v < lo || v > hi)
        return cm_error(CM_EFORMAT, "checkpoint %s: %s = %ld, expected %ld..%ld", dir, key, v, lo,
                        hi);
    *out = (size_t)v;
    return CM_OK;
}

int vae_model_load(const char *dir, size_t cap, vae_model **out)
{
    hparams h;
    hparams_init(&h);
    vae_model *m = NULL;
    const char *kind;
    size_t D, H, a, b, hard = 0;
    int st = ckpt_load_hparams(dir, &h);
    if (st != CM_OK) goto done;
    if (hparams_get_str(&h, "model", &kind) != CM_OK) {
        st = cm_error(CM_EFORMAT, "checkpoint %s: hparams.txt has no 'model'", dir);
        goto done;
    }
    if ((st = hp_size(&h, dir, "in_features", 1, 1000000, &D)) ||
        (st = hp_size(&h, dir, "hidden", 1, 100000, &H)))
        goto done;
    if (strcmp(kind, "gauss") == 0) {
        if ((st = hp_size(&h, dir, "latent", 1, 10000, &a))) goto done;
        m = vae_model_gauss(D, H, a, cap);
    } else if (strcmp(kind, "cat") == 0) {
        double tau;
        if ((st = hp_size(&h, dir, "nvars", 1, 10000, &a)) ||
            (st = hp_size(&h, dir, "ncats", 2, 10000, &b)) ||
            (st = hp_size(&h, dir, "hard", 0, 1, &hard)))
            goto done;
        if (hparams_get_double(&h, "tau", &tau) != CM_OK || !(tau > 0)) {
            st = cm_error(CM_EFORMAT, "checkpoint %s: hparams.txt needs a positive 'tau'", dir);
            goto done;
        }
        if ((m = vae_model_cat(D, H, a, b, (int)hard, cap))) m->tau = tau;
    } else {
        st = cm_error(CM_EFORMAT, "checkpoint %s: model is '%s', expected 'gauss' or 'cat'", dir,
                      kind);
        goto done;
    }
    if (!m) {
        st = CM_ENOMEM;
        goto done;
    }
    if ((st = ckpt_load_params(dir, m->p)) != CM_OK) goto done;
    *out = m;
    m = NULL;
done:
    vae_model_free(m);
    hparams_free(&h);
    return st;
}

void vae_model_decode_probs(vae_model *m, const gsl_matrix *Z, gsl_matrix *P)
{
    if (m->kind == VAE_GAUSS)
        vae_gauss_decode(m->g, Z, m->gw, P);
    else
        vae_cat_decode(m->c, Z, m->cw, P);
    act_sigmoid_array(P->data, P->data, P->size1 * P->size2); /* P is a whole matrix */
}
