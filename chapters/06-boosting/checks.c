/* checks.c: numeric checks of the chapter (checks.h) and `boosting check`. */
#include "checks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "cmds.h"
#include "cmds_util.h"
#include "error.h"

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(a) + fabs(b), 1e-8);
}

double boost_check_gradients(boost_loss loss, size_t n, gsl_rng *r)
{
    double worst = 0, eps = 1e-4;
    for (size_t i = 0; i < n; i++) {
        double y = loss == BOOST_LOSS_SQUARED ? gsl_ran_gaussian(r, 3.0)
                                              : (double)gsl_rng_uniform_int(r, 2);
        double F = -6 + 12 * gsl_rng_uniform(r), g, h, res;
        double L0 = boost_loss_eval(loss, y, F, &g, &h);
        double Lp = boost_loss_eval(loss, y, F + eps, NULL, NULL);
        double Lm = boost_loss_eval(loss, y, F - eps, NULL, NULL);
        double dnum = (Lp - Lm) / (2 * eps), d2num = (Lp - 2 * L0 + Lm) / (eps * eps);
        boost_gbdt_residuals(loss, &y, &F, 1, &res);
        worst = fmax(worst, rel(res, -dnum));
        worst = fmax(worst, rel(g, dnum));
        /* the second difference loses about half the digits: judged at 1e-6 scale below */
        worst = fmax(worst, rel(h, d2num) * 1e-2);
    }
    return worst;
}

static double expansion(const double *g, const double *h, size_t m, double x)
{
    double q = 0;
    for (size_t i = 0; i < m; i++) q += g[i] * x + 0.5 * h[i] * x * x;
    return q;
}

double boost_check_newton(size_t m, size_t trials, gsl_rng *r)
{
    double *g = cm_xcalloc(m, sizeof *g), *h = cm_xcalloc(m, sizeof *h);
    size_t *rows = cm_xcalloc(m, sizeof *rows);
    double worst = 0;
    for (size_t t = 0; t < trials; t++) {
        double G = 0, H = 0;
        for (size_t i = 0; i < m; i++) {
            double p = gsl_rng_uniform_pos(r), y = (double)gsl_rng_uniform_int(r, 2);
            g[i] = p - y, h[i] = p * (1 - p); /* as the logistic loss gives them */
            G += g[i], H += h[i];
            rows[i] = i;
        }
        double gamma = boost_newton_leaf(g, h, rows, m);
        /* golden-section search of the expansion on [-50, 50] */
        double a = -50, b = 50, phi = (sqrt(5.0) - 1) / 2;
        double x1 = b - phi * (b - a), x2 = a + phi * (b - a);
        double f1 = expansion(g, h, m, x1), f2 = expansion(g, h, m, x2);
        for (int it = 0; it < 200 && b - a > 1e-13; it++) {
            if (f1 < f2) {
                b = x2, x2 = x1, f2 = f1;
                x1 = b - phi * (b - a), f1 = expansion(g, h, m, x1);
            } else {
                a = x1, x1 = x2, f1 = f2;
                x2 = a + phi * (b - a), f2 = expansion(g, h, m, x2);
            }
        }
        double star = (a + b) / 2, scale = fmax(fabs(gamma), 1e-3);
        worst = fmax(worst, fabs(gamma + G / H) / scale);
        /* the minimum of a parabola is flat: x found to about sqrt(machine eps) * scale */
        worst = fmax(worst, fabs(gamma - star) / scale * 1e-2);
    }
    free(g), free(h), free(rows);
    return worst;
}

/* Random small data with ties: values on a grid of 5 per feature, n rows, d features. */
static boost_data *tie_data(size_t n, size_t d, int K, gsl_rng *r)
{
    boost_data *ds = boost_data_alloc(n, d);
    if (!ds) cm_die_status(CM_ENOMEM);
    ds->label = cm_xcalloc(n, sizeof *ds->label);
    ds->n_classes = K;
    for (size_t j = 0; j < d; j++) ds->names[j] = NULL;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            ds->X[j * n + i] = 0.25 * (double)gsl_rng_uniform_int(r, 5) + 0.1 * (double)j;
        ds->label[i] = K > 0 ? (int)gsl_rng_uniform_int(r, (unsigned long)K) : 0;
        ds->y[i] = K > 0 ? ds->label[i] : gsl_ran_gaussian(r, 2.0) + ds->X[i];
    }
    return ds;
}

