/* test_autoregressive.c: chapter 04 (bin/autoregressive): the models' gradient checks, the
 * properties the article proves (MADE's masks make it autoregressive; NADE's recurrence computes
 * what the naive sum computes; every model's probabilities over all 2^n vectors sum to 1),
 * known answers, the sampler, the orderings, the data, and training behaviour. The program's
 * golden output and bad invocations are in test_autoregressive_program.c.
 * The exercises are each caught here: autoregressive-1 (NADE's forward recurrence) by
 * test_nade_recurrence_equals_naive and test_sums_to_one, autoregressive-2 (NADE's backward) by
 * test_gradcheck_nade, autoregressive-3 (MADE's masks) by test_made_masks_follow_degrees and
 * test_autoregressive_property, autoregressive-4 (ancestral sampling) by
 * test_sampler_matches_probabilities and test_completion_keeps_given. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "bernoulli.h"
#include "data.h"
#include "error.h"
#include "gradcases.h"
#include "init.h"
#include "matrix.h"
#include "model.h"
#include "ordering.h"
#include "testutil.h"
#include "train.h"

/* ---- gradient checks ---------------------------------------------------------------------- */

static void gradcheck_case(ar_kind k)
{
    gc_report reps[AR_GC_MAX_REPORTS];
    size_t n = 0;
    int failed = ar_gradcheck_case(k, 20240601UL, reps, &n);
    ck_assert_msg(failed >= 0, "%s: the gradient check could not run: %s", ar_kind_name(k),
                  cm_errmsg());
    ck_assert_msg(n >= 2, "%s: only %zu reports", ar_kind_name(k), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(reps[i].max_abs_grad > 1e-6,
                      "%s: tensor %s: analytic gradient is zero everywhere (%g)", ar_kind_name(k),
                      reps[i].name, reps[i].max_abs_grad);
        ck_assert_msg(reps[i].worst_rel_err <= 1e-6 && reps[i].passed,
                      "%s: tensor %s: worst relative error %.3g > 1e-6 at index %zu (analytic "
                      "%.10g, numeric %.10g)",
                      ar_kind_name(k), reps[i].name, reps[i].worst_rel_err, reps[i].worst_index,
                      reps[i].analytic, reps[i].numeric);
        ck_assert_msg(reps[i].n_checked == reps[i].n_total, "%s: %s: checked %zu of %zu",
                      ar_kind_name(k), reps[i].name, reps[i].n_checked, reps[i].n_total);
    }
    ck_assert_int_eq(failed, 0);
}

START_TEST(test_gradcheck_fvsbn)
{
    gradcheck_case(AR_FVSBN);
}
END_TEST
START_TEST(test_gradcheck_nade)
{
    gradcheck_case(AR_NADE);
}
END_TEST
START_TEST(test_gradcheck_made)
{
    gradcheck_case(AR_MADE);
}
END_TEST

/* ---- helpers ------------------------------------------------------------------------------ */

/* A model of kind k on D variables with a random ordering (seeded), random weights of scale w. */
static ar_model *random_model_conn(ar_kind k, size_t D, size_t cap, size_t K, unsigned long seed,
                                   double w, size_t *order, ar_connectivity conn)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    ar_ordering_random(r, order, D);
    ar_spec s = {
        .kind = k, .D = D, .orderings = K, .order = order, .mask_seed = seed + 7, .conn = conn};
    if (k == AR_NADE) s.n_hidden = 1, s.hidden[0] = 9;
    if (k == AR_MADE) s.n_hidden = 2, s.hidden[0] = 13, s.hidden[1] = 11;
    ar_model *m = ar_model_alloc(&s, cap);
    ck_assert_msg(m != NULL, "alloc: %s", cm_errmsg());
    init_uniform(r, m->p->data, m->p->size, -w, w);
    gsl_rng_free(r);
    return m;
}

static ar_model *random_model(ar_kind k, size_t D, size_t cap, size_t K, unsigned long seed,
                              double w, size_t *order)
{
    return random_model_conn(k, D, cap, K, seed, w, order, AR_CONN_RANDOM);
}

/* ---- the article's properties ------------------------------------------------------------- */

