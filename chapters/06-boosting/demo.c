/* demo.c: `boosting` with no subcommand, and `boosting figure`: Figure 10.2 of The Elements
 * of Statistical Learning, then GBDT with three shrinkages, random forests and AdaBoost on the
 * shipped data, feature importances, and the summary line. */
#include "cmds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds_util.h"
#include "error.h"
#include "interrupt.h"
#include "plot.h"
#include "timer.h"

/* The book's numbers (Hastie, Tibshirani, Friedman, 2nd ed., section 10.1, Figure 10.2) and
 * scikit-learn's, as measured for issue 8 over several data seeds (AdaBoostClassifier,
 * algorithm SAMME, stumps); tests/parity/boosting.py measures scikit-learn on our own data. */
#define BOOK_STUMP 0.458
#define BOOK_TREE  0.247
#define BOOK_ADA   0.058
#define SK_STUMP   "about 47%"
#define SK_TREE    "about 23% (243 nodes)"
#define SK_ADA400  "11 to 12%"
#define SK_ADA2000 "6.5 to 7.4%"

static plot_ctx plot_of(const cli_common *c)
{
    return (plot_ctx){.dir = c->out, .mode = c->plot};
}

static void fig_write(const cli_common *c, plot_fig *f)
{
    if (!f) cm_die_status(CM_ENOMEM);
    plot_ctx ctx = plot_of(c);
    cm_die_status(plot_fig_write(&ctx, f));
    plot_fig_free(f);
}

static double tree_test_error(const boost_data *train, const boost_data *test,
                              const boost_tree_params *tp, size_t *nodes)
{
    boost_xy xy = boost_data_xy(train);
    boost_tree_work *w = boost_tree_work_alloc(&xy, NULL, NULL);
    boost_tree *t = boost_tree_alloc(train->d, train->n_classes);
    if (!w || !t) cm_die_status(CM_ENOMEM);
    cm_die_status(boost_tree_fit(t, &xy, NULL, tp, NULL, w));
    size_t wrong = 0;
    for (size_t i = 0; i < test->n; i++)
        wrong += boost_tree_predict_class(t, test->X + i, test->n) != test->label[i];
    *nodes = t->n_nodes;
    boost_tree_free(t);
    boost_tree_work_free(w);
    return (double)wrong / (double)test->n;
}