/* The weighted impurity decrease of a split, from the definitions; for the Newton criterion
 * (gradients ds->y, hessians h) its gain, eq. 7 of Chen & Guestrin (2016) written out:
 * G_L^2/(H_L + lambda) + G_R^2/(H_R + lambda) - G^2/(H + lambda). */
static double decrease(const boost_data *ds, const double *w, const double *h, double lambda,
                       boost_criterion c, size_t j, double thr)
{
    size_t width = boost_stat_width(c, ds->n_classes);
    double s[3][64] = {{0}};
    for (size_t i = 0; i < ds->n; i++) {
        int side = ds->X[j * ds->n + i] <= thr ? 1 : 2;
        int ks[2] = {0, side};
        for (int q = 0; q < 2; q++) { /* the node and the side the row goes to */
            double *e = s[ks[q]];
            e[0] += w[i];
            if (c == BOOST_SQUARED)
                e[1] += w[i] * ds->y[i], e[2] += w[i] * ds->y[i] * ds->y[i];
            else if (c == BOOST_NEWTON)
                e[1] += w[i] * ds->y[i], e[2] += w[i] * h[i];
            else
                e[1 + ds->label[i]] += w[i];
        }
    }
    if (s[1][0] <= 0 || s[2][0] <= 0) return -INFINITY;
    if (c == BOOST_NEWTON)
        return s[1][1] * s[1][1] / (s[1][2] + lambda) + s[2][1] * s[2][1] / (s[2][2] + lambda) -
               s[0][1] * s[0][1] / (s[0][2] + lambda);
    return s[0][0] * boost_impurity(c, s[0], width) - s[1][0] * boost_impurity(c, s[1], width) -
           s[2][0] * boost_impurity(c, s[2], width);
}

/* Random hessians in [0.01, 0.26) (a logistic loss's p (1 - p) is at most 1/4), and a lambda:
 * 0 on even trials, else in [0, 2). */
static double *newton_h(size_t n, gsl_rng *r)
{
    double *h = cm_xcalloc(n, sizeof *h);
    for (size_t i = 0; i < n; i++) h[i] = 0.01 + 0.25 * gsl_rng_uniform(r);
    return h;
}

