/* tree_bins.c: what the split searches of tree_grow.c read: each feature's rows presorted
 * (the exact search) and the histogram's bins (the histogram search). */
#include "tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>

#include "error.h"

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
    free(b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

boost_binning *boost_binning_alloc(const boost_xy *xy, size_t max_bins)
{
    if (max_bins < 2 || max_bins > 256) {
        cm_error(CM_EINVAL, "bins: expected 2 to 256, got %zu", max_bins);
        return NULL;
    }
    size_t n = xy->n, d = xy->d;
    boost_binning *b = cm_calloc(1, sizeof *b);
    double *v = cm_calloc(n, sizeof *v), *u = cm_calloc(n, sizeof *u);
    if (b) {
        b->n = n, b->d = d, b->max_bins = max_bins;
        b->n_bins = cm_calloc(d, sizeof *b->n_bins);
        b->cut = cm_calloc(d * max_bins, sizeof *b->cut);
        b->bin = cm_calloc(n * d, sizeof *b->bin);
    }
    if (!b || !v || !u || !b->n_bins || !b->cut || !b->bin) {
        boost_binning_free(b);
        free(v);
        free(u);
        return NULL;
    }
    /* the cuts come from at most BOOST_BIN_SAMPLE rows, evenly spaced (all of them below) */
    size_t ns = n <= BOOST_BIN_SAMPLE ? n : BOOST_BIN_SAMPLE;
    for (size_t j = 0; j < d; j++) {
        for (size_t k = 0; k < ns; k++) v[k] = xy->X[j * n + (ns == n ? k : k * n / ns)];
        qsort(v, ns, sizeof *v, cmp_double);
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
        for (size_t i = 0; i < n; i++) { /* the first bin whose upper edge is >= x */
            size_t lo = 0, hi = nb - 1;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (x[i] <= cut[mid])
                    hi = mid;
                else
                    lo = mid + 1;
            }
            b->bin[j * n + i] = (uint8_t)lo;
        }
    }
    free(v);
    free(u);
    return b;
}
