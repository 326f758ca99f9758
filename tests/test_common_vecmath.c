/* Tests of common/vecmath.c: the vectorized exp, tanh, sigmoid and log1p agree with libm's scalar
 * functions to a few units in the last place over every range an activation meets, handle the
 * extremes and special values, and work in place and on lengths that are not a multiple of the
 * vector width. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "vecmath.h"

enum { N = 4099 }; /* odd: the loops' scalar tails run too */

/* Inputs from -750 to 750 on a log scale both ways, plus zero and tiny values. */
static void fill_wide(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double u = (double)i / (double)(n - 1); /* 0..1 */
        double mag = pow(10.0, -310.0 + 312.9 * u);
        x[i] = (i % 2 ? -1.0 : 1.0) * fmin(mag, 750.0);
    }
    x[0] = 0.0;
}

static double ulp_err(double got, double want)
{
    if (got == want) return 0.0;
    if (!isfinite(want) || !isfinite(got)) return INFINITY;
    double ulp = nextafter(fabs(want), INFINITY) - fabs(want);
    return fabs(got - want) / ulp;
}

START_TEST(test_matches_libm)
{
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
    ck_assert(x && y);
    fill_wide(x, N);
    for (int f = 0; f < 4; f++) {
        if (f == 3) /* log1p: the same magnitudes, and -1 < x < 0 */
            for (size_t i = 0; i < N; i++) x[i] = x[i] < 0 ? -fmin(-x[i], 0.999) : x[i];
        if (f == 0) vm_exp(x, y, N);
        if (f == 1) vm_tanh(x, y, N);
        if (f == 2) vm_sigmoid(x, y, N);
        if (f == 3) vm_log1p(x, y, N);
        for (size_t i = 0; i < N; i++) {
            double want = f == 0   ? exp(x[i])
                          : f == 1 ? tanh(x[i])
                          : f == 2 ? 1.0 / (1.0 + exp(-x[i]))
                                   : log1p(x[i]);
            if (want != 0.0 && fabs(want) < 1e-300) continue; /* subnormal results: not compared */
            double e = ulp_err(y[i], want);
            ck_assert_msg(e <= 8.0, "%s(%.17g) = %.17g, libm %.17g (%g ulp, %s)",
                          f == 0   ? "exp"
                          : f == 1 ? "tanh"
                          : f == 2 ? "sigmoid"
                                   : "log1p",
                          x[i], y[i], want, e, vm_backend());
        }
    }
    free(x);
    free(y);
}
END_TEST

/* softplus against its stable scalar form, over the same wide range of inputs. */
START_TEST(test_softplus_matches_libm)
{
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
    ck_assert(x && y);
    fill_wide(x, N);
    vm_softplus(x, y, N);
    for (size_t i = 0; i < N; i++) {
        double want = fmax(x[i], 0.0) + log1p(exp(-fabs(x[i])));
        if (want != 0.0 && fabs(want) < 1e-300) continue; /* subnormal results: not compared */
        ck_assert_msg(ulp_err(y[i], want) <= 8.0, "softplus(%.17g) = %.17g, libm %.17g (%s)", x[i],
                      y[i], want, vm_backend());
    }
    free(x);
    free(y);
}
END_TEST

START_TEST(test_extremes_and_specials)
{
    double x[7] = {-1000.0, 1000.0, 0.0, -0.0, INFINITY, -INFINITY, NAN}, y[7];
    vm_sigmoid(x, y, 7);
    ck_assert_msg(y[0] == 0.0 && y[1] == 1.0 && y[2] == 0.5 && y[4] == 1.0 && y[5] == 0.0,
                  "sigmoid at -1000, 1000, 0, inf, -inf: %g %g %g %g %g", y[0], y[1], y[2], y[4],
                  y[5]);
    ck_assert_msg(isnan(y[6]), "sigmoid(NaN) is NaN");
    vm_tanh(x, y, 7);
    ck_assert_msg(y[0] == -1.0 && y[1] == 1.0 && y[2] == 0.0 && y[4] == 1.0 && y[5] == -1.0,
                  "tanh at -1000, 1000, 0, inf, -inf: %g %g %g %g %g", y[0], y[1], y[2], y[4],
                  y[5]);
    ck_assert_msg(signbit(y[3]) && isnan(y[6]), "tanh(-0) = -0, tanh(NaN) = NaN");
    double tiny = 1e-300, t;
    vm_tanh(&tiny, &t, 1);
    ck_assert_msg(t == tiny, "tanh(1e-300) = 1e-300 (full relative precision), got %g", t);
    vm_softplus(x, y, 7);
    ck_assert_msg(y[0] == 0.0 && y[1] == 1000.0 && y[2] == log(2.0) && y[3] == log(2.0) &&
                      isinf(y[4]) && y[5] == 0.0 && isnan(y[6]),
                  "softplus at -1000, 1000, 0, -0, inf, -inf, NaN: %g %g %.17g %.17g %g %g %g",
                  y[0], y[1], y[2], y[3], y[4], y[5], y[6]);
    vm_exp(x, y, 7);
    ck_assert_msg(y[0] == 0.0 && isinf(y[1]) && y[2] == 1.0 && y[5] == 0.0 && isnan(y[6]),
                  "exp at -1000, 1000, 0, -inf, NaN: %g %g %g %g %g", y[0], y[1], y[2], y[5], y[6]);
}
END_TEST

START_TEST(test_in_place_and_short)
{
    double a[5], b[5];
    tu_fill(a, 5, 3.0, 0.7);
    for (size_t n = 0; n <= 5; n++) {
        for (size_t i = 0; i < 5; i++) b[i] = a[i];
        vm_tanh(b, b, n);
        for (size_t i = 0; i < 5; i++) {
            double want = i < n ? tanh(a[i]) : a[i];
            ck_assert_msg(ulp_err(b[i], want) <= 8.0, "in place, n = %zu, i = %zu: %.17g vs %.17g",
                          n, i, b[i], want);
        }
    }
}
END_TEST

Suite *suite_common_vecmath(void)
{
    Suite *s = suite_create("common_vecmath");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_matches_libm);
    tcase_add_test(tc, test_softplus_matches_libm);
    tcase_add_test(tc, test_extremes_and_specials);
    tcase_add_test(tc, test_in_place_and_short);
    suite_add_tcase(s, tc);
    return s;
}