/* The logit of x_v may depend only on the x_u before v in the ordering: perturbing input u
 * leaves every z_v with pos[v] <= pos[u] bit-for-bit unchanged, for every pair (u, v) and every
 * ordering, for all three models (MADE by its masks, the others by construction). And the
 * dependence is real: a fair share of the allowed pairs do change. MADE is checked with random
 * and with even hidden degrees. */
START_TEST(test_autoregressive_property)
{
    const size_t D = 12, B = 3;
    for (int c = 0; c < AR_N_KINDS + 1; c++) {
        size_t order[12];
        int kind = c < AR_N_KINDS ? c : AR_MADE;
        size_t K = kind == AR_MADE ? 4 : 1;
        ar_model *m = random_model_conn((ar_kind)kind, D, B, K, 11 + c, 1.0, order,
                                        c == AR_N_KINDS ? AR_CONN_EVEN : AR_CONN_RANDOM);
        gsl_matrix *X = cm_matrix_calloc(B, D), *Z0 = cm_matrix_calloc(B, D),
                   *Z1 = cm_matrix_calloc(B, D);
        tu_fill(X->data, B * D, 0.9, 0.3); /* varied inputs, so that no ReLU is idle by chance */
        for (size_t i = 0; i < B * D; i++) X->data[i] = fabs(X->data[i]) + 0.05;
        for (size_t k = 0; k < K; k++) {
            const size_t *o = ar_model_order(m, k);
            size_t pos[12], allowed = 0, changed = 0;
            ar_ordering_inverse(o, D, pos);
            ar_model_logits(m, X, k, Z0);
            for (size_t u = 0; u < D; u++) {
                double keep[3]; /* restored exactly: x + 1.7 - 1.7 need not be x */
                for (size_t r = 0; r < B; r++) {
                    keep[r] = gsl_matrix_get(X, r, u);
                    gsl_matrix_set(X, r, u, keep[r] + 1.7);
                }
                ar_model_logits(m, X, k, Z1);
                for (size_t r = 0; r < B; r++) gsl_matrix_set(X, r, u, keep[r]);
                for (size_t v = 0; v < D; v++) {
                    int moved = 0;
                    for (size_t r = 0; r < B; r++)
                        moved |= gsl_matrix_get(Z0, r, v) != gsl_matrix_get(Z1, r, v);
                    if (pos[u] >= pos[v])
                        ck_assert_msg(!moved,
                                      "%s ordering %zu: z_%zu (step %zu) moved when x_%zu (step "
                                      "%zu) changed: d z_v / d x_u must be exactly 0",
                                      ar_kind_name((ar_kind)kind), k, v, pos[v], u, pos[u]);
                    else
                        allowed++, changed += moved;
                }
            }
            ck_assert_uint_eq(allowed, D * (D - 1) / 2);
            ck_assert_msg(changed * 2 > allowed,
                          "%s ordering %zu: only %zu of the %zu allowed dependences are real",
                          ar_kind_name((ar_kind)kind), k, changed, allowed);
        }
        cm_matrix_free(X), cm_matrix_free(Z0), cm_matrix_free(Z1);
        ar_model_free(m);
    }
}
END_TEST

/* MADE's masks follow the article's rule from the degrees, for every ordering and layer; the
 * degrees lie in {min of the previous layer, ..., D-1} (with the even connectivity: lo, lo+1, ...
 * in turn); the orderings are permutations. */
