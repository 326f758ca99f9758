/* tree.h: CART, the one tree engine under the whole chapter (random forest, AdaBoost, GBDT).
 *
 * A tree splits a node on "x[feature] <= threshold" (left) or not (right), choosing the split
 * that most lowers the weighted impurity of the node (article: CART, 基尼指数 / 信息熵 /
 * 平方误差, to be checked). Classification trees use Gini or entropy and store the weighted
 * class proportions in each node; regression trees use the squared error and store the
 * weighted mean. The same rules as scikit-learn's DecisionTreeClassifier/Regressor:
 *   - a split is considered only between two distinct consecutive values, and its threshold is
 *     their midpoint;
 *   - a node is a leaf when depth == max_depth, when it holds fewer than min_samples_split rows
 *     or fewer than 2 * min_samples_leaf, when it is pure, or when the best split lowers the
 *     impurity by less than min_impurity_decrease, measured as
 *         W_t / W * (imp_t - W_L / W_t * imp_L - W_R / W_t * imp_R)
 *     (W: total weight of the training rows, W_t the node's);
 *   - with max_features < d, a random subset of the features (gsl_rng) is searched per node.
 *
 * Two split searches over the same nodes:
 *   exact:     each feature's rows kept sorted (presorted once, then stably partitioned at
 *              every split), scanned in order: every distinct value is a candidate;
 *   histogram: each feature cut into at most `bins` bins (boost_binning), the node's statistics
 *              summed per bin, candidates only at bin edges; a child's histogram is its
 *              parent's minus its sibling's, so that only the smaller child is summed.
 * With bins >= the number of distinct values of every feature the two find the same splits.
 *
 * A GBDT's trees may instead use xgboost's second-order criterion (BOOST_NEWTON): rows carry the
 * loss's g_i and h_i, a split is ranked by its Newton gain and a node holds -G / (H + lambda);
 * neither "pure" nodes nor impurities in the sense above, the rest of the rules the same.
 *
 * Rows carry weights (AdaBoost's sample weights, a bootstrap's counts, 0 = not in the sample).
 * The tree: tree.c; the split scan: tree_split.c; growing: tree_grow.c; presorting and bins:
 * tree_bins.c. */
#ifndef BOOST_TREE_H
#define BOOST_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

/* BOOST_NEWTON: the second-order (xgboost) criterion of a gradient-boosted tree: each row carries
 * the loss's first and second derivatives g_i, h_i, a node the sums G = sum w g, H = sum w h, and
 * a split is ranked by the Newton gain of Chen & Guestrin (2016), eq. 7 (boost_newton_gain). */
typedef enum { BOOST_GINI, BOOST_ENTROPY, BOOST_SQUARED, BOOST_NEWTON } boost_criterion;

/* Values closer than this are one value: no threshold falls between them (scikit-learn's
 * FEATURE_THRESHOLD). */
#define BOOST_FEATURE_EPS 1e-7

/* The training data as the tree engine reads them: features column by column, so that one
 * feature's values are contiguous. */
typedef struct {
    size_t n, d;
    const double *X;  /* (d, n): X[j * n + i] is feature j of row i */
    const int *label; /* (n) classes 0..n_classes-1, for Gini and entropy */
    int n_classes;
    const double *y; /* (n) targets, for the squared error; the gradients g for BOOST_NEWTON */
    const double *h; /* (n) the second derivatives h, for BOOST_NEWTON (else unused) */
} boost_xy;

typedef struct {
    boost_criterion criterion;
    int max_depth;     /* root is depth 0; -1: unlimited */
    size_t max_leaves; /* 0: unlimited; else grown best-first (largest decrease first) */
    size_t min_samples_split, min_samples_leaf;
    double min_impurity_decrease;
    size_t max_features; /* features searched per node; 0 or >= d: all */
    double lambda;       /* BOOST_NEWTON: L2 penalty on the leaf values (xgboost's reg_lambda) */
} boost_tree_params;

