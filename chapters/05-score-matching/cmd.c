/* cmd.c: the subcommands that are not demonstrations: `gradcheck` (the tables of gradcases.h),
 * `grad` (a checkpoint's loss and gradients on a given batch and noise, as .npy: the parity
 * hook), `sample` (annealed Langevin from a checkpoint) and `bench` (training steps per
 * second). */
#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "experiment.h"
#include "gradcases.h"
#include "langevin.h"
#include "matrix.h"
#include "metrics.h"
#include "npy.h"
#include "optim.h"
#include "timer.h"

int score_run_gradcheck(const score_opts *o)
{
    int failed = 0;
    for (int k = 0; k < SCORE_GC_COUNT; k++) {
        gc_report reps[SCORE_GC_MAX_REPORTS];
        size_t n;
        int f = score_gradcheck_case((score_gc_case)k, o->c->seed, reps, &n);
        if (f < 0) cm_die_status(CM_ENOMEM);
        printf("%s, every entry, tolerance 1e-6:\n", score_gc_case_name((score_gc_case)k));
        gc_print_table(stdout, reps, n);
        failed += f;
    }
    printf("gradcheck: %s (%d failed)\n", failed ? "FAIL" : "PASS", failed);
    return failed ? 1 : 0;
}

/* Reads dir/name.npy: float64 of shape (B, cols) (cols 0: shape (B)); B 0 means any. */
static double *read_npy(const char *dir, const char *name, size_t *B, size_t cols)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    npy_array *a;
    cm_die_status(npy_read(path, &a));
    int want_nd = cols ? 2 : 1;
    if (a->dtype != NPY_F64 || a->ndim != want_nd || (cols && a->shape[1] != cols) ||
        a->shape[0] == 0 || (*B && a->shape[0] != *B))
        cm_die("%s: expected float64 of shape (%s%s), got %d dimensions", path, *B ? "B" : "B",
               cols ? ", 2" : "", a->ndim);
    *B = a->shape[0];
    double *x = cm_xcalloc(a->size, sizeof(double));
    memcpy(x, a->data, a->size * sizeof(double));
    npy_free(a);
    return x;
}

int score_run_grad(const score_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load || !o->batch_dir)
        cm_die("grad: --load DIR (checkpoint) and --batch DIR (x.npy, sigma.npy, z.npy, v.npy) "
               "are required");
    size_t B = 0;
    double *x = read_npy(o->batch_dir, "x", &B, 2);
    double *sig = read_npy(o->batch_dir, "sigma", &B, 0);
    double *z = read_npy(o->batch_dir, "z", &B, 2);
    double *v = o->obj == SCORE_SSM ? read_npy(o->batch_dir, "v", &B, 2) : NULL;
    for (size_t i = 0; i < B; i++)
        if (!(sig[i] > 0) || !isfinite(sig[i]))
            cm_die("%s/sigma.npy: sigma[%zu] = %g, expected > 0", o->batch_dir, i, sig[i]);
    double lad[SCORE_MAX_LEVELS];
    size_t L;
    score_net *m = score_load_model(o->load, B, lad, &L);
    score_batch *b = score_batch_alloc(B);
    if (!b) cm_die_status(CM_ENOMEM);
    memcpy(b->X->data, x, 2 * B * sizeof(double));
    memcpy(b->Z->data, z, 2 * B * sizeof(double));
    if (v) memcpy(b->V->data, v, 2 * B * sizeof(double));
    memcpy(b->sigma, sig, B * sizeof(double));
    cli_prepare_out(c); /* every input is valid: now create --out */
    params_zero_grad(m->p);
    double loss = score_loss(m, o->obj, b, B, 1);
    char path[4200];
    snprintf(path, sizeof path, "%s/loss.npy", c->out);
    cm_die_status(npy_write_f64(path, 0, NULL, &loss));
    for (size_t t = 0; t < m->p->n_tensors; t++) {
        const param_tensor *pt = &m->p->tensors[t];
        snprintf(path, sizeof path, "%s/%s.npy", c->out, pt->name);
        cm_die_status(npy_write_f64(path, pt->ndim, pt->shape, params_grad_ptr(m->p, (int)t)));
    }
    /* the model's score on the noised batch, for a parity check of the forward pass */
    gsl_matrix *S = cm_matrix_calloc(B, 2);
    if (!S) cm_die_status(CM_ENOMEM);
    score_net_forward(m, b->Xt, b->sigma, S);
    size_t shp[2] = {B, 2};
    snprintf(path, sizeof path, "%s/score.npy", c->out);
    cm_die_status(npy_write_f64(path, 2, shp, S->data));
    if (!c->quiet)
        printf("grad: %s loss %.17g on %zu rows; wrote loss.npy, score.npy and %zu gradients to "
               "%s\n",
               score_objective_name(o->obj), loss, B, m->p->n_tensors, c->out);
    cm_matrix_free(S);
    score_batch_free(b);
    score_net_free(m);
    free(x), free(sig), free(z), free(v);
    return 0;
}

