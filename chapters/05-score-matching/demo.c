/* demo.c: the demonstration of chapter 05 (the default run), and its parts: the Gaussian model
 * fitted by Hyvarinen's objective, the three objectives on the ring of Gaussians (score error
 * per level, samples by annealed Langevin, MMD, modes), and plain against annealed Langevin on
 * two modes of unequal weight. */
#include "demo.h"
#include "experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "csv.h"
#include "error.h"
#include "gauss.h"
#include "langevin.h"
#include "matrix.h"
#include "metrics.h"
#include "plot.h"
#include "timer.h"

/* The ring: 8 Gaussians of sd 0.2 on a circle of radius 4. The two modes: NCSN's example. */
#define RING_K      8
#define RING_RADIUS 4.0
#define RING_SD     0.2
#define MODES_W0    0.8
#define MODES_C     5.0
#define MODES_SD    1.0

void score_opts_defaults(score_opts *o, const cli_common *c)
{
    memset(o, 0, sizeof *o);
    o->c = c;
    o->dataset = SCORE_DATA_RING;
    o->obj = SCORE_DSM;
    o->batch = 256;
    o->hidden = 128;
    o->lr = 5e-3;
    o->eps = 2e-3;
    o->modes_eps = 0.1;
}

void score_opts_finish(score_opts *o)
{
    int q = o->c->quick;
    if (!o->steps) o->steps = q ? 400 : 3000;
    if (!o->T) o->T = q ? 30 : 100;
    if (!o->n_samples) o->n_samples = q ? 400 : 1000;
    if (!o->n_train) o->n_train = q ? 4096 : 8192;
    if (!o->L) {
        o->L = 10;
        score_ladder_geometric(6.0, 0.05, o->L, o->sigmas);
    }
}

const char *score_dataset_name(score_dataset d)
{
    static const char *const n[] = {"ring", "two-modes", "moons", "swiss", "checkerboard"};
    return n[d];
}

gsl_matrix *score_load_data(const score_opts *o, gsl_rng *r, toy2d_gmm *g, int *has_g)
{
    *has_g = 0;
    if (o->c->data) {
        csv_table *t;
        cm_die_status(csv_read(o->c->data, &t));
        if (t->cols != 2)
            cm_die("%s: expected 2 numeric columns (x, y), got %zu", o->c->data, t->cols);
        if (t->rows < 2) cm_die("%s: expected at least 2 rows, got %zu", o->c->data, t->rows);
        gsl_matrix *X = cm_matrix_calloc(t->rows, 2);
        if (!X) cm_die_status(CM_ENOMEM);
        gsl_matrix_memcpy(X, t->X);
        csv_free(t);
        return X;
    }
    gsl_matrix *X = cm_matrix_calloc(o->n_train, 2);
    if (!X) cm_die_status(CM_ENOMEM);
    switch (o->dataset) {
    case SCORE_DATA_RING:
        cm_die_status(toy2d_gmm_ring(g, RING_K, RING_RADIUS, RING_SD));
        *has_g = 1;
        break;
    case SCORE_DATA_TWO_MODES:
        cm_die_status(toy2d_gmm_two_modes(g, MODES_W0, MODES_C, MODES_SD));
        *has_g = 1;
        break;
    case SCORE_DATA_MOONS:
        cm_die_status(toy2d_moons(r, X, 0.05));
        break;
    case SCORE_DATA_SWISS:
        cm_die_status(toy2d_swiss_roll(r, X, 0.1));
        break;
    case SCORE_DATA_CHECKER:
        cm_die_status(toy2d_checkerboard(r, X));
        break;
    }
    if (*has_g) cm_die_status(toy2d_gmm_sample(g, r, X, NULL));
    return X;
}

/* ---- the Gaussian model: the closed form -------------------------------------------------- */

