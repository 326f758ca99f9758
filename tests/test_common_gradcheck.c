/* Tests of common/gradcheck.c: a correct gradient passes, a planted wrong one fails and is
 * named, sampling of large tensors, noise replayed by re-seeding, degenerate cases. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "error.h"
#include "gradcheck.h"
#include "params.h"
#include "testutil.h"

/* z = W x + b, L = sum_j r_j tanh(z_j):  dW[j][k] = r_j (1 - tanh^2 z_j) x_k, db[j] = r_j (1 -
 * tanh^2 z_j). W "enc.weight" (6, 5), b "enc.bias" (6). */
enum { NJ = 6, NK = 5 };
typedef struct {
    params *p;
    double x[NK], r[NJ];
} tanh_ctx;

static double tanh_forward(tanh_ctx *c, double *dz)
{
    const double *W = c->p->data, *b = c->p->data + NJ * NK;
    double L = 0;
    for (int j = 0; j < NJ; j++) {
        double z = b[j];
        for (int k = 0; k < NK; k++) z += W[j * NK + k] * c->x[k];
        double t = tanh(z);
        L += c->r[j] * t;
        if (dz) dz[j] = c->r[j] * (1 - t * t);
    }
    return L;
}

static double tanh_loss(void *c)
{
    return tanh_forward(c, NULL);
}

static void tanh_setup(tanh_ctx *c)
{
    c->p = params_alloc();
    params_declare2(c->p, "enc.weight", NJ, NK);
    params_declare1(c->p, "enc.bias", NJ);
    ck_assert_int_eq(params_commit(c->p), CM_OK);
    tu_fill(c->p->data, c->p->size, 0.61, 0.3);
    tu_fill(c->x, NK, 1.4, 1.0);
    tu_fill(c->r, NJ, 0.9, 2.1);
    double dz[NJ];
    tanh_forward(c, dz);
    for (int j = 0; j < NJ; j++) {
        for (int k = 0; k < NK; k++) c->p->grad[j * NK + k] = dz[j] * c->x[k];
        c->p->grad[NJ * NK + j] = dz[j];
    }
}

START_TEST(test_correct_gradient_passes)
{
    tanh_ctx c;
    tanh_setup(&c);
    double saved[NJ * NK + NJ];
    memcpy(saved, c.p->data, sizeof saved);
    gc_options opt = gc_default_options();
    gc_report reps[2];
    int failed = gc_check_params(c.p, tanh_loss, &c, &opt, reps);
    if (failed) gc_print_table(stderr, reps, 2);
    ck_assert_msg(failed == 0, "a correct gradient: %d tensors failed", failed);
    for (int t = 0; t < 2; t++) {
        ck_assert_msg(reps[t].worst_rel_err < 1e-8, "%s worst rel err %.3e (want ~1e-8 or below)",
                      reps[t].name, reps[t].worst_rel_err);
        ck_assert_msg(reps[t].n_checked == reps[t].n_total, "%s checked on every entry",
                      reps[t].name);
    }
    ck_assert_str_eq(reps[0].name, "enc.weight");
    ck_assert_msg(memcmp(saved, c.p->data, sizeof saved) == 0, "values restored bit-exactly");
    params_free(c.p);
}
END_TEST

START_TEST(test_planted_wrong_gradient_fails)
{
    tanh_ctx c;
    tanh_setup(&c);
    c.p->grad[NJ * NK + 4] *= 1.01; /* enc.bias[4] off by 1% */
    gc_options opt = gc_default_options();
    gc_report reps[2];
    int failed = gc_check_params(c.p, tanh_loss, &c, &opt, reps);
    ck_assert_msg(failed == 1, "one wrong tensor: gc_check_params returned %d", failed);
    ck_assert_msg(reps[0].passed && !reps[1].passed, "enc.weight passes, enc.bias fails");
    ck_assert_str_eq(reps[1].name, "enc.bias");
    ck_assert_msg(reps[1].worst_index == 4, "worst entry is the planted one: %zu",
                  reps[1].worst_index);
    ck_assert_msg(reps[1].worst_rel_err > 1e-3, "1%% error gives rel err ~5e-3: %.3e",
                  reps[1].worst_rel_err);

    /* The printed table names the failing tensor on a FAIL line. */
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    int nf = gc_print_table(f, reps, 2);
    ck_assert_int_eq(nf, 1);
    rewind(f);
    char line[512];
    int saw_fail = 0, saw_pass = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "enc.bias") && strstr(line, "FAIL")) saw_fail = 1;
        if (strstr(line, "enc.weight") && strstr(line, "PASS")) saw_pass = 1;
    }
    fclose(f);
    ck_assert_msg(saw_fail && saw_pass, "table: enc.bias FAIL and enc.weight PASS rows");

    /* A gradient with the wrong sign on a whole tensor. */
    params_free(c.p);
    tanh_setup(&c);
    for (int i = 0; i < NJ * NK; i++) c.p->grad[i] = -c.p->grad[i];
    failed = gc_check_params(c.p, tanh_loss, &c, &opt, reps);
    ck_assert_msg(failed == 1 && !reps[0].passed && reps[0].worst_rel_err == 1.0,
                  "sign flip of enc.weight: rel err exactly 1, got %.17g", reps[0].worst_rel_err);
    params_free(c.p);
}
END_TEST

/* L = 0.5 sum c_i x_i^2 over a 1000-entry tensor: sampling checks max_per_tensor entries. */
static double quad_loss(void *ctx)
{
    double *x = ctx, L = 0;
    for (int i = 0; i < 1000; i++) L += 0.5 * (1 + 0.001 * i) * x[i] * x[i];
    return L / 1000;
}