double boost_check_split_bruteforce(size_t trials, gsl_rng *r)
{
    static const boost_criterion crits[] = {BOOST_GINI, BOOST_ENTROPY, BOOST_SQUARED, BOOST_NEWTON};
    double worst = 0;
    for (size_t t = 0; t < trials; t++)
        for (int ci = 0; ci < 4; ci++) {
            boost_criterion c = crits[ci];
            int reg = c == BOOST_SQUARED || c == BOOST_NEWTON;
            size_t n = 8 + gsl_rng_uniform_int(r, 20), d = 1 + gsl_rng_uniform_int(r, 4);
            boost_data *ds = tie_data(n, d, reg ? 0 : 3, r);
            if (reg) ds->n_classes = 0;
            double *w = cm_xcalloc(n, sizeof *w);
            for (size_t i = 0; i < n; i++) w[i] = 0.1 + gsl_rng_uniform(r);
            double *h = c == BOOST_NEWTON ? newton_h(n, r) : NULL;
            double lambda = c == BOOST_NEWTON && t % 2 ? 2 * gsl_rng_uniform(r) : 0;
            boost_xy xy = boost_data_xy(ds);
            if (reg) xy.label = NULL;
            xy.h = h;
            boost_tree_work *work = boost_tree_work_alloc(&xy, NULL, NULL);
            boost_tree *tr = boost_tree_alloc(d, reg ? 1 : 3);
            if (!work || !tr) cm_die_status(CM_ENOMEM);
            boost_tree_params p;
            boost_tree_params_default(&p, c);
            p.max_depth = 1;
            p.lambda = lambda;
            cm_die_status(boost_tree_fit(tr, &xy, w, &p, NULL, work));
            double best = -INFINITY; /* brute force: every feature, every distinct gap */
            for (size_t j = 0; j < d; j++)
                for (size_t a = 0; a < n; a++) {
                    double lo = ds->X[j * n + a], hi = INFINITY;
                    for (size_t b = 0; b < n; b++)
                        if (ds->X[j * n + b] > lo && ds->X[j * n + b] < hi) hi = ds->X[j * n + b];
                    if (isinf(hi)) continue;
                    double v = decrease(ds, w, h, lambda, c, j, (lo + hi) / 2);
                    if (v > best) best = v;
                }
            int engine_split = tr->n_nodes > 1;
            int brute_split = best > 1e-12;
            if (engine_split != brute_split) {
                /* a pure node has no split worth making: both agree that none is needed */
                if (!(brute_split == 0 || (c != BOOST_NEWTON && tr->node[0].impurity <= 2.3e-16)))
                    worst = INFINITY;
            } else if (engine_split) {
                double got = decrease(ds, w, h, lambda, c, (size_t)tr->node[0].feature,
                                      tr->node[0].threshold);
                worst = fmax(worst, fabs(got - best) / fmax(fabs(best), 1e-300));
            }
            if (c == BOOST_NEWTON) {
                /* the root's value is the Newton step -G / (H + lambda), and with a split the
                 * weighted "impurities" fall by the gain (what the importances add up) */
                double G = 0, H = 0;
                for (size_t i = 0; i < n; i++) G += w[i] * ds->y[i], H += w[i] * h[i];
                worst = fmax(worst, rel(tr->value[0], -G / (H + lambda)) * 1e3);
                if (engine_split) {
                    const boost_node *a = &tr->node[0], *L = &tr->node[a->left],
                                     *R = &tr->node[a->right];
                    double dec =
                        a->weight * a->impurity - L->weight * L->impurity - R->weight * R->impurity;
                    worst = fmax(worst, fabs(dec - best) / fmax(fabs(best), 1e-300));
                }
            }
            free(h);
            boost_tree_free(tr);
            boost_tree_work_free(work);
            free(w);
            boost_data_free(ds);
        }
    return worst;
}

/* Counts the nodes where te and th differ (feature, threshold, rows, weight, leaf value), +1000
 * when the node counts differ. */
static double tree_diff(const boost_tree *te, const boost_tree *th)
{
    if (te->n_nodes != th->n_nodes) return 1000;
    double bad = 0;
    int nv = te->n_values;
    for (size_t k = 0; k < te->n_nodes; k++) {
        const boost_node *a = &te->node[k], *b = &th->node[k];
        int diff = a->feature != b->feature || a->threshold != b->threshold ||
                   a->n_samples != b->n_samples || fabs(a->weight - b->weight) > 1e-12 * a->weight;
        for (int v = 0; v < nv; v++)
            diff |= fabs(te->value[k * (size_t)nv + (size_t)v] -
                         th->value[k * (size_t)nv + (size_t)v]) > 1e-12;
        bad += diff;
    }
    return bad;
}

/* On data with ties two splits can cut a node's rows alike (two features, or the same sets
 * with left and right swapped), and rounding picks either: then the trees must agree on every
 * training row (the depth and values of its leaf), not node by node. Counts the rows that
 * differ, +1000 when the node counts differ. */