static void check_made_masks(ar_connectivity conn)
{
    const size_t D = 9, hid[3] = {10, 7, 12}, K = 3;
    ar_made *m = ar_made_alloc(D, hid, 3, K, NULL, conn, 99, 2);
    ck_assert_ptr_nonnull(m);
    for (size_t k = 0; k < K; k++) {
        const size_t *o = m->orders + k * D;
        long ol[9];
        for (size_t d = 0; d < D; d++) ol[d] = (long)o[d];
        ck_assert_msg(ar_ordering_check(ol, D, D) == CM_OK, "ordering %zu: %s", k, cm_errmsg());
        if (k == 0)
            for (size_t d = 0; d < D; d++) ck_assert_uint_eq(o[d], d);
        size_t pos[9], prev[16], nprev = D, off = 0;
        ar_ordering_inverse(o, D, pos);
        for (size_t i = 0; i < D; i++) prev[i] = pos[i] + 1; /* m^0 */
        for (size_t l = 0; l <= 3; l++) {
            const gsl_matrix *M = m->masks[k * 4 + l];
            size_t lo = D;
            for (size_t i = 0; i < nprev; i++) lo = prev[i] < lo ? prev[i] : lo;
            size_t cur[16], ncur = l < 3 ? hid[l] : D;
            for (size_t j = 0; j < ncur; j++) {
                if (l < 3) {
                    cur[j] = m->degrees[k * (10 + 7 + 12) + off + j];
                    ck_assert_msg(cur[j] >= lo && cur[j] <= D - 1,
                                  "ordering %zu layer %zu unit %zu: degree %zu outside %zu..%zu", k,
                                  l, j, cur[j], lo, D - 1);
                    if (conn == AR_CONN_EVEN)
                        ck_assert_msg(cur[j] == lo + j % (D - lo),
                                      "even: layer %zu unit %zu has degree %zu, not %zu", l, j,
                                      cur[j], lo + j % (D - lo));
                }
                for (size_t i = 0; i < nprev; i++) {
                    double want = l < 3 ? (cur[j] >= prev[i]) : (pos[j] + 1 > prev[i]);
                    ck_assert_msg(gsl_matrix_get(M, j, i) == want,
                                  "ordering %zu layer %zu: mask[%zu][%zu] = %g, the rule gives %g",
                                  k, l, j, i, gsl_matrix_get(M, j, i), want);
                }
            }
            if (l < 3) {
                off += hid[l];
                memcpy(prev, cur, ncur * sizeof(size_t));
                nprev = ncur;
            }
        }
    }
    ar_made_free(m);
}

START_TEST(test_made_masks_follow_degrees)
{
    check_made_masks(AR_CONN_RANDOM);
    check_made_masks(AR_CONN_EVEN);
}
END_TEST

/* The recurrence a_{d+1} = a_d + W_{:,o_d} x_{o_d} and the naive a_d = c + sum_{k<d} ... give
 * the same logits, on binary and on fractional inputs, in a random ordering. */
START_TEST(test_nade_recurrence_equals_naive)
{
    const size_t D = 23, B = 6;
    size_t order[23];
    ar_model *m = random_model(AR_NADE, D, B, 1, 5, 2.0, order);
    gsl_matrix *X = cm_matrix_calloc(B, D), *Z = cm_matrix_calloc(B, D),
               *Zn = cm_matrix_calloc(B, D);
    tu_fill(X->data, B * D, 1.0, 0.7);
    for (size_t i = 0; i < B * D; i++) /* rows 0-2 binary, rows 3-5 fractional */
        X->data[i] = i < 3 * D ? (X->data[i] > 0 ? 1.0 : 0.0) : fabs(X->data[i]);
    ar_nade_forward(m->nade, X, Z);
    ar_nade_forward_naive(m->nade, X, Zn);
    double worst = 0.0, scale = 0.0;
    for (size_t i = 0; i < B * D; i++) {
        worst = fmax(worst, fabs(Z->data[i] - Zn->data[i]));
        scale = fmax(scale, fabs(Zn->data[i]));
    }
    ck_assert_msg(scale > 0.1, "the logits are all near zero (%g): the test proves nothing", scale);
    ck_assert_msg(worst <= 1e-12 * scale, "recurrence vs naive: max |diff| %.3g (scale %.3g)",
                  worst, scale);
    cm_matrix_free(X), cm_matrix_free(Z), cm_matrix_free(Zn);
    ar_model_free(m);
}
END_TEST

/* NADE's backward pass (autoregressive-2) on its own: the hidden states it reads (m->hs) are
 * computed here from scratch, and the loss L = sum_{r,v} G_rv z_rv by ar_nade_forward_naive,
 * so that neither depends on the forward recurrence (autoregressive-1). Every entry of W, c,
 * V and b against centred differences, on binary and fractional inputs. */
typedef struct {
    ar_nade *n;
    const gsl_matrix *X, *G;
    gsl_matrix *Z;
} nade_naive_ctx;