void boost_tree_params_default(boost_tree_params *p, boost_criterion c);

typedef struct {
    int feature;      /* -1 for a leaf */
    double threshold; /* x[feature] <= threshold goes left */
    int left, right;  /* child node indices */
    int depth;
    size_t n_samples; /* rows (with weight > 0) that reached the node in training */
    double weight;    /* their total weight */
    double impurity;  /* Gini, entropy (bits) or variance of the node; BOOST_NEWTON:
                       * -G^2 / (H + lambda) / weight, so that the decrease of a split,
                       * weight * impurity summed as for the others, is its Newton gain */
} boost_node;

typedef struct {
    size_t n_nodes, cap, d;
    int n_values;     /* per node: n_classes proportions, or 1 (the mean; BOOST_NEWTON: the
                       * Newton step -G / (H + lambda)) */
    boost_node *node; /* (cap) node 0 is the root */
    double *value;    /* (cap, n_values) */
} boost_tree;

/* Histogram binning of a data set: per feature the cut points, and every row's bin.
 * Bin b of feature j holds the values in (cut[j][b-1], cut[j][b]]; the last bin is open. */
typedef struct {
    size_t n, d, max_bins;
    size_t *n_bins;  /* (d) bins used by feature j (1 for a constant feature) */
    double *cut;     /* (d, max_bins) cut[j * max_bins + b]: the upper edge of bin b */
    uint8_t *bin;    /* (d, n) column-major: bin[j * n + i], as the features */
    double *lo, *hi; /* (d, max_bins) the smallest and largest training value in each bin (the
                      * thresholds fall midway between occupied bins, as the exact search's) */
} boost_binning;

/* Bins with at most max_bins (2..256) bins per feature: every distinct value its own bin when
 * there are few enough (cuts at the midpoints, the exact search's thresholds), else cuts at
 * evenly spaced quantiles of the distinct values. With more than 65,536 rows the cuts come from
 * 65,536 evenly spaced rows (as xgboost and LightGBM sketch their quantiles from a sample).
 * NULL on failure (message set). */
boost_binning *boost_binning_alloc(const boost_xy *xy, size_t max_bins);
void boost_binning_free(boost_binning *b);

/* Scratch memory of a fit, reused across the trees of an ensemble (allocated once per data
 * set: d * n row indices for the exact search, histograms for the histogram search). */
typedef struct boost_tree_work boost_tree_work;

/* presorted: NULL, or boost_presort()'s order of the same xy (shared by many fits);
 * binning: NULL for the exact search, else the histogram search on these bins. */
boost_tree_work *boost_tree_work_alloc(const boost_xy *xy, const uint32_t *presorted,
                                       const boost_binning *binning);
void boost_tree_work_free(boost_tree_work *w);

/* The threads among which the histogram search shares the features of a GBDT's histograms
 * (NULL: the caller's alone); the trees are the same for any number (pool.h). */
typedef struct boost_pool boost_pool;
/* boost_binning_alloc with the features shared among threads (NULL: one); the same bins. */
boost_binning *boost_binning_alloc_threads(const boost_xy *xy, size_t max_bins,
                                           boost_pool *threads);
void boost_tree_work_set_threads(boost_tree_work *w, boost_pool *threads);

/* After a boost_tree_fit with w: the leaf (node index) of each row of the sample, -1 for the
 * rows with weight 0; valid until the next fit. */
const int32_t *boost_tree_work_leaves(const boost_tree_work *w);

/* (d, n): order[j * n + k] is the row with the k-th smallest value of feature j. */
uint32_t *boost_presort(const boost_xy *xy);

boost_tree *boost_tree_alloc(size_t d, int n_values);
void boost_tree_free(boost_tree *t);

/* Grows t (emptied first) on the rows of xy with weight w[i] > 0 (w NULL: all rows, weight
 * 1). rng: needed only when p->max_features < d. CM_OK or an error code (message set). */
