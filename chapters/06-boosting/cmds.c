/* cmds.c: the model subcommands of bin/boosting (tree, forest, adaboost, gbdt, gen): read or
 * generate the data, fit, print the metrics as "key value" lines, write the per-round log and
 * the test set's predictions. */
#include "cmds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_rng.h>

#include "cmds_util.h"
#include "csv.h"
#include "error.h"
#include "interrupt.h"
#include "logger.h"
#include "matrix.h"
#include "timer.h"

void boost_opts_defaults(boost_opts *o, cli_common *c)
{
    *o = (boost_opts){.c = c,
                      .criterion = -1,
                      .max_depth = -2,
                      .min_samples_leaf = 1,
                      .max_features = "log2",
                      .subsample = 1,
                      .loss = -1,
                      .algorithm = -1,
                      .rows = 2000,
                      .features = 20,
                      .test_rows = 10000,
                      .gen_kind = "esl",
                      .lambda = -1};
}

gsl_rng *boost_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) cm_die("out of memory for a random number generator");
    gsl_rng_set(r, seed);
    return r;
}

void boost_load(const boost_opts *o, const char *default_path, int classification, gsl_rng *r,
                boost_data **train, boost_data **test)
{
    const char *path = o->c->data ? o->c->data : default_path;
    if (!strcmp(path, "esl")) {
        if (!classification) cm_die("--data esl: example 10.2 is a classification task");
        if (o->test) cm_die("--test: example 10.2 generates its own test set (--test-rows)");
        /* the training rows first, then the test rows, from one generator */
        *train = boost_esl_10_2(o->rows, r);
        *test = *train ? boost_esl_10_2(o->test_rows, r) : NULL;
        if (!*test) cm_die_status(CM_ENOMEM);
        return;
    }
    boost_data *all;
    cm_die_status(boost_data_read_csv(path, classification, &all));
    if (o->test) {
        cm_die_status(boost_data_read_csv(o->test, classification, test));
        if ((*test)->d != all->d)
            cm_die("--test %s: %zu features, the training data %s has %zu", o->test, (*test)->d,
                   path, all->d);
        if (classification && (*test)->n_classes > all->n_classes)
            cm_die("--test %s: class %d never occurs in the training data %s", o->test,
                   (*test)->n_classes - 1, path);
        if (classification) (*test)->n_classes = all->n_classes;
        *train = all;
        return;
    }
    cm_die_status(boost_data_split(all, 0.25, r, train, test));
    boost_data_free(all);
}

double boost_accuracy_of(const int *pred, const boost_data *ds)
{
    size_t ok = 0;
    for (size_t i = 0; i < ds->n; i++) ok += pred[i] == ds->label[i];
    return (double)ok / (double)ds->n;
}

void boost_write_predictions(const cli_common *c, const double *cols, size_t n, size_t k,
                             const char *const *names)
{
    gsl_matrix *M = cm_matrix_calloc(n, k);
    if (!M) cm_die_status(CM_ENOMEM);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) gsl_matrix_set(M, i, j, cols[j * n + i]);
    char path[4200];
    snprintf(path, sizeof path, "%s/predictions.csv", c->out);
    cm_die_status(csv_write(path, M, names));
    gsl_matrix_free(M);
}

void boost_write_log(const cli_common *c, const char *name, const char *header, const double *cols,
                     size_t rows, size_t k)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.csv", c->out, name);
    csvlog *l = csvlog_open(path, header);
    if (!l) cm_die_status(CM_EIO);
    double v[16];
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < k && j < 16; j++) v[j] = cols[j * rows + i];
        cm_die_status(csvlog_row(l, v, k));
    }
    cm_die_status(csvlog_close(l));
}

static boost_criterion criterion_of(const boost_opts *o)
{
    return o->criterion < 0 ? BOOST_GINI : (boost_criterion)o->criterion;
}

void boost_tree_params_from(const boost_opts *o, boost_tree_params *tp, boost_criterion crit,
                            int default_depth)
{
    boost_tree_params_default(tp, crit);
    tp->max_depth = o->max_depth == -2 ? default_depth : o->max_depth;
    tp->max_leaves = o->max_leaves;
    tp->min_samples_leaf = o->min_samples_leaf;
    tp->min_impurity_decrease = o->min_impurity_decrease;
}