static double nade_naive_loss(void *p)
{
    nade_naive_ctx *c = p;
    ar_nade_forward_naive(c->n, c->X, c->Z);
    double L = 0.0;
    for (size_t i = 0; i < c->Z->size1 * c->Z->size2; i++) L += c->G->data[i] * c->Z->data[i];
    return L;
}

START_TEST(test_nade_backward_numeric)
{
    const size_t D = 7, B = 4;
    size_t order[7];
    ar_model *m = random_model(AR_NADE, D, B, 1, 29, 1.5, order);
    ar_nade *n = m->nade;
    const size_t H = n->H;
    gsl_matrix *X = cm_matrix_calloc(B, D), *G = cm_matrix_calloc(B, D),
               *Z = cm_matrix_calloc(B, D);
    tu_fill(X->data, B * D, 1.0, 0.4);
    for (size_t i = 0; i < B * D; i++) /* rows 0-1 binary, rows 2-3 fractional */
        X->data[i] = i < 2 * D ? (X->data[i] > 0 ? 1.0 : 0.0) : fabs(X->data[i]);
    tu_fill(G->data, B * D, 1.3, 2.1);
    const double *W = params_ptr(n->p, n->iW), *c = params_ptr(n->p, n->ic);
    for (size_t r = 0; r < B; r++) /* h_d = sigmoid(c + sum_{k<d} W_{o_k,:} x_{o_k}) */
        for (size_t d = 0; d < D; d++)
            for (size_t j = 0; j < H; j++) {
                double a = c[j];
                for (size_t k = 0; k < d; k++)
                    a += W[n->order[k] * H + j] * gsl_matrix_get(X, r, n->order[k]);
                n->hs[(r * D + d) * H + j] = 1.0 / (1.0 + exp(-a));
            }
    params_zero_grad(n->p);
    ar_nade_backward(n, X, G);
    gc_report reps[8];
    ck_assert_uint_le(n->p->n_tensors, 8);
    nade_naive_ctx ctx = {n, X, G, Z};
    int failed = gc_check_params(n->p, nade_naive_loss, &ctx, NULL, reps);
    ck_assert_msg(failed >= 0, "the check could not run: %s", cm_errmsg());
    for (size_t t = 0; t < n->p->n_tensors; t++)
        ck_assert_msg(reps[t].passed,
                      "NADE backward: tensor %s: worst relative error %.3g at index %zu "
                      "(analytic %.10g, numeric %.10g; largest |analytic| %g)",
                      reps[t].name, reps[t].worst_rel_err, reps[t].worst_index, reps[t].analytic,
                      reps[t].numeric, reps[t].max_abs_grad);
    cm_matrix_free(X), cm_matrix_free(G), cm_matrix_free(Z);
    ar_model_free(m);
}
END_TEST

/* A normalized distribution: on n = 10 variables, sum over all 1024 binary vectors of p(x) = 1,
 * for FVSBN, NADE and MADE (one ordering, and the mixture of 3). */
START_TEST(test_sums_to_one)
{
    const size_t D = 10, N = 1024;
    gsl_matrix *X = cm_matrix_calloc(N, D);
    for (size_t i = 0; i < N; i++)
        for (size_t v = 0; v < D; v++) gsl_matrix_set(X, i, v, (double)((i >> v) & 1));
    double *lp = calloc(N, sizeof(double));
    const size_t Ks[] = {1, 1, 1, 3};
    const ar_kind kinds[] = {AR_FVSBN, AR_NADE, AR_MADE, AR_MADE};
    for (int c = 0; c < 4; c++) {
        size_t order[10];
        ar_model *m = random_model(kinds[c], D, N, Ks[c], 31 + c, 1.5, order);
        ar_model_logp(m, X, lp);
        double mx = -INFINITY, s = 0.0, lo = INFINITY;
        for (size_t i = 0; i < N; i++) mx = fmax(mx, lp[i]), lo = fmin(lo, lp[i]);
        for (size_t i = 0; i < N; i++) s += exp(lp[i] - mx);
        double total = exp(mx) * s;
        ck_assert_msg(fabs(total - 1.0) < 1e-12, "%s (K = %zu): sum of p(x) over 2^10 = %.17g",
                      ar_kind_name(kinds[c]), Ks[c], total);
        ck_assert_msg(mx - lo > 1.0, "%s: p(x) nearly uniform (log range %g): a weak test",
                      ar_kind_name(kinds[c]), mx - lo);
        ar_model_free(m);
    }
    free(lp);
    cm_matrix_free(X);
}
END_TEST

