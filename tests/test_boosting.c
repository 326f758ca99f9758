/* test_boosting.c: chapter 06 (bin/boosting): the numeric checks of the issue (pseudo-residuals
 * against the loss's gradient, Newton leaves against the second-order expansion, the exact
 * split search against brute force, the histogram search against the exact one), hand-computed
 * answers, the behaviour of the tree, the forest, AdaBoost and GBDT, and the golden output of
 * `boosting --quick`. The exercises are each caught here: boosting-1 (the split scan) by
 * test_split_known and test_split_bruteforce, boosting-2 (AdaBoost's update) by
 * test_ada_reweight_*, boosting-3 (pseudo-residuals) by test_residuals_* and
 * test_gradients_*, boosting-4 (the Newton leaf) by test_newton_*. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "boost_data.h"
#include "checks.h"
#include "error.h"
#include "ensemble.h"
#include "pool.h"
#include "testutil.h"
#include "tree.h"

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* ---- the numeric checks of the issue ------------------------------------------------------- */

START_TEST(test_gradients_squared)
{
    gsl_rng *r = rng(11);
    double worst = boost_check_gradients(BOOST_LOSS_SQUARED, 500, r);
    ck_assert_msg(worst <= 1e-6, "squared loss: residual/g/h vs centred differences: worst %.3g",
                  worst);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_gradients_logistic)
{
    gsl_rng *r = rng(12);
    double worst = boost_check_gradients(BOOST_LOSS_LOGISTIC, 500, r);
    ck_assert_msg(worst <= 1e-6, "logistic loss: residual/g/h vs centred differences: worst %.3g",
                  worst);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_newton_minimizes_expansion)
{
    gsl_rng *r = rng(13);
    double worst = boost_check_newton(23, 100, r);
    ck_assert_msg(worst <= 1e-6, "Newton leaf vs -sum g/sum h and the expansion's minimum: %.3g",
                  worst);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_split_bruteforce)
{
    gsl_rng *r = rng(14);
    double worst = boost_check_split_bruteforce(150, r);
    ck_assert_msg(worst <= 1e-9, "exact split search vs brute force: relative gap %.3g", worst);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_hist_equals_exact)
{
    gsl_rng *r = rng(15);
    double bad = boost_check_hist_exact(15, r);
    ck_assert_msg(bad == 0,
                  "histogram vs exact search with bins >= distinct values: %g nodes or "
                  "rows differ",
                  bad);
    gsl_rng_free(r);
}
END_TEST

/* The Newton gain: the engine's splits against eq. 7 written out, by brute force (inside
 * boost_check_split_bruteforce, above) and here the squared loss, where it must rank splits as
 * the residual criterion does: the same GBDT bit for bit. */
START_TEST(test_newton_squared_same_trees)
{
    gsl_rng *r = rng(16);
    double bad = boost_check_newton_squared(4, r);
    ck_assert_msg(bad == 0, "squared loss, Newton gain vs residual fit: %g nodes differ", bad);
    gsl_rng_free(r);
}
END_TEST

/* ---- hand-computed answers ----------------------------------------------------------------- */

/* left [W, G, H] = [2, -3, 1.5], right [3, 4, 2], lambda 1:
 * 9/2.5 + 16/3 - 1/4.5 = 3.6 + 5.33333 - 0.22222 = 8.71111 */
START_TEST(test_newton_gain_known)
{
    double l[3] = {2, -3, 1.5}, rt[3] = {3, 4, 2};
    double want = 9 / 2.5 + 16 / 3.0 - 1 / 4.5;
    ck_assert_msg(fabs(boost_newton_gain(l, rt, 1.0) - want) < 1e-14, "gain %.17g, want %.17g",
                  boost_newton_gain(l, rt, 1.0), want);
    ck_assert_msg(fabs(boost_newton_score(l, 0) - 6) < 1e-15, "score G^2/H = 9/1.5");
    /* six rows sorted by x, g = -1 -1 -1 +1 +1 +2, h = 1 1 1 1 1 0.5: the best split is after
     * the third row (9/3 + 16/2.5 = 9.4 against after the fifth: 1/5 + 4/0.5 = 8.2) */
    double x[6] = {1, 2, 3, 4, 5, 6}, g[6] = {-1, -1, -1, 1, 1, 2}, h[6] = {1, 1, 1, 1, 1, 0.5};
    uint32_t rows[6] = {0, 1, 2, 3, 4, 5};
    double node[3] = {6, 1, 5.5}, work[6], proxy;
    size_t pos = 99;
    boost_stat_src src = {.criterion = BOOST_NEWTON, .width = 3, .y = g, .h = h};
    ck_assert_int_eq(boost_best_split_sorted(&src, rows, 6, x, NULL, node, 1, work, &pos, &proxy),
                     1);
    ck_assert_msg(pos == 2 && fabs(proxy - 9.4) < 1e-12, "Newton: row %zu, proxy %.17g", pos,
                  proxy);
    /* lambda 10 shrinks the small right side more: after the fifth row 1/15 + 4/10.5 = 0.448,
     * after the third 9/13 + 16/12.5 = 1.972: still the third */
    src.lambda = 10;
    ck_assert_int_eq(boost_best_split_sorted(&src, rows, 6, x, NULL, node, 1, work, &pos, &proxy),
                     1);
    ck_assert_msg(pos == 2 && fabs(proxy - (9 / 13.0 + 16 / 12.5)) < 1e-12,
                  "Newton, lambda 10: row %zu, proxy %.17g", pos, proxy);
}
END_TEST