int boost_run_figure(const boost_opts *o, boost_summary *s)
{
    const cli_common *c = o->c;
    if (c->data && strcmp(c->data, "esl"))
        cm_die("--data: Figure 10.2 is drawn on example 10.2 (generated; --rows, --test-rows)");
    if (!s) cli_prepare_out(c);
    gsl_rng *r = boost_rng(c->seed);
    boost_data *train = boost_esl_10_2(o->rows, r);
    boost_data *test = train ? boost_esl_10_2(o->test_rows, r) : NULL;
    if (!test) cm_die_status(CM_ENOMEM);
    size_t R = o->rounds ? o->rounds : c->quick ? 400 : 2000;
    /* the two horizontal lines: one stump, and a large tree (122 leaves, grown best-first as
     * scikit-learn's max_leaf_nodes, for 243 nodes: the book's has 244) */
    boost_tree_params tp;
    boost_tree_params_default(&tp, BOOST_GINI);
    tp.max_depth = 1;
    size_t stump_nodes, tree_nodes;
    double stump = tree_test_error(train, test, &tp, &stump_nodes);
    boost_tree_params_default(&tp, BOOST_GINI);
    tp.max_leaves = o->max_leaves ? o->max_leaves : 122;
    double big = tree_test_error(train, test, &tp, &tree_nodes);
    boost_ada_params ap = {.rounds = R, .max_depth = 1, .lr = 1, .discrete = 1};
    double *tr = cm_xcalloc(R, sizeof *tr), *te = cm_xcalloc(R, sizeof *te);
    cm_timer tm;
    timer_start(&tm);
    boost_ada *a;
    cm_die_status(boost_ada_fit(&a, train, &ap, test, tr, te));
    if (a->signal) /* interrupted: the demonstration stops here */
        exit(intr_report(a->signal, (long)a->rounds, NULL,
                         "boosting keeps none (rerun it: it takes seconds)"));
    double secs = timer_elapsed(&tm);
    double at400 = te[(R < 400 ? R : 400) - 1];
    printf("Figure 10.2: AdaBoost with stumps on example 10.2 (%zu training, %zu test rows; "
           "y = 1 when sum x_j^2 > 9.34)\n",
           train->n, test->n);
    printf("fig.stump_test_error %.4f\n", stump);
    printf("fig.tree_test_error %.4f %zu nodes\n", big, tree_nodes);
    static const size_t marks[] = {1, 10, 50, 100, 200, 400, 1000, 2000};
    for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
        if (marks[k] <= R)
            printf("fig.ada_test_error.%zu %.4f (train %.4f)\n", marks[k], te[marks[k] - 1],
                   tr[marks[k] - 1]);
    printf("fig.ada_seconds %.3f (%zu rounds)\n", secs, R);
    printf("                      here     the book   scikit-learn (issue 8, several seeds)\n");
    printf("  one stump           %5.1f%%    %5.1f%%     %s\n", 100 * stump, 100 * BOOK_STUMP,
           SK_STUMP);
    printf("  large tree          %5.1f%%    %5.1f%%     %s\n", 100 * big, 100 * BOOK_TREE,
           SK_TREE);
    printf("  400 boosted stumps  %5.1f%%    %5.1f%%     %s\n", 100 * at400, 100 * BOOK_ADA,
           SK_ADA400);
    if (R >= 2000)
        printf("  2000 boosted stumps %5.1f%%       -       %s\n", 100 * te[1999], SK_ADA2000);
    printf("(discrete AdaBoost with stumps reaches about 11%% at 400 rounds on this problem, "
           "as scikit-learn does: see README, 'Figure 10.2')\n");
    double *x = cm_xcalloc(R, sizeof *x), hx[2] = {1, (double)R}, hs[2] = {stump, stump},
           ht[2] = {big, big};
    for (size_t m = 0; m < R; m++) x[m] = (double)(m + 1);
    char lab[64];
    plot_fig *f = plot_fig_new("fig10_2", "AdaBoost with stumps, ESL example 10.2 (Figure 10.2)",
                               "boosting iterations", "error rate");
    snprintf(lab, sizeof lab, "single stump (%.1f%%)", 100 * stump);
    if (f) plot_fig_line(f, lab, hx, hs, 2);
    snprintf(lab, sizeof lab, "%zu-node tree (%.1f%%)", tree_nodes, 100 * big);
    if (f) plot_fig_line(f, lab, hx, ht, 2);
    if (f) plot_fig_line(f, "AdaBoost, test", x, te, R);
    if (f) plot_fig_line(f, "AdaBoost, train", x, tr, R);
    if (f) plot_fig_yrange(f, 0, 0.5);
    fig_write(c, f);
    if (s) {
        s->stump_err = stump, s->tree_err = big, s->tree_nodes = tree_nodes;
        s->ada_err_400 = at400, s->ada_err_final = te[R - 1], s->ada_rounds = R;
    } else {
        char p[4200];
        plot_ctx ctx = plot_of(c);
        plot_path(&ctx, "fig10_2", c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp", p,
                  sizeof p);
        printf("summary: stump %.1f%%, %zu-node tree %.1f%%, AdaBoost %zu rounds %.1f%%",
               100 * stump, tree_nodes, 100 * big, R, 100 * te[R - 1]);
        if (R > 400) printf(" (400: %.1f%%)", 100 * at400);
        printf("; figure %s\n", p);
    }
    free(x), free(tr), free(te);
    boost_ada_free(a);
    boost_data_free(train), boost_data_free(test);
    gsl_rng_free(r);
    return 0;
}

/* ---- the rest of the demonstration --------------------------------------------------------- */

