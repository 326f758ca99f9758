/* Tests of common/toy2d.c: the generators are seeded and land where they should, and the exact
 * mixture score is the gradient of the mixture's log density (central differences), also after
 * noising, with known answers for one component. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "error.h"
#include "toy2d.h"

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* grad log p by central differences of toy2d_gmm_logpdf, against toy2d_gmm_score. */
START_TEST(test_score_is_gradient_of_logpdf)
{
    toy2d_gmm g;
    ck_assert_int_eq(toy2d_gmm_ring(&g, 8, 4.0, 0.2), CM_OK);
    g.w[0] = 0.2, g.w[1] = 0.05; /* unequal weights, still summing to 1 */
    g.sd[3] = 0.7;
    ck_assert_int_eq(toy2d_gmm_validate(&g), CM_OK);
    const double sigmas[] = {0.0, 0.05, 0.7, 2.385};
    const double pts[][2] = {{0.3, -1.7}, {3.9, 0.2}, {-2.8, 2.9}, {7.5, -6.0}, {0, 0}};
    double worst = 0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 5; b++) {
            double s[2], h = 1e-5;
            toy2d_gmm_score(&g, sigmas[a], pts[b], s);
            for (int k = 0; k < 2; k++) {
                double xp[2] = {pts[b][0], pts[b][1]}, xm[2] = {pts[b][0], pts[b][1]};
                xp[k] += h, xm[k] -= h;
                double num =
                    (toy2d_gmm_logpdf(&g, sigmas[a], xp) - toy2d_gmm_logpdf(&g, sigmas[a], xm)) /
                    (2 * h);
                double rel = fabs(num - s[k]) / fmax(fabs(num) + fabs(s[k]), 1e-3);
                if (rel > worst) worst = rel;
                ck_assert_msg(rel < 1e-6,
                              "sigma %g point (%g, %g) coord %d: score %.10g, numeric %.10g",
                              sigmas[a], pts[b][0], pts[b][1], k, s[k], num);
            }
        }
    ck_assert_msg(worst > 0, "the comparison compared nothing");
}
END_TEST

/* One component: the score of N(mu, (sd^2 + sigma^2) I) is (mu - x) / (sd^2 + sigma^2), and far
 * from every component (log space) it stays finite. */
START_TEST(test_score_known_answer)
{
    toy2d_gmm g = {.k = 1, .w = {1.0}, .mu = {{1.5, -0.5}}, .sd = {0.8}};
    double x[2] = {2.385, 1.25}, s[2];
    double lp = toy2d_gmm_score(&g, 0.6, x, s);
    double v = 0.64 + 0.36;
    ck_assert_msg(fabs(s[0] - (1.5 - 2.385) / v) < 1e-15 && fabs(s[1] - (-0.5 - 1.25) / v) < 1e-15,
                  "score (%.17g, %.17g)", s[0], s[1]);
    double want = -log(2 * M_PI * v) - 0.5 * ((0.885 * 0.885) + 1.75 * 1.75) / v;
    ck_assert_msg(fabs(lp - want) < 1e-14, "log p %.17g, want %.17g", lp, want);
    toy2d_gmm r;
    toy2d_gmm_ring(&r, 8, 4.0, 0.05);
    double far[2] = {300, -250};
    toy2d_gmm_score(&r, 0.0, far, s);
    ck_assert_msg(isfinite(s[0]) && isfinite(s[1]) && s[0] < 0 && s[1] > 0,
                  "far away the score points back, finite: (%g, %g)", s[0], s[1]);
}
END_TEST

