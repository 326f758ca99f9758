/* forest.c: the random forest (article: 随机森林, to be checked): each tree fully grown on a
 * bootstrap sample of the rows, trying a random subset of k features at every split; the
 * forest votes with the mean of the trees' class proportions. Rows left out of a tree's
 * bootstrap (about e^-1 = 37% of them) test it: the out-of-bag error. */
#include "ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "interrupt.h"

size_t boost_max_features(const char *s, size_t d)
{
    if (!strcmp(s, "log2")) return (size_t)fmax(1, floor(log2((double)d)));
    if (!strcmp(s, "sqrt")) return (size_t)fmax(1, floor(sqrt((double)d)));
    if (!strcmp(s, "all")) return d;
    long k;
    if (cli_parse_long(s, 1, (long)d, &k) != CM_OK) {
        cm_error(CM_EINVAL,
                 "--max-features: expected log2, sqrt, all or an integer from 1 to %zu, got '%s'",
                 d, s);
        return 0;
    }
    return (size_t)k;
}

void boost_forest_free(boost_forest *f)
{
    if (!f) return;
    if (f->tree)
        for (size_t t = 0; t < f->n_trees; t++) boost_tree_free(f->tree[t]);
    free(f->tree);
    free(f);
}

int boost_forest_fit(boost_forest **out, const boost_data *train, const boost_forest_params *p,
                     gsl_rng *r)
{
    *out = NULL;
    if (!train->label) return cm_error(CM_EINVAL, "the random forest here is a classifier");
    size_t n = train->n, d = train->d;
    int K = train->n_classes;
    boost_xy xy = boost_data_xy(train);
    boost_forest *f = cm_calloc(1, sizeof *f);
    double *w = cm_calloc(n, sizeof *w), *oob = cm_calloc(n * (size_t)K, sizeof *oob);
    boost_tree_work *work = boost_tree_work_alloc(&xy, NULL, NULL);
    int st = CM_ENOMEM;
    if (!f || !w || !oob || !work) goto done;
    f->d = d, f->n_classes = K;
    f->tree = cm_calloc(p->n_trees, sizeof *f->tree);
    if (!f->tree) goto done;
    boost_tree_params tp = p->tree;
    tp.max_features = p->max_features;
    if ((st = intr_install()) != CM_OK) goto done;
    st = CM_ENOMEM;
    for (size_t t = 0; t < p->n_trees; t++) {
        /* the bootstrap as weights: w_i = how many times row i was drawn (0: out of bag) */
        if (p->bootstrap) {
            memset(w, 0, n * sizeof *w);
            for (size_t k = 0; k < n; k++) w[gsl_rng_uniform_int(r, n)] += 1;
        } else {
            for (size_t i = 0; i < n; i++) w[i] = 1;
        }
        f->tree[t] = boost_tree_alloc(d, K);
        if (!f->tree[t]) goto done;
        f->n_trees = t + 1;
        if ((st = boost_tree_fit(f->tree[t], &xy, w, &tp, r, work)) != CM_OK) goto done;
        if (p->prog) progress_update(p->prog, (long)t + 1, NAN);
        for (size_t i = 0; i < n; i++) {
            if (w[i] > 0) continue;
            const double *pr = boost_tree_predict(f->tree[t], train->X + i, n);
            for (int k = 0; k < K; k++) oob[i * (size_t)K + (size_t)k] += pr[k];
        }
        /* SIGINT/SIGTERM: the forest of the trees grown so far */
        if (t + 1 < p->n_trees && (f->signal = intr_poll((long)t + 1)) != 0) break;
    }
    /* out-of-bag: each row voted on only by the trees that did not see it */
    size_t wrong = 0;
    f->oob_rows = 0;
    for (size_t i = 0; i < n; i++) {
        const double *v = oob + i * (size_t)K;
        int best = 0;
        double sum = 0;
        for (int k = 0; k < K; k++) {
            sum += v[k];
            if (v[k] > v[best]) best = k;
        }
        if (sum == 0) continue;
        f->oob_rows++;
        wrong += best != train->label[i];
    }
    f->oob_error = f->oob_rows ? (double)wrong / (double)f->oob_rows : NAN;
    st = CM_OK;
done:
    intr_uninstall();
    free(w);
    free(oob);
    boost_tree_work_free(work);
    if (st != CM_OK)
        boost_forest_free(f);
    else
        *out = f;
    return st;
}

int boost_forest_predict(const boost_forest *f, const double *x, size_t stride)
{
    double v[BOOST_MAX_CLASSES] = {0};
    int K = f->n_classes;
    for (size_t t = 0; t < f->n_trees; t++) {
        const double *p = boost_tree_predict(f->tree[t], x, stride);
        for (int k = 0; k < K; k++) v[k] += p[k];
    }
    int best = 0;
    for (int k = 1; k < K; k++)
        if (v[k] > v[best]) best = k;
    return best;
}

/* The mean of the trees' normalized importances, normalized (scikit-learn's forests). */
void boost_forest_importance(const boost_forest *f, double *imp)
{
    double *one = cm_calloc(f->d, sizeof *one);
    memset(imp, 0, f->d * sizeof *imp);
    if (!one) return;
    double total = 0;
    for (size_t t = 0; t < f->n_trees; t++) {
        boost_tree_importance(f->tree[t], one, 1);
        for (size_t j = 0; j < f->d; j++) imp[j] += one[j], total += one[j];
    }
    if (total > 0)
        for (size_t j = 0; j < f->d; j++) imp[j] /= total;
    free(one);
}
