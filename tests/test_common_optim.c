/* Tests of common/optim.c: SGD and Adam against hand computations and torch.optim's numbers,
 * gradient clipping, learning-rate schedules. The problem: the quadratic
 * f(w) = 0.5 (2.0 w0^2 + 0.5 w1^2), gradient g = (2.0 w0, 0.5 w1), from w = (1.5, -0.8). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "error.h"
#include "optim.h"
#include "testutil.h"

static const double C[2] = {2.0, 0.5};

static void quad_grad(const double *w, double *g)
{
    for (int i = 0; i < 2; i++) g[i] = C[i] * w[i];
}

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

/* Adam, lr 0.1, betas (0.9, 0.999), eps 1e-8, two steps, written out by hand:
 *   t=1: g1 = (3.0, -0.4); m1 = 0.1 g1; v1 = 0.001 g1^2;
 *        mhat = m1 / (1 - 0.9) = g1; vhat = v1 / (1 - 0.999) = g1^2;
 *        w1 = w0 - 0.1 g1 / (|g1| + 1e-8) = (1.5 - 0.1 * 3/(3 + 1e-8), -0.8 + 0.1 * 0.4/(0.4 + 1e-8))
 *           ~ (1.4000000003333, -0.70000000025)
 *   t=2: g2 = C w1; m2 = 0.9 m1 + 0.1 g2; v2 = 0.999 v1 + 0.001 g2^2;
 *        w2 = w1 - 0.1 (m2 / 0.19) / (sqrt(v2 / 0.001999) + 1e-8)
 * torch.optim.Adam gives w2 = (1.3002390622922801, -0.60056828796385053). */
START_TEST(test_adam_two_steps)
{
    double w[2] = {1.5, -0.8}, g[2];
    adam o;
    ck_assert_int_eq(adam_init(&o, 2, 0.1, 0.9, 0.999, 1e-8, 0.0), CM_OK);
    for (int s = 0; s < 2; s++) {
        quad_grad(w, g);
        adam_step(&o, w, g);
    }
    double hand[2];
    for (int i = 0; i < 2; i++) {
        double w0 = i == 0 ? 1.5 : -0.8;
        double g1 = C[i] * w0, m1 = 0.1 * g1, v1 = 0.001 * g1 * g1;
        double w1 = w0 - 0.1 * (m1 / 0.1) / (sqrt(v1 / 0.001) + 1e-8);
        double g2 = C[i] * w1, m2 = 0.9 * m1 + 0.1 * g2, v2 = 0.999 * v1 + 0.001 * g2 * g2;
        hand[i] = w1 - 0.1 * (m2 / (1 - 0.81)) / (sqrt(v2 / (1 - 0.998001)) + 1e-8);
    }
    const double torch_w[2] = {1.3002390622922801, -0.60056828796385053};
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(close_rel(w[i], hand[i], 1e-14), "Adam w[%d] = %.17g, by hand %.17g", i, w[i],
                      hand[i]);
        ck_assert_msg(close_rel(w[i], torch_w[i], 1e-14), "Adam w[%d] = %.17g, torch %.17g", i,
                      w[i], torch_w[i]);
    }
    ck_assert_msg(o.t == 2, "Adam counted 2 steps");
    adam_free(&o);

    /* With weight decay 0.05 (g += 0.05 w), torch gives (1.3002390622757898, -0.60056828749796465). */
    double v[2] = {1.5, -0.8};
    const double torch_wd[2] = {1.3002390622757898, -0.60056828749796465};
    adam_init(&o, 2, 0.1, 0.9, 0.999, 1e-8, 0.05);
    for (int s = 0; s < 2; s++) {
        quad_grad(v, g);
        adam_step(&o, v, g);
    }
    for (int i = 0; i < 2; i++)
        ck_assert_msg(close_rel(v[i], torch_wd[i], 1e-14), "Adam+wd w[%d] = %.17g, torch %.17g", i,
                      v[i], torch_wd[i]);
    adam_free(&o);
}
END_TEST

/* SGD lr 0.1, momentum 0.9, weight decay 0.01, by hand:
 *   step 1: d1 = C w0 + 0.01 w0 = (3.015, -0.408); buf = d1; w1 = w0 - 0.1 d1 = (1.1985, -0.7592)
 *   step 2: d2 = C w1 + 0.01 w1 = (2.408985, -0.387192);
 *           buf = 0.9 d1 + d2 = (5.122485, -0.754392); w2 = w1 - 0.1 buf = (0.6862515, -0.6837608)
 * torch.optim.SGD: (0.6862514999999999, -0.68376079999999995); nesterov=True:
 * (0.32885641499999985, -0.61942368800000003). */
