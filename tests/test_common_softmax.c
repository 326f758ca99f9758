/* Tests of common/softmax.c: log-sum-exp at +-1000, known answers (from torch, float64),
 * the cross-entropy gradients checked numerically. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "error.h"
#include "gradcheck.h"
#include "softmax.h"
#include "testutil.h"

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

START_TEST(test_logsumexp_large)
{
    double x[2] = {1000, 1000};
    double l = sm_logsumexp(x, 2);
    ck_assert_msg(l == 1000 + log(2.0),
                  "logsumexp([1000, 1000]) = %.17g, want 1000 + log 2 = %.17g", l, 1000 + log(2.0));
    double y[2] = {-1000, -1000};
    ck_assert_msg(sm_logsumexp(y, 2) == -1000 + log(2.0), "logsumexp([-1000, -1000]) = %.17g",
                  sm_logsumexp(y, 2));
    double z[3] = {1000, -1000, 2.385};
    ck_assert_msg(sm_logsumexp(z, 3) == 1000, "logsumexp([1000, -1000, 2.385]) = 1000");
    double w[3] = {0.5, -1.25, 2.385};
    double want = log(exp(0.5) + exp(-1.25) + exp(2.385));
    ck_assert_msg(close_rel(sm_logsumexp(w, 3), want, 1e-15), "logsumexp small: %.17g vs %.17g",
                  sm_logsumexp(w, 3), want);
    ck_assert_msg(isinf(sm_logsumexp(w, 0)) && sm_logsumexp(w, 0) < 0, "empty sum: -inf");
    double minf[2] = {-INFINITY, -INFINITY};
    ck_assert_msg(isinf(sm_logsumexp(minf, 2)) && sm_logsumexp(minf, 2) < 0, "all -inf: -inf");
}
END_TEST

/* torch.softmax / log_softmax of [[1, 2, 3], [0.5, -1.25, 2.385]] in float64. */
START_TEST(test_softmax_known)
{
    const double logits[6] = {1.0, 2.0, 3.0, 0.5, -1.25, 2.385};
    const double p_want[6] = {0.090030573170380448, 0.24472847105479761,  0.66524095577482178,
                              0.12886384739110374,  0.022393178929348452, 0.84874297367954776};
    const double lp_want[6] = {-2.4076059644443806, -1.4076059644443804, -0.40760596444438041,
                               -2.0489988785770201, -3.7989988785770201, -0.16399887857702011};
    double in[6], p[6], lp[6];
    memcpy(in, logits, sizeof in);
    gsl_matrix_view X = gsl_matrix_view_array(in, 2, 3), P = gsl_matrix_view_array(p, 2, 3),
                    LP = gsl_matrix_view_array(lp, 2, 3);
    sm_softmax_rows(&X.matrix, &P.matrix);
    sm_log_softmax_rows(&X.matrix, &LP.matrix);
    for (int i = 0; i < 6; i++) {
        ck_assert_msg(close_rel(p[i], p_want[i], 1e-15), "softmax[%d] %.17g vs torch %.17g", i,
                      p[i], p_want[i]);
        ck_assert_msg(close_rel(lp[i], lp_want[i], 1e-15), "log_softmax[%d] %.17g vs torch %.17g",
                      i, lp[i], lp_want[i]);
    }
    sm_softmax(in, in, 3); /* in place */
    ck_assert_msg(memcmp(in, p, 3 * sizeof(double)) == 0, "softmax in place = out of place");
}
END_TEST

START_TEST(test_softmax_large_logits_finite)
{
    double x[4] = {1000, -1000, 1000, -1000}, p[4], lp[4];
    sm_softmax(x, p, 4);
    sm_log_softmax(x, lp, 4);
    ck_assert_msg(p[0] == 0.5 && p[1] == 0 && p[2] == 0.5 && p[3] == 0,
                  "softmax([1000,-1000,1000,-1000]) = [.5,0,.5,0]: %g %g %g %g", p[0], p[1], p[2],
                  p[3]);
    ck_assert_msg(lp[0] == -log(2.0) && lp[1] == -2000 - log(2.0),
                  "log_softmax = [-log 2, -2000 - log 2]: %.17g %.17g", lp[0], lp[1]);

    double L[4] = {1000, -1000, -1000, 1000};
    int labels[2] = {1, 1};
    double d[4];
    gsl_matrix_view Lm = gsl_matrix_view_array(L, 2, 2), D = gsl_matrix_view_array(d, 2, 2);
    double ce = sm_cross_entropy(&Lm.matrix, labels, &D.matrix);
    ck_assert_msg(ce == 1000, "CE: rows cost 2000 and 0, mean 1000: got %.17g", ce);
    ck_assert_msg(d[0] == 0.5 && d[1] == -0.5 && d[2] == 0 && d[3] == 0,
                  "dCE = (p - onehot)/B: %g %g %g %g", d[0], d[1], d[2], d[3]);

    double z[2] = {1000, 1000}, t0[2] = {0, 1}, db[2];
    gsl_matrix_view Z = gsl_matrix_view_array(z, 1, 1), T = gsl_matrix_view_array(t0, 1, 1),
                    DB = gsl_matrix_view_array(db, 1, 1);
    ck_assert_msg(sm_bce_logits(&Z.matrix, &T.matrix, &DB.matrix) == 1000 && db[0] == 1.0,
                  "bce(logit 1000, target 0) = 1000, grad 1");
    T = gsl_matrix_view_array(t0 + 1, 1, 1);
    ck_assert_msg(sm_bce_logits(&Z.matrix, &T.matrix, &DB.matrix) == 0 && db[0] == 0,
                  "bce(logit 1000, target 1) = 0, grad 0");
    z[0] = -1000;
    ck_assert_msg(sm_bce_logits(&Z.matrix, &T.matrix, NULL) == 1000,
                  "bce(logit -1000, target 1) = 1000");
}
END_TEST