/* ---- tree ---------------------------------------------------------------------------------- */

int boost_run_tree(const boost_opts *o)
{
    const cli_common *c = o->c;
    boost_criterion crit = criterion_of(o);
    int clf = crit != BOOST_SQUARED;
    gsl_rng *r = boost_rng(c->seed);
    boost_data *train, *test;
    boost_load(o, clf ? DATA_BREAST : DATA_DIABETES, clf, r, &train, &test);
    cli_prepare_out(c);
    boost_tree_params tp;
    boost_tree_params_from(o, &tp, crit, -1);
    boost_xy xy = boost_data_xy(train);
    boost_binning *bins = NULL;
    if (o->bins && !(bins = boost_binning_alloc(&xy, o->bins))) cm_die_status(CM_ENOMEM);
    boost_tree_work *work = boost_tree_work_alloc(&xy, NULL, bins);
    boost_tree *t = boost_tree_alloc(train->d, clf ? train->n_classes : 1);
    if (!work || !t) cm_die_status(CM_ENOMEM);
    cm_timer tm;
    timer_start(&tm);
    cm_die_status(boost_tree_fit(t, &xy, NULL, &tp, r, work));
    double secs = timer_elapsed(&tm);
    double *pred = cm_xcalloc(test->n, sizeof *pred);
    int *cls = cm_xcalloc(test->n + train->n, sizeof *cls);
    printf("tree.nodes %zu\ntree.leaves %zu\ntree.depth %d\n", t->n_nodes, boost_tree_n_leaves(t),
           boost_tree_depth(t));
    if (clf) {
        for (size_t i = 0; i < train->n; i++)
            cls[i] = boost_tree_predict_class(t, train->X + i, train->n);
        double tr = boost_accuracy_of(cls, train);
        for (size_t i = 0; i < test->n; i++)
            pred[i] = cls[i] = boost_tree_predict_class(t, test->X + i, test->n);
        printf("tree.train_acc %.6f\ntree.test_acc %.6f\n", tr, boost_accuracy_of(cls, test));
    } else {
        double se = 0, st = 0;
        for (size_t i = 0; i < train->n; i++) {
            double e = boost_tree_predict(t, train->X + i, train->n)[0] - train->y[i];
            st += e * e;
        }
        for (size_t i = 0; i < test->n; i++) {
            pred[i] = boost_tree_predict(t, test->X + i, test->n)[0];
            se += (pred[i] - test->y[i]) * (pred[i] - test->y[i]);
        }
        printf("tree.train_mse %.6f\ntree.test_mse %.6f\n", st / (double)train->n,
               se / (double)test->n);
    }
    printf("fit_seconds %.6f\n", secs);
    double *imp = cm_xcalloc(train->d, sizeof *imp);
    boost_tree_importance(t, imp, 1);
    boost_print_importance("tree", train, imp, 5);
    static const char *const names[] = {"prediction"};
    boost_write_predictions(c, pred, test->n, 1, names);
    char path[4200];
    snprintf(path, sizeof path, "%s/tree.txt", c->out);
    FILE *f = fopen(path, "w");
    if (!f) cm_die("cannot write %s", path);
    cm_die_status(boost_tree_write(t, (const char *const *)train->names, f));
    if (fclose(f) != 0) cm_die("cannot write %s", path);
    if (!c->quiet) printf("tree: %s\n", path);
    free(imp), free(pred), free(cls);
    boost_tree_free(t);
    boost_tree_work_free(work);
    boost_binning_free(bins);
    boost_data_free(train), boost_data_free(test);
    gsl_rng_free(r);
    return 0;
}

/* ---- forest -------------------------------------------------------------------------------- */