/* x = 1..6 with labels 0 0 0 1 1 1 (unit weights): the best Gini split is between 3 and 4
 * (two pure children, proxy 3^2/3 + 3^2/3 = 6) with threshold 3.5. */
START_TEST(test_split_known)
{
    double x[6] = {4, 1, 6, 2, 5, 3};
    int lab[6] = {1, 0, 1, 0, 1, 0};
    uint32_t rows[6] = {1, 3, 5, 0, 4, 2}; /* sorted by x */
    double node[3] = {6, 3, 3}, work[6], proxy;
    size_t pos = 99;
    boost_stat_src src = {.criterion = BOOST_GINI, .width = 3, .label = lab};
    ck_assert_int_eq(boost_best_split_sorted(&src, rows, 6, x, NULL, node, 1, work, &pos, &proxy),
                     1);
    ck_assert_msg(pos == 2 && fabs(proxy - 6) < 1e-12,
                  "Gini: expected the split after the 3rd row with proxy 6, got row %zu, %g", pos,
                  proxy);
    /* min_samples_leaf 4: no split leaves 4 rows on both sides of 6 */
    ck_assert_int_eq(boost_best_split_sorted(&src, rows, 6, x, NULL, node, 4, work, &pos, &proxy),
                     0);
    /* squared error, y = x^2: S_L^2/W_L + S_R^2/W_R is largest after the 4th row:
     * (1+4+9+16)^2/4 + (25+36)^2/2 = 225 + 1860.5 = 2085.5 (after the 5th: 3025/5 + 648 = 1253;
     * after the 3rd: 196/3 + 5929/3 = 2041.67) */
    double y[6] = {16, 1, 36, 4, 25, 9}, nodes[3] = {6, 91, 0};
    boost_stat_src sq = {.criterion = BOOST_SQUARED, .width = 3, .y = y};
    ck_assert_int_eq(boost_best_split_sorted(&sq, rows, 6, x, NULL, nodes, 1, work, &pos, &proxy),
                     1);
    ck_assert_msg(pos == 3 && fabs(proxy - 2085.5) < 1e-9,
                  "squared error: expected row 3 and 2085.5, got %zu and %.10g", pos, proxy);
    /* ties in x: a threshold never falls between equal values */
    double xt[6] = {1, 1, 1, 2, 2, 2};
    int lt[6] = {0, 0, 1, 0, 1, 1};
    uint32_t rt[6] = {0, 1, 2, 3, 4, 5};
    double nt[3] = {6, 3, 3};
    src.label = lt;
    ck_assert_int_eq(boost_best_split_sorted(&src, rt, 6, xt, NULL, nt, 1, work, &pos, &proxy), 1);
    ck_assert_msg(pos == 2, "ties: the only candidate is after the 3rd row, got %zu", pos);
}
END_TEST

START_TEST(test_impurity_known)
{
    double s[3] = {4, 1, 3}; /* p = 1/4, 3/4 */
    ck_assert_msg(fabs(boost_impurity(BOOST_GINI, s, 3) - 0.375) < 1e-15, "Gini 1 - 1/16 - 9/16");
    double h = -(0.25 * log2(0.25) + 0.75 * log2(0.75));
    ck_assert_msg(fabs(boost_impurity(BOOST_ENTROPY, s, 3) - h) < 1e-15, "entropy in bits");
    double q[3] = {2, 4, 10}; /* y = 1, 3: variance 1 */
    ck_assert_msg(fabs(boost_impurity(BOOST_SQUARED, q, 3) - 1) < 1e-15, "variance of 1 and 3");
}
END_TEST

/* The article's AdaBoost on 4 rows of weight 1/4, one of them wrong: e = 1/4,
 * alpha = 1/2 ln 3, and after the update the mistakes carry exactly half of the weight. */
START_TEST(test_ada_reweight_discrete)
{
    int miss[4] = {1, 0, 0, 0};
    double w[4] = {0.25, 0.25, 0.25, 0.25}, e, alpha;
    ck_assert_int_eq(boost_ada_reweight(miss, w, 4, 2, 1.0, 1, &e, &alpha), 0);
    ck_assert_msg(fabs(e - 0.25) < 1e-15, "e = %g, expected 0.25", e);
    ck_assert_msg(fabs(alpha - 0.5 * log(3.0)) < 1e-15, "alpha = %.17g, expected ln(3)/2", alpha);
    ck_assert_msg(fabs(w[0] - 0.5) < 1e-15 && fabs(w[1] - 1.0 / 6) < 1e-15,
                  "weights after the update: %.17g %.17g, expected 1/2 and 1/6", w[0], w[1]);
    double sum = w[0] + w[1] + w[2] + w[3];
    ck_assert_msg(fabs(sum - 1) < 1e-15, "weights sum to %.17g", sum);
}
END_TEST

