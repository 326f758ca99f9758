/* figures.c: the pictures of a trained VAE and its learning curves (see demo.h). */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "error.h"
#include "gumbel.h"
#include "matrix.h"

#define RECON_N   10 /* test images shown with their reconstructions */
#define SAMPLES_N 64 /* samples from the prior, 8 x 8 */
#define GRID_N    15 /* the manifold: 15 x 15 decoded points */

static void image_grid(const cli_common *c, const char *prefix, const char *name, const char *title,
                       const gsl_matrix *imgs, size_t ncols)
{
    char fname[256];
    snprintf(fname, sizeof fname, "%s_%s", prefix, name);
    plot_ctx ctx = {.dir = c->out, .mode = c->plot};
    cm_die_status(plot_image_grid(&ctx, fname, title, imgs, 8, 8, ncols, 0.0, 1.0, NULL));
}

/* The code of each row of X that the pictures use: the Gaussian VAE's mean mu(x); the
 * categorical VAE's most probable category of each variable (one-hot). */
static void encode_mode(vae_model *m, const gsl_matrix *X, gsl_matrix *Z)
{
    size_t B = X->size1;
    if (m->kind == VAE_GAUSS) {
        vae_gauss_encode(m->g, X, m->gw);
        gsl_matrix_view mu = cm_matrix_rows(m->gw->mu, B);
        gsl_matrix_memcpy(Z, &mu.matrix);
        return;
    }
    vae_cat_encode(m->c, X, m->cw);
    size_t K = m->c->ncats;
    for (size_t g = 0; g < B * m->c->nvars; g++)
        vae_one_hot_argmax(m->cw->alpha->data + g * K, K, Z->data + g * K);
}

static size_t code_width(const vae_model *m)
{
    return m->kind == VAE_GAUSS ? m->g->latent : m->c->nvars * m->c->ncats;
}

