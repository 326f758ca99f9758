/* parts.c: what the parts share (result lines, data, figures) and the three parts of the
 * demonstration: the Gaussian VAE, the gradient estimators and the Gumbel-softmax VAE. */
#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "estimators.h"
#include "matrix.h"
#include "timer.h"

const long VAE_EPOCHS[2] = {200, 20};
const long VAE_CAT_EPOCHS[2] = {200, 10};
const long VAE_IW[2] = {1000, 100};
const long VAE_REPS[2] = {2000, 300};

void vae_opts_defaults(vae_opts *o, cli_common *c)
{
    *o = (vae_opts){.c = c,
                    .hidden = VAE_HIDDEN,
                    .latent = VAE_LATENT,
                    .batch = VAE_BATCH,
                    .nvars = VAE_NVARS,
                    .ncats = VAE_NCATS,
                    .lr = VAE_LR,
                    .tau0 = VAE_TAU0,
                    .tau_min = VAE_TAU_MIN};
}

gsl_rng *vae_rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory");
    gsl_rng_set(r, seed);
    return r;
}

void vae_kv(const char *key, double v, const char *note)
{
    if (v == floor(v) && fabs(v) < 1e9)
        printf("  %-34s %.0f", key, v);
    else
        printf("  %-34s %.6f", key, v);
    if (note && *note) printf("    (%s)", note);
    putchar('\n');
}

long vae_pick(long v, const long dflt[2], const cli_common *c)
{
    return v > 0 ? v : dflt[c->quick ? 1 : 0];
}

vae_data *vae_load_or_die(const cli_common *c)
{
    vae_data *d = NULL;
    cm_die_status(vae_data_load(c->data ? c->data : VAE_DATA_DIGITS, &d));
    return d;
}

void vae_write_fig(const cli_common *c, plot_fig *f)
{
    if (!f) cm_die_status(CM_ENOMEM);
    plot_ctx ctx = {.dir = c->out, .mode = c->plot};
    int st = plot_fig_write(&ctx, f);
    plot_fig_free(f);
    cm_die_status(st);
}

static size_t cap_of(const vae_opts *o)
{
    return o->batch > 256 ? o->batch : 256; /* evaluation and pictures run in chunks of cap */
}

/* Trains a fresh model (init from the seed), logs to OUT/<name>.csv, checkpoints to
 * OUT/<name>/, evaluates with K importance samples. Returns the exit status. */
static int train_and_eval(const vae_opts *o, vae_model *m, const vae_data *d, const char *name,
                          long epochs, gsl_rng *r, vae_run_result *out)
{
    const cli_common *c = o->c;
    char log_path[4200], ckpt[4200];
    snprintf(log_path, sizeof log_path, "%s/%s.csv", c->out, name);
    snprintf(ckpt, sizeof ckpt, "%s/%s", c->out, name);
    hparams h;
    hparams_init(&h);
    cm_die_status(hparams_set_str(&h, "data", c->data ? c->data : VAE_DATA_DIGITS));
    cm_die_status(hparams_set_long(&h, "seed", (long)c->seed));
    vae_train_cfg cfg = {.epochs = epochs,
                         .batch = o->batch,
                         .lr = o->lr,
                         .tau0 = o->tau0,
                         .tau_min = o->tau_min,
                         .anneal_frac = 0.75,
                         .quiet = c->quiet,
                         .label = name,
                         .log_path = log_path,
                         .ckpt_dir = ckpt,
                         .hp = &h};
    vae_model_init(m, r);
    tstate *ts = NULL;
    if (o->resume) {
        /* the interrupted run's parameters and resume state (Adam, generator, place in the
         * epoch): a model of another shape is refused, exit 2 */
        if (!(ts = tstate_alloc())) cm_die_status(CM_ENOMEM);
        cm_die_status(ckpt_load_params(o->resume, m->p));
        cm_die_status(ckpt_load_tstate(o->resume, ts));
        cfg.resume = ts;
    }
    int st = vae_train(m, d->Xtr, d->Xte, &cfg, r, &out->tr);
    hparams_free(&h);
    tstate_free(ts);
    if (st == CM_OK && out->tr.signal) {
        int code = intr_report(out->tr.signal, out->tr.last_step, ckpt, NULL);
        vae_train_result_free(&out->tr);
        return code;
    }
    if (st == CM_ENOTFINITE) {
        if (o->resume && out->tr.epochs_run == 0)
            fprintf(stderr, "%s: %s: %s; the last good checkpoint is %s\n", cm_progname(), name,
                    cm_errmsg(), o->resume);
        else if (out->tr.epochs_run > 0)
            fprintf(stderr, "%s: %s: %s; the last good checkpoint (epoch %ld) is in %s\n",
                    cm_progname(), name, cm_errmsg(), out->tr.epochs_run, ckpt);
        else
            fprintf(stderr, "%s: %s: %s; no epoch was completed, no checkpoint written\n",
                    cm_progname(), name, cm_errmsg());
        vae_train_result_free(&out->tr);
        return 3;
    }
    cm_die_status(st);
    vae_evaluate_progress(m, d->Xte, (size_t)vae_pick(o->iw, VAE_IW, c), r, &out->ev, "iw eval",
                          c->quiet);
    return 0;
}