static void load_shipped(const boost_opts *o, const char *path, int clf, boost_data **train,
                         boost_data **test)
{
    cli_common c = *o->c;
    c.data = path;
    boost_opts oo = *o;
    oo.c = &c;
    oo.test = NULL;
    gsl_rng *r = boost_rng(o->c->seed);
    boost_load(&oo, path, clf, r, train, test);
    gsl_rng_free(r);
}

/* GBDT for three shrinkage values: the losses per round, one figure. Returns the test loss
 * (and accuracy for the logistic loss) of nu = 0.1 at the last round. */
static double gbdt_shrinkage(const boost_opts *o, const char *name, const char *path,
                             boost_loss loss, size_t rounds, double *acc, double *imp)
{
    const cli_common *c = o->c;
    boost_data *train, *test;
    load_shipped(o, path, loss == BOOST_LOSS_LOGISTIC, &train, &test);
    static const double nus[] = {1.0, 0.1, 0.01};
    size_t R = rounds + 1;
    double *x = cm_xcalloc(R, sizeof *x), *tr = cm_xcalloc(3 * R, sizeof *tr),
           *te = cm_xcalloc(3 * R, sizeof *te);
    for (size_t m = 0; m < R; m++) x[m] = (double)m;
    const char *lname = loss == BOOST_LOSS_SQUARED ? "mean squared error" : "log loss";
    char title[160], lab[64];
    snprintf(title, sizeof title, "GBDT on %s (depth 3): %s per round", name, lname);
    plot_fig *f = plot_fig_new(loss == BOOST_LOSS_SQUARED ? "gbdt_diabetes" : "gbdt_breast_cancer",
                               title, "round", lname);
    double result = NAN;
    printf("GBDT on %s (%zu train, %zu test rows), %s loss, depth 3, %zu rounds:\n", name, train->n,
           test->n, loss == BOOST_LOSS_SQUARED ? "squared" : "logistic", rounds);
    for (int k = 0; k < 3; k++) {
        boost_gbdt_params gp = {.loss = loss,
                                .rounds = rounds,
                                .lr = nus[k],
                                .subsample = 1,
                                .max_depth = 3,
                                .min_samples_leaf = 1};
        boost_gbdt *g;
        int st = boost_gbdt_fit(&g, train, &gp, test, tr + k * R, te + k * R, NULL);
        if (st == CM_ENOTFINITE) {
            fprintf(stderr, "boosting: %s; no checkpoint (boosting keeps none)\n", cm_errmsg());
            exit(3);
        }
        cm_die_status(st);
        if (g->signal) /* interrupted: the demonstration stops here */
            exit(intr_report(g->signal, (long)g->rounds, NULL,
                             "boosting keeps none (rerun it: it takes seconds)"));
        size_t best = 0;
        for (size_t m = 1; m < R; m++)
            if (te[k * R + m] < te[k * R + best]) best = m;
        size_t ok = 0;
        if (loss == BOOST_LOSS_LOGISTIC)
            for (size_t i = 0; i < test->n; i++)
                ok += (boost_gbdt_predict(g, test->X + i, test->n) > 0) == test->label[i];
        printf("gbdt.%s.nu%g %.6f %.6f %.6f", name, nus[k], tr[k * R + rounds], te[k * R + rounds],
               te[k * R + best]);
        printf(" (train, test loss at %zu; best test at round %zu)", rounds, best);
        if (loss == BOOST_LOSS_LOGISTIC) printf(" test accuracy %.4f", (double)ok / test->n);
        printf("\n");
        if (k == 1) {
            result = te[k * R + rounds];
            if (acc) *acc = (double)ok / (double)test->n;
            if (imp) boost_gbdt_importance(g, imp);
        }
        boost_gbdt_free(g);
        snprintf(lab, sizeof lab, "nu %g train", nus[k]);
        if (f) plot_fig_line(f, lab, x, tr + k * R, R);
        snprintf(lab, sizeof lab, "nu %g test", nus[k]);
        if (f) plot_fig_line(f, lab, x, te + k * R, R);
    }
    if (f) plot_fig_logy(f);
    fig_write(c, f);
    free(x), free(tr), free(te);
    boost_data_free(train), boost_data_free(test);
    return result;
}