/* torch: F.cross_entropy(x, [2, 0]) = 1.2283024215107003;
 * F.binary_cross_entropy_with_logits([[2.385,-0.75],[1000,-1000]], [[.3,1],[0,1]])
 * = 500.72361584081227; and of 2.385 with target 0.3: 1.757592357134353. */
START_TEST(test_losses_known)
{
    double x[6] = {1.0, 2.0, 3.0, 0.5, -1.25, 2.385};
    int labels[2] = {2, 0};
    gsl_matrix_view X = gsl_matrix_view_array(x, 2, 3);
    double ce = sm_cross_entropy(&X.matrix, labels, NULL);
    ck_assert_msg(close_rel(ce, 1.2283024215107003, 1e-15), "CE %.17g vs torch", ce);

    double z[4] = {2.385, -0.75, 1000, -1000}, t[4] = {0.3, 1.0, 0.0, 1.0};
    gsl_matrix_view Z = gsl_matrix_view_array(z, 2, 2), T = gsl_matrix_view_array(t, 2, 2);
    double bce = sm_bce_logits(&Z.matrix, &T.matrix, NULL);
    ck_assert_msg(close_rel(bce, 500.72361584081227, 1e-15), "BCE %.17g vs torch", bce);
    Z = gsl_matrix_view_array(z, 1, 1);
    T = gsl_matrix_view_array(t, 1, 1);
    bce = sm_bce_logits(&Z.matrix, &T.matrix, NULL);
    ck_assert_msg(close_rel(bce, 1.757592357134353, 1e-15), "BCE(2.385, 0.3) %.17g vs torch", bce);
}
END_TEST

typedef struct {
    gsl_matrix *logits, *targets;
    int *labels;
} loss_ctx;

static double ce_loss(void *c)
{
    loss_ctx *l = c;
    return sm_cross_entropy(l->logits, l->labels, NULL);
}

static double bce_loss(void *c)
{
    loss_ctx *l = c;
    return sm_bce_logits(l->logits, l->targets, NULL);
}

START_TEST(test_loss_gradients_numeric)
{
    enum { B = 5, K = 4 };
    double x[B * K], t[B * K], d[B * K];
    int labels[B] = {3, 0, 2, 1, 2};
    tu_fill(x, B * K, 2.9, 0.45);
    tu_fill(t, B * K, 0.5, 2.2);
    for (int i = 0; i < B * K; i++) t[i] += 0.5; /* targets in [0, 1] */
    gsl_matrix_view X = gsl_matrix_view_array(x, B, K), T = gsl_matrix_view_array(t, B, K),
                    D = gsl_matrix_view_array(d, B, K);
    loss_ctx ctx = {&X.matrix, &T.matrix, labels};
    gc_options opt = gc_default_options();
    gc_report rep;

    sm_cross_entropy(&X.matrix, labels, &D.matrix);
    ck_assert_int_eq(gc_check_array("ce.logits", x, d, B * K, ce_loss, &ctx, &opt, &rep), CM_OK);
    ck_assert_msg(rep.passed,
                  "CE gradient: worst rel err %.3e at %zu (analytic %.12g numeric "
                  "%.12g)",
                  rep.worst_rel_err, rep.worst_index, rep.analytic, rep.numeric);

    sm_bce_logits(&X.matrix, &T.matrix, &D.matrix);
    ck_assert_int_eq(gc_check_array("bce.logits", x, d, B * K, bce_loss, &ctx, &opt, &rep), CM_OK);
    ck_assert_msg(rep.passed,
                  "BCE gradient: worst rel err %.3e at %zu (analytic %.12g numeric "
                  "%.12g)",
                  rep.worst_rel_err, rep.worst_index, rep.analytic, rep.numeric);

    /* dlogits may be the logits themselves. */
    double x2[B * K];
    memcpy(x2, x, sizeof x);
    gsl_matrix_view X2 = gsl_matrix_view_array(x2, B, K);
    double ce1 = sm_cross_entropy(&X.matrix, labels, &D.matrix);
    double ce2 = sm_cross_entropy(&X2.matrix, labels, &X2.matrix);
    ck_assert_msg(ce1 == ce2 && memcmp(d, x2, sizeof d) == 0, "CE in place = out of place");
}
END_TEST

START_TEST(test_bad_label_and_argmax)
{
    double x[6] = {0.3, 2.385, 2.385, -1.0, -0.5, -2.0};
    int bad[2] = {1, 3};
    gsl_matrix_view X = gsl_matrix_view_array(x, 2, 3);
    ck_assert_msg(isnan(sm_cross_entropy(&X.matrix, bad, NULL)), "label 3 of K=3 gives NaN");
    ck_assert_msg(strstr(cm_errmsg(), "label 3") != NULL, "message names the label: '%s'",
                  cm_errmsg());
    int am[2];
    sm_argmax_rows(&X.matrix, am);
    ck_assert_msg(am[0] == 1 && am[1] == 1, "argmax ties go to the first: got %d %d", am[0], am[1]);
}
END_TEST

Suite *suite_common_softmax(void)
{
    Suite *s = suite_create("common_softmax");
    TCase *tc = tcase_create("softmax");
    tcase_add_test(tc, test_logsumexp_large);
    tcase_add_test(tc, test_softmax_known);
    tcase_add_test(tc, test_softmax_large_logits_finite);
    tcase_add_test(tc, test_losses_known);
    tcase_add_test(tc, test_loss_gradients_numeric);
    tcase_add_test(tc, test_bad_label_and_argmax);
    suite_add_tcase(s, tc);
    return s;
}