void vae_pictures(const cli_common *c, vae_model *m, const vae_data *d, const char *prefix,
                  gsl_rng *r)
{
    size_t Lz = code_width(m), D = VAE_PIXELS;
    char title[200];
    /* reconstructions: the first RECON_N test images, then their decoded codes */
    gsl_matrix *imgs = cm_matrix_calloc(2 * RECON_N, D), *Z = cm_matrix_calloc(m->cap, Lz);
    gsl_matrix *P = cm_matrix_calloc(m->cap, D);
    if (!imgs || !Z || !P) cm_die_status(CM_ENOMEM);
    size_t nr = d->nte < RECON_N ? d->nte : RECON_N;
    gsl_matrix_const_view X10 = gsl_matrix_const_submatrix(d->Xte, 0, 0, nr, D);
    gsl_matrix_view Zr = cm_matrix_rows(Z, nr), Pr = cm_matrix_rows(P, nr);
    encode_mode(m, &X10.matrix, &Zr.matrix);
    vae_model_decode_probs(m, &Zr.matrix, &Pr.matrix);
    for (size_t i = 0; i < nr; i++) {
        gsl_vector_const_view x = gsl_matrix_const_row(d->Xte, i);
        gsl_vector_view p = gsl_matrix_row(P, i);
        gsl_matrix_set_row(imgs, i, &x.vector);
        gsl_matrix_set_row(imgs, RECON_N + i, &p.vector);
    }
    snprintf(title, sizeof title, "%s: test images (top) and p(x|z) at their codes (bottom)",
             prefix);
    image_grid(c, prefix, "recon", title, imgs, RECON_N);

    /* samples from the prior: z ~ N(0, I), or one uniform category per variable */
    gsl_matrix_view Zs = cm_matrix_rows(Z, SAMPLES_N), Ps = cm_matrix_rows(P, SAMPLES_N);
    gsl_matrix_set_zero(&Zs.matrix);
    for (size_t i = 0; i < SAMPLES_N; i++) {
        if (m->kind == VAE_GAUSS)
            for (size_t k = 0; k < Lz; k++)
                gsl_matrix_set(Z, i, k, gsl_ran_gaussian_ziggurat(r, 1.0));
        else
            for (size_t n = 0; n < m->c->nvars; n++)
                gsl_matrix_set(Z, i, n * m->c->ncats + gsl_rng_uniform_int(r, m->c->ncats), 1.0);
    }
    vae_model_decode_probs(m, &Zs.matrix, &Ps.matrix);
    snprintf(title, sizeof title, "%s: p(x|z) (pixel probabilities) at %d samples z of the prior",
             prefix, SAMPLES_N);
    image_grid(c, prefix, "samples", title, &Ps.matrix, 8);

    if (m->kind == VAE_GAUSS && Lz == 2) {
        /* the test set's means, coloured by digit */
        size_t n = d->nte;
        double *x = cm_xcalloc(n, sizeof(double)), *y = cm_xcalloc(n, sizeof(double));
        for (size_t i0 = 0; i0 < n; i0 += m->cap) {
            size_t B = n - i0 < m->cap ? n - i0 : m->cap;
            gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(d->Xte, i0, 0, B, D);
            gsl_matrix_view Zb = cm_matrix_rows(Z, B);
            encode_mode(m, &Xb.matrix, &Zb.matrix);
            for (size_t i = 0; i < B; i++)
                x[i0 + i] = gsl_matrix_get(Z, i, 0), y[i0 + i] = gsl_matrix_get(Z, i, 1);
        }
        static const char *const digits[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        char fname[256];
        snprintf(fname, sizeof fname, "%s_latent", prefix);
        plot_fig *f =
            plot_fig_new(fname, "test images: the encoder's mean mu(x), by digit", "z_1", "z_2");
        if (!f || plot_fig_classes(f, x, y, d->yte, n, 10, digits) != CM_OK)
            cm_die_status(CM_ENOMEM);
        vae_write_fig(c, f);
        free(x);
        free(y);

        /* the decoded manifold: z on a grid of Gaussian quantiles, 0.05 .. 0.95 */
        gsl_matrix_view Zg = cm_matrix_rows(Z, GRID_N * GRID_N),
                        Pg = cm_matrix_rows(P, GRID_N * GRID_N);
        for (size_t i = 0; i < GRID_N; i++)
            for (size_t j = 0; j < GRID_N; j++) {
                double u1 = 0.05 + 0.9 * (double)j / (GRID_N - 1);
                double u2 = 0.95 - 0.9 * (double)i / (GRID_N - 1); /* z_2 grows upwards */
                gsl_matrix_set(Z, i * GRID_N + j, 0, gsl_cdf_ugaussian_Pinv(u1));
                gsl_matrix_set(Z, i * GRID_N + j, 1, gsl_cdf_ugaussian_Pinv(u2));
            }
        vae_model_decode_probs(m, &Zg.matrix, &Pg.matrix);
        snprintf(title, sizeof title,
                 "%s: p(x|z) over the latent plane (z_1 left to right, z_2 bottom to top, "
                 "quantiles 0.05..0.95 of N(0,1))",
                 prefix);
        image_grid(c, prefix, "manifold", title, &Pg.matrix, GRID_N);
    }
    cm_matrix_free(imgs);
    cm_matrix_free(Z);
    cm_matrix_free(P);
}

void vae_curve_fig(const cli_common *c, const char *name, const char *title,
                   const vae_train_result *tr)
{
    plot_fig *f = plot_fig_new(name, title, "epoch", "nats per example");
    size_t n = (size_t)tr->epochs_run;
    double *ep = cm_xcalloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++) ep[i] = (double)(i + 1);
    if (!f || plot_fig_line(f, "train loss (negative ELBO)", ep, tr->curve_train, n) != CM_OK ||
        plot_fig_line(f, "test negative ELBO (1 sample)", ep, tr->curve_test, n) != CM_OK)
        cm_die_status(CM_ENOMEM);
    free(ep);
    vae_write_fig(c, f);
}
