/* gbdt.c: gradient boosting with regression trees (article: GBDT, to be checked; Friedman 2001).
 *
 *   F_0(x) = argmin_c sum_i L(y_i, c)
 *   for m = 1..M:
 *     r_i = -[dL(y_i, F)/dF]_{F = F_{m-1}(x_i)}       the pseudo-residuals (negative gradient)
 *     fit a regression tree (squared error) to (x_i, r_i): leaves R_jm
 *     gamma_jm = -sum_{i in R_jm} g_i / sum_{i in R_jm} h_i     a Newton step per leaf
 *     F_m(x) = F_{m-1}(x) + nu sum_j gamma_jm [x in R_jm]       shrinkage nu
 *
 * For the squared loss g = F - y, h = 1: the residual is y - F and the Newton leaf is the mean
 * residual, the tree's own leaf value (scikit-learn's GradientBoostingRegressor). For the
 * logistic loss the leaf is sum(y - p) / sum p(1 - p) (GradientBoostingClassifier). With
 * subsample < 1 each tree sees a random fraction of the rows (stochastic gradient boosting).
 *
 * With BOOST_SPLIT_NEWTON (xgboost's, Chen & Guestrin 2016) the tree is grown on (g_i, h_i)
 * directly: its splits maximize the Newton gain (eq. 7) and every node holds its Newton step
 * -G / (H + lambda) (eq. 5), so the leaves need no second pass. */
#include "ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "error.h"
#include "interrupt.h"
#include "pool.h"

double boost_loss_eval(boost_loss loss, double y, double F, double *g, double *h)
{
    if (loss == BOOST_LOSS_SQUARED) {
        if (g) *g = F - y;
        if (h) *h = 1;
        return 0.5 * (y - F) * (y - F);
    }
    /* log(1 + e^F) - y F, written to stay finite for large |F| */
    double p = F >= 0 ? 1 / (1 + exp(-F)) : exp(F) / (1 + exp(F));
    if (g) *g = p - y;
    if (h) *h = p * (1 - p);
    return (F > 0 ? F + log1p(exp(-F)) : log1p(exp(F))) - y * F;
}

double boost_gbdt_init(boost_loss loss, const double *y, size_t n)
{
    double mean = 0;
    for (size_t i = 0; i < n; i++) mean += y[i];
    mean /= (double)n;
    if (loss == BOOST_LOSS_SQUARED) return mean;
    if (mean <= 0 || mean >= 1) return mean <= 0 ? -30.0 : 30.0; /* one class: a saturated start */
    return log(mean / (1 - mean));
}

void boost_gbdt_residuals(boost_loss loss, const double *y, const double *F, size_t n, double *r)
{
    /* BEGIN EXERCISE boosting-3: the pseudo-residuals */
    for (size_t i = 0; i < n; i++) {
        if (loss == BOOST_LOSS_SQUARED) {
            r[i] = y[i] - F[i]; /* -(F - y) */
        } else {
            /* 1 / (1 + e^-F) for F >= 0, e^F / (1 + e^F) otherwise: both from e = e^-|F| <= 1
             * (no overflow), and one division (speed: no branch on the sign of F, which the
             * processor would guess wrong for half of the rows) */
            double e = exp(-fabs(F[i]));
            double p = (F[i] >= 0 ? 1.0 : e) / (1 + e);
            r[i] = y[i] - p; /* -(p - y) */
        }
    }
    /* END EXERCISE */
}

double boost_newton_leaf(const double *g, const double *h, const size_t *rows, size_t m)
{
    /* BEGIN EXERCISE boosting-4: the Newton leaf value */
    double G = 0, H = 0;
    for (size_t k = 0; k < m; k++) {
        G += g[rows[k]];
        H += h[rows[k]];
    }
    return fabs(H) < 1e-150 ? 0.0 : -G / H;
    /* END EXERCISE */
}

