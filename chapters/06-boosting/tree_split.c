/* tree_split.c: the impurity of a node and the best split of one feature (CART), and the
 * Newton gain of a gradient-boosted tree's split (xgboost's). */
#include "tree.h"

#include <math.h>
#include <string.h>

size_t boost_stat_width(boost_criterion c, int n_classes)
{
    return c == BOOST_SQUARED || c == BOOST_NEWTON ? 3 : 1 + (size_t)n_classes;
}

/* G^2 / (H + lambda): the score of a node, twice its fall of the second-order objective
 * (Chen & Guestrin 2016, eq. 6) */
double boost_newton_score(const double *s, double lambda)
{
    double den = s[2] + lambda;
    return den > 0 ? s[1] * s[1] / den : 0.0;
}

/* Chen & Guestrin 2016, eq. 7 (without the 1/2 and gamma):
 *   gain = G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) - (G_L + G_R)^2 / (H_L + H_R + lambda) */
double boost_newton_gain(const double *left, const double *right, double lambda)
{
    double node[3] = {left[0] + right[0], left[1] + right[1], left[2] + right[2]};
    return boost_newton_score(left, lambda) + boost_newton_score(right, lambda) -
           boost_newton_score(node, lambda);
}

/* Gini:     1 - sum_k p_k^2
 * entropy:  -sum_k p_k log2 p_k        (bits, as scikit-learn)
 * squared:  Q/W - (S/W)^2              (the weighted variance: mean squared error to the mean) */
double boost_impurity(boost_criterion c, const double *s, size_t width)
{
    double W = s[0];
    if (W <= 0) return 0;
    if (c == BOOST_SQUARED) {
        double m = s[1] / W;
        return s[2] / W - m * m;
    }
    double acc = 0;
    for (size_t k = 1; k < width; k++) {
        double p = s[k] / W;
        if (c == BOOST_GINI)
            acc += p * p;
        else if (p > 0)
            acc -= p * log2(p);
    }
    return c == BOOST_GINI ? 1 - acc : acc;
}

/* -(W_L imp_L + W_R imp_R) without the node's constants:
 *   Gini:     sum_k c_Lk^2 / W_L + sum_k c_Rk^2 / W_R     (= -(W_L G_L + W_R G_R) + W)
 *   squared:  S_L^2 / W_L + S_R^2 / W_R                  (= -(W_L V_L + W_R V_R) + Q)
 *   entropy:  -(W_L H_L + W_R H_R)                                                         */
double boost_split_proxy(boost_criterion c, const double *left, const double *right, size_t width)
{
    if (c == BOOST_NEWTON) return boost_newton_score(left, 0) + boost_newton_score(right, 0);
    if (c == BOOST_SQUARED) return left[1] * left[1] / left[0] + right[1] * right[1] / right[0];
    if (c == BOOST_ENTROPY)
        return -(left[0] * boost_impurity(c, left, width) +
                 right[0] * boost_impurity(c, right, width));
    double l = 0, r = 0;
    for (size_t k = 1; k < width; k++) {
        l += left[k] * left[k];
        r += right[k] * right[k];
    }
    return l / left[0] + r / right[0];
}

/* One row's contribution to a node's statistics. */
static inline __attribute__((always_inline)) void
add_row(const boost_stat_src *src, boost_criterion crit, double *s, uint32_t i, double wi)
{
    s[0] += wi;
    if (crit == BOOST_SQUARED) {
        s[1] += wi * src->y[i];
        s[2] += wi * src->y[i] * src->y[i];
    } else if (crit == BOOST_NEWTON) {
        s[1] += wi * src->y[i]; /* G: y holds the gradients */
        s[2] += wi * src->h[i]; /* H */
    } else {
        s[1 + src->label[i]] += wi;
    }
}

/* boost_split_proxy with right = node - left, inlined for the scan (the hot loop of AdaBoost
 * and of the forests: one call per candidate threshold). */
static inline __attribute__((always_inline)) double
proxy_from_left(const boost_stat_src *src, boost_criterion crit, const double *left,
                const double *node, double *right)
{
    size_t width = src->width;
    double WL = left[0], WR = node[0] - left[0];
    if (crit == BOOST_NEWTON) { /* G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) */
        double r[3] = {WR, node[1] - left[1], node[2] - left[2]};
        return boost_newton_score(left, src->lambda) + boost_newton_score(r, src->lambda);
    }
    if (crit == BOOST_SQUARED) {
        double SR = node[1] - left[1];
        return left[1] * left[1] / WL + SR * SR / WR;
    }
    if (crit == BOOST_GINI) {
        double l = 0, r = 0;
        for (size_t k = 1; k < width; k++) {
            double c = node[k] - left[k];
            l += left[k] * left[k];
            r += c * c;
        }
        return l / WL + r / WR;
    }
    for (size_t t = 0; t < width; t++) right[t] = node[t] - left[t];
    return boost_split_proxy(crit, left, right, width);
}

/* The scan of CART: move the rows one by one from the right child to the left in the order of
 * the feature, and at every boundary between two distinct values score the split.
 * work holds 2 * width doubles. crit is a constant in each call below, so that the compiler
 * makes one loop per criterion without a test of the criterion inside (twice as fast). */
static inline __attribute__((always_inline)) int scan(const boost_stat_src *src,
                                                      boost_criterion crit, const uint32_t *rows,
                                                      size_t m, const double *x, const double *w,
                                                      const double *node, size_t min_leaf,
                                                      double *work, size_t *pos, double *proxy)
{
    size_t width = src->width;
    double *left = work, *right = work + width;
    int found = 0;
    /* BEGIN EXERCISE boosting-1: the best split of one feature */
    memset(left, 0, width * sizeof *left);
    double best = -INFINITY;
    for (size_t k = 0; k + 1 < m; k++) {
        uint32_t i = rows[k];
        add_row(src, crit, left, i, w ? w[i] : 1.0);
        /* a threshold can only fall between two distinct values */
        if (x[rows[k + 1]] <= x[i] + BOOST_FEATURE_EPS) continue;
        size_t n_left = k + 1, n_right = m - n_left;
        if (n_left < min_leaf) continue;
        if (n_right < min_leaf) break;
        if (left[0] <= 0 || node[0] - left[0] <= 0) continue;
        double v = proxy_from_left(src, crit, left, node, right);
        if (v > best) {
            best = v;
            *pos = k;
            found = 1;
        }
    }
    *proxy = best;
    /* END EXERCISE */
    return found;
}

int boost_best_split_sorted(const boost_stat_src *src, const uint32_t *rows, size_t m,
                            const double *x, const double *w, const double *node, size_t min_leaf,
                            double *work, size_t *pos, double *proxy)
{
    switch (src->criterion) {
    case BOOST_GINI:
        return scan(src, BOOST_GINI, rows, m, x, w, node, min_leaf, work, pos, proxy);
    case BOOST_ENTROPY:
        return scan(src, BOOST_ENTROPY, rows, m, x, w, node, min_leaf, work, pos, proxy);
    case BOOST_NEWTON:
        return scan(src, BOOST_NEWTON, rows, m, x, w, node, min_leaf, work, pos, proxy);
    default:
        return scan(src, BOOST_SQUARED, rows, m, x, w, node, min_leaf, work, pos, proxy);
    }
}