START_TEST(test_sgd_momentum_weight_decay)
{
    double w[2] = {1.5, -0.8}, g[2];
    sgd o;
    ck_assert_int_eq(sgd_init(&o, 2, 0.1, 0.9, 0.01, 0), CM_OK);
    quad_grad(w, g);
    sgd_step(&o, w, g);
    ck_assert_msg(close_rel(w[0], 1.1985, 1e-15) && close_rel(w[1], -0.7592, 1e-15),
                  "SGD step 1: (%.17g, %.17g), by hand (1.1985, -0.7592)", w[0], w[1]);
    ck_assert_msg(close_rel(o.buf[0], 3.015, 1e-15), "first buffer is d1 (no momentum yet)");
    quad_grad(w, g);
    sgd_step(&o, w, g);
    ck_assert_msg(close_rel(o.buf[0], 5.122485, 1e-14) && close_rel(o.buf[1], -0.754392, 1e-14),
                  "SGD buffer after 2 steps (%.17g, %.17g)", o.buf[0], o.buf[1]);
    ck_assert_msg(close_rel(w[0], 0.6862515, 1e-14) && close_rel(w[1], -0.6837608, 1e-14),
                  "SGD step 2: (%.17g, %.17g), by hand (0.6862515, -0.6837608)", w[0], w[1]);
    ck_assert_msg(close_rel(w[0], 0.6862514999999999, 1e-15) &&
                      close_rel(w[1], -0.68376079999999995, 1e-15),
                  "SGD matches torch");
    sgd_free(&o);

    double v[2] = {1.5, -0.8};
    sgd_init(&o, 2, 0.1, 0.9, 0.01, 1);
    for (int s = 0; s < 2; s++) {
        quad_grad(v, g);
        sgd_step(&o, v, g);
    }
    ck_assert_msg(close_rel(v[0], 0.32885641499999985, 1e-14) &&
                      close_rel(v[1], -0.61942368800000003, 1e-14),
                  "nesterov SGD (%.17g, %.17g) matches torch", v[0], v[1]);
    sgd_free(&o);

    /* Plain SGD: w -= lr g. */
    double u[2] = {1.5, -0.8};
    sgd_init(&o, 2, 0.25, 0.0, 0.0, 0);
    quad_grad(u, g);
    sgd_step(&o, u, g);
    ck_assert_msg(u[0] == 1.5 - 0.25 * 3.0 && u[1] == -0.8 + 0.25 * 0.4, "plain SGD step");
    sgd_free(&o);

    ck_assert_int_eq(sgd_init(&o, 2, -0.1, 0.9, 0.0, 0), CM_EINVAL);
    ck_assert_int_eq(sgd_init(&o, 2, 0.1, 0.0, 0.0, 1), CM_EINVAL);
    adam a;
    ck_assert_int_eq(adam_init(&a, 2, 0.1, 1.0, 0.999, 1e-8, 0), CM_EINVAL);
}
END_TEST

START_TEST(test_clip_grad_norm)
{
    double g[2] = {3.0, -4.0};
    double n = clip_grad_norm(g, 2, 1.0);
    ck_assert_msg(n == 5.0, "returns the norm before clipping: %.17g", n);
    double f = 1.0 / (5.0 + 1e-6);
    ck_assert_msg(close_rel(g[0], 3.0 * f, 1e-15) && close_rel(g[1], -4.0 * f, 1e-15),
                  "scaled by max_norm/(norm + 1e-6): (%.17g, %.17g)", g[0], g[1]);
    double after = sqrt(g[0] * g[0] + g[1] * g[1]);
    ck_assert_msg(after <= 1.0 && after > 1.0 - 1e-6, "new norm %.17g just under max 1", after);

    double h[2] = {3.0, -4.0};
    clip_grad_norm(h, 2, 10.0);
    ck_assert_msg(h[0] == 3.0 && h[1] == -4.0, "under max_norm: unchanged");
    clip_grad_norm(h, 2, 0.0);
    ck_assert_msg(h[0] == 3.0 && h[1] == -4.0, "max_norm 0: no clipping");

    enum { N = 1000 };
    double big[N];
    tu_fill(big, N, 2.385, 0.1);
    double before = clip_grad_norm(big, N, 0.75), ss = 0;
    for (int i = 0; i < N; i++) ss += big[i] * big[i];
    ck_assert_msg(before > 0.75 && close_rel(sqrt(ss), 0.75 * before / (before + 1e-6), 1e-13),
                  "1000-vector clipped to %.17g (max 0.75, was %.6g)", sqrt(ss), before);
}
END_TEST

START_TEST(test_lr_schedules)
{
    ck_assert_msg(lr_at(LR_CONSTANT, 0.3, 50, 100, 0.1) == 0.3, "constant");
    ck_assert_msg(lr_at(LR_LINEAR, 0.3, 0, 100, 0.1) == 0.3, "linear starts at base");
    ck_assert_msg(close_rel(lr_at(LR_LINEAR, 0.3, 50, 100, 0.1), 0.165, 1e-15),
                  "linear halfway (0.3 + 0.03)/2 = 0.165: %.17g",
                  lr_at(LR_LINEAR, 0.3, 50, 100, 0.1));
    ck_assert_msg(close_rel(lr_at(LR_LINEAR, 0.3, 100, 100, 0.1), 0.03, 1e-15),
                  "linear ends at 0.03");
    ck_assert_msg(close_rel(lr_at(LR_LINEAR, 0.3, 250, 100, 0.1), 0.03, 1e-15), "clamped past end");
    ck_assert_msg(lr_at(LR_COSINE, 0.3, 0, 100, 0.1) == 0.3, "cosine starts at base");
    ck_assert_msg(close_rel(lr_at(LR_COSINE, 0.3, 50, 100, 0.1), 0.165, 1e-15), "cosine halfway");
    double q = 0.03 + 0.27 * 0.5 * (1 + cos(M_PI * 0.25));
    ck_assert_msg(close_rel(lr_at(LR_COSINE, 0.3, 25, 100, 0.1), q, 1e-15),
                  "cosine a quarter in: %.17g vs %.17g", lr_at(LR_COSINE, 0.3, 25, 100, 0.1), q);
    lr_kind k;
    ck_assert_int_eq(lr_parse("cosine", &k), CM_OK);
    ck_assert_int_eq(k, LR_COSINE);
    ck_assert_int_eq(lr_parse("step", &k), CM_EINVAL);
}
END_TEST

Suite *suite_common_optim(void)
{
    Suite *s = suite_create("common_optim");
    TCase *tc = tcase_create("optim");
    tcase_add_test(tc, test_adam_two_steps);
    tcase_add_test(tc, test_sgd_momentum_weight_decay);
    tcase_add_test(tc, test_clip_grad_norm);
    tcase_add_test(tc, test_lr_schedules);
    suite_add_tcase(s, tc);
    return s;
}