START_TEST(test_gmm_sample_weights_and_moments)
{
    toy2d_gmm g;
    ck_assert_int_eq(toy2d_gmm_two_modes(&g, 0.8, 5.0, 1.0), CM_OK);
    gsl_rng *r = rng(11);
    gsl_matrix *X = gsl_matrix_alloc(20000, 2);
    int *lab = calloc(20000, sizeof(int));
    ck_assert_int_eq(toy2d_gmm_sample(&g, r, X, lab), CM_OK);
    double n0 = 0, m0 = 0;
    for (size_t i = 0; i < 20000; i++)
        if (lab[i] == 0) n0++, m0 += gsl_matrix_get(X, i, 0);
    ck_assert_msg(fabs(n0 / 20000 - 0.8) < 0.01, "share of component 0: %g, want 0.8", n0 / 20000);
    ck_assert_msg(fabs(m0 / n0 + 5) < 0.05, "mean x of component 0: %g, want -5", m0 / n0);
    /* the same seed gives the same draws */
    gsl_matrix *Y = gsl_matrix_alloc(20000, 2);
    gsl_rng_set(r, 11);
    toy2d_gmm_sample(&g, r, Y, NULL);
    ck_assert_msg(gsl_matrix_equal(X, Y), "same seed, other draws");
    gsl_matrix_free(X), gsl_matrix_free(Y), free(lab);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_shapes)
{
    gsl_rng *r = rng(5);
    gsl_matrix *X = gsl_matrix_alloc(4000, 2);
    /* two moons: every point within noise of one of the two half circles */
    ck_assert_int_eq(toy2d_moons(r, X, 0.0), CM_OK);
    for (size_t i = 0; i < 4000; i++) {
        double x = gsl_matrix_get(X, i, 0), y = gsl_matrix_get(X, i, 1);
        double d1 = fabs(hypot(x, y) - 1), d2 = fabs(hypot(x - 1, y - 0.5) - 1);
        ck_assert_msg((d1 < 1e-12 && y >= -1e-12) || (d2 < 1e-12 && y <= 0.5 + 1e-12),
                      "moon point (%g, %g) on neither half circle", x, y);
    }
    /* checkerboard: inside [-4, 4]^2, on dark squares only, every dark square used */
    ck_assert_int_eq(toy2d_checkerboard(r, X), CM_OK);
    int used[16] = {0};
    for (size_t i = 0; i < 4000; i++) {
        double x = gsl_matrix_get(X, i, 0), y = gsl_matrix_get(X, i, 1);
        ck_assert(x >= -4 && x < 4 && y >= -4 && y < 4);
        int col = (int)floor((x + 4) / 2), row = (int)floor((y + 4) / 2);
        ck_assert_msg((col + row) % 2 == 0, "(%g, %g) on a light square", x, y);
        used[row * 4 + col] = 1;
    }
    int n = 0;
    for (int k = 0; k < 16; k++) n += used[k];
    ck_assert_int_eq(n, 8);
    /* swiss roll: radius t/3 with t in [1.5 pi, 4.5 pi] */
    ck_assert_int_eq(toy2d_swiss_roll(r, X, 0.0), CM_OK);
    for (size_t i = 0; i < 4000; i++) {
        double rad = hypot(gsl_matrix_get(X, i, 0), gsl_matrix_get(X, i, 1));
        ck_assert_msg(rad >= 0.5 * M_PI - 1e-12 && rad <= 1.5 * M_PI + 1e-12, "radius %g", rad);
    }
    gsl_matrix_free(X);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_bad_mixtures)
{
    toy2d_gmm g;
    ck_assert_int_eq(toy2d_gmm_ring(&g, 0, 1.0, 0.1), CM_EINVAL);
    ck_assert_int_eq(toy2d_gmm_ring(&g, 3, 1.0, 0.0), CM_EINVAL);
    ck_assert_int_eq(toy2d_gmm_two_modes(&g, 1.0, 5.0, 1.0), CM_EINVAL);
    toy2d_gmm_ring(&g, 4, 1.0, 0.1);
    g.w[2] = 0.5;
    ck_assert_int_eq(toy2d_gmm_validate(&g), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "sum") != NULL, "message: %s", cm_errmsg());
    double x[2] = {0.9, 0.2};
    ck_assert_int_eq(toy2d_gmm_nearest(&g, x), 0);
}
END_TEST

Suite *suite_common_toy2d(void)
{
    Suite *s = suite_create("common_toy2d");
    TCase *tc = tcase_create("toy2d");
    tcase_add_test(tc, test_score_is_gradient_of_logpdf);
    tcase_add_test(tc, test_score_known_answer);
    tcase_add_test(tc, test_gmm_sample_weights_and_moments);
    tcase_add_test(tc, test_shapes);
    tcase_add_test(tc, test_bad_mixtures);
    suite_add_tcase(s, tc);
    return s;
}
