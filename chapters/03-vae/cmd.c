/* cmd.c: the subcommands around a checkpoint and the checks: train, eval, sample, gradcheck,
 * grad (the parity hook) and bench. */
#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "error.h"
#include "gradcases.h"
#include "matrix.h"
#include "npy.h"
#include "optim.h"
#include "timer.h"

int vae_run_train(const vae_opts *o)
{
    if (o->model <= 0) return vae_run_gauss(o, NULL);
    return vae_run_gumbel(o, NULL);
}

static vae_model *load_or_die(const char *dir, size_t cap)
{
    vae_model *m = NULL;
    if (!dir) cm_die("--load DIR is required (a checkpoint written by train, e.g. out/vae/gauss)");
    cm_die_status(vae_model_load(dir, cap, &m));
    return m;
}

int vae_run_eval(const vae_opts *o)
{
    const cli_common *c = o->c;
    vae_model *m = load_or_die(o->load, 360);
    vae_data *d = vae_load_or_die(c);
    if (m->p->tensors[0].shape[1] != VAE_PIXELS)
        cm_die("checkpoint %s: in_features %zu, the data have %d pixels", o->load,
               m->p->tensors[0].shape[1], VAE_PIXELS);
    gsl_rng *r = vae_rng_seeded(c->seed);
    size_t K = (size_t)vae_pick(o->iw, VAE_IW, c);
    vae_eval_result ev;
    cm_timer t;
    timer_start(&t);
    vae_evaluate_progress(m, d->Xte, K, r, &ev, "iw eval", c->quiet);
    char note[200];
    snprintf(note, sizeof note, "recon %.4f + kl %.4f, nats per example, %zu test rows", ev.recon,
             ev.kl, d->nte);
    vae_kv("eval.test.neg_elbo", ev.neg_elbo, note);
    snprintf(note, sizeof note, "importance-weighted, K = %zu, %.1f s", K, timer_elapsed(&t));
    vae_kv("eval.test.iw_nll", ev.iw_nll, note);
    gsl_rng_free(r);
    vae_data_free(d);
    vae_model_free(m);
    return 0;
}

int vae_run_sample(const vae_opts *o)
{
    const cli_common *c = o->c;
    vae_model *m = load_or_die(o->load, 256);
    vae_data *d = vae_load_or_die(c);
    if (m->p->tensors[0].shape[1] != VAE_PIXELS)
        cm_die("checkpoint %s: in_features %zu, the data have %d pixels", o->load,
               m->p->tensors[0].shape[1], VAE_PIXELS);
    cli_prepare_out(c);
    gsl_rng *r = vae_rng_seeded(c->seed);
    vae_pictures(c, m, d, "sample", r);
    if (!c->quiet)
        printf("sample: wrote %s/sample_{samples,recon%s}.*\n", c->out,
               m->kind == VAE_GAUSS && m->g->latent == 2 ? ",latent,manifold" : "");
    gsl_rng_free(r);
    vae_data_free(d);
    vae_model_free(m);
    return 0;
}

int vae_run_gradcheck(const vae_opts *o)
{
    int failed = 0;
    for (int k = 0; k < VAE_GC_COUNT; k++) {
        gc_report reps[VAE_GC_MAX_REPORTS];
        size_t n;
        int f = vae_gradcheck_case((vae_gc_case)k, o->c->seed, reps, &n);
        if (f < 0) cm_die_status(CM_EINVAL);
        printf("%s (%s), every entry, tolerance 1e-6:\n", vae_gc_case_name((vae_gc_case)k),
               vae_gc_case_sizes((vae_gc_case)k));
        gc_print_table(stdout, reps, n);
        failed += f;
    }
    printf("gradcheck: %s (%d failed)\n", failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}

/* A float64 (rows, cols) .npy into a new matrix, or exit 2 naming the file. */
static gsl_matrix *read_matrix(const char *dir, const char *name, size_t rows, size_t cols)
{
    char path[4200];
    npy_array *a = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cm_die_status(npy_read(path, &a));
    if (a->dtype != NPY_F64 || a->ndim != 2 || a->shape[1] != cols || a->shape[0] == 0 ||
        (rows && a->shape[0] != rows))
        cm_die("%s: expected float64 of shape (%s, %zu)", path, rows ? "B" : "B >= 1", cols);
    gsl_matrix *M = cm_matrix_calloc(a->shape[0], cols);
    if (!M) cm_die_status(CM_ENOMEM);
    memcpy(M->data, a->data, a->size * sizeof(double));
    npy_free(a);
    return M;
}

static void write_scalar(const char *dir, const char *name, double v)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    cm_die_status(npy_write_f64(path, 0, NULL, &v));
}