/* ---- part 1: the Gaussian VAE ------------------------------------------------------------- */

int vae_run_gauss(const vae_opts *o, vae_run_result *out)
{
    const cli_common *c = o->c;
    vae_data *d = vae_load_or_die(c);
    long epochs = vae_pick(o->epochs, VAE_EPOCHS, c);
    vae_model *m = vae_model_gauss(VAE_PIXELS, o->hidden, o->latent, cap_of(o));
    if (!m) cm_die_status(CM_ENOMEM);
    cli_prepare_out(c);
    if (!c->quiet)
        printf("gaussian vae: %zu-%zu-(%zu+%zu) encoder, %zu-%zu-%zu decoder, Bernoulli pixels; "
               "%zu train / %zu test rows, batch %zu, Adam lr %g, %ld epochs\n",
               m->g->in, m->g->hidden, m->g->latent, m->g->latent, m->g->latent, m->g->hidden,
               m->g->in, d->ntr, d->nte, o->batch, o->lr, epochs);
    gsl_rng *r = vae_rng_seeded(c->seed);
    vae_run_result res;
    int st = train_and_eval(o, m, d, "gauss", epochs, r, &res);
    if (st == 0) {
        char note[200];
        vae_kv("gauss.train.loss", res.tr.loss, "negative ELBO = recon + kl, nats per example");
        vae_kv("gauss.train.recon", res.tr.recon, "-E_q log p(x|z), last epoch's mean");
        vae_kv("gauss.train.kl", res.tr.kl, "KL(q(z|x) || N(0,I)), closed form");
        snprintf(note, sizeof note, "recon %.4f + kl %.4f, %zu samples per row", res.ev.recon,
                 res.ev.kl, res.ev.k);
        vae_kv("gauss.test.neg_elbo", res.ev.neg_elbo, note);
        snprintf(note, sizeof note, "importance-weighted, K = %zu; upper bound of -log p(x)",
                 res.ev.k);
        vae_kv("gauss.test.iw_nll", res.ev.iw_nll, note);
        vae_curve_fig(c, "gauss_curve", "Gaussian VAE: loss per epoch", &res.tr);
        vae_pictures(c, m, d, "gauss", r);
        if (out)
            *out = res;
        else
            vae_train_result_free(&res.tr);
    }
    gsl_rng_free(r);
    vae_model_free(m);
    vae_data_free(d);
    return st;
}

/* ---- part 2: the gradient estimators ----------------------------------------------------- */

#define EST_MU    0.8
#define EST_SIGMA 1.2
static const size_t EST_N[] = {1, 4, 16, 64, 256, 1024};
#define EST_NN (sizeof EST_N / sizeof EST_N[0])