void boost_gbdt_free(boost_gbdt *g)
{
    if (!g) return;
    if (g->tree)
        for (size_t m = 0; m < g->rounds; m++) boost_tree_free(g->tree[m]);
    free(g->tree);
    free(g);
}

double boost_gbdt_eval_loss(boost_loss loss, double y, double F)
{
    return loss == BOOST_LOSS_SQUARED ? (y - F) * (y - F) : boost_loss_eval(loss, y, F, NULL, NULL);
}

static double mean_loss(boost_loss loss, const double *y, const double *F, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += boost_gbdt_eval_loss(loss, y[i], F[i]);
    return s / (double)n;
}

/* The Newton step of every leaf of t, over the rows in the sample: the leaves' values become
 * -sum g / sum h. leaf_of (n): each row's leaf, -1 out of the sample; rows (n), start (nodes
 * + 1) scratch. */
static void newton_leaves(boost_tree *t, size_t n, const int32_t *leaf_of, const double *g,
                          const double *h, size_t *rows, size_t *start)
{
    size_t L = t->n_nodes;
    memset(start, 0, (L + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        if (leaf_of[i] >= 0) start[leaf_of[i] + 1]++;
    for (size_t k = 0; k < L; k++) start[k + 1] += start[k];
    for (size_t i = 0; i < n; i++) /* counting sort of the rows by leaf */
        if (leaf_of[i] >= 0) rows[start[leaf_of[i]]++] = i;
    for (size_t k = L; k > 0; k--) start[k] = start[k - 1];
    start[0] = 0;
    for (size_t k = 0; k < L; k++)
        if (t->node[k].feature < 0)
            t->value[k] = boost_newton_leaf(g, h, rows + start[k], start[k + 1] - start[k]);
}

/* The per-row work of a round, shared among the threads by ranges of rows (each row's
 * arithmetic alone, so the same for any number of threads). */
typedef struct {
    boost_loss loss;
    const double *y, *X;
    double *F, *r, *g, *h;
    size_t n;
    double lr;
    const boost_tree *t;
    const int32_t *leaf_of;
    int newton; /* BOOST_SPLIT_NEWTON: g and h for every loss */
} rows_job;

/* Before a tree: the residuals r = y - p, and for the logistic loss g and h from them without
 * a second exp: p = y - r, as scikit-learn: g = -r, h = p (1 - p) = (y - r)(1 - y + r). */
static void residuals_part(void *arg, size_t t, size_t nt)
{
    const rows_job *jb = arg;
    size_t lo, hi;
    boost_pool_part(jb->n, t, nt, 1, &lo, &hi);
    boost_gbdt_residuals(jb->loss, jb->y + lo, jb->F + lo, hi - lo, jb->r + lo);
    if (jb->loss == BOOST_LOSS_LOGISTIC)
        for (size_t i = lo; i < hi; i++) {
            double pi = jb->y[i] - jb->r[i];
            jb->g[i] = -jb->r[i];
            jb->h[i] = pi * (1 - pi);
        }
    else if (jb->newton) /* the squared loss's g = F - y = -r, h = 1, for the Newton gain */
        for (size_t i = lo; i < hi; i++) jb->g[i] = -jb->r[i], jb->h[i] = 1.0;
}

/* After a tree: F_m = F_{m-1} + nu h_m; the sample's leaves are known. */
static void update_part(void *arg, size_t t, size_t nt)
{
    const rows_job *jb = arg;
    size_t lo, hi;
    boost_pool_part(jb->n, t, nt, 1, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        jb->F[i] += jb->lr * (jb->leaf_of[i] >= 0 ? jb->t->value[jb->leaf_of[i]]
                                                  : boost_tree_predict(jb->t, jb->X + i, jb->n)[0]);
}

int boost_gbdt_fit(boost_gbdt **out, const boost_data *train, const boost_gbdt_params *p,
                   const boost_data *test, double *train_loss, double *test_loss, gsl_rng *r)
{
    *out = NULL;
    size_t n = train->n, d = train->d, nt = test ? test->n : 0;
    if (p->loss == BOOST_LOSS_LOGISTIC && (!train->label || train->n_classes != 2))
        return cm_error(CM_EINVAL, "the logistic loss needs two classes 0 and 1 (got %d)",
                        train->n_classes);
    if (p->subsample < 1 && !r) return cm_error(CM_EINVAL, "subsampling needs a generator");
    int newton = p->split == BOOST_SPLIT_NEWTON;
    if (!(p->lambda >= 0) || (!newton && p->lambda != 0))
        return cm_error(CM_EINVAL, "lambda %g: the L2 penalty of the Newton split gain (>= 0)",
                        p->lambda);
    boost_gbdt *gb = cm_calloc(1, sizeof *gb);
    double *F = cm_calloc(n, sizeof *F), *Ft = cm_calloc(nt + 1, sizeof *Ft);
    double *res = cm_calloc(n, sizeof *res), *w = cm_calloc(n, sizeof *w);
    double *g = cm_calloc(n, sizeof *g), *h = cm_calloc(n, sizeof *h);
    size_t *rows = cm_calloc(n, sizeof *rows), *pick = cm_calloc(n, sizeof *pick);
    size_t *start = NULL;
    boost_binning *bins = NULL;
    boost_tree_work *work = NULL;
    boost_pool *threads = NULL;
    int st = CM_ENOMEM;
    if (!gb || !F || !Ft || !res || !w || !g || !h || !rows || !pick) goto done;
    /* the trees are fitted to the residuals: the engine reads its targets from res (Newton:
     * the gradients g and the hessians h) */
    boost_data view = *train;
    view.y = newton ? g : res;
    view.label = NULL;
    view.n_classes = 0;
    boost_xy xy = boost_data_xy(&view);
    if (newton) xy.h = h;
    /* speed: the bins' features, the histograms' features and the residuals' rows shared
     * among the threads (a pool even for one thread, the caller, so that the tree engine
     * takes the same GBDT paths, with the same arithmetic, for any number) */
    threads = boost_pool_start(p->threads > 1 ? p->threads : 1);
    if (!threads) goto done;
    if (p->bins) {
        bins = boost_binning_alloc_threads(&xy, p->bins, threads);
        if (!bins) goto done;
    }
    work = boost_tree_work_alloc(&xy, NULL, bins);
    if (!work) goto done;
    boost_tree_work_set_threads(work, threads);
    gb->loss = p->loss, gb->d = d, gb->lr = p->lr;
    gb->split = p->split, gb->lambda = p->lambda;
    gb->tree = cm_calloc(p->rounds, sizeof *gb->tree);
    if (!gb->tree) goto done;
    boost_tree_params tp;
    boost_tree_params_default(&tp, newton ? BOOST_NEWTON : BOOST_SQUARED);
    tp.lambda = p->lambda;
    tp.max_depth = p->max_depth;
    tp.min_samples_leaf = p->min_samples_leaf;
    gb->f0 = boost_gbdt_init(p->loss, train->y, n);
    for (size_t i = 0; i < n; i++) F[i] = gb->f0, w[i] = 1;
    for (size_t i = 0; i < nt; i++) Ft[i] = gb->f0;
    if (train_loss) train_loss[0] = mean_loss(p->loss, train->y, F, n);
    if (test_loss) test_loss[0] = test ? mean_loss(p->loss, test->y, Ft, nt) : NAN;
    size_t n_sub = (size_t)floor(p->subsample * (double)n);
    if (n_sub < 1) n_sub = 1;
    for (size_t i = 0; i < n; i++) pick[i] = i;
    if ((st = intr_install()) != CM_OK) goto done;
    st = CM_ENOMEM;
    for (size_t m = 0; m < p->rounds; m++) {
        if (n_sub < n) { /* this round's rows, drawn without replacement */
            for (size_t i = 0; i < n; i++) w[i] = 0;
            gsl_ran_shuffle(r, pick, n, sizeof *pick);
            for (size_t k = 0; k < n_sub; k++) w[pick[k]] = 1;
        }
        rows_job rj = {.loss = p->loss,
                       .y = train->y,
                       .X = train->X,
                       .F = F,
                       .r = res,
                       .g = g,
                       .h = h,
                       .n = n,
                       .lr = p->lr,
                       .newton = newton};
        boost_pool_run(threads, residuals_part, &rj);
        boost_tree *t = boost_tree_alloc(d, 1);
        if (!t) goto done;
        gb->tree[m] = t;
        gb->rounds = m + 1;
        if ((st = boost_tree_fit(t, &xy, w, &tp, NULL, work)) != CM_OK) goto done;
        st = CM_ENOMEM;
        const int32_t *leaf_of = boost_tree_work_leaves(work); /* rows in the sample */
        if (p->loss == BOOST_LOSS_LOGISTIC && !newton) {
            /* the tree chose the regions; the values are Newton steps on the log loss (g and h
             * from residuals_part) */
            free(start);
            start = cm_calloc(t->n_nodes + 1, sizeof *start);
            if (!start) goto done;
            newton_leaves(t, n, leaf_of, g, h, rows, start);
        }
        for (size_t k = 0; k < t->n_nodes; k++)
            if (!isfinite(t->value[k])) {
                st = cm_error(CM_ENOTFINITE, "GBDT: a leaf value is %g at round %zu", t->value[k],
                              m + 1);
                goto done;
            }
        rj.t = t, rj.leaf_of = leaf_of;
        boost_pool_run(threads, update_part, &rj);
        if (train_loss) {
            double lt = mean_loss(p->loss, train->y, F, n);
            if (!isfinite(lt)) {
                st = cm_error(CM_ENOTFINITE, "GBDT: the training loss is %g at round %zu", lt,
                              m + 1);
                goto done;
            }
            train_loss[m + 1] = lt;
        }
        if (p->prog) progress_update(p->prog, (long)m + 1, train_loss ? train_loss[m + 1] : NAN);
        if (test_loss && test) {
            for (size_t i = 0; i < nt; i++)
                Ft[i] += p->lr * boost_tree_predict(t, test->X + i, nt)[0];
            test_loss[m + 1] = mean_loss(p->loss, test->y, Ft, nt);
        } else if (test_loss) {
            test_loss[m + 1] = NAN;
        }
        /* SIGINT/SIGTERM: stop between rounds with the ensemble so far */
        if (m + 1 < p->rounds && (gb->signal = intr_poll((long)m + 1)) != 0) break;
    }
    st = CM_OK;
done:
    intr_uninstall();
    free(F), free(Ft), free(res), free(w), free(g), free(h), free(rows);
    free(pick), free(start);
    boost_tree_work_free(work);
    boost_pool_stop(threads);
    boost_binning_free(bins);
    if (st != CM_OK)
        boost_gbdt_free(gb);
    else
        *out = gb;
    return st;
}

double boost_gbdt_predict(const boost_gbdt *g, const double *x, size_t stride)
{
    double F = g->f0;
    for (size_t m = 0; m < g->rounds; m++)
        F += g->lr * boost_tree_predict(g->tree[m], x, stride)[0];
    return F;
}

/* The mean over the trees of their unnormalized importances, normalized (scikit-learn's
 * gradient boosting: trees that are a single leaf left out). */
void boost_gbdt_importance(const boost_gbdt *g, double *imp)
{
    double *one = cm_calloc(g->d, sizeof *one);
    memset(imp, 0, g->d * sizeof *imp);
    if (!one) return;
    double total = 0;
    for (size_t m = 0; m < g->rounds; m++) {
        if (g->tree[m]->n_nodes < 2) continue;
        boost_tree_importance(g->tree[m], one, 0);
        for (size_t j = 0; j < g->d; j++) imp[j] += one[j], total += one[j];
    }
    if (total > 0)
        for (size_t j = 0; j < g->d; j++) imp[j] /= total;
    free(one);
}