static double tree_diff_rows(const boost_tree *te, const boost_tree *th, const boost_data *ds,
                             const double *w)
{
    if (te->n_nodes != th->n_nodes) return 1000;
    double bad = 0;
    int nv = te->n_values;
    for (size_t i = 0; i < ds->n; i++) {
        if (w[i] <= 0) continue;
        int la = boost_tree_leaf(te, ds->X + i, ds->n), lb = boost_tree_leaf(th, ds->X + i, ds->n);
        int diff = te->node[la].depth != th->node[lb].depth ||
                   te->node[la].n_samples != th->node[lb].n_samples;
        for (int v = 0; v < nv; v++)
            diff |= fabs(te->value[(size_t)la * (size_t)nv + (size_t)v] -
                         th->value[(size_t)lb * (size_t)nv + (size_t)v]) > 1e-12;
        bad += diff;
    }
    return bad;
}

double boost_check_hist_exact(size_t trials, gsl_rng *r)
{
    static const boost_criterion crits[] = {BOOST_GINI, BOOST_ENTROPY, BOOST_SQUARED, BOOST_NEWTON};
    double bad = 0;
    for (size_t t = 0; t < trials; t++)
        for (int ci = 0; ci < 8; ci++) {
            boost_criterion c = crits[ci % 4];
            int reg = c == BOOST_SQUARED || c == BOOST_NEWTON;
            int ties = ci >= 4; /* else continuous values, every one its own bin (n <= 256) */
            size_t n = 50 + gsl_rng_uniform_int(r, 200), d = 1 + gsl_rng_uniform_int(r, 5);
            boost_data *ds = tie_data(n, d, reg ? 0 : 3, r);
            for (size_t i = 0; i < n * d; i++) /* ties: up to 11 distinct values per feature */
                ds->X[i] = ties ? floor(ds->X[i] * 4) + 0.5 * (double)gsl_rng_uniform_int(r, 3)
                                : gsl_ran_gaussian(r, 1.0);
            if (reg) ds->n_classes = 0;
            boost_xy xy = boost_data_xy(ds);
            if (reg) xy.label = NULL;
            double *h = c == BOOST_NEWTON ? newton_h(n, r) : NULL;
            xy.h = h;
            double *w = cm_xcalloc(n, sizeof *w);
            /* some rows out; the others with uneven weights on data with ties, and weight 1 on
             * continuous data (the histogram's own path for unit weights, as in GBDT) */
            for (size_t i = 0; i < n; i++)
                w[i] = gsl_rng_uniform(r) < 0.2 ? 0 : ties ? 0.5 + gsl_rng_uniform(r) : 1.0;
            boost_binning *bins = boost_binning_alloc(&xy, ties ? 12 : 256);
            boost_tree_work *we = boost_tree_work_alloc(&xy, NULL, NULL);
            boost_tree_work *wh = bins ? boost_tree_work_alloc(&xy, NULL, bins) : NULL;
            int nv = reg ? 1 : 3;
            boost_tree *te = boost_tree_alloc(d, nv), *th = boost_tree_alloc(d, nv);
            if (!we || !wh || !te || !th) cm_die_status(CM_ENOMEM);
            boost_tree_params p;
            boost_tree_params_default(&p, c);
            p.min_samples_leaf = 2;
            p.lambda = c == BOOST_NEWTON && t % 2 ? 0.5 : 0;
            /* Newton with unit weights, one row per leaf allowed and a depth limit: the
             * histogram's compact [G, H] entries (tree_grow.c, scan_newton_compact) */
            if (c == BOOST_NEWTON && t % 3 == 0) p.min_samples_leaf = 1, p.max_depth = 12;
            cm_die_status(boost_tree_fit(te, &xy, w, &p, NULL, we));
            cm_die_status(boost_tree_fit(th, &xy, w, &p, NULL, wh));
            bad += ties ? tree_diff_rows(te, th, ds, w) : tree_diff(te, th);
            boost_tree_free(te), boost_tree_free(th);
            boost_tree_work_free(we), boost_tree_work_free(wh);
            boost_binning_free(bins);
            free(w), free(h);
            boost_data_free(ds);
        }
    return bad;
}