static double forest_on(const boost_opts *o, const char *name, const char *path, double *oob,
                        double *imp)
{
    boost_data *train, *test;
    load_shipped(o, path, 1, &train, &test);
    boost_forest_params fp = {.n_trees = o->c->quick ? 50 : 200, .bootstrap = 1};
    boost_tree_params_default(&fp.tree, BOOST_GINI);
    fp.max_features = boost_max_features("log2", train->d);
    gsl_rng *r = boost_rng(o->c->seed);
    boost_forest *f;
    cm_die_status(boost_forest_fit(&f, train, &fp, r));
    if (f->signal) /* interrupted: the demonstration stops here */
        exit(intr_report(f->signal, (long)f->n_trees, NULL,
                         "boosting keeps none (rerun it: it takes seconds)"));
    int *cls = cm_xcalloc(test->n, sizeof *cls);
    for (size_t i = 0; i < test->n; i++) cls[i] = boost_forest_predict(f, test->X + i, test->n);
    double acc = boost_accuracy_of(cls, test);
    printf("forest.%s %.4f %.4f (test accuracy, out-of-bag error; %zu trees, k = log2 d = %zu)\n",
           name, acc, f->oob_error, f->n_trees, fp.max_features);
    if (oob) *oob = f->oob_error;
    if (imp) boost_forest_importance(f, imp);
    free(cls);
    boost_forest_free(f);
    gsl_rng_free(r);
    boost_data_free(train), boost_data_free(test);
    return acc;
}

static double adaboost_on(const boost_opts *o, const char *name, const char *path)
{
    boost_data *train, *test;
    load_shipped(o, path, 1, &train, &test);
    boost_ada_params ap = {
        .rounds = o->c->quick ? 50 : 200, .max_depth = 2, .lr = 1, .discrete = 0};
    boost_ada *a;
    cm_die_status(boost_ada_fit(&a, train, &ap, NULL, NULL, NULL));
    if (a->signal) /* interrupted: the demonstration stops here */
        exit(intr_report(a->signal, (long)a->rounds, NULL,
                         "boosting keeps none (rerun it: it takes seconds)"));
    int *cls = cm_xcalloc(test->n, sizeof *cls);
    for (size_t i = 0; i < test->n; i++) cls[i] = boost_ada_predict(a, test->X + i, test->n);
    double acc = boost_accuracy_of(cls, test);
    printf("adaboost.%s %.4f (test accuracy; SAMME, depth-2 trees, %zu of %zu rounds)\n", name, acc,
           a->rounds, ap.rounds);
    free(cls);
    boost_ada_free(a);
    boost_data_free(train), boost_data_free(test);
    return acc;
}

void boost_print_importance(const char *prefix, const boost_data *ds, const double *imp, size_t top)
{
    size_t d = ds->d, *idx = cm_xcalloc(d, sizeof *idx);
    for (size_t j = 0; j < d; j++) idx[j] = j;
    for (size_t a = 0; a < d; a++) /* selection sort, largest first: d is small */
        for (size_t b = a + 1; b < d; b++)
            if (imp[idx[b]] > imp[idx[a]]) {
                size_t t = idx[a];
                idx[a] = idx[b], idx[b] = t;
            }
    for (size_t k = 0; k < top && k < d; k++)
        printf("%s.importance %s %.4f\n", prefix, ds->names[idx[k]] ? ds->names[idx[k]] : "?",
               imp[idx[k]]);
    free(idx);
}