/* SAMME, K = 3, lr 1: alpha = ln(3) + ln(2) = ln 6; the mistake's weight times 6, then
 * renormalized: 1.5 / 2.25 and 0.25 / 2.25. With K = 2 its weights equal the article's. */
START_TEST(test_ada_reweight_samme)
{
    int miss[4] = {1, 0, 0, 0};
    double w[4] = {0.25, 0.25, 0.25, 0.25}, e, alpha;
    ck_assert_int_eq(boost_ada_reweight(miss, w, 4, 3, 1.0, 0, &e, &alpha), 0);
    ck_assert_msg(fabs(alpha - log(6.0)) < 1e-14, "alpha = %.17g, expected ln 6", alpha);
    ck_assert_msg(fabs(w[0] - 1.5 / 2.25) < 1e-15 && fabs(w[1] - 0.25 / 2.25) < 1e-15,
                  "SAMME weights %.17g %.17g", w[0], w[1]);
    /* error 0.3 (below chance: 0.5 itself would return -1 and leave alpha unset) */
    int m2[5] = {0, 1, 0, 0, 0};
    double a[5] = {0.1, 0.3, 0.2, 0.15, 0.25}, b[5];
    memcpy(b, a, sizeof a);
    double ea, eb, aa, ab;
    ck_assert_int_eq(boost_ada_reweight(m2, a, 5, 2, 1.0, 1, &ea, &aa), 0);
    ck_assert_int_eq(boost_ada_reweight(m2, b, 5, 2, 1.0, 0, &eb, &ab), 0);
    ck_assert_msg(fabs(ab - 2 * aa) < 1e-14, "SAMME's alpha for K=2 is twice the article's");
    for (int i = 0; i < 5; i++)
        ck_assert_msg(fabs(a[i] - b[i]) < 1e-15, "row %d: weights %.17g (article), %.17g (SAMME)",
                      i, a[i], b[i]);
    /* no better than chance, and perfect */
    int all[2] = {1, 0};
    double w2[2] = {0.5, 0.5};
    ck_assert_int_eq(boost_ada_reweight(all, w2, 2, 2, 1.0, 1, &e, &alpha), -1);
    int none[2] = {0, 0};
    ck_assert_int_eq(boost_ada_reweight(none, w2, 2, 2, 1.0, 1, &e, &alpha), 1);
    ck_assert_msg(e == 0 && w2[0] == 0.5, "a perfect learner leaves the weights alone");
}
END_TEST

START_TEST(test_residuals_known)
{
    double y[3] = {2.5, -1, 0}, F[3] = {1, 1, -0.25}, r[3];
    boost_gbdt_residuals(BOOST_LOSS_SQUARED, y, F, 3, r);
    ck_assert_msg(r[0] == 1.5 && r[1] == -2 && r[2] == 0.25, "squared: r = y - F");
    double yl[4] = {1, 0, 1, 0}, Fl[4] = {0, 0, 800, -800}, rl[4];
    boost_gbdt_residuals(BOOST_LOSS_LOGISTIC, yl, Fl, 4, rl);
    ck_assert_msg(rl[0] == 0.5 && rl[1] == -0.5, "logistic at F = 0: y - 1/2, got %g %g", rl[0],
                  rl[1]);
    ck_assert_msg(fabs(rl[2]) < 1e-300 && fabs(rl[3]) < 1e-300,
                  "logistic at |F| = 800: finite and 0, got %g %g", rl[2], rl[3]);
    double g, h, L = boost_loss_eval(BOOST_LOSS_LOGISTIC, 1, 800, &g, &h);
    ck_assert_msg(isfinite(L) && isfinite(g) && isfinite(h), "logistic loss finite at F = 800");
}
END_TEST

START_TEST(test_newton_known)
{
    double g[3] = {0.5, -0.25, 7}, h[3] = {0.25, 0.1875, 1};
    size_t rows[2] = {0, 1};
    double v = boost_newton_leaf(g, h, rows, 2);
    ck_assert_msg(fabs(v - (-0.25 / 0.4375)) < 1e-15, "Newton leaf %.17g, expected -0.25/0.4375",
                  v);
    double z[2] = {0, 0};
    ck_assert_msg(boost_newton_leaf(g, z, rows, 2) == 0, "sum h = 0: a zero step");
}
END_TEST

/* ---- the tree ------------------------------------------------------------------------------ */

