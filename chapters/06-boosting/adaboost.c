/* adaboost.c: AdaBoost (article: AdaBoost, to be checked). Each round fits a weak learner (a
 * stump by default) to the weighted rows, measures its weighted error e_m, gives it the weight
 * alpha_m, and raises the weights of the rows it got wrong so that the next learner looks at
 * them harder. The prediction is the alpha-weighted vote.
 *
 *   binary (the article), y, h in {-1, +1}:
 *     e_m     = sum_i w_i [h_m(x_i) != y_i] / sum_i w_i
 *     alpha_m = 1/2 ln((1 - e_m) / e_m)
 *     w_i    <- w_i exp(-alpha_m y_i h_m(x_i)) / Z_m       (Z_m: the sum that renormalizes)
 *     H(x)    = sign(sum_m alpha_m h_m(x))
 *   SAMME (Zhu, Zou, Rosset, Hastie 2009) for K classes, learning rate nu:
 *     alpha_m = nu (ln((1 - e_m) / e_m) + ln(K - 1))
 *     w_i    <- w_i exp(alpha_m [h_m(x_i) != y_i]) / Z_m
 *     H(x)    = argmax_k sum_m alpha_m [h_m(x) = k]
 * With K = 2 and nu = 1 SAMME's alpha is twice the article's and its weights are the same after
 * renormalizing (exp(alpha) on the mistakes against exp(-alpha/2 * ... ) both ways: the ratio
 * of a mistake's factor to a hit's is (1 - e)/e in both), so both vote alike. */
#include "ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int boost_ada_reweight(const int *miss, double *w, size_t n, int n_classes, double lr, int discrete,
                       double *e, double *alpha)
{
    /* BEGIN EXERCISE boosting-2: AdaBoost's error, learner weight and weight update */
    /* STUB: (tools/student) the outputs are set, so that the caller never reads them undefined
     * (void)miss, (void)w, (void)n, (void)n_classes, (void)lr, (void)discrete;
     * *e = 0.5, *alpha = 0.0;
     */
    double sum = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        sum += w[i];
        if (miss[i]) bad += w[i];
    }
    *e = bad / sum;
    if (*e <= 0) {
        *alpha = 1;
        return 1;
    }
    if (*e >= 1 - 1.0 / n_classes) return -1;
    if (discrete) {
        *alpha = 0.5 * log((1 - *e) / *e);
        double up = exp(*alpha), down = exp(-*alpha); /* exp(-alpha y h): y h = -1 or +1 */
        for (size_t i = 0; i < n; i++) w[i] *= miss[i] ? up : down;
    } else {
        *alpha = lr * (log((1 - *e) / *e) + log(n_classes - 1.0));
        double up = exp(*alpha);
        for (size_t i = 0; i < n; i++)
            if (miss[i]) w[i] *= up;
    }
    double Z = 0;
    for (size_t i = 0; i < n; i++) Z += w[i];
    for (size_t i = 0; i < n; i++) w[i] /= Z;
    /* END EXERCISE */
    return 0;
}

void boost_ada_free(boost_ada *a)
{
    if (!a) return;
    if (a->tree)
        for (size_t m = 0; m < a->rounds; m++) boost_tree_free(a->tree[m]);
    free(a->tree);
    free(a->alpha);
    free(a->error);
    free(a);
}

/* Adds the learner's vote to the running scores of a data set and returns the error rate of
 * the vote so far. scores (n, K); pred (n) the learner's classes. Binary discrete: scores
 * hold F in column 0 and the vote is F > 0. */
static double vote(const boost_ada *a, double alpha, const int *pred, const int *label, size_t n,
                   double *scores)
{
    int K = a->n_classes;
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        double *s = scores + i * (size_t)K;
        int c;
        if (a->discrete) {
            s[0] += alpha * (pred[i] == 1 ? 1.0 : -1.0);
            c = s[0] > 0;
        } else {
            s[pred[i]] += alpha;
            c = 0;
            for (int k = 1; k < K; k++)
                if (s[k] > s[c]) c = k;
        }
        wrong += c != label[i];
    }
    return (double)wrong / (double)n;
}