int boost_run_forest(const boost_opts *o)
{
    const cli_common *c = o->c;
    gsl_rng *r = boost_rng(c->seed);
    boost_data *train, *test;
    boost_load(o, DATA_BREAST, 1, r, &train, &test);
    boost_forest_params fp = {.n_trees = o->trees ? o->trees : c->quick ? 50 : 200, .bootstrap = 1};
    fp.max_features = boost_max_features(o->max_features, train->d);
    if (!fp.max_features) cm_die_status(CM_EINVAL);
    boost_tree_params_from(o, &fp.tree, criterion_of(o), -1);
    if (fp.tree.criterion == BOOST_SQUARED)
        cm_die("--criterion squared_error: the forest is a classifier here");
    if (o->bins) cm_die("--bins: the forest uses the exact split search");
    cli_prepare_out(c);
    cm_timer tm;
    timer_start(&tm);
    boost_forest *f;
    fp.prog = progress_start("forest", (long)fp.n_trees, "tree", c->quiet);
    int st = boost_forest_fit(&f, train, &fp, r);
    if (st != CM_OK || f->signal) progress_abort(fp.prog);
    cm_die_status(st);
    if (!f->signal) progress_finish(fp.prog);
    double secs = timer_elapsed(&tm);
    double *pred = cm_xcalloc(test->n, sizeof *pred);
    int *cls = cm_xcalloc(test->n, sizeof *cls);
    for (size_t i = 0; i < test->n; i++)
        pred[i] = cls[i] = boost_forest_predict(f, test->X + i, test->n);
    printf("forest.trees %zu\nforest.max_features %zu\nforest.oob_error %.6f\n"
           "forest.test_acc %.6f\nfit_seconds %.6f\n",
           f->n_trees, fp.max_features, f->oob_error, boost_accuracy_of(cls, test), secs);
    double *imp = cm_xcalloc(train->d, sizeof *imp);
    boost_forest_importance(f, imp);
    boost_print_importance("forest", train, imp, 5);
    static const char *const names[] = {"prediction"};
    boost_write_predictions(c, pred, test->n, 1, names);
    free(imp), free(pred), free(cls);
    int code = 0;
    if (f->signal)
        code = intr_report(f->signal, (long)f->n_trees, NULL,
                           "boosting keeps none; the predictions and numbers above are the "
                           "forest of the trees grown");
    boost_forest_free(f);
    boost_data_free(train), boost_data_free(test);
    gsl_rng_free(r);
    return code;
}

/* ---- adaboost ------------------------------------------------------------------------------ */

int boost_run_adaboost(const boost_opts *o)
{
    const cli_common *c = o->c;
    gsl_rng *r = boost_rng(c->seed);
    boost_data *train, *test;
    boost_load(o, "esl", 1, r, &train, &test);
    boost_ada_params ap = {.rounds = o->rounds ? o->rounds : 400,
                           .max_depth = o->max_depth == -2 ? 1 : o->max_depth,
                           .lr = o->lr > 0 ? o->lr : 1,
                           .discrete =
                               o->algorithm < 0 ? train->n_classes == 2 : o->algorithm == 0};
    if (ap.discrete && train->n_classes != 2)
        cm_die("--algorithm discrete: the article's AdaBoost is binary, the data have %d classes "
               "(use samme)",
               train->n_classes);
    if (ap.discrete && o->lr > 0)
        cm_die("--lr: only SAMME has a learning rate (--algorithm samme)");
    if (o->bins) cm_die("--bins: AdaBoost uses the exact split search");
    cli_prepare_out(c);
    double *log = cm_xcalloc(4 * ap.rounds, sizeof *log);
    double *tr = log + ap.rounds, *te = log + 2 * ap.rounds, *al = log + 3 * ap.rounds;
    cm_timer tm;
    timer_start(&tm);
    boost_ada *a;
    ap.prog = progress_start("adaboost", (long)ap.rounds, "round", c->quiet);
    int st = boost_ada_fit(&a, train, &ap, NULL, tr, NULL);
    if (st != CM_OK || a->signal) progress_abort(ap.prog);
    cm_die_status(st);
    if (a->signal) { /* interrupted: the log and the numbers of the rounds done */
        for (int k = 1; k < 4; k++)
            memmove(log + k * a->rounds, log + k * ap.rounds, a->rounds * sizeof *log);
        ap.rounds = a->rounds;
        tr = log + ap.rounds, te = log + 2 * ap.rounds, al = log + 3 * ap.rounds;
    } else {
        progress_finish(ap.prog);
    }
    double secs = timer_elapsed(&tm);
    /* the test error of the vote after each round, outside the timed fit (as scikit-learn's
     * staged_predict after its fit) */
    boost_ada_staged_error(a, test, te, ap.rounds);
    for (size_t m = 0; m < ap.rounds; m++) {
        log[m] = (double)(m + 1);
        al[m] = m < a->rounds ? a->alpha[m] : 0;
    }
    boost_write_log(c, "adaboost_log", "round,train_error,test_error,alpha", log, ap.rounds, 4);
    double *pred = cm_xcalloc(test->n, sizeof *pred);
    for (size_t i = 0; i < test->n; i++) pred[i] = boost_ada_predict(a, test->X + i, test->n);
    static const char *const names[] = {"prediction"};
    boost_write_predictions(c, pred, test->n, 1, names);
    printf("adaboost.algorithm %s\nadaboost.rounds %zu\nadaboost.train_error %.6f\n"
           "adaboost.test_error %.6f\nfit_seconds %.6f\n",
           ap.discrete ? "discrete" : "samme", a->rounds, tr[ap.rounds - 1], te[ap.rounds - 1],
           secs);
    free(pred), free(log);
    int code = 0;
    if (a->signal)
        code = intr_report(a->signal, (long)a->rounds, NULL,
                           "boosting keeps none; the log, the predictions and the numbers above "
                           "are the ensemble of the rounds done");
    boost_ada_free(a);
    boost_data_free(train), boost_data_free(test);
    gsl_rng_free(r);
    return code;
}