int score_run_gauss(const score_opts *o, double *summary)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, o->c->seed);
    gsl_matrix *X = cm_matrix_calloc(1000, 2), *cov = cm_matrix_calloc(2, 2),
               *P = cm_matrix_calloc(2, 2);
    score_gauss *g = score_gauss_alloc(2);
    if (!r || !X || !cov || !P || !g) cm_die_status(CM_ENOMEM);
    cm_die_status(toy2d_moons(r, X, 0.1));
    double mean[2];
    score_gauss_closed_form(X, mean, cov);
    long steps = score_gauss_fit(g, X, 0.05, 20000, 1e-12);
    params_zero_grad(g->p);
    double J = score_gauss_loss(g, X, 1);
    /* the fitted covariance is P^-1 (2 x 2: the adjugate over the determinant) */
    score_gauss_precision(g, P);
    double p00 = gsl_matrix_get(P, 0, 0), p01 = gsl_matrix_get(P, 0, 1),
           p11 = gsl_matrix_get(P, 1, 1), det = p00 * p11 - p01 * p01;
    double fit_cov[3] = {p11 / det, -p01 / det, p00 / det};
    const double *mu = params_ptr(g->p, g->mu);
    double emu = fmax(fabs(mu[0] - mean[0]), fabs(mu[1] - mean[1]));
    double ecov = fmax(fabs(fit_cov[0] - gsl_matrix_get(cov, 0, 0)),
                       fmax(fabs(fit_cov[1] - gsl_matrix_get(cov, 0, 1)),
                            fabs(fit_cov[2] - gsl_matrix_get(cov, 1, 1))));
    printf("gauss: Hyvarinen's objective J = 1/N sum 1/2 ||P (x - mu)||^2 - tr P for a Gaussian "
           "model, two moons (1000 points, noise 0.1), gradient descent lr 0.05\n");
    printf("  %-26s %ld    (gradient norm below 1e-12; J = %.10f)\n", "gauss.steps", steps, J);
    printf("  %-26s %.6f %.6f    (sample mean %.6f %.6f)\n", "gauss.mu", mu[0], mu[1], mean[0],
           mean[1]);
    printf("  %-26s %.6f %.6f %.6f    (sample covariance, 1/N: %.6f %.6f %.6f)\n", "gauss.cov_of_P",
           fit_cov[0], fit_cov[1], fit_cov[2], gsl_matrix_get(cov, 0, 0), gsl_matrix_get(cov, 0, 1),
           gsl_matrix_get(cov, 1, 1));
    printf("  %-26s %.1e    (max |fit - closed form| over mean and covariance)\n", "gauss.error",
           fmax(emu, ecov));
    if (summary) *summary = fmax(emu, ecov);
    score_gauss_free(g);
    cm_matrix_free(X), cm_matrix_free(cov), cm_matrix_free(P);
    gsl_rng_free(r);
    return fmax(emu, ecov) < 1e-8 ? 0 : 1;
}

/* ---- plain against annealed Langevin on two modes ------------------------------------------ */

