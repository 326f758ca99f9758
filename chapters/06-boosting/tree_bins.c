/* tree_bins.c: what the split searches of tree_grow.c read: each feature's rows presorted
 * (the exact search) and the histogram's bins (the histogram search). */
#include "tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>

#include "error.h"
#include "pool.h"

#define BOOST_BIN_SAMPLE 65536 /* rows whose values place the histogram's cuts */

uint32_t *boost_presort(const boost_xy *xy)
{
    size_t n = xy->n;
    if (n > UINT32_MAX) {
        cm_error(CM_EINVAL, "%zu rows: the tree engine indexes rows with 32 bits", n);
        return NULL;
    }
    uint32_t *order = cm_calloc(xy->d * n, sizeof *order);
    size_t *p = cm_calloc(n, sizeof *p);
    if (!order || !p) {
        free(order);
        free(p);
        return NULL;
    }
    for (size_t j = 0; j < xy->d; j++) {
        /* gsl_sort_index is a heap sort (not stable): equal values may come in any order,
         * which changes no split, since a split never separates equal values */
        gsl_sort_index(p, xy->X + j * n, 1, n);
        for (size_t k = 0; k < n; k++) order[j * n + k] = (uint32_t)p[k];
    }
    free(p);
    return order;
}

void boost_binning_free(boost_binning *b)
{
    if (!b) return;
    free(b->n_bins);
    free(b->cut);
    free(b->bin);
    free(b->lo);
    free(b->hi);
    free(b);
}

/* Feature j's cuts, bins and each bin's smallest and largest value; v, u: n scratch doubles. */
static void bin_feature(const boost_xy *xy, boost_binning *b, size_t j, double *v, double *u)
{
    size_t n = xy->n, max_bins = b->max_bins;
    /* the cuts come from at most BOOST_BIN_SAMPLE rows, evenly spaced (all of them below) */
    size_t ns = n <= BOOST_BIN_SAMPLE ? n : BOOST_BIN_SAMPLE;
    for (size_t k = 0; k < ns; k++) v[k] = xy->X[j * n + (ns == n ? k : k * n / ns)];
    gsl_sort(v, 1, ns);
    size_t nu = 0; /* distinct values, those closer than BOOST_FEATURE_EPS merged */
    for (size_t i = 0; i < ns; i++)
        if (nu == 0 || v[i] > u[nu - 1] + BOOST_FEATURE_EPS) u[nu++] = v[i];
    double *cut = b->cut + j * max_bins;
    size_t nb;
    if (nu <= max_bins) { /* one bin per distinct value: the exact search's candidates */
        for (size_t k = 0; k + 1 < nu; k++) cut[k] = u[k] / 2.0 + u[k + 1] / 2.0;
        nb = nu;
    } else { /* cuts after evenly spaced quantiles of the distinct values */
        nb = 0;
        for (size_t k = 1; k < max_bins; k++) {
            size_t q = k * nu / max_bins; /* the first distinct value of bin k */
            double c = u[q - 1] / 2.0 + u[q] / 2.0;
            if (nb == 0 || c > cut[nb - 1]) cut[nb++] = c;
        }
        nb++;
    }
    cut[nb - 1] = INFINITY;
    b->n_bins[j] = nb;
    const double *x = xy->X + j * n;
    double *lo = b->lo + j * max_bins, *hi = b->hi + j * max_bins;
    for (size_t k = 0; k < max_bins; k++) lo[k] = INFINITY, hi[k] = -INFINITY;
    for (size_t i = 0; i < n; i++) { /* the first bin whose upper edge is >= x */
        /* speed: a binary search without a branch on the comparison (half of which the
         * processor would guess wrong): the range [l, l + len) holds the answer, halved by
         * a select; the same bin as the plain search (the last one when x is NaN) */
        size_t l = 0, len = nb;
        while (len > 1) {
            size_t half = len / 2;
            l = x[i] <= cut[l + half - 1] ? l : l + half;
            len -= half;
        }
        b->bin[j * n + i] = (uint8_t)l;
        if (x[i] < lo[l]) lo[l] = x[i];
        if (x[i] > hi[l]) hi[l] = x[i];
    }
}

typedef struct {
    const boost_xy *xy;
    boost_binning *b;
    int failed[64]; /* per thread: out of memory for its scratch */
} bin_job;

/* Thread t of nt: its share of the features, each binned alone (the same bins for any nt). */
static void bin_part(void *arg, size_t t, size_t nt)
{
    bin_job *jb = arg;
    size_t j0, j1;
    boost_pool_part(jb->xy->d, t, nt, 1, &j0, &j1);
    if (j1 <= j0) return;
    double *v = malloc(jb->xy->n * sizeof *v), *u = malloc(jb->xy->n * sizeof *u);
    if (!v || !u)
        jb->failed[t] = 1;
    else
        for (size_t j = j0; j < j1; j++) bin_feature(jb->xy, jb->b, j, v, u);
    free(v);
    free(u);
}

boost_binning *boost_binning_alloc_threads(const boost_xy *xy, size_t max_bins, boost_pool *threads)
{
    if (max_bins < 2 || max_bins > 256) {
        cm_error(CM_EINVAL, "bins: expected 2 to 256, got %zu", max_bins);
        return NULL;
    }
    size_t n = xy->n, d = xy->d;
    boost_binning *b = cm_calloc(1, sizeof *b);
    if (b) {
        b->n = n, b->d = d, b->max_bins = max_bins;
        b->n_bins = cm_calloc(d, sizeof *b->n_bins);
        b->cut = cm_calloc(d * max_bins, sizeof *b->cut);
        b->bin = cm_calloc(n * d, sizeof *b->bin);
        b->lo = cm_calloc(d * max_bins, sizeof *b->lo);
        b->hi = cm_calloc(d * max_bins, sizeof *b->hi);
    }
    if (!b || !b->n_bins || !b->cut || !b->bin || !b->lo || !b->hi) {
        boost_binning_free(b);
        return NULL;
    }
    bin_job jb = {.xy = xy, .b = b};
    if (boost_pool_threads(threads) > 64) threads = NULL;
    boost_pool_run(threads, bin_part, &jb);
    for (size_t t = 0; t < 64; t++)
        if (jb.failed[t]) {
            boost_binning_free(b);
            cm_error(CM_ENOMEM, "out of memory binning %zu rows", n);
            return NULL;
        }
    return b;
}

boost_binning *boost_binning_alloc(const boost_xy *xy, size_t max_bins)
{
    return boost_binning_alloc_threads(xy, max_bins, NULL);
}