START_TEST(test_sampling_large_tensor)
{
    static double x[1000], g[1000];
    tu_fill(x, 1000, 1.9, 0.2);
    for (int i = 0; i < 1000; i++) g[i] = (1 + 0.001 * i) * x[i] / 1000;
    gc_options opt = gc_default_options();
    gc_report rep;
    opt.max_per_tensor = 60;
    gc_check_array("big", x, g, 1000, quad_loss, x, &opt, &rep);
    ck_assert_msg(rep.n_checked == 60 && rep.n_total == 1000 && rep.passed,
                  "60 of 1000 sampled and passed: %zu/%zu", rep.n_checked, rep.n_total);
    opt.max_per_tensor = 10;
    gc_check_array("big", x, g, 1000, quad_loss, x, &opt, &rep);
    ck_assert_msg(rep.n_checked == 50, "never fewer than 50: %zu", rep.n_checked);
    /* A single wrong entry among 1000 is found when every entry is checked. */
    g[777] *= 1.5;
    opt.max_per_tensor = 1000;
    gc_check_array("big", x, g, 1000, quad_loss, x, &opt, &rep);
    ck_assert_msg(!rep.passed && rep.worst_index == 777, "wrong entry 777 found: %zu",
                  rep.worst_index);
}
END_TEST

/* A stochastic loss: L = 0.5 sum (x_i + 0.3 eps_i)^2 with eps ~ N(0, 1) drawn inside. */
typedef struct {
    double x[8];
    gsl_rng *rng;
} noisy_ctx;

static double noisy_loss(void *c)
{
    noisy_ctx *n = c;
    double L = 0;
    for (int i = 0; i < 8; i++) {
        double v = n->x[i] + 0.3 * gsl_ran_gaussian(n->rng, 1.0);
        L += 0.5 * v * v;
    }
    return L;
}

START_TEST(test_noise_reseeded)
{
    noisy_ctx n;
    n.rng = gsl_rng_alloc(gsl_rng_mt19937);
    tu_fill(n.x, 8, 1.1, 0.5);
    double g[8];
    gsl_rng_set(n.rng, 2024); /* the analytic pass, under the noise seed */
    for (int i = 0; i < 8; i++) g[i] = n.x[i] + 0.3 * gsl_ran_gaussian(n.rng, 1.0);
    gc_options opt = gc_default_options();
    opt.noise_rng = n.rng;
    opt.noise_seed = 2024;
    gc_report rep;
    gc_check_array("x", n.x, g, 8, noisy_loss, &n, &opt, &rep);
    ck_assert_msg(rep.passed, "same noise in every evaluation: worst rel err %.3e",
                  rep.worst_rel_err);
    opt.noise_rng = NULL; /* the noise now differs between L(x+h) and L(x-h) */
    gc_check_array("x", n.x, g, 8, noisy_loss, &n, &opt, &rep);
    ck_assert_msg(!rep.passed, "without re-seeding the check must fail: %.3e", rep.worst_rel_err);
    gsl_rng_free(n.rng);
}
END_TEST

static double nan_loss(void *ctx)
{
    (void)ctx;
    return NAN;
}

static double const_loss(void *ctx)
{
    (void)ctx;
    return 2.385;
}

START_TEST(test_degenerate_cases)
{
    double x[3] = {0.1, 0.2, 0.3}, g[3] = {0, 0, 0}, g1[3] = {1, 1, 1};
    gc_report rep;
    gc_check_array("flat", x, g, 3, const_loss, NULL, NULL, &rep);
    ck_assert_msg(!rep.passed && rep.max_abs_grad == 0, "an all-zero gradient proves nothing");
    gc_check_array("nan", x, g1, 3, nan_loss, NULL, NULL, &rep);
    ck_assert_msg(!rep.passed && isinf(rep.worst_rel_err), "a NaN loss fails: %g",
                  rep.worst_rel_err);
    /* a NaN analytic gradient after the first entry: rel is NaN there, and NaN > worst is
     * false, so without the guard it would be skipped and the check would pass */
    double gnan[3] = {0.0, 0.0, NAN};
    gc_check_array("nan grad", x, gnan, 3, const_loss, NULL, NULL, &rep);
    ck_assert_msg(!rep.passed && isinf(rep.worst_rel_err) && rep.worst_index == 2,
                  "a NaN gradient at index 2 fails there: worst %g at %zu", rep.worst_rel_err,
                  rep.worst_index);
    gc_options bad = gc_default_options();
    bad.h = 0;
    ck_assert_int_eq(gc_check_array("x", x, g1, 3, const_loss, NULL, &bad, &rep), CM_EINVAL);
    params *p = params_alloc();
    ck_assert_int_eq(gc_check_params(p, const_loss, NULL, NULL, &rep), -1);
    params_free(p);
}
END_TEST

Suite *suite_common_gradcheck(void)
{
    Suite *s = suite_create("common_gradcheck");
    TCase *tc = tcase_create("gradcheck");
    tcase_add_test(tc, test_correct_gradient_passes);
    tcase_add_test(tc, test_planted_wrong_gradient_fails);
    tcase_add_test(tc, test_sampling_large_tensor);
    tcase_add_test(tc, test_noise_reseeded);
    tcase_add_test(tc, test_degenerate_cases);
    suite_add_tcase(s, tc);
    return s;
}