static boost_data *xor_data(size_t n, gsl_rng *r)
{
    boost_data *ds = boost_data_alloc(n, 3);
    ds->label = calloc(n, sizeof *ds->label);
    ds->n_classes = 2;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < 3; j++) ds->X[j * n + i] = gsl_rng_uniform(r) - 0.5;
        ds->label[i] = (ds->X[i] > 0) != (ds->X[n + i] > 0); /* XOR of x0, x1; x2 is noise */
        ds->y[i] = ds->label[i];
    }
    return ds;
}

START_TEST(test_tree_behaviour)
{
    gsl_rng *r = rng(21);
    boost_data *ds = xor_data(400, r);
    boost_xy xy = boost_data_xy(ds);
    boost_tree_work *w = boost_tree_work_alloc(&xy, NULL, NULL);
    boost_tree *t = boost_tree_alloc(3, 2);
    boost_tree_params p;
    boost_tree_params_default(&p, BOOST_GINI);
    ck_assert_int_eq(boost_tree_fit(t, &xy, NULL, &p, NULL, w), CM_OK);
    size_t wrong = 0;
    for (size_t i = 0; i < ds->n; i++)
        wrong += boost_tree_predict_class(t, ds->X + i, ds->n) != ds->label[i];
    ck_assert_msg(wrong == 0, "a fully grown tree fits its training data: %zu wrong", wrong);
    double imp[3];
    boost_tree_importance(t, imp, 1);
    ck_assert_msg(fabs(imp[0] + imp[1] + imp[2] - 1) < 1e-12, "importances sum to 1");
    ck_assert_msg(imp[0] > 0.1 && imp[1] > 0.1 && imp[2] < 0.1,
                  "XOR of x0, x1: importances %g %g %g", imp[0], imp[1], imp[2]);
    /* depth and leaf limits */
    p.max_depth = 2;
    ck_assert_int_eq(boost_tree_fit(t, &xy, NULL, &p, NULL, w), CM_OK);
    ck_assert_msg(boost_tree_depth(t) <= 2 && t->n_nodes <= 7, "max_depth 2: depth %d, %zu nodes",
                  boost_tree_depth(t), t->n_nodes);
    boost_tree_params_default(&p, BOOST_GINI);
    p.max_leaves = 9;
    ck_assert_int_eq(boost_tree_fit(t, &xy, NULL, &p, NULL, w), CM_OK);
    ck_assert_msg(boost_tree_n_leaves(t) == 9 && t->n_nodes == 17, "max_leaves 9: %zu leaves",
                  boost_tree_n_leaves(t));
    boost_tree_params_default(&p, BOOST_GINI);
    p.min_samples_leaf = 30;
    ck_assert_int_eq(boost_tree_fit(t, &xy, NULL, &p, NULL, w), CM_OK);
    for (size_t k = 0; k < t->n_nodes; k++)
        ck_assert_msg(t->node[k].n_samples >= 30, "node %zu has %zu rows < min_samples_leaf 30", k,
                      t->node[k].n_samples);
    boost_tree_params_default(&p, BOOST_GINI);
    p.min_impurity_decrease = 1.0; /* more than any split can give */
    ck_assert_int_eq(boost_tree_fit(t, &xy, NULL, &p, NULL, w), CM_OK);
    ck_assert_msg(t->n_nodes == 1, "min_impurity_decrease 1: a single leaf, got %zu nodes",
                  t->n_nodes);
    /* rows of weight 0 are not in the tree */
    double *wt = calloc(ds->n, sizeof *wt);
    for (size_t i = 0; i < ds->n; i += 2) wt[i] = 1;
    boost_tree_params_default(&p, BOOST_GINI);
    ck_assert_int_eq(boost_tree_fit(t, &xy, wt, &p, NULL, w), CM_OK);
    ck_assert_msg(t->node[0].n_samples == 200, "weights 0: root holds %zu rows, expected 200",
                  t->node[0].n_samples);
    free(wt);
    boost_tree_free(t);
    boost_tree_work_free(w);
    boost_data_free(ds);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_binning)
{
    gsl_rng *r = rng(22);
    boost_data *ds = xor_data(1000, r);
    for (size_t i = 0; i < ds->n; i++) ds->X[2 * ds->n + i] = 3.25; /* a constant feature */
    boost_xy xy = boost_data_xy(ds);
    boost_binning *b = boost_binning_alloc(&xy, 16);
    ck_assert_ptr_nonnull(b);
    ck_assert_msg(b->n_bins[0] <= 16 && b->n_bins[0] >= 15, "feature 0: %zu bins of 16",
                  b->n_bins[0]);
    ck_assert_msg(b->n_bins[2] == 1, "a constant feature has one bin, got %zu", b->n_bins[2]);
    for (size_t i = 0; i < ds->n; i++) { /* every value inside its bin's edges */
        double x = ds->X[i];
        size_t k = b->bin[i];
        ck_assert(x <= b->cut[k] && (k == 0 || x > b->cut[k - 1]));
    }
    ck_assert_ptr_null(boost_binning_alloc(&xy, 1));
    boost_binning_free(b);
    boost_data_free(ds);
    gsl_rng_free(r);
}
END_TEST