/* ---- known answers ------------------------------------------------------------------------ */

/* FVSBN on D = 2 in raster order, by hand: p(x1 = 1) = sigmoid(b1), p(x2 = 1 | x1) =
 * sigmoid(b2 + w x1). With b = (0.3, -1.2), w = 2.385 and x = (1, 0):
 * log p = log sigmoid(0.3) + log(1 - sigmoid(1.185)). */
START_TEST(test_fvsbn_known_answer)
{
    size_t order[2] = {0, 1};
    ar_spec s = {.kind = AR_FVSBN, .D = 2, .orderings = 1, .order = order};
    ar_model *m = ar_model_alloc(&s, 1);
    ck_assert_ptr_nonnull(m);
    double *W = params_ptr(m->p, m->fvsbn->iW), *b = params_ptr(m->p, m->fvsbn->ib);
    W[0] = 5.0, W[1] = 7.0, W[2] = 2.385, W[3] = 9.0; /* the 5, 7, 9 are masked out */
    b[0] = 0.3, b[1] = -1.2;
    double x[2] = {1.0, 0.0}, lp;
    gsl_matrix_view X = gsl_matrix_view_array(x, 1, 2);
    ar_model_logp(m, &X.matrix, &lp);
    double want = log(1 / (1 + exp(-0.3))) + log(1 - 1 / (1 + exp(-1.185)));
    ck_assert_msg(fabs(lp - want) < 1e-14, "log p = %.17g, by hand %.17g", lp, want);
    ar_model_free(m);
}
END_TEST

/* NADE with D = 2, H = 1 by hand: a_1 = c, a_2 = c + W_1 x_1; p(x1 = 1) = sigmoid(b1 + V1
 * sigmoid(c)), p(x2 = 1 | x1) = sigmoid(b2 + V2 sigmoid(c + W1 x1)). */
START_TEST(test_nade_known_answer)
{
    size_t order[2] = {0, 1};
    ar_spec s = {
        .kind = AR_NADE, .D = 2, .n_hidden = 1, .hidden = {1}, .orderings = 1, .order = order};
    ar_model *m = ar_model_alloc(&s, 1);
    ck_assert_ptr_nonnull(m);
    ar_nade *n = m->nade;
    params_ptr(m->p, n->iW)[0] = 1.5, params_ptr(m->p, n->iW)[1] = -4.0;
    params_ptr(m->p, n->ic)[0] = -0.25;
    params_ptr(m->p, n->iV)[0] = 0.8, params_ptr(m->p, n->iV)[1] = -2.1;
    params_ptr(m->p, n->ib)[0] = 0.1, params_ptr(m->p, n->ib)[1] = 0.4;
    double x[2] = {1.0, 1.0}, lp;
    gsl_matrix_view X = gsl_matrix_view_array(x, 1, 2);
    ar_model_logp(m, &X.matrix, &lp);
#define SG(t) (1.0 / (1.0 + exp(-(t))))
    double want = log(SG(0.1 + 0.8 * SG(-0.25))) + log(SG(0.4 - 2.1 * SG(-0.25 + 1.5)));
#undef SG
    ck_assert_msg(fabs(lp - want) < 1e-14, "log p = %.17g, by hand %.17g", lp, want);
    ar_model_free(m);
}
END_TEST

START_TEST(test_bernoulli_nll)
{
    /* -log sigmoid(z) for x = 1, -log(1 - sigmoid(z)) for x = 0, also far out in the tails */
    ck_assert(fabs(ar_bern_nll(0.0, 1.0) - log(2.0)) < 1e-15);
    ck_assert(fabs(ar_bern_nll(2.385, 1.0) - log1p(exp(-2.385))) < 1e-15);
    ck_assert(fabs(ar_bern_nll(2.385, 0.0) - (2.385 + log1p(exp(-2.385)))) < 1e-14);
    ck_assert(fabs(ar_bern_nll(-800.0, 1.0) - 800.0) < 1e-12);
    ck_assert(fabs(ar_bern_nll(800.0, 0.0) - 800.0) < 1e-12);
    ck_assert(ar_bern_nll(800.0, 1.0) == 0.0);
}
END_TEST