double boost_check_newton_squared(size_t trials, gsl_rng *r)
{
    double bad = 0;
    for (size_t t = 0; t < trials; t++) {
        size_t n = 100 + gsl_rng_uniform_int(r, 300), d = 1 + gsl_rng_uniform_int(r, 5);
        boost_data *ds = tie_data(n, d, 0, r);
        for (size_t i = 0; i < n * d; i++) ds->X[i] = gsl_ran_gaussian(r, 1.0);
        for (size_t i = 0; i < n; i++)
            ds->y[i] = sin(2 * ds->X[i]) + ds->X[(d - 1) * n + i] + gsl_ran_gaussian(r, 0.3);
        ds->n_classes = 0;
        free(ds->label);
        ds->label = NULL;
        for (int hist = 0; hist < 2; hist++) {
            boost_gbdt *g[2];
            for (int k = 0; k < 2; k++) {
                boost_gbdt_params p = {.loss = BOOST_LOSS_SQUARED,
                                       .rounds = 12,
                                       .lr = 0.3,
                                       .subsample = 1,
                                       .max_depth = 4,
                                       .min_samples_leaf = 1 + t % 3,
                                       .split = k ? BOOST_SPLIT_NEWTON : BOOST_SPLIT_RESIDUAL,
                                       .bins = hist ? 64 : 0};
                cm_die_status(boost_gbdt_fit(&g[k], ds, &p, NULL, NULL, NULL, NULL));
            }
            bad += g[0]->rounds != g[1]->rounds || g[0]->f0 != g[1]->f0;
            for (size_t m = 0; m < g[0]->rounds && m < g[1]->rounds; m++) {
                const boost_tree *a = g[0]->tree[m], *b = g[1]->tree[m];
                if (a->n_nodes != b->n_nodes) {
                    bad += 1000;
                    continue;
                }
                for (size_t k = 0; k < a->n_nodes; k++) /* bit for bit */
                    bad += a->node[k].feature != b->node[k].feature ||
                           a->node[k].threshold != b->node[k].threshold ||
                           a->node[k].n_samples != b->node[k].n_samples ||
                           (a->node[k].feature < 0 && a->value[k] != b->value[k]);
            }
            boost_gbdt_free(g[0]), boost_gbdt_free(g[1]);
        }
        boost_data_free(ds);
    }
    return bad;
}

int boost_run_check(const boost_opts *o)
{
    const cli_common *c = o->c;
    if (c->data) cm_die("--data: the checks draw their own random data");
    gsl_rng *r = boost_rng(c->seed);
    struct {
        const char *name;
        double worst, tol;
    } rows[7];
    rows[0].name = "pseudo-residual, g, h of the squared loss vs centred differences";
    rows[0].worst = boost_check_gradients(BOOST_LOSS_SQUARED, 1000, r);
    rows[1].name = "pseudo-residual, g, h of the logistic loss vs centred differences";
    rows[1].worst = boost_check_gradients(BOOST_LOSS_LOGISTIC, 1000, r);
    rows[2].name = "Newton leaf vs -sum g/sum h and the expansion's minimum";
    rows[2].worst = boost_check_newton(37, 200, r);
    rows[3].name = "exact split search vs brute force, incl. Newton gain (relative gap)";
    rows[3].worst = boost_check_split_bruteforce(200, r);
    rows[4].name = "histogram vs exact search, bins >= distinct values (nodes differing)";
    rows[4].worst = boost_check_hist_exact(30, r);
    rows[5].name = "squared loss: Newton gain vs residual fit, GBDT nodes differing";
    rows[5].worst = boost_check_newton_squared(6, r);
    int n = 6, failed = 0;
    for (int k = 0; k < n; k++) rows[k].tol = k >= 4 ? 0 : 1e-6;
    printf("%-72s %12s  %s\n", "check", "worst", "tolerance");
    for (int k = 0; k < n; k++) {
        int ok = rows[k].worst <= rows[k].tol;
        failed += !ok;
        printf("%-72s %12.3g  %g %s\n", rows[k].name, rows[k].worst, rows[k].tol,
               ok ? "PASS" : "FAIL");
    }
    printf("summary: %d of %d checks passed\n", n - failed, n);
    gsl_rng_free(r);
    return failed ? 1 : 0;
}