int score_run_sample(const score_opts *o)
{
    const cli_common *c = o->c;
    if (!o->load)
        cm_die("sample: --load DIR (a checkpoint, e.g. out/score-matching/model_dsm) "
               "is required");
    double lad[SCORE_MAX_LEVELS];
    size_t L;
    score_net *m = score_load_model(o->load, 512, lad, &L);
    cli_prepare_out(c);
    score_model_ctx mc = {m, cm_xcalloc(m->cap, sizeof(double))};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *X = cm_matrix_calloc(o->n_samples, 2);
    if (!r || !X) cm_die_status(CM_ENOMEM);
    gsl_rng_set(r, c->seed);
    score_uniform_start(r, X, 8.0);
    const double *sig = o->L ? o->sigmas : lad;
    size_t nl = o->L ? o->L : L;
    cm_timer tm;
    timer_start(&tm);
    int st = score_annealed_langevin(score_fn_model, &mc, sig, nl, o->eps, o->T, X, r, NULL);
    if (st) cm_die_status(st);
    char path[4200];
    snprintf(path, sizeof path, "%s/particles.csv", c->out);
    static const char *const cols[] = {"x1", "x2"};
    cm_die_status(csv_write(path, X, cols));
    gsl_matrix *D = cm_matrix_calloc(o->n_samples, 2);
    toy2d_gmm g;
    int has_g;
    gsl_matrix *data = score_load_data(o, r, &g, &has_g);
    if (!D) cm_die_status(CM_ENOMEM);
    for (size_t i = 0; i < D->size1; i++) {
        size_t j = gsl_rng_uniform_int(r, data->size1);
        gsl_matrix_set(D, i, 0, gsl_matrix_get(data, j, 0));
        gsl_matrix_set(D, i, 1, gsl_matrix_get(data, j, 1));
    }
    cm_die_status(score_fig_samples(o, "samples", "annealed Langevin samples from a checkpoint", D,
                                    X, "samples"));
    printf("sample: %zu particles, %zu levels x %ld steps, eps %g, %.1f s; mmd2 against %s %.6f; "
           "wrote %s and samples.png\n",
           o->n_samples, nl, o->T, o->eps, timer_elapsed(&tm),
           c->data ? c->data : score_dataset_name(o->dataset), score_mmd2(X, D, 0.5), path);
    cm_matrix_free(X), cm_matrix_free(D), cm_matrix_free(data);
    free(mc.sig);
    score_net_free(m);
    gsl_rng_free(r);
    return 0;
}

/* Denoising-score-matching training steps per second: minibatch, forward, backward, Adam, the
 * work of tools/bench/score-matching's torch loop (no logging, no progress). */
int score_run_bench(const score_opts *o)
{
    size_t B = o->batch;
    score_net *m = score_net_alloc(o->hidden, B);
    score_batch *b = score_batch_alloc(B);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *data = cm_matrix_calloc(8192, 2);
    adam opt;
    if (!m || !b || !r || !data || adam_init(&opt, m->p->size, o->lr, 0.9, 0.999, 1e-8, 0))
        cm_die_status(CM_ENOMEM);
    gsl_rng_set(r, o->c->seed);
    score_net_init(m, r);
    toy2d_gmm g;
    cm_die_status(toy2d_gmm_ring(&g, 8, 4.0, 0.2));
    cm_die_status(toy2d_gmm_sample(&g, r, data, NULL));
    long steps = o->steps;
    double loss = 0;
    cm_timer tm;
    for (int warm = 1; warm >= 0; warm--) {
        timer_start(&tm);
        for (long t = 0; t < (warm ? 20 : steps); t++) {
            score_fill_batch(b, B, data, o->sigmas, o->L, r);
            params_zero_grad(m->p);
            loss = score_loss(m, SCORE_DSM, b, B, 1);
            adam_step(&opt, m->p->data, m->p->grad);
        }
    }
    double secs = timer_elapsed(&tm);
    printf("bench: dsm, MLP 3-%zu-%zu-2, batch %zu, Adam; %ld steps in %.3f s (last loss %.4f)\n",
           o->hidden, o->hidden, B, steps, secs, loss);
    printf("steps_per_second %.1f\n", (double)steps / secs);
    adam_free(&opt);
    cm_matrix_free(data);
    score_batch_free(b);
    score_net_free(m);
    gsl_rng_free(r);
    return 0;
}