int score_run_modes(const score_opts *o, double *summary)
{
    toy2d_gmm g;
    cm_die_status(toy2d_gmm_two_modes(&g, MODES_W0, MODES_C, MODES_SD));
    size_t n = o->c->quick ? 1000 : 4000;
    long T = 1000;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *Xp = cm_matrix_calloc(n, 2), *Xa = cm_matrix_calloc(n, 2),
               *D = cm_matrix_calloc(n, 2);
    if (!r || !Xp || !Xa || !D) cm_die_status(CM_ENOMEM);
    gsl_rng_set(r, o->c->seed + 1);
    score_uniform_start(r, Xp, 8.0);
    gsl_matrix_memcpy(Xa, Xp);
    /* plain Langevin on the exact data score: alpha = eps (0.1), 1000 steps (NCSN, figure 3) */
    int st = score_langevin(score_fn_gmm, &g, 0.0, o->modes_eps, T, Xp, r, NULL);
    if (st) cm_die_status(st);
    /* annealed: 10 levels from 20 down to 1, 100 steps each, eps 0.1 (alpha 0.1 at sigma 1) */
    double sig[10];
    score_ladder_geometric(20.0, 1.0, 10, sig);
    st = score_annealed_langevin(score_fn_gmm, &g, sig, 10, o->modes_eps, 100, Xa, r, NULL);
    if (st) cm_die_status(st);
    cm_die_status(toy2d_gmm_sample(&g, r, D, NULL));
    double fp[2], fa[2], fd[2];
    score_mode_fractions(&g, Xp, fp);
    score_mode_fractions(&g, Xa, fa);
    score_mode_fractions(&g, D, fd);
    printf("modes: p = %.1f N((-5,-5), I) + %.1f N((5,5), I); %zu particles from U[-8,8]^2, the "
           "exact score\n",
           MODES_W0, 1 - MODES_W0, n);
    printf("  %-26s %.6f %.6f    (the truth; %zu fresh draws: %.3f %.3f)\n", "modes.truth",
           MODES_W0, 1 - MODES_W0, n, fd[0], fd[1]);
    printf("  %-26s %.6f %.6f    (%ld steps of alpha %g: the weights stay where the "
           "particles started)\n",
           "modes.langevin", fp[0], fp[1], T, o->modes_eps);
    printf("  %-26s %.6f %.6f    (sigma 20 .. 1, 10 levels x 100 steps, eps %g)\n",
           "modes.annealed", fa[0], fa[1], o->modes_eps);
    plot_ctx ctx = {o->c->out, o->c->plot};
    plot_fig *f = plot_fig_new("two_modes",
                               "weights 0.8 / 0.2: plain Langevin keeps its start's split, "
                               "annealed finds the weights",
                               "x1", "x2");
    if (!f) cm_die_status(CM_ENOMEM);
    size_t m = n < 1000 ? n : 1000;
    cm_die_status(score_fig_add_points(f, "plain Langevin", Xp, m, 0.0));
    cm_die_status(score_fig_add_points(f, "annealed Langevin (shifted right by 20)", Xa, m, 20.0));
    cm_die_status(plot_fig_write(&ctx, f));
    plot_fig_free(f);
    if (summary) summary[0] = fp[0], summary[1] = fa[0];
    cm_matrix_free(Xp), cm_matrix_free(Xa), cm_matrix_free(D);
    gsl_rng_free(r);
    return 0;
}

/* ---- the three objectives on the ring ------------------------------------------------------ */

static void print_ladder(const score_opts *o)
{
    printf("  ladder: %zu levels", o->L);
    for (size_t i = 0; i < o->L; i++) printf("%s%.4g", i ? ", " : " ", o->sigmas[i]);
    printf("; annealed Langevin %ld steps per level, eps %g (alpha_i = eps sigma_i^2 / "
           "sigma_L^2), %zu particles from U[-8,8]^2\n",
           o->T, o->eps, o->n_samples);
}

/* Trains and measures the objectives in objs; prints the per-level score errors and the
 * table. res has n entries. */
