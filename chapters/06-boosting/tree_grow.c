/* tree_grow.c: growing a CART tree (tree.h): the work space, the nodes waiting to be split,
 * the exact search (per feature, over the presorted rows: tree_split.c's scan) and the
 * histogram search (per feature, over the bins of tree_bins.c), the partition of a node's rows
 * and the choice of the next node (depth first, or best first with max_leaves; a GBDT's tree of
 * limited depth level by level: grow_levels). */
#include "tree.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "error.h"
#include "pool.h"

#define BOOST_PURE_EPS 2.220446049250313e-16 /* a node this pure is a leaf (sklearn's EPSILON) */

/* A new leaf; its index, or -1 when memory runs out (message set). */
static int tree_add_node(boost_tree *t, int depth)
{
    if (t->n_nodes == t->cap) {
        size_t cap = 2 * t->cap;
        boost_node *nn = realloc(t->node, cap * sizeof *nn);
        if (!nn) return cm_error(CM_ENOMEM, "out of memory for a tree of %zu nodes", cap), -1;
        t->node = nn;
        double *nv = realloc(t->value, cap * (size_t)t->n_values * sizeof *nv);
        if (!nv) return cm_error(CM_ENOMEM, "out of memory for a tree of %zu nodes", cap), -1;
        t->value = nv;
        t->cap = cap;
    }
    int id = (int)t->n_nodes++;
    t->node[id] = (boost_node){.feature = -1, .left = -1, .right = -1, .depth = depth};
    return id;
}

/* ---- the work space ------------------------------------------------------------------------ */

#define PART_BLOCK 16384 /* rows per block of the GBDT's partition (partition_unit) */

/* A histogram: (d, max_bins, 1 + width) sums: [count, node statistics...] per bin, with the
 * smallest and largest training value of each bin kept in the binning-independent arrays. */
struct boost_tree_work {
    const boost_xy *xy;
    const boost_binning *bins;
    uint32_t *order; /* exact: (d, n) presorted rows (owned unless shared) */
    int owns_order;
    uint32_t *idx;      /* exact: (d, n) per feature the node's rows sorted; hist: (n) rows */
    uint32_t *tmp;      /* (n) partition buffer */
    uint8_t *goes_left; /* (n) */
    size_t hist_len;    /* doubles per histogram */
    double **pool;      /* free histograms */
    size_t n_pool, cap_pool;
    size_t *feat;        /* (d) feature order */
    int32_t *leaf_of;    /* (n) after a fit: the leaf of each row in the sample, -1 if none */
    double *ordered;     /* hist: (4n) a node's targets and weights gathered in row order */
    double *scratch;     /* split scan and node statistics */
    boost_pool *threads; /* NULL, or the threads that share a histogram's features */
    double *part_sums;   /* hist: (n / PART_BLOCK + 1, 5) the partition's sums per block */
    size_t *part_at;     /* hist: (n / PART_BLOCK + 1, 2) where each block's rows go */
    int *split_ok;       /* hist: (d) each feature's best split, searched by the threads */
    size_t *split_pos;
    double *split_proxy;
    size_t split_cap;     /* entries of split_ok, split_pos, split_proxy */
    size_t part_cap;      /* blocks in part_sums, part_at */
    double *scan;         /* hist: (n / PART_BLOCK + 1, 5) scan_blocks' results */
    double *gh;           /* hist: (2n) Newton's g and h side by side (scan_blocks) */
    int gh_ok;            /* gh holds this fit's g and h */
};

void boost_tree_work_free(boost_tree_work *w)
{
    if (!w) return;
    if (w->owns_order) free(w->order);
    free(w->idx);
    free(w->tmp);
    free(w->goes_left);
    for (size_t i = 0; i < w->n_pool; i++) free(w->pool[i]);
    free(w->pool);
    free(w->feat);
    free(w->scratch);
    free(w->leaf_of);
    free(w->ordered);
    free(w->part_sums);
    free(w->part_at);
    free(w->split_ok);
    free(w->split_pos);
    free(w->split_proxy);
    free(w->scan);
    free(w->gh);
    free(w);
}

boost_tree_work *boost_tree_work_alloc(const boost_xy *xy, const uint32_t *presorted,
                                       const boost_binning *binning)
{
    size_t n = xy->n, d = xy->d;
    boost_tree_work *w = cm_calloc(1, sizeof *w);
    if (!w) return NULL;
    w->xy = xy;
    w->bins = binning;
    size_t width = 3 + (size_t)(xy->n_classes > 0 ? xy->n_classes : 0);
    w->tmp = cm_calloc(n, sizeof *w->tmp);
    w->goes_left = cm_calloc(n, 1);
    w->feat = cm_calloc(d, sizeof *w->feat);
    w->leaf_of = cm_calloc(n, sizeof *w->leaf_of);
    w->scratch = cm_calloc(8 * width, sizeof *w->scratch);
    if (!w->tmp || !w->goes_left || !w->feat || !w->scratch || !w->leaf_of) goto fail;
    if (binning) {
        if (binning->n != n || binning->d != d) {
            cm_error(CM_EINVAL, "binning of %zu x %zu rows for %zu x %zu data", binning->n,
                     binning->d, n, d);
            goto fail;
        }
        size_t B = binning->max_bins;
        w->idx = cm_calloc(n, sizeof *w->idx);
        w->ordered = cm_calloc(4 * n, sizeof *w->ordered);
        w->part_sums = cm_calloc(5 * (n / PART_BLOCK + 1), sizeof *w->part_sums);
        w->part_at = cm_calloc(2 * (n / PART_BLOCK + 1), sizeof *w->part_at);
        w->split_ok = cm_calloc(d, sizeof *w->split_ok);
        w->split_pos = cm_calloc(d, sizeof *w->split_pos);
        w->split_proxy = cm_calloc(d, sizeof *w->split_proxy);
        if (!w->idx || !w->ordered || !w->part_sums || !w->part_at || !w->split_ok ||
            !w->split_pos || !w->split_proxy || !(w->scan = cm_calloc(5 * (n / PART_BLOCK + 1),
                                                                       sizeof *w->scan)))
            goto fail;
        w->split_cap = d, w->part_cap = n / PART_BLOCK + 1;
        if (xy->h && !(w->gh = cm_calloc(2 * n, sizeof *w->gh))) goto fail;
        w->hist_len = d * B * (1 + width); /* the widest statistics: a fit may use fewer */
    } else {
        if (presorted)
            w->order = (uint32_t *)presorted;
        else {
            w->order = boost_presort(xy);
            w->owns_order = 1;
            if (!w->order) goto fail;
        }
        w->idx = cm_calloc(d * n, sizeof *w->idx);
        if (!w->idx) goto fail;
    }
    return w;
fail:
    boost_tree_work_free(w);
    return NULL;
}

static double *hist_get(boost_tree_work *w)
{
    if (w->n_pool) return w->pool[--w->n_pool];
    return cm_calloc(w->hist_len, sizeof(double));
}

static int hist_put(boost_tree_work *w, double *h)
{
    if (!h) return CM_OK;
    if (w->n_pool == w->cap_pool) {
        size_t cap = w->cap_pool ? 2 * w->cap_pool : 16;
        double **p = realloc(w->pool, cap * sizeof *p);
        if (!p) {
            free(h);
            return cm_error(CM_ENOMEM, "out of memory for the histogram pool");
        }
        w->pool = p;
        w->cap_pool = cap;
    }
    w->pool[w->n_pool++] = h;
    return CM_OK;
}

/* ---- growing ------------------------------------------------------------------------------- */

/* A node waiting to be split: its rows are seg [lo, hi) of the index arrays. */
typedef struct {
    int id;
    const uint32_t *base; /* the array whose [lo, hi) holds the node's rows */
    size_t lo, hi;
    double *hist;     /* histogram search: the node's histogram */
    int feature;      /* the best split found, -1 if none */
    size_t split_pos; /* exact: rows [lo, lo + pos] go left; hist: bins <= pos go left */
    double threshold, improvement;
} pending;

typedef struct {
    boost_tree *t;
    const boost_xy *xy;
    const double *w;
    const boost_tree_params *p;
    gsl_rng *rng;
    boost_tree_work *work;
    boost_stat_src src;
    double W_total;
    size_t hs;      /* histogram search: statistics per bin in the exact search's layout
                     * ([W, S] for the squared error: Q is not needed to rank splits; [W, G, H]
                     * for the Newton criterion) */
    size_t hstride; /* doubles per histogram entry: [count, W, S] or [count, S] with unit
                     * weights (squared error); [count, W, G, H] or [count, G, H, 0] with unit
                     * weights (Newton); [count, W, c_k] (classification) */
    size_t hlen;    /* doubles in one histogram: d * max_bins * hstride */
    int unit;       /* every row in the sample has weight 1 (GBDT): W is the count */
    int gbdt;       /* unit weights and the squared error or Newton: the GBDT's fast paths */
    int compact;    /* GBDT, Newton, min_samples_leaf 1, every h well above the rounding of the
                     * sums: entries [G, H] without a count (boost_tree_fit) */
    double empty_h; /* compact: a bin is occupied when its H > empty_h */
} grower;

static inline double wt(const grower *g, uint32_t i)
{
    return g->w ? g->w[i] : 1.0;
}

/* The node's statistics summed over its rows (as scikit-learn, not from the parent's), its
 * impurity and its value. rows: the node's rows, any order. */
static void node_set(grower *g, int id, const double *s, size_t m);

static void node_init(grower *g, int id, const uint32_t *rows, size_t m)
{
    size_t width = g->src.width;
    double *s = g->work->scratch + 6 * width;
    memset(s, 0, width * sizeof *s);
    const double *y = g->xy->y, *w = g->w;
    if (g->p->criterion == BOOST_SQUARED && g->unit) { /* GBDT's trees: every weight 1 */
        double S = 0, Q = 0;
        for (size_t k = 0; k < m; k++) {
            double v = y[rows[k]];
            S += v, Q += v * v;
        }
        s[0] = (double)m, s[1] = S, s[2] = Q;
    } else if (g->p->criterion == BOOST_SQUARED) {
        for (size_t k = 0; k < m; k++) {
            double wi = w ? w[rows[k]] : 1.0, v = y[rows[k]];
            s[0] += wi, s[1] += wi * v, s[2] += wi * v * v;
        }
    } else if (g->p->criterion == BOOST_NEWTON) { /* [W, G, H] */
        const double *h = g->xy->h;
        for (size_t k = 0; k < m; k++) {
            double wi = w ? w[rows[k]] : 1.0;
            s[0] += wi, s[1] += wi * y[rows[k]], s[2] += wi * h[rows[k]];
        }
    } else {
        for (size_t k = 0; k < m; k++) {
            double wi = w ? w[rows[k]] : 1.0;
            s[0] += wi;
            s[1 + g->xy->label[rows[k]]] += wi;
        }
    }
    node_set(g, id, s, m);
}