/* ---- the ensembles ------------------------------------------------------------------------- */

START_TEST(test_esl_generator)
{
    gsl_rng *r = rng(23);
    boost_data *ds = boost_esl_10_2(20000, r);
    double mean = 0;
    for (size_t i = 0; i < ds->n; i++) {
        double ss = 0;
        for (size_t j = 0; j < 10; j++) ss += ds->X[j * ds->n + i] * ds->X[j * ds->n + i];
        ck_assert_int_eq(ds->label[i], ss > 9.34);
        mean += ds->label[i];
    }
    mean /= (double)ds->n;
    ck_assert_msg(fabs(mean - 0.5) < 0.015, "9.34 is the chi2(10) median: %.4f of y = 1", mean);
    boost_data_free(ds);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_adaboost_behaviour)
{
    gsl_rng *r = rng(24);
    boost_data *tr = boost_esl_10_2(600, r), *te = boost_esl_10_2(2000, r);
    double err_d[150], err_s[150], te_d[150];
    boost_ada_params p = {.rounds = 150, .max_depth = 1, .lr = 1, .discrete = 1};
    boost_ada *a, *b;
    ck_assert_int_eq(boost_ada_fit(&a, tr, &p, te, err_d, te_d), CM_OK);
    p.discrete = 0;
    ck_assert_int_eq(boost_ada_fit(&b, tr, &p, NULL, err_s, NULL), CM_OK);
    ck_assert_msg(err_d[149] < 0.6 * err_d[0], "training error must fall: %.3f -> %.3f", err_d[0],
                  err_d[149]);
    ck_assert_msg(te_d[149] < te_d[0] - 0.1, "test error must fall: %.3f -> %.3f", te_d[0],
                  te_d[149]);
    for (int m = 0; m < 150; m++)
        ck_assert_msg(err_d[m] == err_s[m], "round %d: discrete %.4f, SAMME %.4f", m, err_d[m],
                      err_s[m]);
    for (size_t i = 0; i < te->n; i += 7)
        ck_assert_int_eq(boost_ada_predict(a, te->X + i, te->n),
                         boost_ada_predict(b, te->X + i, te->n));
    double staged[150];
    boost_ada_staged_error(a, te, staged, 150);
    for (int m = 0; m < 150; m++) ck_assert(staged[m] == te_d[m]);
    boost_ada_free(a), boost_ada_free(b);
    /* a separable set: the first stump is perfect and boosting stops after it */
    for (size_t i = 0; i < tr->n; i++) tr->label[i] = tr->X[i] > 0.1;
    ck_assert_int_eq(boost_ada_fit(&a, tr, &p, NULL, err_s, NULL), CM_OK);
    ck_assert_msg(a->rounds == 1 && err_s[149] == 0, "separable: %zu rounds, error %g", a->rounds,
                  err_s[149]);
    boost_ada_free(a);
    boost_data_free(tr), boost_data_free(te);
    gsl_rng_free(r);
}
END_TEST

/* A GBDT's tree of limited depth is grown level by level (tree_grow.c's grow_levels, all the
 * nodes of a level in one job of the threads); any other tree node by node. The two give the same
 * tree: here the same Newton tree of depth 5 grown level by level, and best-first with a leaf
 * limit (32) that never binds; the nodes are numbered otherwise, the prediction of every row is
 * the same bit for bit. */
START_TEST(test_gbdt_levels_equal_nodes)
{
    gsl_rng *r = rng(41);
    boost_data *ds = boost_synthetic(20000, 10, r);
    ck_assert_ptr_nonnull(ds);
    double *g = malloc(ds->n * sizeof *g), *h = malloc(ds->n * sizeof *h);
    ck_assert(g && h);
    for (size_t i = 0; i < ds->n; i++) { /* a logistic loss's g and h, made untied */
        g[i] = ds->y[i] - 0.4 + 0.1 * gsl_ran_gaussian(r, 1.0);
        h[i] = 0.1 + 0.2 * gsl_rng_uniform(r);
    }
    boost_xy xy = boost_data_xy(ds);
    xy.y = g, xy.h = h, xy.label = NULL, xy.n_classes = 0;
    boost_pool *threads = boost_pool_start(2);
    boost_binning *bins = boost_binning_alloc_threads(&xy, 64, threads);
    boost_tree_work *work = boost_tree_work_alloc(&xy, NULL, bins);
    ck_assert(threads && bins && work);
    boost_tree_work_set_threads(work, threads);
    boost_tree *t[2] = {boost_tree_alloc(xy.d, 1), boost_tree_alloc(xy.d, 1)};
    ck_assert(t[0] && t[1]);
    for (int k = 0; k < 2; k++) {
        boost_tree_params p;
        boost_tree_params_default(&p, BOOST_NEWTON);
        p.max_depth = 5, p.lambda = 1.0;
        p.max_leaves = k ? 32 : 0; /* k = 1: best-first, node by node */
        ck_assert_int_eq(boost_tree_fit(t[k], &xy, NULL, &p, NULL, work), CM_OK);
    }
    ck_assert_uint_eq(t[0]->n_nodes, t[1]->n_nodes);
    ck_assert_uint_eq(boost_tree_n_leaves(t[0]), 32);
    for (size_t i = 0; i < ds->n; i++) {
        const double *a = boost_tree_predict(t[0], ds->X + i, ds->n);
        const double *b = boost_tree_predict(t[1], ds->X + i, ds->n);
        ck_assert_msg(a[0] == b[0], "row %zu: level by level %.17g, node by node %.17g", i, a[0],
                      b[0]);
    }
    boost_tree_free(t[0]), boost_tree_free(t[1]);
    boost_tree_work_free(work);
    boost_binning_free(bins);
    boost_pool_stop(threads);
    free(g), free(h);
    boost_data_free(ds);
    gsl_rng_free(r);
}
END_TEST