/* grad --load CKPT --batch DIR: X.npy (B, D) and noise.npy (B, L) for the Gaussian VAE, or the
 * Gumbel noise (B, N*K) for the categorical one (its tau and hard from hparams.txt). Writes
 * loss.npy, recon.npy, kl.npy and one <tensor>.npy per parameter's gradient to --out. */
int vae_run_grad(const vae_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load || !o->batch_dir)
        cm_die("grad: --load DIR (checkpoint) and --batch DIR (X.npy, noise.npy) are required");
    vae_model *probe = load_or_die(o->load, 1);
    size_t D = probe->p->tensors[0].shape[1];
    size_t width = probe->kind == VAE_GAUSS ? probe->g->latent : probe->c->nvars * probe->c->ncats;
    vae_model_free(probe);
    gsl_matrix *X = read_matrix(o->batch_dir, "X.npy", 0, D);
    gsl_matrix *E = read_matrix(o->batch_dir, "noise.npy", X->size1, width);
    vae_model *m = load_or_die(o->load, X->size1);
    cli_prepare_out(c);
    double rec, kl, L;
    params_zero_grad(m->p);
    if (m->kind == VAE_GAUSS) {
        L = vae_gauss_forward(m->g, X, E, m->gw, &rec, &kl);
        vae_gauss_backward(m->g, X, m->gw);
    } else {
        L = vae_cat_forward(m->c, X, E, m->tau, m->hard, m->cw, &rec, &kl);
        vae_cat_backward(m->c, X, m->tau, m->cw);
    }
    write_scalar(c->out, "loss", L);
    write_scalar(c->out, "recon", rec);
    write_scalar(c->out, "kl", kl);
    char path[4200];
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        snprintf(path, sizeof path, "%s/%s.npy", c->out, pt->name);
        cm_die_status(npy_write_f64(path, pt->ndim, pt->shape, params_grad_ptr(m->p, (int)t)));
    }
    if (!c->quiet)
        printf("grad: loss %.17g (recon %.17g + kl %.17g) on %zu rows; wrote %zu gradients to %s\n",
               L, rec, kl, X->size1, m->p->n_tensors, c->out);
    gsl_matrix_free(X);
    gsl_matrix_free(E);
    vae_model_free(m);
    return 0;
}

/* Seconds per training epoch of the Gaussian VAE (hidden, latent, batch as given; defaults
 * 256, 2, 64): shuffled batches, noise, forward, backward, Adam; no evaluation. The same work
 * as tools/bench/vae's torch loop. */
int vae_run_bench(const vae_opts *o)
{
    static const long BENCH_EPOCHS[2] = {50, 5};
    const cli_common *c = o->c;
    vae_data *d = vae_load_or_die(c);
    long epochs = vae_pick(o->epochs, BENCH_EPOCHS, c);
    size_t B = o->batch;
    vae_model *m = vae_model_gauss(VAE_PIXELS, o->hidden, o->latent, B);
    gsl_matrix *Xb = cm_matrix_calloc(B, VAE_PIXELS);
    if (!m || !Xb) cm_die_status(CM_ENOMEM);
    gsl_rng *r = vae_rng_seeded(c->seed);
    vae_model_init(m, r);
    adam opt;
    batcher bt;
    cm_die_status(adam_init(&opt, m->p->size, o->lr, 0.9, 0.999, 1e-8, 0));
    cm_die_status(batcher_init(&bt, d->ntr, B));
    if (!c->quiet)
        printf("bench: gaussian vae hidden %zu, latent %zu, batch %zu, Adam, %ld epochs of %zu "
               "rows\n",
               o->hidden, o->latent, B, epochs, d->ntr);
    double L = 0;
    cm_timer t;
    timer_start(&t);
    for (long e = 0; e < epochs; e++) {
        size_t n;
        const size_t *idx;
        batcher_shuffle(&bt, r);
        while ((n = batcher_next(&bt, &idx)) > 0) {
            gsl_matrix_view Xv = cm_matrix_rows(Xb, n);
            dataset_gather_rows(d->Xtr, idx, n, &Xv.matrix);
            L = vae_model_step(m, &Xv.matrix, r, NULL, NULL);
            adam_step(&opt, m->p->data, m->p->grad);
        }
    }
    double sec = timer_elapsed(&t) / (double)epochs;
    if (!c->quiet) printf("final batch loss %.6f\n", L);
    printf("seconds_per_epoch %.6g\n", sec);
    batcher_free(&bt);
    adam_free(&opt);
    gsl_rng_free(r);
    gsl_matrix_free(Xb);
    vae_model_free(m);
    vae_data_free(d);
    return 0;
}
