/* checks.h: the chapter's numeric checks, shared by `boosting check` and tests/test_boosting.c.
 * Each returns its worst discrepancy (0 is perfect) and never prints. */
#ifndef BOOST_CHECKS_H
#define BOOST_CHECKS_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "ensemble.h"

/* The pseudo-residual r = -dL/dF of boost_gbdt_residuals against a centred difference of the
 * loss, and the g, h of boost_loss_eval against first and second centred differences, on n
 * random (y, F) pairs (F in [-6, 6]). The worst relative error |a - b| / max(|a| + |b|, 1e-8)
 * over r, g and h. */
double boost_check_gradients(boost_loss loss, size_t n, gsl_rng *r);

/* The Newton leaf of boost_newton_leaf on random g, h > 0 (m rows): the worst of
 * |gamma + sum g / sum h| / |gamma| and of |gamma - gamma*| / |gamma|, gamma* the minimizer of
 * the second-order expansion sum_i (g_i x + h_i x^2 / 2) found by golden-section search
 * (no formula). Over `trials` random leaves. */
double boost_check_newton(size_t m, size_t trials, gsl_rng *r);

/* The split of a one-level tree (the engine's exact search) against brute force over every
 * feature and every threshold between distinct values, on random small data with ties and
 * random weights: the largest |decrease(engine) - decrease(brute force)| relative to the best
 * decrease, over `trials` data sets of each criterion (Gini, entropy, squared error, and the
 * Newton gain G_L^2/(H_L + lambda) + G_R^2/(H_R + lambda) - G^2/(H + lambda) written out from
 * random g, h > 0 and lambda 0 or random; for it also the root's value against
 * -G/(H + lambda) and the children's weighted impurities against the gain). Also fails
 * (returns +inf) when one finds a split and the other none. */
double boost_check_split_bruteforce(size_t trials, gsl_rng *r);

/* A full tree grown with the exact and with the histogram search, bins >= the number of
 * distinct values (Gini, entropy, squared error and the Newton criterion, with lambda 0 and
 * 0.5): on continuous data (n <= 256, bins 256) every node must match (feature,
 * threshold, rows, weight, value); on data with ties (at most 11 distinct values, bins 12)
 * every training row's leaf (depth, rows, value: two splits may cut a node's rows alike, and
 * rounding then picks either). Returns the number of nodes (rows) that differ, +1000 per tree
 * whose node count differs, over `trials` data sets of each criterion and kind. */
double boost_check_hist_exact(size_t trials, gsl_rng *r);

/* With the squared loss (h = 1, lambda 0) the Newton gain G_L^2/H_L + G_R^2/H_R - G^2/H is the
 * residual criterion's S_L^2/n_L + S_R^2/n_R - S^2/n (G = -S, H = n), and the Newton step -G/H
 * the mean residual: GBDTs (12 rounds, depth 4) grown both ways, with the exact and the
 * histogram search, on random continuous data, must be the same bit for bit. Returns the
 * number of nodes that differ (feature, threshold, rows, leaf value), +1000 per tree whose node
 * count differs, over `trials` data sets. */
double boost_check_newton_squared(size_t trials, gsl_rng *r);

#endif