int boost_run_demo(const boost_opts *o)
{
    const cli_common *c = o->c;
    if (c->data || o->test)
        cm_die("--data/--test: the demonstration uses the shipped data; give --data to a "
               "subcommand (tree, forest, adaboost, gbdt)");
    /* read every data file first, so that a missing one stops us before --out is created */
    const char *files[] = {DATA_BREAST, DATA_DIABETES, DATA_IRIS, DATA_WINE};
    for (int k = 0; k < 4; k++) {
        boost_data *ds;
        cm_die_status(boost_data_read_csv(files[k], k != 1, &ds));
        boost_data_free(ds);
    }
    cli_prepare_out(c);
    cm_timer tm;
    timer_start(&tm);
    boost_summary s = {0};
    int st = boost_run_figure(o, &s);
    if (st) return st;
    size_t gr = c->quick ? 200 : 500;
    s.gb_diab_mse =
        gbdt_shrinkage(o, "diabetes", DATA_DIABETES, BOOST_LOSS_SQUARED, gr, NULL, NULL);
    boost_data *bc;
    cm_die_status(boost_data_read_csv(DATA_BREAST, 1, &bc));
    double *imp_gb = cm_xcalloc(bc->d, sizeof *imp_gb), *imp_rf = cm_xcalloc(bc->d, sizeof *imp_rf);
    gbdt_shrinkage(o, "breast_cancer", DATA_BREAST, BOOST_LOSS_LOGISTIC, c->quick ? 100 : 300,
                   &s.gb_breast_acc, imp_gb);
    s.rf_breast_acc = forest_on(o, "breast_cancer", DATA_BREAST, &s.rf_breast_oob, imp_rf);
    s.rf_iris_acc = forest_on(o, "iris", DATA_IRIS, NULL, NULL);
    s.rf_wine_acc = forest_on(o, "wine", DATA_WINE, NULL, NULL);
    s.ada_iris_acc = adaboost_on(o, "iris", DATA_IRIS);
    s.ada_wine_acc = adaboost_on(o, "wine", DATA_WINE);
    boost_print_importance("breast_cancer.gbdt", bc, imp_gb, 5);
    boost_print_importance("breast_cancer.forest", bc, imp_rf, 5);
    double *fx = cm_xcalloc(bc->d, sizeof *fx);
    for (size_t j = 0; j < bc->d; j++) fx[j] = (double)j;
    plot_fig *f = plot_fig_new("importance_breast_cancer",
                               "breast_cancer: feature importance (mean decrease in impurity)",
                               "feature (column of data/breast_cancer.csv, 0-based)", "importance");
    if (f) plot_fig_line(f, "GBDT (nu 0.1)", fx, imp_gb, bc->d);
    if (f) plot_fig_line(f, "random forest", fx, imp_rf, bc->d);
    fig_write(c, f);
    free(fx), free(imp_gb), free(imp_rf);
    boost_data_free(bc);
    if (!c->quiet) {
        const char *ext = c->plot == PLOT_PNG || c->plot == PLOT_WINDOW ? "png" : "gp";
        printf("figures: %s/fig10_2.%s, %s/gbdt_diabetes.%s, %s/gbdt_breast_cancer.%s, "
               "%s/importance_breast_cancer.%s; %.1f s\n",
               c->out, ext, c->out, ext, c->out, ext, c->out, ext, timer_elapsed(&tm));
    }
    char ada[96];
    if (s.ada_rounds == 400)
        snprintf(ada, sizeof ada, "AdaBoost 400 rounds %.1f%%", 100 * s.ada_err_400);
    else
        snprintf(ada, sizeof ada, "AdaBoost 400 rounds %.1f%% (%zu: %.1f%%)", 100 * s.ada_err_400,
                 s.ada_rounds, 100 * s.ada_err_final);
    printf("summary: Figure 10.2 stump %.1f%%, %zu-node tree %.1f%%, %s; GBDT diabetes test MSE "
           "%.0f, breast_cancer %.1f%%; forest breast_cancer %.1f%% iris %.1f%% wine %.1f%%; "
           "figures in %s/\n",
           100 * s.stump_err, s.tree_nodes, 100 * s.tree_err, ada, s.gb_diab_mse,
           100 * s.gb_breast_acc, 100 * s.rf_breast_acc, 100 * s.rf_iris_acc, 100 * s.rf_wine_acc,
           c->out);
    return 0;
}