static void run_objectives(const score_opts *o, const score_objective *objs, int n,
                           score_result *res)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die_status(CM_ENOMEM);
    gsl_rng_set(r, o->c->seed + 3);
    toy2d_gmm g;
    int has_g;
    gsl_matrix *data = score_load_data(o, r, &g, &has_g);
    printf("%s: %zu training points (%s); MLP 3-%zu-%zu-2 SiLU, s = MLP(x, log sigma) / "
           "sigma; batch %zu, Adam lr %g, %ld steps\n",
           o->c->data ? o->c->data : score_dataset_name(o->dataset), data->size1,
           o->c->data                      ? "from --data"
           : o->dataset == SCORE_DATA_RING ? "8 Gaussians of sd 0.2 on a circle of radius 4"
                                           : "generated",
           o->hidden, o->hidden, o->batch, o->lr, o->steps);
    print_ladder(o);
    for (int k = 0; k < n; k++)
        score_experiment(o, objs[k], data, &g, has_g, &res[k], objs[k] == SCORE_DSM || n == 1);
    if (has_g) {
        printf("  score error E||s_theta - grad log p_sigma||^2 / E||grad log p_sigma||^2 per "
               "level (%zu fresh points each):\n",
               o->c->quick ? (size_t)400 : (size_t)2000);
        printf("  %10s", "sigma");
        for (int k = 0; k < n; k++) printf(" %12s", score_objective_name(objs[k]));
        printf("   E||grad log p_sigma||^2\n");
        for (size_t i = 0; i < o->L; i++) {
            printf("  %10.4g", o->sigmas[i]);
            for (int k = 0; k < n; k++) printf(" %12.6f", res[k].err[i] / res[k].ref[i]);
            printf("   %.4g\n", res[0].ref[i]);
        }
    }
    printf("  %-12s %12s %12s %12s %12s\n", "objective", "final_loss", "rel_score_err", "mmd2",
           "max_mode_dev");
    for (int k = 0; k < n; k++) {
        char key[32];
        snprintf(key, sizeof key, "score.%s", score_objective_name(objs[k]));
        printf("  %-12s %12.6f %12.6f %12.6f %12.6f\n", key, res[k].final_loss,
               has_g ? res[k].rel_mean : NAN, res[k].mmd, has_g ? res[k].max_frac_dev : NAN);
    }
    printf("  times:");
    for (int k = 0; k < n; k++)
        printf(" %s train %.1f s, sample %.1f s;", score_objective_name(objs[k]), res[k].train_secs,
               res[k].sample_secs);
    printf("\n");
    printf("  (final_loss: each objective's own loss, so not comparable across rows; "
           "rel_score_err: mean over levels; mmd2: unbiased, Gaussian kernel h 0.5, between "
           "the samples and fresh data, whose own mmd2 with other fresh data is %.6f; "
           "max_mode_dev: max over modes of |share of samples - weight|)\n",
           res[0].mmd_ref);
    if (has_g) {
        printf("  modes (share of samples nearest each mode; the weights:");
        for (int j = 0; j < g.k; j++) printf(" %.3f", g.w[j]);
        printf(")\n");
        for (int k = 0; k < n; k++) {
            printf("  %-12s", score_objective_name(objs[k]));
            for (int j = 0; j < g.k; j++) printf(" %.3f", res[k].frac[j]);
            printf("\n");
        }
    }
    cm_matrix_free(data);
    gsl_rng_free(r);
}

int score_run_train(const score_opts *o)
{
    score_result res;
    score_objective obj = o->obj;
    run_objectives(o, &obj, 1, &res);
    printf(
        "checkpoint: %s/model_%s/; particles %s/particles_%s.csv; figures %s/score_field_%s.png, "
        "samples_%s.png, annealing.png\n",
        o->c->out, score_objective_name(obj), o->c->out, score_objective_name(obj), o->c->out,
        score_objective_name(obj), score_objective_name(obj));
    return 0;
}

int score_run_demo(const score_opts *o)
{
    cm_timer tm;
    timer_start(&tm);
    double gerr, modes[2];
    int st = score_run_gauss(o, &gerr);
    score_objective all[3] = {SCORE_ESM, SCORE_DSM, SCORE_SSM};
    score_result res[3];
    int n = o->obj_set ? 1 : 3;
    if (o->obj_set) all[0] = o->obj;
    run_objectives(o, all, n, res);
    score_run_modes(o, modes);
    printf("figures: %s/score_field_<objective>.png, samples_<objective>.png, annealing.png, "
           "two_modes.png (each with its .csv and .gp)\n",
           o->c->out);
    printf("logs: %s/train_<objective>.csv; checkpoints %s/model_<objective>/; %.1f s\n", o->c->out,
           o->c->out, timer_elapsed(&tm));
    printf("summary: gauss fit error %.0e;", gerr);
    for (int k = 0; k < n; k++)
        printf(" %s score err %.3f mmd2 %.4f;", score_objective_name(all[k]), res[k].rel_mean,
               res[k].mmd);
    printf(" two modes (truth 0.80): langevin %.2f, annealed %.2f; figures in %s/\n", modes[0],
           modes[1], o->c->out);
    return st;
}