/* ---- gbdt ---------------------------------------------------------------------------------- */

int boost_run_gbdt(const boost_opts *o)
{
    const cli_common *c = o->c;
    boost_loss loss = o->loss == 1 ? BOOST_LOSS_LOGISTIC : BOOST_LOSS_SQUARED;
    gsl_rng *r = boost_rng(c->seed);
    boost_data *train, *test;
    boost_load(o, loss == BOOST_LOSS_LOGISTIC ? DATA_BREAST : DATA_DIABETES,
               loss == BOOST_LOSS_LOGISTIC, r, &train, &test);
    if (loss == BOOST_LOSS_LOGISTIC && train->n_classes != 2)
        cm_die("--loss logistic: binary classification, the data have %d classes",
               train->n_classes);
    boost_gbdt_params gp = {.loss = loss,
                            .rounds = o->rounds ? o->rounds : 200,
                            .lr = o->lr > 0 ? o->lr : 0.1,
                            .subsample = o->subsample,
                            .max_depth = o->max_depth == -2 ? 3 : o->max_depth,
                            .min_samples_leaf = o->min_samples_leaf,
                            .bins = o->bins,
                            .threads = o->threads};
    if (o->criterion >= 0 && o->criterion != BOOST_SQUARED)
        cm_die("--criterion: GBDT's trees use squared_error (or the Newton gain: --split-gain)");
    gp.split = o->split_gain == 1 ? BOOST_SPLIT_NEWTON : BOOST_SPLIT_RESIDUAL;
    if (o->lambda >= 0 && gp.split != BOOST_SPLIT_NEWTON)
        cm_die("--lambda %g: the L2 penalty of the Newton split gain; add --split-gain newton",
               o->lambda);
    gp.lambda = o->lambda >= 0 ? o->lambda : 0;
    cli_prepare_out(c);
    size_t R = gp.rounds + 1;
    double *log = cm_xcalloc(3 * R, sizeof *log);
    cm_timer tm;
    timer_start(&tm);
    boost_gbdt *g;
    clock_t cpu0 = clock();
    gp.prog = progress_start("gbdt", (long)gp.rounds, "round", c->quiet);
    int st = boost_gbdt_fit(&g, train, &gp, test, o->fit_only ? NULL : log + R,
                            o->fit_only ? NULL : log + 2 * R, r);
    double cpu = (double)(clock() - cpu0) / CLOCKS_PER_SEC;
    if (st != CM_OK) progress_abort(gp.prog);
    if (st == CM_ENOTFINITE) {
        fprintf(stderr, "boosting: %s; no checkpoint (boosting keeps none)\n", cm_errmsg());
        free(log);
        boost_data_free(train), boost_data_free(test);
        gsl_rng_free(r);
        return 3;
    }
    cm_die_status(st);
    if (g->signal) { /* interrupted: the ensemble of the rounds done, its log and predictions */
        progress_abort(gp.prog);
        size_t Rd = g->rounds + 1;
        for (int k = 1; k < 3; k++) memmove(log + k * Rd, log + k * R, Rd * sizeof *log);
        R = Rd, gp.rounds = g->rounds;
    } else {
        progress_finish(gp.prog);
    }
    double secs = timer_elapsed(&tm);
    for (size_t m = 0; m < R; m++) log[m] = (double)m;
    if (o->fit_only) { /* the final losses only */
        double trl = 0, tel = 0;
        for (size_t i = 0; i < train->n; i++)
            trl += boost_gbdt_eval_loss(loss, train->y[i],
                                        boost_gbdt_predict(g, train->X + i, train->n));
        for (size_t i = 0; i < test->n; i++)
            tel +=
                boost_gbdt_eval_loss(loss, test->y[i], boost_gbdt_predict(g, test->X + i, test->n));
        for (size_t m = 0; m < R; m++) log[R + m] = log[2 * R + m] = NAN;
        log[R + R - 1] = trl / (double)train->n;
        log[2 * R + R - 1] = tel / (double)test->n;
    }
    boost_write_log(c, "gbdt_log", "round,train_loss,test_loss", log, R, 3);
    double *pred = cm_xcalloc(2 * test->n, sizeof *pred);
    size_t ok = 0;
    for (size_t i = 0; i < test->n; i++) {
        pred[test->n + i] = boost_gbdt_predict(g, test->X + i, test->n);
        pred[i] = loss == BOOST_LOSS_LOGISTIC ? pred[test->n + i] > 0 : pred[test->n + i];
        if (loss == BOOST_LOSS_LOGISTIC) ok += (int)pred[i] == test->label[i];
    }
    static const char *const names[] = {"prediction", "score"};
    boost_write_predictions(c, pred, test->n, 2, names);
    printf("gbdt.loss %s\ngbdt.split_gain %s\ngbdt.lambda %g\ngbdt.rounds %zu\n"
           "gbdt.train_loss %.6f\ngbdt.test_loss %.6f\n",
           loss == BOOST_LOSS_LOGISTIC ? "logistic" : "squared",
           gp.split == BOOST_SPLIT_NEWTON ? "newton" : "residual", gp.lambda, gp.rounds,
           log[R + R - 1], log[2 * R + R - 1]);
    if (loss == BOOST_LOSS_LOGISTIC) printf("gbdt.test_acc %.6f\n", (double)ok / (double)test->n);
    printf("fit_seconds %.6f\nfit_cpu_seconds %.6f\n", secs, cpu);
    double *imp = cm_xcalloc(train->d, sizeof *imp);
    boost_gbdt_importance(g, imp);
    boost_print_importance("gbdt", train, imp, 5);
    free(imp), free(pred), free(log);
    int code = 0;
    if (g->signal)
        code = intr_report(g->signal, (long)g->rounds, NULL,
                           "boosting keeps none; the log, the predictions and the numbers above "
                           "are the ensemble of the rounds done");
    boost_gbdt_free(g);
    boost_data_free(train), boost_data_free(test);
    gsl_rng_free(r);
    return code;
}