/* A node's rows, weight, impurity and value from its statistics s. */
static void node_set(grower *g, int id, const double *s, size_t m)
{
    size_t width = g->src.width;
    boost_node *nd = &g->t->node[id];
    nd->n_samples = m;
    nd->weight = s[0];
    double *v = g->t->value + (size_t)id * (size_t)g->t->n_values;
    if (g->p->criterion == BOOST_NEWTON) {
        /* the node's Newton step v* = -G / (H + lambda) (Chen & Guestrin 2016, eq. 5), and
         * -score / W as its "impurity" (tree.h) */
        double den = s[2] + g->p->lambda;
        nd->impurity = -boost_newton_score(s, g->p->lambda) / s[0];
        v[0] = den > 0 ? -s[1] / den : 0.0;
        return;
    }
    nd->impurity = boost_impurity(g->p->criterion, s, width);
    if (g->p->criterion == BOOST_SQUARED)
        v[0] = s[1] / s[0];
    else
        for (int k = 0; k < g->t->n_values; k++) v[k] = s[1 + k] / s[0];
}

/* The node's statistics (as node_init left them) into s. */
static void node_stats(const grower *g, const uint32_t *rows, size_t m, double *s)
{
    size_t width = g->src.width;
    memset(s, 0, width * sizeof *s);
    for (size_t k = 0; k < m; k++) {
        uint32_t i = rows[k];
        double wi = wt(g, i);
        s[0] += wi;
        if (g->p->criterion == BOOST_SQUARED) {
            s[1] += wi * g->xy->y[i];
            s[2] += wi * g->xy->y[i] * g->xy->y[i];
        } else if (g->p->criterion == BOOST_NEWTON) {
            s[1] += wi * g->xy->y[i];
            s[2] += wi * g->xy->h[i];
        } else {
            s[1 + g->xy->label[i]] += wi;
        }
    }
}

/* Features [j0, j1) of the histogram of rows[0..m) with unit weights, [count, S] per bin, from
 * the targets og[k] of rows[k] (the hot loop of a GBDT on large data). */
static void hist_build_unit(const boost_binning *b, const uint32_t *rows, size_t m,
                            const double *og, double *h, size_t j0, size_t j1)
{
    size_t n = b->n, B = b->max_bins, j = j0;
    memset(h + j0 * B * 2, 0, (j1 - j0) * B * 2 * sizeof *h);
#ifdef __SSE2__
    /* speed (measured: 10 to 15% off a whole GBDT fit of the benchmark; checked against
     * the exact search by boost_check_hist_exact): [count, S] added as one
     * vector of two doubles, and two features per pass so that the two chains of
     * additions do not wait on each other */
    for (; j + 1 < j1; j += 2) {
        const uint8_t *b0 = b->bin + j * n, *b1 = b0 + n;
        double *h0 = h + j * B * 2, *h1 = h0 + B * 2;
        for (size_t k = 0; k < m; k++) {
            uint32_t i = rows[k];
            __m128d v = _mm_set_pd(og[k], 1.0);
            double *e0 = h0 + 2 * (size_t)b0[i], *e1 = h1 + 2 * (size_t)b1[i];
            _mm_storeu_pd(e0, _mm_add_pd(_mm_loadu_pd(e0), v));
            _mm_storeu_pd(e1, _mm_add_pd(_mm_loadu_pd(e1), v));
        }
    }
#endif
    for (; j < j1; j++) { /* the same two additions per entry as the vector's */
        const uint8_t *bj = b->bin + j * n;
        double *hj = h + j * B * 2;
        for (size_t k = 0; k < m; k++) {
            double *e = hj + 2 * (size_t)bj[rows[k]];
            e[0] += 1;
            e[1] += og[k];
        }
    }
}

/* The same for the Newton criterion: [count, G, H, 0] per bin, from the rows' quadruples
 * q[4k..4k+3] = [1, g, h, 0] of rows[k]. The fourth double is padding: an entry is then one
 * vector of four doubles, added with one instruction where the processor has AVX. */
