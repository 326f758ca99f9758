/* gradcases.c: gradient checks of the Gaussian and the Gumbel-softmax VAE (gradcases.h). The
 * noise (eps, or the Gumbel g) is drawn once and held fixed, so that L(w + h), L(w - h) and the
 * analytic pass see the same sample: what is checked is the gradient of the reparameterized
 * loss for that sample. */
#include "gradcases.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "cat.h"
#include "error.h"
#include "gauss.h"
#include "gumbel.h"
#include "init.h"
#include "matrix.h"

enum { GC_B = 4, GC_D = 7, GC_H = 6, GC_L = 3, GC_N = 2, GC_K = 4 };
#define GC_TAU 0.7

const char *vae_gc_case_name(vae_gc_case c)
{
    static const char *n[] = {"gaussian vae (reparameterized, eps fixed)",
                              "gumbel-softmax vae (relaxed, g fixed, tau 0.7)"};
    return c < VAE_GC_COUNT ? n[c] : "?";
}

const char *vae_gc_case_sizes(vae_gc_case c)
{
    return c == VAE_GC_GAUSS ? "B=4, D=7, H=6, L=3" : "B=4, D=7, H=6, N=2, K=4";
}

typedef struct {
    vae_gc_case c;
    vae_gauss *g;
    vae_gauss_ws *gw;
    vae_cat *k;
    vae_cat_ws *kw;
    gsl_matrix *X, *noise;
} gc_ctx;

static double gc_loss(void *p)
{
    gc_ctx *x = p;
    if (x->c == VAE_GC_GAUSS) return vae_gauss_forward(x->g, x->X, x->noise, x->gw, NULL, NULL);
    return vae_cat_forward(x->k, x->X, x->noise, GC_TAU, 0, x->kw, NULL, NULL);
}

int vae_gradcheck_case(vae_gc_case c, unsigned long seed, gc_report *reps, size_t *n)
{
    *n = 0;
    if (c >= VAE_GC_COUNT) return cm_error(CM_EINVAL, "no gradient check case %d", (int)c);
    int ret = -1;
    gc_ctx x = {.c = c};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t width = c == VAE_GC_GAUSS ? GC_L : GC_N * GC_K;
    x.X = cm_matrix_calloc(GC_B, GC_D);
    x.noise = cm_matrix_calloc(GC_B, width);
    if (!r || !x.X || !x.noise) {
        cm_error(CM_ENOMEM, "out of memory");
        goto done;
    }
    gsl_rng_set(r, seed);
    /* binary pixels, as the data, but not all equal */
    for (size_t i = 0; i < GC_B * GC_D; i++) x.X->data[i] = gsl_rng_uniform(r) < 0.45 ? 1.0 : 0.0;
    params *p;
    if (c == VAE_GC_GAUSS) {
        if (!(x.g = vae_gauss_alloc(GC_D, GC_H, GC_L)) || !(x.gw = vae_gauss_ws_alloc(x.g, GC_B)))
            goto done;
        for (size_t i = 0; i < GC_B * width; i++) x.noise->data[i] = gsl_ran_gaussian(r, 1.0);
        p = x.g->p;
    } else {
        if (!(x.k = vae_cat_alloc(GC_D, GC_H, GC_N, GC_K)) || !(x.kw = vae_cat_ws_alloc(x.k, GC_B)))
            goto done;
        for (size_t i = 0; i < GC_B * width; i++) x.noise->data[i] = vae_gumbel_draw(r);
        p = x.k->p;
    }
    init_uniform(r, p->data, p->size, -0.9, 0.9); /* larger than the default init */
    params_zero_grad(p);
    gc_loss(&x);
    if (c == VAE_GC_GAUSS)
        vae_gauss_backward(x.g, x.X, x.gw);
    else
        vae_cat_backward(x.k, x.X, GC_TAU, x.kw);
    gc_options opt = gc_default_options();
    int failed = gc_check_params(p, gc_loss, &x, &opt, reps);
    if (failed < 0) goto done;
    *n = p->n_tensors;
    ret = failed;
done:
    vae_gauss_ws_free(x.gw);
    vae_gauss_free(x.g);
    vae_cat_ws_free(x.kw);
    vae_cat_free(x.k);
    cm_matrix_free(x.X);
    cm_matrix_free(x.noise);
    if (r) gsl_rng_free(r);
    return ret;
}
