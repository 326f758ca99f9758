/* gradcheck.c: the numeric gradient check by centered differences (see gradcheck.h). */
#include "gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "error.h"

#define GC_MIN_SAMPLE 50

gc_options gc_default_options(void)
{
    gc_options o;
    memset(&o, 0, sizeof o);
    o.h = GC_DEFAULT_H;
    o.floor = GC_DEFAULT_FLOOR;
    o.tol = GC_DEFAULT_TOL;
    o.max_per_tensor = 400;
    o.sample_seed = 12345;
    o.noise_rng = NULL;
    o.noise_seed = 0;
    return o;
}

/* The loss with the caller's noise replayed: the same seed before every evaluation. */
static double eval_loss(gc_loss_fn loss, void *ctx, const gc_options *opt)
{
    if (opt->noise_rng) gsl_rng_set(opt->noise_rng, opt->noise_seed);
    return loss(ctx);
}

/* Which entries to check: all of them, or (for a tensor larger than the sample size) a sorted
 * random sample of distinct indices chosen with gsl_ran_choose from sample_seed.
 * *idx is NULL when every entry is checked. */
static int choose_entries(size_t n, const gc_options *opt, size_t **idx, size_t *k)
{
    size_t want = opt->max_per_tensor < GC_MIN_SAMPLE ? GC_MIN_SAMPLE : opt->max_per_tensor;
    *idx = NULL;
    *k = n;
    if (n <= want) return CM_OK;
    size_t *all = cm_calloc(n, sizeof *all);
    size_t *pick = all ? cm_calloc(want, sizeof *pick) : NULL;
    gsl_rng *r = pick ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
    if (!r) {
        free(all);
        free(pick);
        return pick ? cm_error(CM_ENOMEM, "gradcheck: cannot allocate a random generator")
                    : CM_ENOMEM;
    }
    gsl_rng_set(r, opt->sample_seed);
    for (size_t i = 0; i < n; i++) all[i] = i;
    gsl_ran_choose(r, pick, want, all, n, sizeof *all); /* keeps the order of `all` */
    gsl_rng_free(r);
    free(all);
    *idx = pick;
    *k = want;
    return CM_OK;
}

/* Checks entries of x: numeric = (L(x_i + h) - L(x_i - h)) / (2h), where 2h is taken as the
 * difference of the two perturbed values actually stored ((x+h) - (x-h) is rounded), and
 * rel = |a - n| / max(|a| + |n|, floor max(1, |L(x)|)). x_i is restored to its saved bits afterwards. */
int gc_check_array(const char *name, double *x, const double *g, size_t n, gc_loss_fn loss,
                   void *ctx, const gc_options *opt, gc_report *rep)
{
    if (!name || !x || !g || !loss || !rep)
        return cm_error(CM_EINVAL, "gc_check_array: NULL argument");
    gc_options def = gc_default_options();
    if (!opt) opt = &def;
    if (!(opt->h > 0) || !(opt->floor > 0) || !(opt->tol > 0))
        return cm_error(CM_EINVAL, "gc_check_array: h %g, floor %g and tol %g must be > 0", opt->h,
                        opt->floor, opt->tol);
    memset(rep, 0, sizeof *rep);
    snprintf(rep->name, sizeof rep->name, "%s", name);
    rep->n_total = n;

    /* The floor is in units of the loss: the rounding noise of L(x+h) - L(x-h) grows with |L|,
     * and scaling a loss by c scales a, n and that noise alike, so the verdict should not
     * change. A non-finite loss fails every entry below. */
    double l0 = eval_loss(loss, ctx, opt);
    double floor = opt->floor * (fabs(l0) > 1.0 ? fabs(l0) : 1.0);
    size_t *idx, k;
    int st = choose_entries(n, opt, &idx, &k);
    if (st != CM_OK) return st;
    for (size_t j = 0; j < k; j++) {
        size_t i = idx ? idx[j] : j;
        double saved = x[i];
        double xp = saved + opt->h, xm = saved - opt->h;
        x[i] = xp;
        double lp = eval_loss(loss, ctx, opt);
        x[i] = xm;
        double lm = eval_loss(loss, ctx, opt);
        x[i] = saved;
        double num = (lp - lm) / (xp - xm);
        double a = g[i];
        double denom = fabs(a) + fabs(num);
        double rel = fabs(a - num) / (denom > floor ? denom : floor);
        if (isnan(rel)) rel = INFINITY; /* a NaN loss or gradient must fail, not compare false */
        if (j == 0 || rel > rep->worst_rel_err) {
            rep->worst_rel_err = rel;
            rep->worst_index = i;
            rep->analytic = a;
            rep->numeric = num;
        }
        if (fabs(a) > rep->max_abs_grad) rep->max_abs_grad = fabs(a);
    }
    free(idx);
    if (!isfinite(l0)) rep->worst_rel_err = INFINITY;
    rep->n_checked = k;
    rep->passed = rep->worst_rel_err <= opt->tol && rep->max_abs_grad > 0;
    return CM_OK;
}

int gc_check_params(params *p, gc_loss_fn loss, void *ctx, const gc_options *opt, gc_report *reps)
{
    if (!p || !p->committed || !loss || !reps) {
        cm_error(CM_EINVAL, "gc_check_params: needs a committed block, a loss and reports");
        return -1;
    }
    /* A copy of the analytic gradients, so that a loss function that (against the contract)
     * runs a backward pass cannot change what is being checked. */
    double *g = cm_calloc(p->size, sizeof *g);
    if (!g) return -1;
    memcpy(g, p->grad, p->size * sizeof *g);
    int failed = 0;
    for (size_t t = 0; t < p->n_tensors; t++) {
        const param_tensor *pt = &p->tensors[t];
        if (gc_check_array(pt->name, p->data + pt->offset, g + pt->offset, pt->size, loss, ctx, opt,
                           &reps[t]) != CM_OK) {
            free(g);
            return -1;
        }
        failed += !reps[t].passed;
    }
    free(g);
    return failed;
}

int gc_print_table(FILE *f, const gc_report *reps, size_t n)
{
    int failed = 0;
    fprintf(f, "%-24s %15s %13s %8s %15s %15s  %s\n", "tensor", "checked/total", "worst rel err",
            "index", "analytic", "numeric", "result");
    for (size_t i = 0; i < n; i++) {
        const gc_report *r = &reps[i];
        char cnt[48];
        snprintf(cnt, sizeof cnt, "%zu/%zu", r->n_checked, r->n_total);
        const char *verdict = r->passed             ? "PASS"
                              : r->max_abs_grad > 0 ? "FAIL"
                                                    : "FAIL (zero grad)";
        fprintf(f, "%-24s %15s %13.3e %8zu %15.8e %15.8e  %s\n", r->name, cnt, r->worst_rel_err,
                r->worst_index, r->analytic, r->numeric, verdict);
        failed += !r->passed;
    }
    return failed;
}