/* --threads: the same trees, bit for bit, for 1, 2 and 3 threads (features shared in pairs, an
 * odd count leaving a tail; nodes of several partition blocks and of one; subsampled rows). */
START_TEST(test_gbdt_threads)
{
    gsl_rng *r = rng(31);
    boost_data *tr = boost_synthetic(40000, 11, r);
    boost_gbdt *g[3];
    double loss[3][9];
    /* _i = 0: the residual fit, 1: the Newton gain with lambda 1 (its histograms' compact
     * [G, H] entries), 2: the same with min_samples_leaf 2 ([count, G, H, 0] entries) */
    for (int k = 0; k < 3; k++) {
        boost_gbdt_params p = {.loss = BOOST_LOSS_LOGISTIC,
                               .rounds = 8,
                               .lr = 0.3,
                               .subsample = 0.8,
                               .max_depth = 5,
                               .min_samples_leaf = _i == 2 ? 2 : 1,
                               .split = _i ? BOOST_SPLIT_NEWTON : BOOST_SPLIT_RESIDUAL,
                               .lambda = _i ? 1.0 : 0.0,
                               .bins = 64,
                               .threads = (size_t)k + 1};
        gsl_rng *rs = rng(3);
        ck_assert_int_eq(boost_gbdt_fit(&g[k], tr, &p, NULL, loss[k], NULL, rs), CM_OK);
        gsl_rng_free(rs);
    }
    for (int k = 1; k < 3; k++) {
        ck_assert_msg(memcmp(loss[0], loss[k], sizeof loss[0]) == 0, "%d threads: other losses",
                      k + 1);
        ck_assert(g[k]->rounds == g[0]->rounds && g[k]->f0 == g[0]->f0);
        for (size_t m = 0; m < g[0]->rounds; m++) {
            const boost_tree *a = g[0]->tree[m], *b = g[k]->tree[m];
            ck_assert_int_eq(a->n_nodes, b->n_nodes);
            ck_assert(a->n_nodes > 31);
            for (size_t i = 0; i < a->n_nodes; i++) {
                ck_assert_int_eq(a->node[i].feature, b->node[i].feature);
                ck_assert_int_eq(a->node[i].n_samples, b->node[i].n_samples);
                ck_assert_msg(a->node[i].threshold == b->node[i].threshold &&
                                  a->node[i].impurity == b->node[i].impurity &&
                                  a->value[i] == b->value[i],
                              "%d threads: round %zu node %zu differs", k + 1, m + 1, i);
            }
        }
    }
    for (int k = 0; k < 3; k++) boost_gbdt_free(g[k]);
    boost_data_free(tr);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_gbdt_behaviour)
{
    gsl_rng *r = rng(25);
    boost_data *tr = boost_esl_10_2(800, r), *te = boost_esl_10_2(1000, r);
    double trl[61], tel[61];
    boost_gbdt_params p = {.loss = BOOST_LOSS_LOGISTIC,
                           .rounds = 60,
                           .lr = 0.3,
                           .subsample = 1,
                           .max_depth = 2,
                           .min_samples_leaf = 1};
    boost_gbdt *g;
    ck_assert_int_eq(boost_gbdt_fit(&g, tr, &p, te, trl, tel, NULL), CM_OK);
    double mean = 0;
    for (size_t i = 0; i < tr->n; i++) mean += tr->y[i];
    mean /= (double)tr->n;
    ck_assert_msg(fabs(g->f0 - log(mean / (1 - mean))) < 1e-12, "F0 is the log-odds");
    for (int m = 0; m < 60; m++)
        ck_assert_msg(trl[m + 1] <= trl[m] + 1e-12, "round %d: the training loss rose %.6f -> %.6f",
                      m + 1, trl[m], trl[m + 1]);
    ck_assert_msg(tel[60] < 0.8 * tel[0], "test log loss %.4f -> %.4f", tel[0], tel[60]);
    double F = boost_gbdt_predict(g, te->X + 5, te->n), want = g->f0;
    for (size_t m = 0; m < g->rounds; m++)
        want += 0.3 * boost_tree_predict(g->tree[m], te->X + 5, te->n)[0];
    ck_assert_msg(fabs(F - want) < 1e-12, "F(x) = F0 + nu sum h_m(x)");
    boost_gbdt_free(g);
    /* the Newton gain with lambda 2 (exact and histogram search): the loss falls, and after
     * one round each leaf holds -G / (H + lambda) over its rows, g and h taken at F0 */
    for (int hist = 0; hist < 2; hist++) {
        boost_gbdt_params pn = p;
        pn.split = BOOST_SPLIT_NEWTON, pn.lambda = 2, pn.bins = hist ? 64 : 0;
        ck_assert_int_eq(boost_gbdt_fit(&g, tr, &pn, te, trl, tel, NULL), CM_OK);
        for (int m = 0; m < 60; m++)
            ck_assert_msg(trl[m + 1] <= trl[m] + 1e-12, "Newton: round %d: %.6f -> %.6f", m + 1,
                          trl[m], trl[m + 1]);
        ck_assert_msg(tel[60] < 0.8 * tel[0], "Newton: test log loss %.4f -> %.4f", tel[0],
                      tel[60]);
        const boost_tree *t0 = g->tree[0];
        double *G = calloc(t0->n_nodes, sizeof *G), *H = calloc(t0->n_nodes, sizeof *H);
        ck_assert(G && H);
        for (size_t i = 0; i < tr->n; i++) {
            double gi, hi;
            boost_loss_eval(BOOST_LOSS_LOGISTIC, tr->y[i], g->f0, &gi, &hi);
            int leaf = boost_tree_leaf(t0, tr->X + i, tr->n);
            G[leaf] += gi, H[leaf] += hi;
        }
        size_t leaves = 0;
        for (size_t k = 0; k < t0->n_nodes; k++) {
            if (t0->node[k].feature >= 0) continue;
            leaves++;
            double want_v = -G[k] / (H[k] + 2);
            ck_assert_msg(fabs(t0->value[k] - want_v) <= 1e-12 * fmax(1, fabs(want_v)),
                          "Newton leaf %zu: %.17g, -G/(H + lambda) = %.17g", k, t0->value[k],
                          want_v);
        }
        ck_assert(leaves >= 3);
        free(G), free(H);
        boost_gbdt_free(g);
    }
    /* the histogram search and subsampling: reproducible with the same seed, and the loss
     * still falls */
    p.bins = 32, p.subsample = 0.5;
    gsl_rng *r1 = rng(7), *r2 = rng(7);
    boost_gbdt *g1, *g2;
    double a1[61], a2[61];
    ck_assert_int_eq(boost_gbdt_fit(&g1, tr, &p, NULL, a1, NULL, r1), CM_OK);
    ck_assert_int_eq(boost_gbdt_fit(&g2, tr, &p, NULL, a2, NULL, r2), CM_OK);
    ck_assert_msg(memcmp(a1, a2, sizeof a1) == 0, "same seed, same losses");
    ck_assert_msg(a1[60] < 0.7 * a1[0], "subsampled hist GBDT: %.4f -> %.4f", a1[0], a1[60]);
    boost_gbdt_free(g1), boost_gbdt_free(g2);
    gsl_rng_free(r1), gsl_rng_free(r2);
    /* squared loss, nu 1, one round of a deep tree: F0 + the tree's fit of y - mean */
    boost_gbdt_params q = {.loss = BOOST_LOSS_SQUARED,
                           .rounds = 1,
                           .lr = 1,
                           .subsample = 1,
                           .max_depth = -1,
                           .min_samples_leaf = 1};
    ck_assert_int_eq(boost_gbdt_fit(&g, tr, &q, NULL, trl, NULL, NULL), CM_OK);
    ck_assert_msg(trl[1] < 1e-20, "a fully grown tree fits y exactly: MSE %g", trl[1]);
    boost_gbdt_free(g);
    boost_data_free(tr), boost_data_free(te);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_forest_behaviour)
{
    gsl_rng *r = rng(26);
    boost_data *tr = boost_esl_10_2(500, r), *te = boost_esl_10_2(2000, r);
    boost_forest_params p = {.n_trees = 60, .max_features = 3, .bootstrap = 1};
    boost_tree_params_default(&p.tree, BOOST_GINI);
    gsl_rng *r1 = rng(3), *r2 = rng(3);
    boost_forest *f, *f2;
    ck_assert_int_eq(boost_forest_fit(&f, tr, &p, r1), CM_OK);
    ck_assert_int_eq(boost_forest_fit(&f2, tr, &p, r2), CM_OK);
    size_t wrong = 0, same = 0;
    for (size_t i = 0; i < te->n; i++) {
        int c = boost_forest_predict(f, te->X + i, te->n);
        wrong += c != te->label[i];
        same += c == boost_forest_predict(f2, te->X + i, te->n);
    }
    double err = (double)wrong / (double)te->n;
    ck_assert_msg(same == te->n, "same seed, same forest");
    ck_assert_msg(f->oob_rows == tr->n, "with 60 trees every row is out of some bag");
    ck_assert_msg(fabs(f->oob_error - err) < 0.06, "OOB error %.3f estimates the test error %.3f",
                  f->oob_error, err);
    /* one tree of the forest is worse than the forest */
    size_t w1 = 0;
    for (size_t i = 0; i < te->n; i++)
        w1 += boost_tree_predict_class(f->tree[0], te->X + i, te->n) != te->label[i];
    ck_assert_msg(wrong < w1, "the forest (%zu wrong) beats one of its trees (%zu)", wrong, w1);
    ck_assert_int_eq(boost_max_features("log2", 10), 3);
    ck_assert_int_eq(boost_max_features("sqrt", 30), 5);
    ck_assert_int_eq(boost_max_features("7", 10), 7);
    ck_assert_int_eq(boost_max_features("11", 10), 0);
    boost_forest_free(f), boost_forest_free(f2);
    gsl_rng_free(r1), gsl_rng_free(r2);
    boost_data_free(tr), boost_data_free(te);
    gsl_rng_free(r);
}
END_TEST