/* ---- gen ----------------------------------------------------------------------------------- */

int boost_run_gen(const boost_opts *o)
{
    const cli_common *c = o->c;
    if (c->data) cm_die("--data: gen writes data; choose it with --kind");
    gsl_rng *r = boost_rng(c->seed);
    int esl = !strcmp(o->gen_kind, "esl");
    boost_data *train = esl ? boost_esl_10_2(o->rows, r) : boost_synthetic(o->rows, o->features, r);
    if (!train) cm_die_status(CM_ENOMEM);
    boost_data *test =
        esl ? boost_esl_10_2(o->test_rows, r) : boost_synthetic(o->test_rows, o->features, r);
    if (!test) cm_die_status(CM_ENOMEM);
    cli_prepare_out(c);
    char path[4200];
    snprintf(path, sizeof path, "%s/train.csv", c->out);
    cm_die_status(boost_data_write_csv(train, path));
    snprintf(path, sizeof path, "%s/test.csv", c->out);
    cm_die_status(boost_data_write_csv(test, path));
    if (!c->quiet)
        printf("wrote %s/train.csv (%zu x %zu) and %s/test.csv (%zu rows): %s\n", c->out, train->n,
               train->d, c->out, test->n, o->gen_kind);
    boost_data_free(train), boost_data_free(test);
    gsl_rng_free(r);
    return 0;
}
