/* Tests of common/dense.c and common/init.c: a hand-computed forward pass, the backward pass
 * gradient-checked on every tensor and the input, initializer statistics. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "dense.h"
#include "error.h"
#include "gradcheck.h"
#include "init.h"
#include "params.h"
#include "testutil.h"

/* X (2, 3), W (2, 3), b (2), worked out by hand:
 *   Y[0][0] = 1.5*0.2 + (-2)*(-0.4) + 0.25*1.1 + 0.05 =  0.3 + 0.8 + 0.275 + 0.05 =  1.425
 *   Y[0][1] = 1.5*(-0.7) + (-2)*0.3 + 0.25*0.5 - 0.15 = -1.05 - 0.6 + 0.125 - 0.15 = -1.675
 *   Y[1][0] = 0.5*0.2 + 3*(-0.4) + (-1)*1.1 + 0.05    =  0.1 - 1.2 - 1.1 + 0.05   = -2.15
 *   Y[1][1] = 0.5*(-0.7) + 3*0.3 + (-1)*0.5 - 0.15    = -0.35 + 0.9 - 0.5 - 0.15  = -0.1 */
START_TEST(test_forward_hand_2x3)
{
    double x[6] = {1.5, -2.0, 0.25, 0.5, 3.0, -1.0};
    double w[6] = {0.2, -0.4, 1.1, -0.7, 0.3, 0.5};
    double b[2] = {0.05, -0.15};
    double y[4] = {NAN, NAN, NAN, NAN}; /* forward must overwrite, not add to, Y */
    gsl_matrix_view X = gsl_matrix_view_array(x, 2, 3), W = gsl_matrix_view_array(w, 2, 3),
                    Y = gsl_matrix_view_array(y, 2, 2);
    gsl_vector_view bv = gsl_vector_view_array(b, 2);
    dense_forward(&X.matrix, &W.matrix, &bv.vector, &Y.matrix);
    const double want[4] = {1.425, -1.675, -2.15, -0.1};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(y[i] - want[i]) <= 1e-14, "Y[%d][%d] = %.17g, by hand %.17g", i / 2,
                      i % 2, y[i], want[i]);
    dense_forward(&X.matrix, &W.matrix, NULL, &Y.matrix);
    const double want_nob[4] = {1.375, -1.525, -2.2, 0.05};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(y[i] - want_nob[i]) <= 1e-14, "no bias: Y[%d] = %.17g, want %.17g", i,
                      y[i], want_nob[i]);
}
END_TEST

/* A dense layer B=5, in=4, out=3 under the loss L = sum R.Y + 0.25 sum Y^2 (R a fixed random
 * upstream weight; the square makes the loss non-linear in the parameters). */
enum { NB = 5, NIN = 4, NOUT = 3 };
typedef struct {
    params *p;
    int W, b;
    double x[NB * NIN], r[NB * NOUT], y[NB * NOUT];
} dense_ctx;

static double dense_loss(void *c)
{
    dense_ctx *d = c;
    gsl_matrix_view X = gsl_matrix_view_array(d->x, NB, NIN),
                    Y = gsl_matrix_view_array(d->y, NB, NOUT);
    gsl_matrix_view W = params_matrix(d->p, d->W);
    gsl_vector_view b = params_vector(d->p, d->b);
    dense_forward(&X.matrix, &W.matrix, &b.vector, &Y.matrix);
    double L = 0;
    for (int i = 0; i < NB * NOUT; i++) L += d->r[i] * d->y[i] + 0.25 * d->y[i] * d->y[i];
    return L;
}

static void dense_setup(dense_ctx *d)
{
    d->p = params_alloc();
    d->W = params_declare2(d->p, "fc.weight", NOUT, NIN);
    d->b = params_declare1(d->p, "fc.bias", NOUT);
    ck_assert_int_eq(params_commit(d->p), CM_OK);
    tu_fill(d->p->data, d->p->size, 0.83, 0.6);
    tu_fill(d->x, NB * NIN, 1.21, 2.0);
    tu_fill(d->r, NB * NOUT, 0.67, 0.9);
}

START_TEST(test_backward_gradcheck)
{
    dense_ctx d;
    dense_setup(&d);
    double dy[NB * NOUT], dx[NB * NIN];
    dense_loss(&d);
    for (int i = 0; i < NB * NOUT; i++) dy[i] = d.r[i] + 0.5 * d.y[i]; /* dL/dY */
    params_zero_grad(d.p);
    gsl_matrix_view X = gsl_matrix_view_array(d.x, NB, NIN),
                    DY = gsl_matrix_view_array(dy, NB, NOUT),
                    DX = gsl_matrix_view_array(dx, NB, NIN);
    gsl_matrix_view W = params_matrix(d.p, d.W), dW = params_grad_matrix(d.p, d.W);
    gsl_vector_view db = params_grad_vector(d.p, d.b);
    dense_backward(&X.matrix, &W.matrix, &DY.matrix, &DX.matrix, &dW.matrix, &db.vector);

    gc_options opt = gc_default_options();
    gc_report reps[2], rx;
    int failed = gc_check_params(d.p, dense_loss, &d, &opt, reps);
    if (failed) gc_print_table(stderr, reps, 2);
    ck_assert_msg(failed == 0, "dense backward: %d parameter tensors fail the gradient check",
                  failed);
    for (int t = 0; t < 2; t++)
        ck_assert_msg(reps[t].n_checked == reps[t].n_total && reps[t].worst_rel_err < 1e-7,
                      "%s: every entry checked, worst rel err %.3e", reps[t].name,
                      reps[t].worst_rel_err);
    ck_assert_int_eq(gc_check_array("X", d.x, dx, NB * NIN, dense_loss, &d, &opt, &rx), CM_OK);
    if (!rx.passed) gc_print_table(stderr, &rx, 1);
    ck_assert_msg(rx.passed, "dense backward: dX worst rel err %.3e", rx.worst_rel_err);
    params_free(d.p);
}
END_TEST