/* ---- the program: golden output ------------------------------------------------------------ */

/* Tolerance: see the header of chapters/06-boosting/expected_output.txt. */
START_TEST(test_golden_quick)
{
    const char *dir = tu_tmpdir("boosting-golden");
    char cmd[1024], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s/boosting --quick --plot none --quiet --out %s", tu_bin_dir(),
             dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 0, "%s: exit %d, stderr: %s", cmd, st, err ? err : "");
    tu_check_golden(out, "chapters/06-boosting/expected_output.txt", 5e-5, 1, 10);
    ck_assert_msg(strstr(out, "\nsummary: ") != NULL, "no summary line in the output");
    static const char *const figs[] = {"fig10_2", "gbdt_diabetes", "gbdt_breast_cancer",
                                       "importance_breast_cancer"};
    for (int k = 0; k < 4; k++) {
        char path[1200];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s.csv", dir, figs[k]);
        ck_assert_msg(stat(path, &sb) == 0, "--quick did not write %s", path);
    }
    free(out);
    free(err);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_check_subcommand)
{
    const char *dir = tu_tmpdir("boosting-check");
    char cmd[1024], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s/boosting check --quiet --out %s", tu_bin_dir(), dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 0 && strstr(out, "summary: 6 of 6 checks passed"),
                  "boosting check: exit %d:\n%s", st, out ? out : "");
    free(out);
    free(err);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_boosting(void)
{
    Suite *s = suite_create("boosting");
    TCase *c = tcase_create("checks");
    tcase_add_test(c, test_gradients_squared);
    tcase_add_test(c, test_gradients_logistic);
    tcase_add_test(c, test_hist_equals_exact);
    tcase_add_test(c, test_newton_squared_same_trees);
    suite_add_tcase(s, c);
    TCase *k = tcase_create("known");
    tcase_add_test(k, test_newton_gain_known);
    tcase_add_test(k, test_impurity_known);
    suite_add_tcase(s, k);
    TCase *b = tcase_create("behaviour");
    tcase_set_timeout(b, 60);
    tcase_add_test(b, test_tree_behaviour);
    tcase_add_test(b, test_binning);
    tcase_add_test(b, test_esl_generator);
    tcase_add_test(b, test_adaboost_behaviour);
    tcase_add_test(b, test_gbdt_behaviour);
    tcase_add_loop_test(b, test_gbdt_threads, 0, 3);
    tcase_add_test(b, test_gbdt_levels_equal_nodes);
    tcase_add_test(b, test_forest_behaviour);
    suite_add_tcase(s, b);
    TCase *p = tcase_create("program");
    tcase_set_timeout(p, 120);
    tcase_add_test(p, test_golden_quick);
    tcase_add_test(p, test_check_subcommand);
    suite_add_tcase(s, p);
    /* The exercises (CONVENTIONS.md, Exercises): one test case per exercise, named by its id and
     * tagged "exercise", whose tests use that exercise's region and no other exercise's, so
     * that an unfinished exercise fails alone (tools/grade, tests/kit/run). */
    {
        TCase *ex = tcase_create("boosting-1");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_split_known);
        tcase_add_test(ex, test_split_bruteforce);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("boosting-2");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_ada_reweight_discrete);
        tcase_add_test(ex, test_ada_reweight_samme);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("boosting-3");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_residuals_known);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("boosting-4");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_newton_known);
        tcase_add_test(ex, test_newton_minimizes_expansion);
        suite_add_tcase(s, ex);
    }
    return s;
}