int vae_run_estimators(const vae_opts *o)
{
    const cli_common *c = o->c;
    size_t R = (size_t)vae_pick(o->reps, VAE_REPS, c);
    cli_prepare_out(c);
    gsl_rng *r = vae_rng_seeded(c->seed);
    if (!c->quiet)
        printf("estimators: d/dmu and d/dsigma of E_{z~N(%.1f, %.1f^2)} f(z), N-sample estimators "
               "repeated %zu times (variance across repeats)\n",
               EST_MU, EST_SIGMA, R);
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/estimators.csv", c->out);
    FILE *tab = fopen(csv, "w");
    if (!tab) cm_die("cannot write %s", csv);
    fprintf(tab, "f,estimator,N,mean_dmu,var_dmu,mean_dsigma,var_dsigma,exact_dmu,exact_dsigma\n");
    for (int f = 0; f < VAE_F_COUNT; f++) {
        double exact[2];
        vae_fn_exact_grad((vae_test_fn)f, EST_MU, EST_SIGMA, exact);
        printf("  f(z) = %-8s exact d/dmu %.6f, d/dsigma %.6f   (columns: d/dmu mean at N=1024, "
               "variance at N=1)\n",
               vae_fn_formula((vae_test_fn)f), exact[0], exact[1]);
        char title[200], fname[64];
        snprintf(title, sizeof title,
                 "variance of the d/dmu estimate of E f(z), f(z) = %s, z ~ N(%.1f, %.1f^2)",
                 vae_fn_formula((vae_test_fn)f), EST_MU, EST_SIGMA);
        snprintf(fname, sizeof fname, "estimators_%s", vae_fn_name((vae_test_fn)f));
        plot_fig *fig =
            plot_fig_new(fname, title, "log10 N (samples per estimate)", "variance across repeats");
        if (!fig) cm_die_status(CM_ENOMEM);
        plot_fig_logy(fig);
        for (int e = 0; e < VAE_EST_COUNT; e++) {
            double lx[EST_NN], vy[EST_NN], mean[2], var[2], var1 = 0, mean_last[2] = {0, 0};
            for (size_t k = 0; k < EST_NN; k++) {
                vae_est_experiment((vae_estimator)e, (vae_test_fn)f, EST_MU, EST_SIGMA, EST_N[k], R,
                                   r, mean, var);
                fprintf(tab, "%s,%s,%zu,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n",
                        vae_fn_name((vae_test_fn)f), vae_est_name((vae_estimator)e), EST_N[k],
                        mean[0], var[0], mean[1], var[1], exact[0], exact[1]);
                lx[k] = log10((double)EST_N[k]);
                vy[k] = var[0];
                if (k == 0) var1 = var[0];
                mean_last[0] = mean[0], mean_last[1] = mean[1];
            }
            char key[96];
            snprintf(key, sizeof key, "est.%s.%s", vae_fn_name((vae_test_fn)f),
                     vae_est_name((vae_estimator)e));
            printf("  %-34s %.6f %.6g    (variance at N=1024 %.3g; d/dsigma mean %.4f%s)\n", key,
                   mean_last[0], var1, vy[EST_NN - 1], mean_last[1],
                   e == VAE_EST_REPARAM && f == VAE_F_STEP ? "; f' = 0 almost everywhere: biased"
                                                           : "");
            if (vy[0] > 0) /* the step's reparameterization estimate is 0 with variance 0 */
                if (plot_fig_line(fig, vae_est_name((vae_estimator)e), lx, vy, EST_NN) != CM_OK)
                    cm_die_status(CM_ENOMEM);
        }
        vae_write_fig(c, fig);
    }
    if (fclose(tab) != 0) cm_die("cannot write %s", csv);
    gsl_rng_free(r);
    return 0;
}

/* ---- part 3: the categorical VAE through Gumbel-softmax --------------------------------- */