int boost_ada_fit(boost_ada **out, const boost_data *train, const boost_ada_params *p,
                  const boost_data *test, double *train_err, double *test_err)
{
    *out = NULL;
    if (!train->label) return cm_error(CM_EINVAL, "AdaBoost needs class labels");
    size_t n = train->n, d = train->d, nt = test ? test->n : 0;
    int K = train->n_classes;
    if (p->discrete && K != 2)
        return cm_error(CM_EINVAL,
                        "the article's discrete AdaBoost is binary; %d classes need "
                        "SAMME",
                        K);
    boost_xy xy = boost_data_xy(train);
    boost_ada *a = cm_calloc(1, sizeof *a);
    double *w = cm_calloc(n, sizeof *w), *sc = cm_calloc(n * (size_t)K, sizeof *sc);
    double *sct = cm_calloc(nt * (size_t)K + 1, sizeof *sct);
    int *pred = cm_calloc(n, sizeof *pred), *miss = cm_calloc(n, sizeof *miss);
    int *predt = cm_calloc(nt + 1, sizeof *predt);
    boost_tree_work *work = boost_tree_work_alloc(&xy, NULL, NULL);
    int st = CM_ENOMEM;
    if (!a || !w || !sc || !sct || !pred || !miss || !predt || !work) goto done;
    a->d = d, a->n_classes = K, a->discrete = p->discrete;
    a->tree = cm_calloc(p->rounds, sizeof *a->tree);
    a->alpha = cm_calloc(p->rounds, sizeof *a->alpha);
    a->error = cm_calloc(p->rounds, sizeof *a->error);
    if (!a->tree || !a->alpha || !a->error) goto done;
    boost_tree_params tp;
    boost_tree_params_default(&tp, BOOST_GINI);
    tp.max_depth = p->max_depth;
    for (size_t i = 0; i < n; i++) w[i] = 1.0 / (double)n; /* w_i = 1/N */
    double tr = NAN, te = NAN;
    size_t m;
    for (m = 0; m < p->rounds; m++) {
        boost_tree *t = boost_tree_alloc(d, K);
        if (!t) goto done;
        if ((st = boost_tree_fit(t, &xy, w, &tp, NULL, work)) != CM_OK) {
            boost_tree_free(t);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            pred[i] = boost_tree_predict_class(t, train->X + i, n);
            miss[i] = pred[i] != train->label[i];
        }
        double e, alpha;
        int r = boost_ada_reweight(miss, w, n, K, p->lr, p->discrete, &e, &alpha);
        if (r < 0) { /* no better than chance: the learner is dropped and boosting stops */
            boost_tree_free(t);
            if (m == 0) {
                st = cm_error(CM_EINVAL,
                              "AdaBoost: the first weak learner is no better than "
                              "chance (weighted error %.4f)",
                              e);
                goto done;
            }
            break;
        }
        a->tree[m] = t;
        a->alpha[m] = alpha;
        a->error[m] = e;
        a->rounds = m + 1;
        tr = vote(a, alpha, pred, train->label, n, sc);
        if (test) {
            for (size_t i = 0; i < nt; i++) predt[i] = boost_tree_predict_class(t, test->X + i, nt);
            te = vote(a, alpha, predt, test->label, nt, sct);
        }
        if (p->prog) progress_update(p->prog, (long)m + 1, tr);
        if (train_err) train_err[m] = tr;
        if (test_err) test_err[m] = te;
        if (r == 1) { /* a perfect learner: nothing left to boost */
            m++;
            break;
        }
    }
    for (; m < p->rounds; m++) {
        if (train_err) train_err[m] = tr;
        if (test_err) test_err[m] = te;
    }
    st = CM_OK;
done:
    free(w), free(sc), free(sct), free(pred), free(miss), free(predt);
    boost_tree_work_free(work);
    if (st != CM_OK)
        boost_ada_free(a);
    else
        *out = a;
    return st;
}

int boost_ada_predict(const boost_ada *a, const double *x, size_t stride)
{
    double s[BOOST_MAX_CLASSES] = {0};
    int K = a->n_classes;
    for (size_t m = 0; m < a->rounds; m++) {
        int c = boost_tree_predict_class(a->tree[m], x, stride);
        if (a->discrete)
            s[0] += a->alpha[m] * (c == 1 ? 1.0 : -1.0);
        else
            s[c] += a->alpha[m];
    }
    if (a->discrete) return s[0] > 0;
    int best = 0;
    for (int k = 1; k < K; k++)
        if (s[k] > s[best]) best = k;
    return best;
}

void boost_ada_staged_error(const boost_ada *a, const boost_data *ds, double *err, size_t rounds)
{
    size_t n = ds->n;
    int K = a->n_classes;
    double *sc = cm_xcalloc(n * (size_t)K, sizeof *sc);
    int *pred = cm_xcalloc(n, sizeof *pred);
    double e = NAN;
    for (size_t m = 0; m < rounds; m++) {
        if (m < a->rounds) {
            for (size_t i = 0; i < n; i++)
                pred[i] = boost_tree_predict_class(a->tree[m], ds->X + i, n);
            e = vote(a, a->alpha[m], pred, ds->label, n, sc);
        }
        err[m] = e;
    }
    free(sc);
    free(pred);
}
