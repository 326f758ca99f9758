/* Tests of common/activations.c: known values, no overflow at +-1000, derivatives against
 * centered differences, parsing. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "activations.h"
#include "error.h"
#include "testutil.h"

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

START_TEST(test_sigmoid_values)
{
    ck_assert_msg(act_sigmoid(0) == 0.5, "sigmoid(0) = 0.5");
    double want = 1.0 / (1.0 + exp(-2.385));
    ck_assert_msg(close_rel(act_sigmoid(2.385), want, 1e-15), "sigmoid(2.385) %.17g vs %.17g",
                  act_sigmoid(2.385), want);
    ck_assert_msg(close_rel(act_sigmoid(-2.385), 1 - want, 1e-15), "sigmoid(-x) = 1 - sigmoid(x)");
    ck_assert_msg(act_sigmoid(1000) == 1.0 && act_sigmoid(-1000) == 0.0,
                  "sigmoid(+-1000) = 1, 0: got %g, %g", act_sigmoid(1000), act_sigmoid(-1000));
    /* The x < 0 branch keeps relative precision where 1 - sigmoid(-x) would lose it. */
    ck_assert_msg(close_rel(act_sigmoid(-40), exp(-40) / (1 + exp(-40)), 1e-15),
                  "sigmoid(-40) %.17g keeps full relative precision", act_sigmoid(-40));
    ck_assert_msg(act_sigmoid_grad_from_y(0.25) == 0.1875, "sigmoid' from y = 0.25 is 0.1875");
    ck_assert_msg(act_tanh_grad_from_y(-0.5) == 0.75, "tanh' from y = -0.5 is 0.75");
}
END_TEST

START_TEST(test_softplus_relu_values)
{
    ck_assert_msg(act_softplus(1000) == 1000 && act_softplus(-1000) == 0,
                  "softplus(1000) = 1000, softplus(-1000) = 0: got %g, %g", act_softplus(1000),
                  act_softplus(-1000));
    ck_assert_msg(close_rel(act_softplus(2.385), log1p(exp(2.385)), 1e-15), "softplus(2.385)");
    ck_assert_msg(close_rel(act_softplus(-40), exp(-40), 1e-15), "softplus(-40) ~ e^-40: %.17g",
                  act_softplus(-40));
    ck_assert_msg(close_rel(act_softplus(0), log(2.0), 1e-16), "softplus(0) = log 2");
    ck_assert_msg(act_relu(-0.3) == 0 && act_relu(1.7) == 1.7, "relu");
    ck_assert_msg(act_relu_grad(0.0) == 0 && act_relu_grad(1e-300) == 1 && act_relu_grad(-2.0) == 0,
                  "relu' is 0 at 0 (torch), 1 above, 0 below");
}
END_TEST

/* act_backward against (f(x+h) - f(x-h)) / 2h for each kind, with dx accumulating. */
START_TEST(test_backward_matches_differences)
{
    enum { N = 23 };
    double x[N], y[N], dy[N], dx[N], yp[N], ym[N], xp[N], xm[N];
    tu_fill(x, N, 2.7, 0.35);
    tu_fill(dy, N, 1.3, 1.1);
    const double h = 1e-6;
    for (int k = ACT_IDENTITY; k <= ACT_SOFTPLUS; k++) {
        act_forward((act_kind)k, x, y, N);
        for (int i = 0; i < N; i++) {
            dx[i] = 0.5;
            xp[i] = x[i] + h;
            xm[i] = x[i] - h;
        }
        act_backward((act_kind)k, x, y, dy, dx, N);
        act_forward((act_kind)k, xp, yp, N);
        act_forward((act_kind)k, xm, ym, N);
        for (int i = 0; i < N; i++) {
            double num = 0.5 + (yp[i] - ym[i]) / (2 * h) * dy[i];
            ck_assert_msg(fabs(dx[i] - num) <= 1e-8 * fmax(1, fabs(num)),
                          "%s backward at x = %.4f: analytic %.12g, numeric %.12g",
                          act_name((act_kind)k), x[i], dx[i], num);
        }
    }
}
END_TEST

START_TEST(test_forward_in_place)
{
    double x[7], y[7];
    tu_fill(x, 7, 3.1, 0.9);
    act_tanh_array(x, y, 7);
    act_forward(ACT_TANH, x, x, 7);
    ck_assert_msg(memcmp(x, y, sizeof x) == 0, "tanh in place equals out of place");
}
END_TEST

START_TEST(test_parse_names)
{
    act_kind k;
    for (int i = ACT_IDENTITY; i <= ACT_SOFTPLUS; i++) {
        ck_assert_int_eq(act_parse(act_name((act_kind)i), &k), CM_OK);
        ck_assert_msg((int)k == i, "act_parse(act_name(%d)) round trip", i);
    }
    ck_assert_int_eq(act_parse("gelu", &k), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "gelu") != NULL, "unknown name in message: '%s'",
                  cm_errmsg());
}
END_TEST

Suite *suite_common_activations(void)
{
    Suite *s = suite_create("common_activations");
    TCase *tc = tcase_create("activations");
    tcase_add_test(tc, test_sigmoid_values);
    tcase_add_test(tc, test_softplus_relu_values);
    tcase_add_test(tc, test_backward_matches_differences);
    tcase_add_test(tc, test_forward_in_place);
    tcase_add_test(tc, test_parse_names);
    suite_add_tcase(s, tc);
    return s;
}