int boost_tree_fit(boost_tree *t, const boost_xy *xy, const double *w, const boost_tree_params *p,
                   gsl_rng *rng, boost_tree_work *work);

/* The leaf that row x (d features, stride apart) falls into. */
int boost_tree_leaf(const boost_tree *t, const double *x, size_t stride);
/* The leaf's values: class proportions or the mean. */
const double *boost_tree_predict(const boost_tree *t, const double *x, size_t stride);
/* The class with the largest proportion (the first on a tie, as numpy's argmax). */
int boost_tree_predict_class(const boost_tree *t, const double *x, size_t stride);
size_t boost_tree_n_leaves(const boost_tree *t);
int boost_tree_depth(const boost_tree *t);

/* The tree as text, one node a line, depth first (a node, its left subtree, its right
 * subtree), indented by depth:
 *   node 0: x3 <= 0.25 ? node 1 : node 2; 400 rows, weight 400, impurity 0.49, value 0.4 0.6 */
int boost_tree_write(const boost_tree *t, const char *const *names, FILE *f);

/* Mean decrease in impurity per feature, summed over the splits, each weighted by the share
 * of the root's weight that reached it; with normalize, scaled to sum 1 (scikit-learn's
 * feature_importances_). All zeros for a single leaf. imp has d entries. */
void boost_tree_importance(const boost_tree *t, double *imp, int normalize);

/* ---- the pieces of the split search (tree_split.c), exposed for the tests ------------------- */

/* Node statistics: classification [W, c_0 .. c_{K-1}] (total weight and weight per class);
 * squared error [W, S = sum w y, Q = sum w y^2]; Newton [W, G = sum w g, H = sum w h]. */
size_t boost_stat_width(boost_criterion c, int n_classes);
/* Gini, entropy, squared error (BOOST_NEWTON's needs lambda: boost_newton_score). */
double boost_impurity(boost_criterion c, const double *s, size_t width);
/* A quantity whose maximum over the candidate splits of one node is the best split:
 * -(W_L imp_L + W_R imp_R), up to a constant of the node (scikit-learn's proxy); for
 * BOOST_NEWTON (lambda 0 here: the engine passes its own) the sum of the children's scores. */
double boost_split_proxy(boost_criterion c, const double *left, const double *right, size_t width);

/* The Newton criterion (Chen & Guestrin 2016, "XGBoost: A Scalable Tree Boosting System").
 * A leaf of value v costs, to second order, sum_i (g_i v + h_i v^2 / 2) + lambda v^2 / 2, least
 * at v* = -G / (H + lambda) (eq. 5), where it is -G^2 / (2 (H + lambda)) (eq. 6). The score of a
 * node s = [W, G, H] is G^2 / (H + lambda); the gain of a split (eq. 7, without its factor 1/2
 * and its gamma, as xgboost's code computes it) is
 *     gain = G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) - G^2 / (H + lambda),
 * twice the fall of the second-order objective. 0 when H + lambda <= 0. */
double boost_newton_score(const double *s, double lambda);
double boost_newton_gain(const double *left, const double *right, double lambda);

/* The best split of one node on one feature, from the node's rows sorted by that feature.
 * rows (m) sorted by x, x the feature's column (indexed by row), w the weights, node the
 * node's statistics. Returns 1 and sets *pos (left = rows[0..*pos]) and *proxy when a split
 * with min_leaf rows on each side exists, else 0. */
typedef struct {
    boost_criterion criterion;
    size_t width;
    const int *label;
    const double *y;
    const double *h; /* BOOST_NEWTON: the second derivatives (y: the first) */
    double lambda;   /* BOOST_NEWTON */
} boost_stat_src;
int boost_best_split_sorted(const boost_stat_src *src, const uint32_t *rows, size_t m,
                            const double *x, const double *w, const double *node, size_t min_leaf,
                            double *work, size_t *pos, double *proxy);

#endif