int vae_run_gumbel(const vae_opts *o, vae_run_result out[2])
{
    const cli_common *c = o->c;
    vae_data *d = vae_load_or_die(c);
    long epochs = vae_pick(o->epochs, VAE_CAT_EPOCHS, c);
    cli_prepare_out(c);
    if (!c->quiet)
        printf("gumbel-softmax vae: %zu variables of %zu categories, hidden %zu, %ld epochs, "
               "tau from %.2f down to %.2f (exponential, reached at 3/4 of the steps)\n",
               o->nvars, o->ncats, o->hidden, epochs, o->tau0, o->tau_min);
    static const char *const names[2] = {"gumbel", "gumbel_st"};
    static const char *const what[2] = {"relaxed", "straight-through"};
    int st = 0;
    int lo = o->model == 2 ? 1 : 0, hi = o->model == 1 ? 0 : 1; /* train --model picks one */
    for (int hard = lo; hard <= hi && st == 0; hard++) {
        vae_model *m = vae_model_cat(VAE_PIXELS, o->hidden, o->nvars, o->ncats, hard, cap_of(o));
        if (!m) cm_die_status(CM_ENOMEM);
        gsl_rng *r = vae_rng_seeded(c->seed);
        vae_run_result res;
        st = train_and_eval(o, m, d, names[hard], epochs, r, &res);
        if (st == 0) {
            char key[96], note[200];
            snprintf(key, sizeof key, "%s.train.loss", names[hard]);
            snprintf(note, sizeof note, "%s, final tau %.3f; recon %.4f + kl %.4f", what[hard],
                     m->tau, res.tr.recon, res.tr.kl);
            vae_kv(key, res.tr.loss, note);
            snprintf(key, sizeof key, "%s.test.neg_elbo", names[hard]);
            snprintf(note, sizeof note, "discrete samples of q(c|x); recon %.4f + kl %.4f",
                     res.ev.recon, res.ev.kl);
            vae_kv(key, res.ev.neg_elbo, note);
            snprintf(key, sizeof key, "%s.test.iw_nll", names[hard]);
            snprintf(note, sizeof note, "K = %zu", res.ev.k);
            vae_kv(key, res.ev.iw_nll, note);
            char title[120];
            snprintf(title, sizeof title, "Gumbel-softmax VAE (%s): loss per epoch", what[hard]);
            snprintf(key, sizeof key, "%s_curve", names[hard]);
            vae_curve_fig(c, key, title, &res.tr);
            vae_pictures(c, m, d, names[hard], r);
            if (out)
                out[hard] = res;
            else
                vae_train_result_free(&res.tr);
        }
        gsl_rng_free(r);
        vae_model_free(m);
    }
    vae_data_free(d);
    return st;
}

/* ---- the whole demonstration ------------------------------------------------------------- */

int vae_run_demo(const vae_opts *o)
{
    const cli_common *c = o->c;
    vae_data_free(vae_load_or_die(c)); /* a bad data file stops us before --out is created */
    cli_prepare_out(c);
    cm_timer t;
    timer_start(&t);
    vae_run_result g, cat[2];
    memset(cat, 0, sizeof cat); /* a failed gumbel run may leave one of them unset */
    int st;
    if ((st = vae_run_gauss(o, &g)) != 0) return st;
    if ((st = vae_run_estimators(o)) != 0 || (st = vae_run_gumbel(o, cat)) != 0) {
        vae_train_result_free(&g.tr);
        vae_train_result_free(&cat[0].tr);
        vae_train_result_free(&cat[1].tr);
        return st;
    }
    if (!c->quiet) {
        const char *ext = c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp";
        printf("figures: %s/gauss_{latent,manifold,recon,samples,curve}.%s, "
               "%s/estimators_{square,sin,step}.%s, %s/gumbel{,_st}_{recon,samples,curve}.%s\n",
               c->out, ext, c->out, ext, c->out, ext);
        printf("logs: %s/{gauss,gumbel,gumbel_st}.csv, %s/estimators.csv; checkpoints "
               "%s/{gauss,gumbel,gumbel_st}/; %.1f s\n",
               c->out, c->out, c->out, timer_elapsed(&t));
    }
    printf("summary: test nats per digit (360 rows): gaussian vae (latent %zu) -elbo %.2f, "
           "iw nll %.2f (K=%zu); gumbel-softmax (%zux%zu) -elbo %.2f, st %.2f; "
           "figures in %s/\n",
           o->latent, g.ev.neg_elbo, g.ev.iw_nll, g.ev.k, o->nvars, o->ncats, cat[0].ev.neg_elbo,
           cat[1].ev.neg_elbo, c->out);
    vae_train_result_free(&g.tr);
    vae_train_result_free(&cat[0].tr);
    vae_train_result_free(&cat[1].tr);
    return 0;
}