/* ---- sampling ----------------------------------------------------------------------------- */

/* Ancestral sampling draws from p: on D = 3 variables (8 outcomes), 40000 samples of a NADE in
 * a random ordering match the exact probabilities within 5 standard errors each. */
/* Loop index 0: NADE; 1: FVSBN, whose logits use no exercise region, so that this grades
 * autoregressive-4 alone. */
static const ar_kind sampler_kinds[2] = {AR_NADE, AR_FVSBN};
START_TEST(test_sampler_matches_probabilities)
{
    const size_t D = 3, N = 40000, cap = 1000;
    size_t order[3];
    ar_model *m = random_model(sampler_kinds[_i], D, cap, 1, 17, 2.0, order);
    gsl_matrix *all = cm_matrix_calloc(8, D);
    for (size_t i = 0; i < 8; i++)
        for (size_t v = 0; v < D; v++) gsl_matrix_set(all, i, v, (double)((i >> v) & 1));
    double lp[8];
    ar_model_logp(m, all, lp);
    size_t count[8] = {0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 123);
    gsl_matrix *S = cm_matrix_calloc(cap, D);
    for (size_t n = 0; n < N; n += cap) {
        ar_model_sample(m, S, 0, 0, r);
        for (size_t i = 0; i < cap; i++) {
            size_t code = 0;
            for (size_t v = 0; v < D; v++) code |= (size_t)gsl_matrix_get(S, i, v) << v;
            count[code]++;
        }
    }
    for (size_t i = 0; i < 8; i++) {
        double p = exp(lp[i]), f = (double)count[i] / (double)N;
        double se = sqrt(p * (1 - p) / (double)N);
        ck_assert_msg(fabs(f - p) <= 5 * se + 1e-12,
                      "outcome %zu: sampled frequency %.4f, p(x) = %.4f (5 se = %.4f)", i, f, p,
                      5 * se);
    }
    gsl_rng_free(r);
    cm_matrix_free(S), cm_matrix_free(all);
    ar_model_free(m);
}
END_TEST

/* Completion keeps the first n_given variables of the ordering, only draws the others, and the
 * same seed gives the same samples. */
/* Loop index 0: MADE; 1: FVSBN (no other exercise's region, for autoregressive-4). */
static const ar_kind completion_kinds[2] = {AR_MADE, AR_FVSBN};
START_TEST(test_completion_keeps_given)
{
    const size_t D = 16, B = 5, given = 6;
    size_t order[16];
    ar_model *m = random_model(completion_kinds[_i], D, B, 1, 3, 1.0, order);
    const size_t *o = ar_model_order(m, 0);
    gsl_matrix *X = cm_matrix_calloc(B, D), *Y = cm_matrix_calloc(B, D);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int rep = 0; rep < 2; rep++) {
        gsl_matrix *T = rep ? Y : X;
        for (size_t i = 0; i < B * D; i++) T->data[i] = (double)((i * 7) % 3 == 0);
        gsl_rng_set(r, 42);
        ar_model_sample(m, T, given, 0, r);
    }
    int differs = 0;
    for (size_t i = 0; i < B; i++)
        for (size_t d = 0; d < D; d++) {
            double x = gsl_matrix_get(X, i, o[d]);
            ck_assert_msg(x == 0.0 || x == 1.0, "sampled value %g is not binary", x);
            ck_assert_msg(x == gsl_matrix_get(Y, i, o[d]), "same seed, different samples");
            if (d < given)
                ck_assert_msg(x == (double)(((i * D + o[d]) * 7) % 3 == 0),
                              "row %zu: the given x_%zu changed", i, o[d]);
            else
                differs |= x != (double)(((i * D + o[d]) * 7) % 3 == 0);
        }
    ck_assert_msg(differs, "nothing was drawn: the completion equals the input");
    gsl_rng_free(r);
    cm_matrix_free(X), cm_matrix_free(Y);
    ar_model_free(m);
}
END_TEST