/* dW and db accumulate onto what is there; dX is set. */
START_TEST(test_backward_accumulates)
{
    double x[6] = {1.5, -2.0, 0.25, 0.5, 3.0, -1.0}, w[6] = {0.2, -0.4, 1.1, -0.7, 0.3, 0.5};
    double dy[4] = {0.3, -1.1, 0.7, 2.385}, dw[6], db[2] = {0.125, 0.125},
           dx[6] = {9, 9, 9, 9, 9, 9};
    for (int i = 0; i < 6; i++) dw[i] = 0.125;
    gsl_matrix_view X = gsl_matrix_view_array(x, 2, 3), W = gsl_matrix_view_array(w, 2, 3),
                    DY = gsl_matrix_view_array(dy, 2, 2), DW = gsl_matrix_view_array(dw, 2, 3),
                    DX = gsl_matrix_view_array(dx, 2, 3);
    gsl_vector_view DB = gsl_vector_view_array(db, 2);
    dense_backward(&X.matrix, &W.matrix, &DY.matrix, &DX.matrix, &DW.matrix, &DB.vector);
    /* dW[0][0] = 0.125 + dY[0][0] X[0][0] + dY[1][0] X[1][0] = 0.125 + 0.45 + 0.35 = 0.925 */
    ck_assert_msg(fabs(dw[0] - 0.925) < 1e-15, "dW[0][0] = %.17g, want 0.925", dw[0]);
    /* db[1] = 0.125 - 1.1 + 2.385 = 1.41 */
    ck_assert_msg(fabs(db[1] - 1.41) < 1e-15, "db[1] = %.17g, want 1.41", db[1]);
    /* dX[1][2] = dY[1][0] W[0][2] + dY[1][1] W[1][2] = 0.77 + 1.1925 = 1.9625 (9 overwritten) */
    ck_assert_msg(fabs(dx[5] - 1.9625) < 1e-15, "dX[1][2] = %.17g, want 1.9625", dx[5]);
}
END_TEST

static void mean_var(const double *x, size_t n, double *mean, double *var)
{
    *mean = gsl_stats_mean(x, 1, n);
    *var = gsl_stats_variance_with_fixed_mean(x, 1, n, 0.0);
}

/* Statistics of a 400 x 300 matrix (120000 draws, seed 42). The standard error of the sample
 * mean is sd / 346; of the sample variance about 0.3% (uniform) and 0.4% (normal), so 2%
 * is > 5 standard errors, and a wrong formula (fan_in for fan_in + fan_out: 1.75x) fails. */
START_TEST(test_init_statistics)
{
    enum { R = 400, C = 300 };
    static double w[R * C];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    gsl_matrix_view W = gsl_matrix_view_array(w, R, C);
    double mean, var;

    init_xavier_uniform(rng, &W.matrix, 1.0);
    double a = sqrt(6.0 / (R + C));
    mean_var(w, R * C, &mean, &var);
    ck_assert_msg(fabs(mean) < 5 * a / sqrt(3.0) / sqrt(R * C), "xavier mean %.3e ~ 0", mean);
    ck_assert_msg(fabs(var / (2.0 / (R + C)) - 1) < 0.02, "xavier variance %.6g vs 2/(in+out) %.6g",
                  var, 2.0 / (R + C));
    ck_assert_msg(gsl_stats_max(w, 1, R * C) <= a && gsl_stats_min(w, 1, R * C) >= -a,
                  "xavier bounded by a = %g", a);
    ck_assert_msg(gsl_stats_max(w, 1, R * C) > 0.999 * a, "xavier reaches near a");

    init_he_normal(rng, &W.matrix);
    mean_var(w, R * C, &mean, &var);
    ck_assert_msg(fabs(mean) < 5 * sqrt(2.0 / C) / sqrt(R * C), "he mean %.3e ~ 0", mean);
    ck_assert_msg(fabs(var / (2.0 / C) - 1) < 0.02, "he variance %.6g vs 2/fan_in %.6g", var,
                  2.0 / C);

    init_torch_default(rng, w, R * C, C);
    mean_var(w, R * C, &mean, &var);
    ck_assert_msg(fabs(var / (1.0 / (3.0 * C)) - 1) < 0.02, "torch default variance %.6g vs %.6g",
                  var, 1.0 / (3.0 * C));
    ck_assert_msg(gsl_stats_max(w, 1, R * C) <= 1 / sqrt(C), "torch default within 1/sqrt(in)");

    init_normal(rng, w, R * C, 2.385, 0.5);
    mean_var(w, R * C, &mean, &var);
    ck_assert_msg(fabs(mean - 2.385) < 5 * 0.5 / sqrt(R * C), "normal mean %.6g vs 2.385", mean);

    /* The same seed gives the same draws. */
    double first[5], again[5];
    gsl_rng_set(rng, 7);
    init_uniform(rng, first, 5, -0.3, 0.9);
    gsl_rng_set(rng, 7);
    init_uniform(rng, again, 5, -0.3, 0.9);
    ck_assert_msg(memcmp(first, again, sizeof first) == 0, "seeded draws reproduce");
    gsl_rng_free(rng);
}
END_TEST

Suite *suite_common_dense(void)
{
    Suite *s = suite_create("common_dense");
    TCase *tc = tcase_create("dense");
    tcase_add_test(tc, test_forward_hand_2x3);
    tcase_add_test(tc, test_backward_gradcheck);
    tcase_add_test(tc, test_backward_accumulates);
    tcase_add_test(tc, test_init_statistics);
    suite_add_tcase(s, tc);
    return s;
}