static void hist_build_newton(const boost_binning *b, const uint32_t *rows, size_t m,
                              const double *q, double *h, size_t j0, size_t j1)
{
    size_t n = b->n, B = b->max_bins;
    memset(h + j0 * B * 4, 0, (j1 - j0) * B * 4 * sizeof *h);
    for (size_t j = j0; j < j1; j++) {
        const uint8_t *bj = b->bin + j * n;
        double *hj = h + j * B * 4;
        for (size_t k = 0; k < m; k++) {
            double *e = hj + 4 * (size_t)bj[rows[k]];
            for (int t = 0; t < 4; t++) e[t] += q[4 * k + t];
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* speed: hist_build_newton with each entry added as one AVX vector (one store instead of two
 * on SSE2: the histograms are bound by their stores), four features per pass (then two) so
 * that their chains of additions do not wait on each other and each row's index and [1, g, h,
 * 0] are loaded once for four (measured: about 15% off the whole fit against two per pass).
 * Per lane the same additions in the same order, so the same sums bit for bit; used when the
 * processor has AVX (newton_avx). */
__attribute__((target("avx"))) static void hist_build_newton_avx(const boost_binning *b,
                                                                 const uint32_t *rows, size_t m,
                                                                 const double *q, double *h,
                                                                 size_t j0, size_t j1)
{
    size_t n = b->n, B = b->max_bins, j = j0;
    memset(h + j0 * B * 4, 0, (j1 - j0) * B * 4 * sizeof *h);
    for (; j + 3 < j1; j += 4) {
        const uint8_t *b0 = b->bin + j * n, *b1 = b0 + n, *b2 = b1 + n, *b3 = b2 + n;
        double *h0 = h + j * B * 4, *h1 = h0 + B * 4, *h2 = h1 + B * 4, *h3 = h2 + B * 4;
        for (size_t k = 0; k < m; k++) {
            uint32_t i = rows[k];
            __m256d v = _mm256_loadu_pd(q + 4 * k);
            double *e0 = h0 + 4 * (size_t)b0[i], *e1 = h1 + 4 * (size_t)b1[i];
            double *e2 = h2 + 4 * (size_t)b2[i], *e3 = h3 + 4 * (size_t)b3[i];
            _mm256_storeu_pd(e0, _mm256_add_pd(_mm256_loadu_pd(e0), v));
            _mm256_storeu_pd(e1, _mm256_add_pd(_mm256_loadu_pd(e1), v));
            _mm256_storeu_pd(e2, _mm256_add_pd(_mm256_loadu_pd(e2), v));
            _mm256_storeu_pd(e3, _mm256_add_pd(_mm256_loadu_pd(e3), v));
        }
    }
    for (; j + 1 < j1; j += 2) {
        const uint8_t *b0 = b->bin + j * n, *b1 = b0 + n;
        double *h0 = h + j * B * 4, *h1 = h0 + B * 4;
        for (size_t k = 0; k < m; k++) {
            uint32_t i = rows[k];
            __m256d v = _mm256_loadu_pd(q + 4 * k);
            double *e0 = h0 + 4 * (size_t)b0[i], *e1 = h1 + 4 * (size_t)b1[i];
            _mm256_storeu_pd(e0, _mm256_add_pd(_mm256_loadu_pd(e0), v));
            _mm256_storeu_pd(e1, _mm256_add_pd(_mm256_loadu_pd(e1), v));
        }
    }
    if (j < j1) hist_build_newton(b, rows, m, q, h, j, j1);
}

static int newton_avx(void)
{
    static int has = -1;
    if (has < 0) has = __builtin_cpu_supports("avx") ? 1 : 0;
    return has;
}
#else
#define hist_build_newton_avx hist_build_newton
static int newton_avx(void)
{
    return 0;
}
#endif

/* The compact Newton histogram: [G, H] per bin from the pairs gh[2k], gh[2k + 1] = g, h of
 * rows[k]; four features per pass, each entry one SSE2 vector (one store of 16 bytes per row and
 * feature, against 32 for [count, G, H, 0]). */
static void hist_build_newton2(const boost_binning *b, const uint32_t *rows, size_t m,
                               const double *gh, double *h, size_t j0, size_t j1)
{
    size_t n = b->n, B = b->max_bins, j = j0;
    memset(h + j0 * B * 2, 0, (j1 - j0) * B * 2 * sizeof *h);
#ifdef __SSE2__
    for (; j + 3 < j1; j += 4) {
        const uint8_t *b0 = b->bin + j * n, *b1 = b0 + n, *b2 = b1 + n, *b3 = b2 + n;
        double *h0 = h + j * B * 2, *h1 = h0 + B * 2, *h2 = h1 + B * 2, *h3 = h2 + B * 2;
        for (size_t k = 0; k < m; k++) {
            uint32_t i = rows[k];
            __m128d v = _mm_loadu_pd(gh + 2 * k);
            double *e0 = h0 + 2 * (size_t)b0[i], *e1 = h1 + 2 * (size_t)b1[i];
            double *e2 = h2 + 2 * (size_t)b2[i], *e3 = h3 + 2 * (size_t)b3[i];
            _mm_storeu_pd(e0, _mm_add_pd(_mm_loadu_pd(e0), v));
            _mm_storeu_pd(e1, _mm_add_pd(_mm_loadu_pd(e1), v));
            _mm_storeu_pd(e2, _mm_add_pd(_mm_loadu_pd(e2), v));
            _mm_storeu_pd(e3, _mm_add_pd(_mm_loadu_pd(e3), v));
        }
    }
    /* then two (a thread's share of 20 features is 10: 4 + 4 + 2, not 4 + 4 + 1 + 1) */
    for (; j + 1 < j1; j += 2) {
        const uint8_t *b0 = b->bin + j * n, *b1 = b0 + n;
        double *h0 = h + j * B * 2, *h1 = h0 + B * 2;
        for (size_t k = 0; k < m; k++) {
            uint32_t i = rows[k];
            __m128d v = _mm_loadu_pd(gh + 2 * k);
            double *e0 = h0 + 2 * (size_t)b0[i], *e1 = h1 + 2 * (size_t)b1[i];
            _mm_storeu_pd(e0, _mm_add_pd(_mm_loadu_pd(e0), v));
            _mm_storeu_pd(e1, _mm_add_pd(_mm_loadu_pd(e1), v));
        }
    }
#endif
    for (; j < j1; j++) {
        const uint8_t *bj = b->bin + j * n;
        double *hj = h + j * B * 2;
        for (size_t k = 0; k < m; k++) {
            double *e = hj + 2 * (size_t)bj[rows[k]];
            e[0] += gh[2 * k];
            e[1] += gh[2 * k + 1];
        }
    }
}

typedef struct {
    const boost_binning *b;
    const uint32_t *rows;
    size_t m;
    const double *og; /* the targets, or (Newton) the quadruples [1, g, h, 0] or pairs [g, h] */
    double *h;
    int newton, avx; /* avx: hist_build_newton_avx (asked on the caller's thread) */
    int compact;     /* Newton: pairs and [G, H] entries (hist_build_newton2) */
} hist_job;

/* Thread t of nt: its share of the features, in pairs. Each feature's histogram is summed by one
 * thread over all of the node's rows in row order, so the sums do not depend on nt. */
static void hist_build_part(void *arg, size_t t, size_t nt)
{
    const hist_job *jb = arg;
    size_t j0, j1;
    boost_pool_part(jb->b->d, t, nt, 2, &j0, &j1);
    if (j1 <= j0) return;
    if (jb->compact)
        hist_build_newton2(jb->b, jb->rows, jb->m, jb->og, jb->h, j0, j1);
    else if (jb->newton && jb->avx)
        hist_build_newton_avx(jb->b, jb->rows, jb->m, jb->og, jb->h, j0, j1);
    else if (jb->newton)
        hist_build_newton(jb->b, jb->rows, jb->m, jb->og, jb->h, j0, j1);
    else
        hist_build_unit(jb->b, jb->rows, jb->m, jb->og, jb->h, j0, j1);
}

/* Nodes smaller than this are summed on one thread (waking the others would cost more). */
#define HIST_THREAD_MIN_ROWS 4096

/* The histogram of rows[0..m): per feature and bin, [count, statistics]. Built feature by
 * feature (one feature's histogram, 256 bins, stays in the L1 cache) from the rows' targets
 * gathered once into a contiguous array (LightGBM's "ordered gradients"). */
/* The Newton histogram's quadruples q[4k..4k+3] = [1, g, h, 0] of rows[k], gathered by ranges of
 * k shared among the threads (each entry a copy: the same for any number of threads). */
typedef struct {
    const uint32_t *rows;
    size_t m;
    const double *g, *h;
    double *q;
    int pairs; /* compact: [g, h] pairs instead */
} gather_job;

static void gather_part(void *arg, size_t t, size_t nt)
{
    const gather_job *jb = arg;
    size_t lo, hi;
    boost_pool_part(jb->m, t, nt, 1, &lo, &hi);
    if (jb->pairs)
        for (size_t k = lo; k < hi; k++) {
            uint32_t i = jb->rows[k];
            jb->q[2 * k] = jb->g[i], jb->q[2 * k + 1] = jb->h[i];
        }
    else
        for (size_t k = lo; k < hi; k++) {
            double *qk = jb->q + 4 * k;
            uint32_t i = jb->rows[k];
            qk[0] = 1, qk[1] = jb->g[i], qk[2] = jb->h[i], qk[3] = 0;
        }
}

static void hist_build(const grower *g, const uint32_t *rows, size_t m, double *h)
{
    const boost_binning *b = g->work->bins;
    size_t n = b->n, d = b->d, B = b->max_bins, stride = g->hstride;
    double *og = g->work->ordered, *ow = g->work->ordered + n;
    if (g->p->criterion == BOOST_NEWTON && g->unit) { /* the GBDT's, with the Newton gain */
        gather_job gj = {
            .rows = rows, .m = m, .g = g->xy->y, .h = g->xy->h, .q = og, .pairs = g->compact};
        hist_job jb = {
            .b = b, .rows = rows, .m = m, .og = og, .h = h, .newton = 1, .compact = g->compact};
        jb.avx = newton_avx();
        if (g->compact && g->work->gh_ok && m == n) {
            /* every row, in row order: scan_blocks' pairs [g, h] are the gathered ones */
            jb.og = g->work->gh;
            boost_pool_run(m >= HIST_THREAD_MIN_ROWS ? g->work->threads : NULL, hist_build_part,
                           &jb);
        } else if (m >= HIST_THREAD_MIN_ROWS) {
            boost_pool_run(g->work->threads, gather_part, &gj);
            boost_pool_run(g->work->threads, hist_build_part, &jb);
        } else {
            gather_part(&gj, 0, 1);
            hist_build_part(&jb, 0, 1);
        }
        return;
    }
    if (g->p->criterion == BOOST_NEWTON) { /* [count, W, G, H] per bin */
        memset(h, 0, g->hlen * sizeof *h);
        for (size_t j = 0; j < d; j++) {
            const uint8_t *bj = b->bin + j * n;
            double *hj = h + j * B * 4;
            for (size_t k = 0; k < m; k++) {
                uint32_t i = rows[k];
                double wi = wt(g, i), *e = hj + 4 * (size_t)bj[i];
                e[0] += 1;
                e[1] += wi;
                e[2] += wi * g->xy->y[i];
                e[3] += wi * g->xy->h[i];
            }
        }
        return;
    }
    if (g->p->criterion == BOOST_SQUARED) {
        for (size_t k = 0; k < m; k++) og[k] = g->xy->y[rows[k]];
        if (g->unit) { /* the GBDT's case: the features shared among the threads */
            hist_job jb = {.b = b, .rows = rows, .m = m, .og = og, .h = h};
            if (m >= HIST_THREAD_MIN_ROWS)
                boost_pool_run(g->work->threads, hist_build_part, &jb);
            else
                hist_build_part(&jb, 0, 1);
            return;
        }
        memset(h, 0, g->hlen * sizeof *h);
        for (size_t k = 0; k < m; k++) ow[k] = wt(g, rows[k]), og[k] *= ow[k];
        for (size_t j = 0; j < d; j++) { /* [count, W, S] per bin */
            const uint8_t *bj = b->bin + j * n;
            double *hj = h + j * B * 3;
            for (size_t k = 0; k < m; k++) {
                double *e = hj + 3 * (size_t)bj[rows[k]];
                e[0] += 1;
                e[1] += ow[k];
                e[2] += og[k];
            }
        }
        return;
    }
    memset(h, 0, g->hlen * sizeof *h);
    for (size_t j = 0; j < d; j++) { /* [count, W, c_0 .. c_K-1] per bin */
        const uint8_t *bj = b->bin + j * n;
        double *hj = h + j * B * stride;
        for (size_t k = 0; k < m; k++) {
            uint32_t i = rows[k];
            double wi = wt(g, i);
            double *e = hj + stride * (size_t)bj[i];
            e[0] += 1;
            e[1] += wi;
            e[2 + (size_t)g->xy->label[i]] += wi;
        }
    }
}

/* A histogram entry's statistics in the layout of the exact search ([W, S] or [W, c_k]):
 * with unit weights the squared error's entries are [count, S] and W is the count. */
static inline void hist_stats(const grower *g, const double *e, double *out)
{
    if (g->compact) { /* [G, H]: no count (node_find_split sets the node's W) */
        out[0] = 0, out[1] = e[0], out[2] = e[1];
        return;
    }
    if (g->gbdt) { /* [count, S] or [count, G, H, 0]: the count is W */
        for (size_t t = 0; t < g->hs; t++) out[t] = e[t];
        return;
    }
    for (size_t t = 0; t < g->hs; t++) out[t] = e[1 + t];
}

/* The score of a split that the search maximizes: boost_split_proxy, or for the Newton
 * criterion G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) (its gain but for the node's
 * constant G^2 / (H + lambda)). */
static inline double split_score(const grower *g, const double *left, const double *right)
{
    if (g->p->criterion == BOOST_NEWTON)
        return boost_newton_score(left, g->p->lambda) + boost_newton_score(right, g->p->lambda);
    return boost_split_proxy(g->p->criterion, left, right, g->src.width);
}

/* The best split of one feature from the node's histogram: bins <= *pos go left. */
static int hist_best_split(const grower *g, const double *h, size_t j, const double *node, size_t m,
                           size_t *pos, double *proxy, double *scratch)
{
    size_t width = g->src.width, stride = g->hstride, B = g->work->bins->max_bins;
    size_t nb = g->work->bins->n_bins[j];
    double *left = scratch, *right = left + width, *st = left + 7 * width;
    memset(left, 0, width * sizeof *left);
    size_t n_left = 0;
    double best = -INFINITY;
    int found = 0;
    const double *hj = h + j * B * stride;
    for (size_t b = 0; b + 1 < nb; b++) {
        const double *e = hj + b * stride;
        if (e[0] == 0) continue; /* an empty bin moves nothing: same split as the last one */
        n_left += (size_t)e[0];
        hist_stats(g, e, st);
        for (size_t t = 0; t < g->hs; t++) left[t] += st[t];
        if (n_left == m) break;
        if (n_left < g->p->min_samples_leaf) continue;
        if (m - n_left < g->p->min_samples_leaf) break;
        for (size_t t = 0; t < g->hs; t++) right[t] = node[t] - left[t];
        if (left[0] <= 0 || right[0] <= 0) continue;
        double v = split_score(g, left, right);
        if (v > best) {
            best = v;
            *pos = b;
            found = 1;
        }
    }
    *proxy = best;
    return found;
}

/* hist_best_split for the GBDT's trees (unit weights, the count is W), the same arithmetic
 * without the general statistics: entries [count, S] scored S_L^2/n_L + S_R^2/n_R (squared
 * error) or [count, G, H] scored G_L^2/(H_L + lambda) + G_R^2/(H_R + lambda) (Newton).
 * speed: the split search of every node scans d x 256 bins; this loop is about a third of the
 * instructions of hist_best_split's (callgrind), and finds the same split bit for bit. */
static inline __attribute__((always_inline)) int
scan_gbdt(const double *hj, size_t nb, size_t stride, int newton, double lambda, const double *node,
          size_t m, size_t min_leaf, size_t *pos, double *proxy)
{
    double WL = 0, SL = 0, HL = 0, best = -INFINITY;
    size_t n_left = 0;
    int found = 0;
    for (size_t b = 0; b + 1 < nb; b++) {
        const double *e = hj + b * stride;
        if (e[0] == 0) continue; /* an empty bin moves nothing: same split as the last one */
        n_left += (size_t)e[0];
        WL += e[0], SL += e[1];
        if (newton) HL += e[2];
        if (n_left == m) break;
        if (n_left < min_leaf) continue;
        if (m - n_left < min_leaf) break;
        double WR = node[0] - WL, SR = node[1] - SL, v;
        if (WL <= 0 || WR <= 0) continue;
        if (newton) { /* as boost_newton_score */
            double dl = HL + lambda, dr = node[2] - HL + lambda;
            v = (dl > 0 ? SL * SL / dl : 0.0) + (dr > 0 ? SR * SR / dr : 0.0);
        } else {
            v = SL * SL / WL + SR * SR / WR;
        }
        if (v > best) {
            best = v;
            *pos = b;
            found = 1;
        }
    }
    *proxy = best;
    return found;
}

/* scan_gbdt for the compact Newton entries [G, H]: a bin is occupied when H > empty_h (exact:
 * see boost_tree_fit), and a split must leave the last occupied bin on the right. The same
 * candidates and the same arithmetic as scan_gbdt on [count, G, H, 0] entries, so the same
 * splits bit for bit. */
static int scan_newton_compact(const double *hj, size_t nb, double lambda, double empty_h,
                               const double *node, size_t *pos, double *proxy)
{
    size_t last = nb; /* one past the last occupied bin */
    while (last > 0 && !(hj[2 * (last - 1) + 1] > empty_h)) last--;
    double GL = 0, HL = 0, best = -INFINITY;
    int found = 0;
    for (size_t b = 0; b + 1 < last; b++) {
        const double *e = hj + 2 * b;
        if (!(e[1] > empty_h)) continue; /* empty */
        GL += e[0], HL += e[1];
        double SR = node[1] - GL, dl = HL + lambda, dr = node[2] - HL + lambda;
        double v = (dl > 0 ? GL * GL / dl : 0.0) + (dr > 0 ? SR * SR / dr : 0.0);
        if (v > best) {
            best = v;
            *pos = b;
            found = 1;
        }
    }
    *proxy = best;
    return found;
}

static int hist_best_split_gbdt(const grower *g, const double *h, size_t j, const double *node,
                                size_t m, size_t *pos, double *proxy)
{
    if (g->compact)
        return scan_newton_compact(h + j * g->work->bins->max_bins * 2, g->work->bins->n_bins[j],
                                   g->p->lambda, g->empty_h, node, pos, proxy);
    size_t stride = g->hstride, nb = g->work->bins->n_bins[j]; /* [count, G, H, 0] or [count, S] */
    const double *hj = h + j * g->work->bins->max_bins * stride;
    if (g->p->criterion == BOOST_NEWTON)
        return scan_gbdt(hj, nb, stride, 1, g->p->lambda, node, m, g->p->min_samples_leaf, pos,
                         proxy);
    return scan_gbdt(hj, nb, stride, 0, 0, node, m, g->p->min_samples_leaf, pos, proxy);
}

/* midpoint as scikit-learn: a / 2 + b / 2 (no overflow), or a when rounding lands it on b */
static double midpoint(double a, double b)
{
    double t = a / 2.0 + b / 2.0;
    if (t == b || !isfinite(t)) t = a;
    return t;
}

/* The GBDT's split search of a large node shared among the threads: each feature's best split
 * (the same scan as on one thread, on a scratch of the thread's own), kept per feature for
 * node_find_split to choose among in feature order. */
typedef struct {
    const grower *g;
    const double *h, *node;
    size_t m;
} split_job;

static void split_part(void *arg, size_t t, size_t nt)
{
    const split_job *jb = arg;
    boost_tree_work *w = jb->g->work;
    size_t j0, j1;
    boost_pool_part(w->bins->d, t, nt, 1, &j0, &j1);
    for (size_t j = j0; j < j1; j++) {
        size_t pos = 0;
        double proxy = -INFINITY;
        w->split_ok[j] = hist_best_split_gbdt(jb->g, jb->h, j, jb->node, jb->m, &pos, &proxy);
        w->split_pos[j] = pos, w->split_proxy[j] = proxy;
    }
}

/* Each feature's best split of a node, searched beforehand (by the threads): ok[j], pos[j],
 * proxy[j] as hist_best_split_gbdt's. */
typedef struct {
    const int *ok;
    const size_t *pos;
    const double *proxy;
} split_res;

/* The histogram's totals of a node: feature 0's bins summed, so that left + right sum as the scan
 * sums. */
static void hist_node_totals(const grower *g, const double *hist, size_t m, double *node)
{
    const boost_tree_work *w = g->work;
    size_t stride = g->hstride;
    double *st = w->scratch + 7 * g->src.width;
    memset(node, 0, g->src.width * sizeof *node);
    for (size_t b = 0; b < w->bins->n_bins[0]; b++) {
        hist_stats(g, hist + b * stride, st);
        for (size_t t = 0; t < g->hs; t++) node[t] += st[t];
    }
    if (g->compact) node[0] = (double)m; /* unit weights: W is the count */
}

/* Whether the rules let node id of m rows be split at all. */
static int node_may_split(const grower *g, int id, size_t m)
{
    const boost_tree_params *p = g->p;
    const boost_node *nd = &g->t->node[id];
    /* (a Newton node has no impurity to be pure by: its splits stop at a gain of 0) */
    return !((p->max_depth >= 0 && nd->depth >= p->max_depth) || m < p->min_samples_split ||
             m < 2 * p->min_samples_leaf ||
             (p->criterion != BOOST_NEWTON && nd->impurity <= BOOST_PURE_EPS));
}

/* Decides whether node pn is a leaf, and if not finds its best split (pn->feature >= 0).
 * pre: NULL, or each feature's best split already searched (grow_levels). */
static void node_find_split(grower *g, pending *pn, const split_res *pre)
{
    boost_tree_work *w = g->work;
    const boost_tree_params *p = g->p;
    boost_node *nd = &g->t->node[pn->id];
    size_t m = pn->hi - pn->lo, n = g->xy->n, d = g->xy->d, width = g->src.width;
    pn->feature = -1;
    if (!node_may_split(g, pn->id, m)) return;
    double *node = w->scratch + 2 * width, *lbest = w->scratch + 4 * width;
    if (!w->bins)
        node_stats(g, w->idx + pn->lo, m, node); /* feature 0's segment: any order will do */
    else
        hist_node_totals(g, pn->hist, m, node);
    size_t mf = p->max_features && p->max_features < d ? p->max_features : d;
    for (size_t j = 0; j < d; j++) w->feat[j] = j;
    split_res shared_res;
    if (!pre && w->bins && w->threads && mf == d && g->gbdt && m >= HIST_THREAD_MIN_ROWS) {
        split_job jb = {.g = g, .h = pn->hist, .node = node, .m = m};
        boost_pool_run(w->threads, split_part, &jb);
        shared_res = (split_res){w->split_ok, w->split_pos, w->split_proxy};
        pre = &shared_res;
    }
    double best = -INFINITY;
    size_t visited = 0;
    for (size_t f = 0; f < d && visited < mf; f++) {
        if (mf < d) { /* a random feature among those not drawn yet (Fisher-Yates) */
            size_t r = f + (size_t)gsl_rng_uniform_int(g->rng, (unsigned long)(d - f));
            size_t tmp = w->feat[f];
            w->feat[f] = w->feat[r], w->feat[r] = tmp;
        }
        size_t j = w->feat[f];
        size_t pos;
        double proxy;
        int ok;
        if (w->bins) {
            if (pre)
                ok = pre->ok[j], pos = pre->pos[j], proxy = pre->proxy[j];
            else if (g->gbdt)
                ok = hist_best_split_gbdt(g, pn->hist, j, node, m, &pos, &proxy);
            else
                ok = hist_best_split(g, pn->hist, j, node, m, &pos, &proxy, w->scratch);
            /* a feature with one occupied bin is constant here: not counted */
            if (!ok) {
                const double *hj = pn->hist + j * w->bins->max_bins * g->hstride;
                size_t occupied = 0;
                for (size_t b = 0; b < w->bins->n_bins[j]; b++)
                    occupied += g->compact ? hj[2 * b + 1] > g->empty_h : hj[b * g->hstride] > 0;
                if (occupied <= 1) continue;
            }
        } else {
            const uint32_t *rows = w->idx + j * n + pn->lo;
            const double *x = g->xy->X + j * n;
            if (x[rows[m - 1]] <= x[rows[0]] + BOOST_FEATURE_EPS) continue; /* constant here */
            ok = boost_best_split_sorted(&g->src, rows, m, x, g->w, node, p->min_samples_leaf,
                                         w->scratch, &pos, &proxy);
        }
        visited++;
        if (ok && proxy > best) {
            best = proxy;
            pn->feature = (int)j;
            pn->split_pos = pos;
        }
    }
    if (pn->feature < 0) return;
    size_t j = (size_t)pn->feature;
    /* the threshold, and the children's statistics to weigh the decrease */
    double *right = lbest + width;
    if (w->bins) {
        size_t B = w->bins->max_bins, stride = g->hstride, b = pn->split_pos, b2 = b + 1;
        const double *hj = pn->hist + j * B * stride;
        if (g->compact)
            while (!(hj[2 * b2 + 1] > g->empty_h)) b2++; /* the next occupied bin */
        else
            while (hj[b2 * stride] == 0) b2++;
        pn->threshold = midpoint(w->bins->hi[j * B + b], w->bins->lo[j * B + b2]);
        memset(lbest, 0, width * sizeof *lbest);
        double *st = w->scratch + 7 * width;
        for (size_t k = 0; k <= b; k++) {
            hist_stats(g, hj + k * stride, st);
            for (size_t t = 0; t < g->hs; t++) lbest[t] += st[t];
        }
    } else {
        const uint32_t *rows = w->idx + j * n + pn->lo;
        const double *x = g->xy->X + j * n;
        pn->threshold = midpoint(x[rows[pn->split_pos]], x[rows[pn->split_pos + 1]]);
        node_stats(g, rows, pn->split_pos + 1, lbest);
    }
    for (size_t t = 0; t < width; t++) right[t] = node[t] - lbest[t];
    double W = node[0];
    /* the weighted impurity decrease of scikit-learn's min_impurity_decrease,
     *   W / W_total (imp - W_L / W imp_L - W_R / W imp_R);
     * for the squared error W imp - W_L imp_L - W_R imp_R = S_L^2/W_L + S_R^2/W_R - S^2/W,
     * which needs no sum of squares (the histogram does not keep one) */
    if (p->criterion == BOOST_SQUARED) {
        double pr = boost_split_proxy(p->criterion, lbest, right, width);
        pn->improvement = (pr - node[1] * node[1] / W) / g->W_total;
    } else if (p->criterion == BOOST_NEWTON) { /* the Newton gain (eq. 7) per unit weight */
        double pr = split_score(g, lbest, right);
        pn->improvement = (pr - boost_newton_score(node, p->lambda)) / g->W_total;
    } else {
        double il = boost_impurity(p->criterion, lbest, width),
               ir = boost_impurity(p->criterion, right, width);
        pn->improvement = W / g->W_total * (nd->impurity - lbest[0] / W * il - right[0] / W * ir);
    }
    if (pn->improvement + BOOST_PURE_EPS < p->min_impurity_decrease) pn->feature = -1;
}

/* Stable partition of seg[0..m) by goes_left; returns the left count. */
static size_t partition(uint32_t *seg, size_t m, const uint8_t *goes_left, uint32_t *tmp)
{
    size_t nl = 0, nr = 0;
    for (size_t k = 0; k < m; k++) {
        uint32_t i = seg[k];
        if (goes_left[i])
            seg[nl++] = i;
        else
            tmp[nr++] = i;
    }
    memcpy(seg + nl, tmp, nr * sizeof *tmp);
    return nl;
}

/* Splits pn into two new nodes; their pending records into *a (left) and *b (right). */
/* The GBDT's stable partition of a node's rows seg[0..m) by their bin bj[i] <= pos, in blocks of
 * PART_BLOCK rows (fixed, whatever the number of threads): each block's rows are split into
 * tmp (the left ones forward from the block's start, the right ones backward from its end)
 * with their sums [-, S, Q], then copied to their places in seg. The blocks are shared among
 * the threads; the blocks' sums are added in block order, so the result does not depend on the
 * number of threads (and a node of one block sums exactly as a plain loop). */
typedef struct {
    uint32_t *seg, *tmp;
    size_t m, nblk, pos;
    const uint8_t *bj;
    const double *y;
    const double *h; /* Newton: the second derivatives, summed instead of y^2 */
    double *blk;     /* (nblk, 5): [left rows, left S, left Q, right S, right Q] (Newton: G, H) */
    size_t *at;      /* (nblk, 2): where the block's left and right rows go in seg */
} part_job;

static void partition_blocks(void *arg, size_t t, size_t nt)
{
    const part_job *jb = arg;
    size_t b0, b1;
    boost_pool_part(jb->nblk, t, nt, 1, &b0, &b1);
    for (size_t b = b0; b < b1; b++) {
        size_t lo = b * PART_BLOCK, hi = lo + PART_BLOCK < jb->m ? lo + PART_BLOCK : jb->m;
        size_t nl = 0, nr = 0;
        double s[5] = {0};
        for (size_t k = lo; k < hi; k++) {
            /* speed: no branch on the split (taken at random, mispredicted half the time): the
             * row is written to both free slots and one of the counts moves; adding 0.0 to the
             * other side's sums leaves them exactly as they were */
            uint32_t i = jb->seg[k];
            double v = jb->y[i], q = jb->h ? jb->h[i] : v * v;
            int left = jb->bj[i] <= jb->pos;
            jb->tmp[lo + nl] = i;
            jb->tmp[hi - 1 - nr] = i;
            nl += (size_t)left, nr += (size_t)!left;
            s[1] += left ? v : 0.0, s[2] += left ? q : 0.0;
            s[3] += left ? 0.0 : v, s[4] += left ? 0.0 : q;
        }
        s[0] = (double)nl;
        memcpy(jb->blk + 5 * b, s, sizeof s);
    }
}

static void partition_place(void *arg, size_t t, size_t nt)
{
    const part_job *jb = arg;
    size_t b0, b1;
    boost_pool_part(jb->nblk, t, nt, 1, &b0, &b1);
    for (size_t b = b0; b < b1; b++) {
        size_t lo = b * PART_BLOCK, hi = lo + PART_BLOCK < jb->m ? lo + PART_BLOCK : jb->m;
        size_t nl = (size_t)jb->blk[5 * b], nr = hi - lo - nl;
        memcpy(jb->seg + jb->at[2 * b], jb->tmp + lo, nl * sizeof *jb->seg);
        for (size_t k = 0; k < nr; k++) jb->seg[jb->at[2 * b + 1] + k] = jb->tmp[hi - 1 - k];
    }
}

/* Returns the number of left rows; sl, sr: [-, S, Q] of each side ([-, G, H] with h). */
static size_t partition_unit(boost_tree_work *w, uint32_t *seg, size_t m, const uint8_t *bj,
                             size_t pos, const double *y, const double *h, double *sl, double *sr)
{
    part_job jb = {.seg = seg,
                   .tmp = w->tmp,
                   .m = m,
                   .nblk = (m + PART_BLOCK - 1) / PART_BLOCK,
                   .pos = pos,
                   .bj = bj,
                   .y = y,
                   .h = h,
                   .blk = w->part_sums,
                   .at = w->part_at};
    boost_pool *threads = jb.nblk > 1 ? w->threads : NULL;
    boost_pool_run(threads, partition_blocks, &jb);
    size_t nl = 0;
    for (size_t b = 0; b < jb.nblk; b++) nl += (size_t)jb.blk[5 * b];
    size_t at_l = 0, at_r = nl;
    sl[1] = sl[2] = sr[1] = sr[2] = 0;
    for (size_t b = 0; b < jb.nblk; b++) {
        const double *s = jb.blk + 5 * b;
        size_t hi = (b + 1) * PART_BLOCK < m ? (b + 1) * PART_BLOCK : m;
        jb.at[2 * b] = at_l, jb.at[2 * b + 1] = at_r;
        at_l += (size_t)s[0], at_r += hi - b * PART_BLOCK - (size_t)s[0];
        sl[1] += s[1], sl[2] += s[2], sr[1] += s[3], sr[2] += s[4];
    }
    boost_pool_run(threads, partition_place, &jb);
    return nl;
}

static int node_split(grower *g, pending *pn, pending *a, pending *b)
{
    boost_tree_work *w = g->work;
    size_t n = g->xy->n, d = g->xy->d, m = pn->hi - pn->lo, j = (size_t)pn->feature;
    int depth = g->t->node[pn->id].depth + 1;
    int l = tree_add_node(g->t, depth), r = l >= 0 ? tree_add_node(g->t, depth) : -1;
    if (r < 0) return CM_ENOMEM;
    boost_node *nd = &g->t->node[pn->id];
    nd->feature = (int)j;
    nd->threshold = pn->threshold;
    nd->left = l;
    nd->right = r;
    size_t nl;
    uint32_t *seg0 = w->idx; /* the children's rows are seg0[lo, hi) (exact: feature 0's) */
    if (w->bins) {
        /* stable partition of the node's rows by their bin of the split feature */
        uint32_t *seg = w->idx + pn->lo, *tmp = w->tmp;
        const uint8_t *bj = w->bins->bin + j * n;
        size_t nr = 0;
        nl = 0;
        if (g->gbdt) {
            /* GBDT: the children's sums in the same pass (what node_init would compute) */
            double sl[3], sr[3];
            const double *h = g->p->criterion == BOOST_NEWTON ? g->xy->h : NULL;
            nl = partition_unit(w, seg, m, bj, pn->split_pos, g->xy->y, h, sl, sr);
            size_t nr = m - nl;
            sl[0] = (double)nl, sr[0] = (double)nr;
            *a = (pending){.id = l, .base = seg0, .lo = pn->lo, .hi = pn->lo + nl, .feature = -1};
            *b = (pending){.id = r, .base = seg0, .lo = pn->lo + nl, .hi = pn->hi, .feature = -1};
            node_set(g, l, sl, nl);
            node_set(g, r, sr, nr);
            goto children_done;
        }
        for (size_t k = 0; k < m; k++) {
            uint32_t i = seg[k];
            if (bj[i] <= pn->split_pos)
                seg[nl++] = i;
            else
                tmp[nr++] = i;
        }
        memcpy(seg + nl, tmp, nr * sizeof *tmp);
    } else if (g->p->max_depth >= 0 && depth >= g->p->max_depth) {
        /* both children are leaves (a stump's, say): the split feature's segment is already
         * in two parts, and the other features need not be partitioned */
        nl = pn->split_pos + 1;
        seg0 = w->idx + j * n;
    } else {
        const uint32_t *rows = w->idx + j * n + pn->lo;
        for (size_t k = 0; k < m; k++) w->goes_left[rows[k]] = k <= pn->split_pos;
        nl = 0;
        for (size_t f = 0; f < d; f++)
            nl = partition(w->idx + f * n + pn->lo, m, w->goes_left, w->tmp);
    }
    *a = (pending){.id = l, .base = seg0, .lo = pn->lo, .hi = pn->lo + nl, .feature = -1};
    *b = (pending){.id = r, .base = seg0, .lo = pn->lo + nl, .hi = pn->hi, .feature = -1};
    node_init(g, l, seg0 + a->lo, a->hi - a->lo);
    node_init(g, r, seg0 + b->lo, b->hi - b->lo);
children_done:
    if (w->bins && !(g->p->max_depth >= 0 && depth >= g->p->max_depth)) {
        /* sum the smaller child; the larger is the parent minus it (no histogram for children
         * that are leaves by depth) */
        pending *small = nl <= m - nl ? a : b, *large = small == a ? b : a;
        small->hist = hist_get(w);
        if (!small->hist) return CM_ENOMEM;
        hist_build(g, w->idx + small->lo, small->hi - small->lo, small->hist);
        large->hist = pn->hist;
        pn->hist = NULL;
        for (size_t k = 0; k < g->hlen; k++) large->hist[k] -= small->hist[k];
    }
    return CM_OK;
}

/* ---- the GBDT's trees grown level by level -------------------------------------------------- */

/* speed (--threads N): a GBDT's tree of limited depth is grown one depth level at a time, as
 * xgboost's hist and LightGBM do: each step of a level is ONE job of the threads for all of the
 * level's nodes at once (the partition of every node split, then the histograms of the smaller
 * children with the larger ones' subtractions, then the split search of every child), instead
 * of one job per node and step. The nodes under HIST_THREAD_MIN_ROWS rows, whose work was too
 * small to share, are shared this way too, and a tree costs about 4 jobs per level instead of
 * 5 per node. The rows' targets travel with the rows: `ordered` holds them in the order of idx
 * (LightGBM's ordered gradients), permuted by the partition, so that a histogram reads them
 * contiguously without a gather of its own. Every sum is the one the node-by-node growth makes,
 * in the same order (each feature's histogram by one thread over the node's rows in row order,
 * the partition's sums by blocks of PART_BLOCK rows of each node), and the nodes are numbered
 * at the end as the depth-first growth numbers them: the same trees bit for bit. */

/* One node's share of a level's partition: rows seg[0..m) = idx[lo..lo+m), split at bin pos of
 * feature bj; its blocks' sums from blk[5 * b0] on; small: which child's histogram is summed
 * (0 left, 1 right, -1 none: leaves by depth), whose rows' targets the placement gathers. */
typedef struct {
    size_t lo, m, pos, b0;
    const uint8_t *bj;
    int small;
} lvl_node;

typedef struct {
    boost_tree_work *w;
    const lvl_node *nodes;
    const size_t *item; /* (n_items, 3): [node, block, its middle row in the level's rows] */
    size_t n_items, rows; /* rows: of all the nodes split */
    const double *y, *h; /* the targets (g), and Newton's h (else NULL: y^2 summed) */
    const double *gh;    /* Newton: NULL, or g and h side by side, gh[2i] = g_i, gh[2i + 1] = h_i */
    size_t os;           /* the gathered targets: [y], [g, h] or [1, g, h, 0] per row */
} lvl_part_job;

/* Thread t's items [*i0, *i1): those whose middle row falls in its share of the level's rows
 * (speed: shared by rows rather than by count, the blocks of a deep level's nodes being of any
 * size; the items in row order, each thread's a run of them). */
static void lvl_items(const lvl_part_job *jb, size_t t, size_t nt, size_t *i0, size_t *i1)
{
    size_t it = 0;
    while (it < jb->n_items && jb->item[3 * it + 2] * nt / jb->rows < t) it++;
    *i0 = it;
    while (it < jb->n_items && jb->item[3 * it + 2] * nt / jb->rows < t + 1) it++;
    *i1 = it;
}

/* partition_blocks for the blocks of all the nodes of a level. */
static void lvl_partition_blocks(void *arg, size_t t, size_t nt)
{
    const lvl_part_job *jb = arg;
    boost_tree_work *w = jb->w;
    size_t i0, i1;
    lvl_items(jb, t, nt, &i0, &i1);
    for (size_t it = i0; it < i1; it++) {
        const lvl_node *nd = jb->nodes + jb->item[3 * it];
        size_t b = jb->item[3 * it + 1];
        size_t lo = b * PART_BLOCK, hi = lo + PART_BLOCK < nd->m ? lo + PART_BLOCK : nd->m;
        const uint32_t *seg = w->idx + nd->lo;
        uint32_t *tmp = w->tmp + nd->lo;
        size_t nl = 0, nr = 0;
        double s[5] = {0};
        for (size_t k = lo; k < hi; k++) { /* as partition_blocks (no branch on the split) */
            uint32_t i = seg[k];
            double v, q;
            if (jb->gh) /* one cache line for both (the rows of a deep node are far apart) */
                v = jb->gh[2 * (size_t)i], q = jb->gh[2 * (size_t)i + 1];
            else
                v = jb->y[i], q = jb->h ? jb->h[i] : v * v;
            int left = nd->bj[i] <= nd->pos;
            tmp[lo + nl] = i;
            tmp[hi - 1 - nr] = i;
            nl += (size_t)left, nr += (size_t)!left;
            s[1] += left ? v : 0.0, s[2] += left ? q : 0.0;
            s[3] += left ? 0.0 : v, s[4] += left ? 0.0 : q;
        }
        s[0] = (double)nl;
        memcpy(w->part_sums + 5 * (nd->b0 + b), s, sizeof s);
    }
}

/* The targets of rows[0..m) into o[os k ..] as hist_build's gather: [y], [g, h] or [1, g, h, 0]. */
static inline void gather_rows(const uint32_t *rows, size_t m, const double *y, const double *h,
                               const double *gh, size_t os, double *o)
{
    if (gh && os == 2)
        for (size_t k = 0; k < m; k++) memcpy(o + 2 * k, gh + 2 * (size_t)rows[k], 16);
    else if (gh)
        for (size_t k = 0; k < m; k++) {
            double *ok = o + 4 * k;
            ok[0] = 1, ok[1] = gh[2 * (size_t)rows[k]], ok[2] = gh[2 * (size_t)rows[k] + 1], ok[3] = 0;
        }
    else if (os == 1)
        for (size_t k = 0; k < m; k++) o[k] = y[rows[k]];
    else if (os == 2)
        for (size_t k = 0; k < m; k++) o[2 * k] = y[rows[k]], o[2 * k + 1] = h[rows[k]];
    else
        for (size_t k = 0; k < m; k++) {
            double *ok = o + 4 * k;
            ok[0] = 1, ok[1] = y[rows[k]], ok[2] = h[rows[k]], ok[3] = 0;
        }
}

/* partition_place for a level, and the smaller child's rows' targets gathered in `ordered` at
 * their new places (the gather of hist_build, done while the rows are at hand). */
static void lvl_partition_place(void *arg, size_t t, size_t nt)
{
    const lvl_part_job *jb = arg;
    boost_tree_work *w = jb->w;
    size_t i0, i1, os = jb->os;
    lvl_items(jb, t, nt, &i0, &i1);
    for (size_t it = i0; it < i1; it++) {
        const lvl_node *nd = jb->nodes + jb->item[3 * it];
        size_t b = jb->item[3 * it + 1], bb = nd->b0 + b;
        size_t lo = b * PART_BLOCK, hi = lo + PART_BLOCK < nd->m ? lo + PART_BLOCK : nd->m;
        size_t nl = (size_t)w->part_sums[5 * bb], nr = hi - lo - nl;
        size_t al = w->part_at[2 * bb], ar = w->part_at[2 * bb + 1];
        uint32_t *seg = w->idx + nd->lo, *tmp = w->tmp + nd->lo;
        double *o = w->ordered + os * nd->lo;
        memcpy(seg + al, tmp + lo, nl * sizeof *seg);
        for (size_t k = 0; k < nr; k++) seg[ar + k] = tmp[hi - 1 - k];
        if (nd->small == 0) gather_rows(seg + al, nl, jb->y, jb->h, jb->gh, os, o + os * al);
        if (nd->small == 1) gather_rows(seg + ar, nr, jb->y, jb->h, jb->gh, os, o + os * ar);
    }
}

/* A level's histograms: for each task the histogram h of rows[0..m) (targets og), then, for a
 * split parent, large -= h (the larger child's, in the parent's memory); each thread its share
 * of the features, as hist_build_part. */
typedef struct {
    const uint32_t *rows;
    size_t m;
    const double *og;
    double *h, *large;
} lvl_hist_task;

typedef struct {
    const grower *g;
    const lvl_hist_task *task;
    size_t n_task;
    int avx;
} lvl_hist_job;

static void lvl_hist_part(void *arg, size_t t, size_t nt)
{
    const lvl_hist_job *jb = arg;
    const grower *g = jb->g;
    const boost_binning *b = g->work->bins;
    size_t j0, j1, per = b->max_bins * g->hstride;
    boost_pool_part(b->d, t, nt, 2, &j0, &j1);
    if (j1 <= j0) return;
    for (size_t k = 0; k < jb->n_task; k++) {
        const lvl_hist_task *tk = jb->task + k;
        hist_job hj = {.b = b,
                       .rows = tk->rows,
                       .m = tk->m,
                       .og = tk->og,
                       .h = tk->h,
                       .newton = g->p->criterion == BOOST_NEWTON,
                       .avx = jb->avx,
                       .compact = g->compact};
        if (hj.compact)
            hist_build_newton2(b, hj.rows, hj.m, hj.og, hj.h, j0, j1);
        else if (hj.newton && hj.avx)
            hist_build_newton_avx(b, hj.rows, hj.m, hj.og, hj.h, j0, j1);
        else if (hj.newton)
            hist_build_newton(b, hj.rows, hj.m, hj.og, hj.h, j0, j1);
        else
            hist_build_unit(b, hj.rows, hj.m, hj.og, hj.h, j0, j1);
        if (tk->large)
            for (size_t e = j0 * per; e < j1 * per; e++) tk->large[e] -= tk->h[e];
    }
}

/* A level's split search: each node's best split per feature, each thread its features. */
typedef struct {
    const grower *g;
    const pending *const *node; /* the nodes searched */
    const double *tot;          /* (n_node, 3) their histograms' totals */
    size_t n_node;
} lvl_split_job;

static void lvl_split_part(void *arg, size_t t, size_t nt)
{
    const lvl_split_job *jb = arg;
    boost_tree_work *w = jb->g->work;
    size_t j0, j1, d = w->bins->d;
    boost_pool_part(d, t, nt, 1, &j0, &j1);
    for (size_t k = 0; k < jb->n_node; k++) {
        const pending *pn = jb->node[k];
        for (size_t j = j0; j < j1; j++) {
            size_t pos = 0;
            double proxy = -INFINITY;
            w->split_ok[k * d + j] = hist_best_split_gbdt(jb->g, pn->hist, j, jb->tot + 3 * k,
                                                          pn->hi - pn->lo, &pos, &proxy);
            w->split_pos[k * d + j] = pos, w->split_proxy[k * d + j] = proxy;
        }
    }
}

/* The leaf of each row: leaves[3k..3k+2] = [lo, hi, id], each thread a range of idx. */
typedef struct {
    boost_tree_work *w;
    const size_t *leaf;
    size_t n_leaf, m;
} lvl_leaf_job;

static void lvl_leaf_part(void *arg, size_t t, size_t nt)
{
    const lvl_leaf_job *jb = arg;
    size_t p0, p1;
    boost_pool_part(jb->m, t, nt, 1, &p0, &p1);
    for (size_t k = 0; k < jb->n_leaf; k++) {
        size_t lo = jb->leaf[3 * k] > p0 ? jb->leaf[3 * k] : p0;
        size_t hi = jb->leaf[3 * k + 1] < p1 ? jb->leaf[3 * k + 1] : p1;
        for (size_t q = lo; q < hi; q++) jb->w->leaf_of[jb->w->idx[q]] = (int32_t)jb->leaf[3 * k + 2];
    }
}

/* The per-level arrays of grow_levels, grown as needed. */
static int grow_to(void **a, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return CM_OK;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *p = realloc(*a, c * size);
    if (!p) return cm_error(CM_ENOMEM, "out of memory growing a tree");
    *a = p, *cap = c;
    return CM_OK;
}

/* The tree's nodes renumbered as the depth-first growth numbers them (the two children of a
 * node take the next two numbers when it is split, the left subtree grown first); the leaves'
 * ids too. */
static int renumber_depth_first(boost_tree *t, size_t *leaf, size_t n_leaf)
{
    size_t L = t->n_nodes, nv = (size_t)t->n_values;
    int *nid = malloc(L * sizeof *nid), *stack = malloc(L * sizeof *stack);
    boost_node *nn = malloc(L * sizeof *nn);
    double *val = malloc(L * nv * sizeof *val);
    if (!nid || !stack || !nn || !val) {
        free(nid), free(stack), free(nn), free(val);
        return cm_error(CM_ENOMEM, "out of memory renumbering a tree");
    }
    int next = 1, top = 0;
    nid[0] = 0;
    stack[top++] = 0;
    while (top > 0) {
        int v = stack[--top];
        const boost_node *nd = &t->node[v];
        if (nd->feature < 0) continue;
        nid[nd->left] = next, nid[nd->right] = next + 1, next += 2;
        stack[top++] = nd->right;
        stack[top++] = nd->left;
    }
    for (size_t v = 0; v < L; v++) {
        boost_node nd = t->node[v];
        if (nd.feature >= 0) nd.left = nid[nd.left], nd.right = nid[nd.right];
        nn[nid[v]] = nd;
        memcpy(val + (size_t)nid[v] * nv, t->value + v * nv, nv * sizeof *val);
    }
    memcpy(t->node, nn, L * sizeof *nn);
    memcpy(t->value, val, L * nv * sizeof *val);
    for (size_t k = 0; k < n_leaf; k++) leaf[3 * k + 2] = (size_t)nid[leaf[3 * k + 2]];
    free(nid), free(stack), free(nn), free(val);
    return CM_OK;
}

/* Grows the GBDT's tree from its root r0 (histogram built, split searched) level by level. */
static int grow_levels(grower *g, pending r0, size_t m_root)
{
    boost_tree_work *w = g->work;
    size_t d = g->xy->d, n = g->xy->n, os = g->hstride == 4 ? 4 : g->compact ? 2 : 1;
    int newton = g->p->criterion == BOOST_NEWTON;
    int st = CM_OK;
    pending *cur = NULL, *nxt = NULL;
    const pending **srch = NULL;
    lvl_node *ln = NULL;
    lvl_hist_task *task = NULL;
    size_t *item = NULL, *leaf = NULL;
    double *tot = NULL;
    size_t c_cur = 0, c_nxt = 0, c_srch = 0, c_ln = 0, c_task = 0, c_item = 0, c_leaf = 0,
           c_tot = 0;
    size_t n_cur = 1, n_leaf = 0, n_nxt = 0;
    if ((st = grow_to((void **)&cur, &c_cur, 1, sizeof *cur)) != CM_OK) goto done;
    cur[0] = r0;
    while (n_cur > 0) {
        /* the leaves of this level; the others' children */
        size_t n_split = 0, n_items = 0, n_task = 0, split_rows = 0;
        n_nxt = 0;
        for (size_t k = 0; k < n_cur; k++) {
            pending *pn = &cur[k];
            if (pn->feature < 0) {
                if ((st = grow_to((void **)&leaf, &c_leaf, 3 * (n_leaf + 1), sizeof *leaf)))
                    goto done;
                leaf[3 * n_leaf] = pn->lo, leaf[3 * n_leaf + 1] = pn->hi;
                leaf[3 * n_leaf + 2] = (size_t)pn->id, n_leaf++;
                st = hist_put(w, pn->hist);
                pn->hist = NULL;
                if (st != CM_OK) goto done;
                continue;
            }
            size_t m = pn->hi - pn->lo, nb = (m + PART_BLOCK - 1) / PART_BLOCK;
            if ((st = grow_to((void **)&ln, &c_ln, n_split + 1, sizeof *ln)) ||
                (st = grow_to((void **)&item, &c_item, 3 * (n_items + nb), sizeof *item)))
                goto done;
            ln[n_split] = (lvl_node){.lo = pn->lo,
                                     .m = m,
                                     .pos = pn->split_pos,
                                     .b0 = n_items,
                                     .bj = w->bins->bin + (size_t)pn->feature * n};
            for (size_t b = 0; b < nb; b++) {
                size_t *ib = item + 3 * (n_items + b), size = m - b * PART_BLOCK;
                ib[0] = n_split, ib[1] = b;
                ib[2] = split_rows + b * PART_BLOCK + (size < PART_BLOCK ? size : PART_BLOCK) / 2;
            }
            n_items += nb;
            split_rows += m;
            n_split++;
        }
        if (n_split == 0) break;
        if (n_items > w->part_cap) { /* the blocks' sums: one node's blocks fit n / PART_BLOCK + 1 */
            double *ps = realloc(w->part_sums, 5 * n_items * sizeof *ps);
            size_t *pa = ps ? realloc(w->part_at, 2 * n_items * sizeof *pa) : NULL;
            if (ps) w->part_sums = ps;
            if (pa) w->part_at = pa;
            if (!ps || !pa) {
                st = cm_error(CM_ENOMEM, "out of memory growing a tree");
                goto done;
            }
            w->part_cap = n_items;
        }
        /* the partition of every node split, its blocks shared among the threads */
        lvl_part_job pj = {.w = w,
                           .nodes = ln,
                           .item = item,
                           .n_items = n_items,
                           .rows = split_rows,
                           .y = g->xy->y,
                           .h = newton ? g->xy->h : NULL,
                           .gh = newton && w->gh_ok ? w->gh : NULL,
                           .os = os};
        boost_pool *thr = n_items > 1 ? w->threads : NULL;
        boost_pool_run(thr, lvl_partition_blocks, &pj);
        if ((st = grow_to((void **)&nxt, &c_nxt, 2 * n_split, sizeof *nxt)) ||
            (st = grow_to((void **)&task, &c_task, n_split, sizeof *task)))
            goto done;
        size_t s = 0;
        for (size_t k = 0; k < n_cur; k++) {
            pending *pn = &cur[k];
            if (pn->feature < 0) continue;
            lvl_node *nd = &ln[s++];
            /* the children's rows and sums, added in block order as partition_unit */
            size_t nl = 0, at_l = 0, at_r, nbk = (nd->m + PART_BLOCK - 1) / PART_BLOCK;
            for (size_t b = 0; b < nbk; b++) nl += (size_t)w->part_sums[5 * (nd->b0 + b)];
            at_r = nl;
            double sl[3] = {(double)nl, 0, 0}, sr[3] = {(double)(nd->m - nl), 0, 0};
            for (size_t b = 0; b < nbk; b++) {
                const double *bs = w->part_sums + 5 * (nd->b0 + b);
                size_t hi = (b + 1) * PART_BLOCK < nd->m ? (b + 1) * PART_BLOCK : nd->m;
                w->part_at[2 * (nd->b0 + b)] = at_l, w->part_at[2 * (nd->b0 + b) + 1] = at_r;
                at_l += (size_t)bs[0], at_r += hi - b * PART_BLOCK - (size_t)bs[0];
                sl[1] += bs[1], sl[2] += bs[2], sr[1] += bs[3], sr[2] += bs[4];
            }
            int depth = g->t->node[pn->id].depth + 1;
            int l = tree_add_node(g->t, depth), r = l >= 0 ? tree_add_node(g->t, depth) : -1;
            if (r < 0) {
                st = CM_ENOMEM;
                goto done;
            }
            boost_node *pd = &g->t->node[pn->id];
            pd->feature = pn->feature, pd->threshold = pn->threshold;
            pd->left = l, pd->right = r;
            pending *a = &nxt[n_nxt++], *b = &nxt[n_nxt++];
            *a = (pending){.id = l, .base = w->idx, .lo = pn->lo, .hi = pn->lo + nl, .feature = -1};
            *b = (pending){.id = r, .base = w->idx, .lo = pn->lo + nl, .hi = pn->hi, .feature = -1};
            node_set(g, l, sl, nl);
            node_set(g, r, sr, nd->m - nl);
            nd->small = -1;
            if (g->p->max_depth >= 0 && depth >= g->p->max_depth) { /* leaves by depth */
                st = hist_put(w, pn->hist);
                pn->hist = NULL;
                if (st != CM_OK) goto done;
                continue;
            }
            /* sum the smaller child; the larger is the parent minus it */
            pending *small = nl <= nd->m - nl ? a : b, *large = small == a ? b : a;
            small->hist = hist_get(w);
            if (!small->hist) {
                st = CM_ENOMEM;
                goto done;
            }
            large->hist = pn->hist;
            pn->hist = NULL;
            nd->small = small == b;
            task[n_task++] = (lvl_hist_task){.rows = w->idx + small->lo,
                                             .m = small->hi - small->lo,
                                             .og = w->ordered + os * small->lo,
                                             .h = small->hist,
                                             .large = large->hist};
        }
        boost_pool_run(thr, lvl_partition_place, &pj);
        if (n_task) { /* the children's histograms */
            size_t rows = 0;
            for (size_t k = 0; k < n_task; k++) rows += task[k].m;
            lvl_hist_job hj = {.g = g, .task = task, .n_task = n_task, .avx = newton_avx()};
            boost_pool_run(rows >= HIST_THREAD_MIN_ROWS ? w->threads : NULL, lvl_hist_part, &hj);
        }
        /* the children's split search, the nodes' features shared among the threads */
        size_t n_srch = 0;
        for (size_t k = 0; k < n_nxt; k++)
            if (nxt[k].hist && node_may_split(g, nxt[k].id, nxt[k].hi - nxt[k].lo)) {
                if ((st = grow_to((void **)&srch, &c_srch, n_srch + 1, sizeof *srch)) ||
                    (st = grow_to((void **)&tot, &c_tot, 3 * (n_srch + 1), sizeof *tot)))
                    goto done;
                hist_node_totals(g, nxt[k].hist, nxt[k].hi - nxt[k].lo, tot + 3 * n_srch);
                srch[n_srch++] = &nxt[k];
            }
        if (n_srch * d > w->split_cap) {
            int *ok = realloc(w->split_ok, n_srch * d * sizeof *ok);
            if (ok) w->split_ok = ok;
            size_t *ps = ok ? realloc(w->split_pos, n_srch * d * sizeof *ps) : NULL;
            if (ps) w->split_pos = ps;
            double *px = ps ? realloc(w->split_proxy, n_srch * d * sizeof *px) : NULL;
            if (px) w->split_proxy = px;
            if (!px) {
                st = cm_error(CM_ENOMEM, "out of memory growing a tree");
                goto done;
            }
            w->split_cap = n_srch * d;
        }
        if (n_srch) {
            lvl_split_job sj = {.g = g, .node = srch, .tot = tot, .n_node = n_srch};
            boost_pool_run(w->threads, lvl_split_part, &sj);
        }
        for (size_t k = 0, q = 0; k < n_nxt; k++) {
            split_res res = {NULL, NULL, NULL};
            const split_res *pre = &res;
            if (q < n_srch && srch[q] == &nxt[k])
                res = (split_res){w->split_ok + q * d, w->split_pos + q * d,
                                  w->split_proxy + q * d},
                q++;
            node_find_split(g, &nxt[k], pre); /* (a node not searched is a leaf: no use of pre) */
        }
        pending *sw = cur;
        size_t csw = c_cur;
        cur = nxt, c_cur = c_nxt, n_cur = n_nxt;
        nxt = sw, c_nxt = csw, n_nxt = 0;
    }
    /* the leaves: numbered as the depth-first growth, and each row's */
    if ((st = renumber_depth_first(g->t, leaf, n_leaf)) != CM_OK) goto done;
    lvl_leaf_job lj = {.w = w, .leaf = leaf, .n_leaf = n_leaf, .m = m_root};
    boost_pool_run(m_root >= HIST_THREAD_MIN_ROWS ? w->threads : NULL, lvl_leaf_part, &lj);
done:
    for (size_t k = 0; k < n_cur; k++) hist_put(w, cur[k].hist);
    for (size_t k = 0; k < n_nxt; k++) hist_put(w, nxt[k].hist);
    free(cur), free(nxt), free(srch), free(ln), free(task), free(item), free(leaf), free(tot);
    return st;
}

/* speed (--threads N): boost_tree_fit's pass over the rows, for the GBDT, shared among the
 * threads by blocks of PART_BLOCK rows: per block its rows in the sample (compacted at the
 * block's start in idx), and [count, unit weights?, W, min h, sum |h|], combined in block order
 * (the same for any number of threads; a GBDT's W, a count, is exact in any order). */
typedef struct {
    const boost_xy *xy;
    const double *w;
    boost_tree_work *work;
    size_t nblk;
} scan_job;

static void scan_blocks(void *arg, size_t t, size_t nt)
{
    const scan_job *jb = arg;
    const double *h = jb->xy->h;
    size_t b0, b1, n = jb->xy->n;
    boost_pool_part(jb->nblk, t, nt, 1, &b0, &b1);
    for (size_t b = b0; b < b1; b++) {
        size_t lo = b * PART_BLOCK, hi = lo + PART_BLOCK < n ? lo + PART_BLOCK : n, c = 0;
        int unit = 1;
        double W = 0, hmin = INFINITY, htot = 0;
        uint32_t *idx = jb->work->idx + lo;
        if (h && jb->work->gh) /* the pairs [g, h] of grow_levels' partition */
            for (size_t i = lo; i < hi; i++)
                jb->work->gh[2 * i] = jb->xy->y[i], jb->work->gh[2 * i + 1] = h[i];
        for (size_t i = lo; i < hi; i++) {
            double wi = jb->w ? jb->w[i] : 1.0;
            unit &= wi == 0 || wi == 1;
            if (wi > 0) {
                /* (h < hmin ? : fmin's result, without its call: h is never NaN here) */
                if (h) hmin = h[i] < hmin ? h[i] : hmin, htot += fabs(h[i]);
                W += wi;
                idx[c++] = (uint32_t)i;
            } else {
                jb->work->leaf_of[i] = -1;
            }
        }
        double *r = jb->work->scan + 5 * b;
        r[0] = (double)c, r[1] = unit, r[2] = W, r[3] = hmin, r[4] = htot;
    }
}

int boost_tree_fit(boost_tree *t, const boost_xy *xy, const double *w, const boost_tree_params *p,
                   gsl_rng *rng, boost_tree_work *work)
{
    size_t n = xy->n, d = xy->d;
    if (p->criterion != BOOST_SQUARED && p->criterion != BOOST_NEWTON &&
        (!xy->label || xy->n_classes < 1))
        return cm_error(CM_EINVAL, "a classification tree needs labels");
    if (p->criterion == BOOST_SQUARED && !xy->y)
        return cm_error(CM_EINVAL, "a regression tree needs targets");
    if (p->criterion == BOOST_NEWTON && (!xy->y || !xy->h))
        return cm_error(CM_EINVAL, "the Newton criterion needs gradients and hessians");
    if (p->criterion == BOOST_NEWTON && !(p->lambda >= 0))
        return cm_error(CM_EINVAL, "lambda: expected >= 0, got %g", p->lambda);
    if (p->max_features && p->max_features < d && !rng)
        return cm_error(CM_EINVAL, "max_features < d needs a random number generator");
    int n_values =
        p->criterion == BOOST_SQUARED || p->criterion == BOOST_NEWTON ? 1 : xy->n_classes;
    if (t->n_values != n_values || t->d != d)
        return cm_error(CM_ESHAPE, "tree of %d values on %zu features for %d values on %zu",
                        t->n_values, t->d, n_values, d);
    t->n_nodes = 0;
    grower g = {.t = t, .xy = xy, .w = w, .p = p, .rng = rng, .work = work};
    g.src = (boost_stat_src){.criterion = p->criterion,
                             .width = boost_stat_width(p->criterion, xy->n_classes),
                             .label = xy->label,
                             .y = xy->y,
                             .h = xy->h,
                             .lambda = p->lambda};
    /* one pass over the rows: are the weights 0 or 1, their total, the rows in the sample
     * (histogram search: in row order) and no leaf for the others */
    g.unit = 1;
    g.W_total = 0;
    size_t m = 0;
    double hmin = INFINITY, htot = 0; /* Newton: the smallest h of the sample, the sum */
    work->gh_ok = work->bins && work->threads && xy->h && work->gh;
    if (work->bins && work->threads) { /* the GBDT's: by blocks on the threads */
        scan_job sj = {.xy = xy, .w = w, .work = work, .nblk = (n + PART_BLOCK - 1) / PART_BLOCK};
        boost_pool_run(sj.nblk > 1 ? work->threads : NULL, scan_blocks, &sj);
        for (size_t b = 0; b < sj.nblk; b++) { /* in block order, whatever the threads */
            const double *r = work->scan + 5 * b;
            size_t cnt = (size_t)r[0];
            g.unit &= r[1] != 0;
            g.W_total += r[2], hmin = fmin(hmin, r[3]), htot += r[4];
            if (m != b * PART_BLOCK) memmove(work->idx + m, work->idx + b * PART_BLOCK, cnt * 4);
            m += cnt;
        }
    }
    for (size_t i = 0; i < (work->bins && work->threads ? 0 : n); i++) {
        double wi = wt(&g, (uint32_t)i);
        g.unit &= wi == 0 || wi == 1;
        if (wi > 0) {
            if (xy->h) hmin = fmin(hmin, xy->h[i]), htot += fabs(xy->h[i]);
            g.W_total += wi;
            if (work->bins) work->idx[m++] = (uint32_t)i;
        } else {
            work->leaf_of[i] = -1;
        }
    }
    g.gbdt = g.unit && (p->criterion == BOOST_SQUARED || p->criterion == BOOST_NEWTON);
    /* speed: [G, H] entries, half as wide as [count, G, H, 0] (the Newton fit then costs about
     * as much as the residual fit), when no count is needed: one row per leaf allowed, and a
     * bin's emptiness readable from its H. A histogram bin is a sum of at most n rows' h, or
     * (the subtraction trick) a chain of at most max_depth differences of such sums: its
     * rounding error is at most E = (max_depth + 1)(n + 2) eps H_total, so an empty bin holds
     * |H| <= E and an occupied one H >= h_min - E. With h_min > 4E the threshold 2E tells them
     * apart exactly; otherwise (h near 0 somewhere, an unlimited depth) the counted entries. */
    double E = (double)(p->max_depth + 2) * ((double)n + 2) * DBL_EPSILON * htot;
    g.compact = g.gbdt && p->criterion == BOOST_NEWTON && work->bins && p->max_depth >= 0 &&
                p->min_samples_leaf <= 1 && hmin > 4 * E;
    g.empty_h = 2 * E;
    g.hs = p->criterion == BOOST_SQUARED ? 2 : g.src.width;
    /* ([count, G, H, 0] for Newton: hist_build_newton; [G, H] compact) */
    g.hstride = g.gbdt ? (p->criterion == BOOST_NEWTON ? (g.compact ? 2 : 4) : g.hs) : 1 + g.hs;
    g.hlen = work->bins ? d * work->bins->max_bins * g.hstride : 0;
    /* exact search: the rows in the sample in each feature's sorted order */
    if (!work->bins) {
        for (size_t j = 0; j < d; j++) {
            m = 0;
            for (size_t k = 0; k < n; k++) {
                uint32_t i = work->order[j * n + k];
                if (wt(&g, i) > 0) work->idx[j * n + m++] = i;
            }
        }
    }
    if (m == 0) return cm_error(CM_EINVAL, "no rows with a positive weight to grow a tree on");
    int root = tree_add_node(t, 0);
    if (root < 0) return CM_ENOMEM;
    node_init(&g, root, work->idx, m);
    /* the frontier: a stack (depth first, left child first) or, with max_leaves, the node with
     * the largest impurity decrease first */
    size_t cap = 64, top = 0;
    pending *stack = cm_calloc(cap, sizeof *stack);
    if (!stack) return CM_ENOMEM;
    int st = CM_OK;
    pending r0 = {.id = root, .base = work->idx, .lo = 0, .hi = m, .feature = -1};
    if (work->bins) {
        r0.hist = hist_get(work);
        if (!r0.hist) {
            free(stack);
            return CM_ENOMEM;
        }
        hist_build(&g, work->idx, m, r0.hist); /* (its targets gathered in work->ordered) */
    }
    node_find_split(&g, &r0, NULL);
    if (work->bins && g.gbdt && !p->max_leaves && p->max_depth >= 0 &&
        !(p->max_features && p->max_features < d)) { /* a GBDT's tree: level by level */
        free(stack);
        return grow_levels(&g, r0, m);
    }
    stack[top++] = r0;
    size_t leaves = 1;
    while (top > 0 && st == CM_OK) {
        size_t pick = top - 1;
        if (p->max_leaves)
            for (size_t k = 0; k < top; k++)
                if (stack[k].feature >= 0 &&
                    (stack[pick].feature < 0 || stack[k].improvement > stack[pick].improvement))
                    pick = k;
        pending pn = stack[pick];
        stack[pick] = stack[--top];
        if (pn.feature < 0 || (p->max_leaves && leaves >= p->max_leaves)) { /* a leaf */
            for (size_t k = pn.lo; k < pn.hi; k++) work->leaf_of[pn.base[k]] = pn.id;
            st = hist_put(work, pn.hist);
            continue;
        }
        pending a = {.hist = NULL}, b = {.hist = NULL};
        st = node_split(&g, &pn, &a, &b);
        if (st != CM_OK) {
            free(pn.hist), free(a.hist), free(b.hist);
            break;
        }
        st = hist_put(work, pn.hist);
        leaves++;
        node_find_split(&g, &a, NULL);
        node_find_split(&g, &b, NULL);
        if (top + 2 > cap) {
            pending *ns = realloc(stack, 2 * cap * sizeof *ns);
            if (!ns) {
                st = cm_error(CM_ENOMEM, "out of memory growing a tree");
                hist_put(work, a.hist), hist_put(work, b.hist);
                break;
            }
            stack = ns, cap *= 2;
        }
        stack[top++] = b; /* the left child on top: grown first */
        stack[top++] = a;
    }
    while (top > 0) hist_put(work, stack[--top].hist);
    free(stack);
    return st;
}

void boost_tree_work_set_threads(boost_tree_work *w, boost_pool *threads)
{
    w->threads = threads;
}

const int32_t *boost_tree_work_leaves(const boost_tree_work *w)
{
    return w->leaf_of;
}