/* ---- orderings and data ------------------------------------------------------------------- */

START_TEST(test_ordering_files)
{
    const char *dir = tu_tmpdir("ar-ordering");
    char path[600];
    size_t o[4];
    snprintf(path, sizeof path, "%s/o.txt", dir);
    tu_write_file(path, "# a comment\n3, 1\n0 2\n");
    ck_assert_int_eq(ar_ordering_read(path, 4, o), CM_OK);
    ck_assert(o[0] == 3 && o[1] == 1 && o[2] == 0 && o[3] == 2);
    static const char *const bad[][2] = {
        {"0 1 2 2\n", "twice"},   {"0 1 2\n", "3 numbers"}, {"0 1 2 3 0\n", "5 numbers"},
        {"0 1 2 4\n", "outside"}, {"0 1 two 3\n", "'two'"}, {"0 -1 2 3\n", "outside"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tu_write_file(path, bad[i][0]);
        ck_assert_int_eq(ar_ordering_read(path, 4, o), CM_EFORMAT);
        ck_assert_msg(strstr(cm_errmsg(), bad[i][1]) && strstr(cm_errmsg(), "not a permutation"),
                      "'%s': message '%s' does not say '%s'", bad[i][0], cm_errmsg(), bad[i][1]);
    }
    ck_assert_int_eq(ar_ordering_read("/nonexistent/o.txt", 4, o), CM_EIO);
    /* format and parse round trip */
    size_t p[4] = {2, 0, 3, 1}, q[4];
    char buf[64];
    ck_assert_int_eq(ar_ordering_format(p, 4, buf, sizeof buf), CM_OK);
    ck_assert_str_eq(buf, "2,0,3,1");
    ck_assert_int_eq(ar_ordering_parse(buf, 4, q), CM_OK);
    ck_assert(memcmp(p, q, sizeof p) == 0);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_data_binarize_and_split)
{
    const char *dir = tu_tmpdir("ar-data");
    char path[600];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    /* 5 rows: floor(0.8 * 5) = 4 train, 1 test; the label column is dropped */
    tu_write_file(path, "a,b,label\n7,8,1\n16,0,2\n8,7.9,3\n0,0,4\n9,12,5\n");
    ar_data *d = NULL;
    ck_assert_msg(ar_data_load(path, 1, &d) == CM_OK, "%s", cm_errmsg());
    ck_assert_uint_eq(d->D, 2);
    ck_assert_uint_eq(d->ntr, 4);
    ck_assert_uint_eq(d->nte, 1);
    const double want[] = {0, 1, 1, 0, 1, 0, 0, 0};
    for (size_t i = 0; i < 8; i++)
        ck_assert_msg(d->Xtr->data[i] == want[i], "entry %zu: %g, want %g", i, d->Xtr->data[i],
                      want[i]);
    ck_assert(gsl_matrix_get(d->Xte, 0, 0) == 1 && gsl_matrix_get(d->Xte, 0, 1) == 1);
    ar_data_free(d);
    /* --no-binarize: a value other than 0 or 1 is refused, naming line and column */
    ck_assert_int_eq(ar_data_load(path, 0, &d), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), ":2:") && strstr(cm_errmsg(), "'a'") &&
                      strstr(cm_errmsg(), "not 0 or 1"),
                  "message: %s", cm_errmsg());
    tu_write_file(path, "a,b\n1,0\n0,1\n1,1\n0,0\n1,0\n");
    ck_assert_int_eq(ar_data_load(path, 0, &d), CM_OK);
    ar_data_free(d);
    /* the shipped digits: 1437 / 360 in file order, binary */
    ck_assert_int_eq(ar_data_load(AR_DATA_DIGITS, 1, &d), CM_OK);
    ck_assert(d->ntr == 1437 && d->nte == 360 && d->D == 64 && d->img_h == 8);
    tu_rmtree(dir);
    ar_data_free(d);
}
END_TEST

/* ---- training ----------------------------------------------------------------------------- */

static void train_small(ar_kind k, unsigned long seed, ar_train_result *res)
{
    ar_data *d = NULL;
    ck_assert_int_eq(ar_data_load(AR_DATA_DIGITS, 1, &d), CM_OK);
    gsl_matrix_view Xtr = gsl_matrix_submatrix(d->Xtr, 0, 0, 300, 64);
    gsl_matrix_view Xte = gsl_matrix_submatrix(d->Xte, 0, 0, 100, 64);
    ar_spec s = {.kind = k, .D = 64, .orderings = k == AR_MADE ? 2 : 1, .mask_seed = 5};
    if (k == AR_NADE) s.n_hidden = 1, s.hidden[0] = 16;
    if (k == AR_MADE) s.n_hidden = 1, s.hidden[0] = 64;
    ar_model *m = ar_model_alloc(&s, 64);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    ar_model_init(m, r);
    ar_train_cfg cfg = {.epochs = 6, .batch = 32, .lr = 3e-3, .eval_each_epoch = 1, .quiet = 1};
    ck_assert_int_eq(ar_train(m, &Xtr.matrix, &Xte.matrix, &cfg, r, res), CM_OK);
    gsl_rng_free(r);
    ar_model_free(m);
    ar_data_free(d);
}

START_TEST(test_nll_falls)
{
    for (int k = 0; k < AR_N_KINDS; k++) {
        ar_train_result res;
        train_small((ar_kind)k, 3, &res);
        /* 64 binary pixels: a uniform model has 64 log 2 = 44.4 nats */
        ck_assert_msg(res.curve_test[5] < res.curve_test[0] - 2.0 && res.curve_test[5] < 40.0,
                      "%s: test NLL %g -> %g, expected to fall by 2 nats and below 40",
                      ar_kind_name((ar_kind)k), res.curve_test[0], res.curve_test[5]);
        ar_train_result_free(&res);
    }
}
END_TEST

START_TEST(test_same_seed_same_numbers)
{
    ar_train_result a, b;
    train_small(AR_MADE, 9, &a);
    train_small(AR_MADE, 9, &b);
    for (int e = 0; e < 6; e++)
        ck_assert_msg(a.curve_train[e] == b.curve_train[e] && a.curve_test[e] == b.curve_test[e],
                      "epoch %d: same seed gave %.17g and %.17g", e, a.curve_train[e],
                      b.curve_train[e]);
    ar_train_result_free(&a);
    ar_train_result_free(&b);
}
END_TEST

Suite *suite_autoregressive(void)
{
    Suite *s = suite_create("autoregressive");
    TCase *g = tcase_create("gradcheck");
    tcase_add_test(g, test_gradcheck_fvsbn);
    tcase_add_test(g, test_gradcheck_nade);
    tcase_add_test(g, test_gradcheck_made);
    suite_add_tcase(s, g);
    TCase *p = tcase_create("properties");
    tcase_add_test(p, test_autoregressive_property);
    tcase_add_test(p, test_sums_to_one);
    tcase_add_test(p, test_fvsbn_known_answer);
    tcase_add_test(p, test_bernoulli_nll);
    suite_add_tcase(s, p);
    TCase *b = tcase_create("behaviour");
    tcase_add_loop_test(b, test_sampler_matches_probabilities, 0, 1);
    tcase_add_loop_test(b, test_completion_keeps_given, 0, 1);
    tcase_add_test(b, test_ordering_files);
    tcase_add_test(b, test_data_binarize_and_split);
    tcase_add_test(b, test_nll_falls);
    tcase_add_test(b, test_same_seed_same_numbers);
    tcase_set_timeout(b, 60);
    suite_add_tcase(s, b);
    /* The exercises (CONVENTIONS.md, Exercises): one test case per exercise, named by its id and
     * tagged "exercise", whose tests use that exercise's region and no other exercise's, so
     * that an unfinished exercise fails alone (tools/grade, tests/kit/run). */
    {
        TCase *ex = tcase_create("autoregressive-1");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_nade_recurrence_equals_naive);
        tcase_add_test(ex, test_nade_known_answer);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("autoregressive-2");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_nade_backward_numeric);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("autoregressive-3");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_made_masks_follow_degrees);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("autoregressive-4");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_loop_test(ex, test_sampler_matches_probabilities, 1, 2);
        tcase_add_loop_test(ex, test_completion_keeps_given, 1, 2);
        suite_add_tcase(s, ex);
    }
    return s;
}
