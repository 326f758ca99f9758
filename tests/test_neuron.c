/* test_neuron.c: chapter 00 (bin/neuron): gradient checks of every model and loss, the
 * perceptron with and without a bias, known answers, training behaviour, the golden output of
 * `neuron --quick`, and bad invocations. The exercises neuron-1..3 are each caught here:
 * neuron-1 (perceptron update) by test_perceptron_*, neuron-2 (MLP backward) and neuron-3
 * (smooth accuracy gradient) by test_gradcheck_* and the known-answer gradient tests. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <gsl/gsl_rng.h>

#include "gradcases.h"
#include "perceptron.h"
#include "surrogate.h"
#include "testutil.h"
#include "train.h"

/* ---- gradient checks ---------------------------------------------------------------------- */

static void gradcheck_case(neuron_gc_case c)
{
    gc_report reps[NEURON_GC_MAX_REPORTS];
    size_t n = 0;
    int failed = neuron_gradcheck_case(c, 20240601UL, reps, &n);
    ck_assert_msg(failed >= 0, "%s: gradient check could not run", neuron_gc_case_name(c));
    ck_assert_msg(n >= 3, "%s: only %zu reports", neuron_gc_case_name(c), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(reps[i].max_abs_grad > 1e-6,
                      "%s: tensor %s: analytic gradient is zero everywhere (%g): the check would "
                      "prove nothing",
                      neuron_gc_case_name(c), reps[i].name, reps[i].max_abs_grad);
        ck_assert_msg(
            reps[i].worst_rel_err <= 1e-6 && reps[i].passed,
            "%s: tensor %s: worst relative error %.3g > 1e-6 at index %zu (analytic %.10g, "
            "numeric %.10g)",
            neuron_gc_case_name(c), reps[i].name, reps[i].worst_rel_err, reps[i].worst_index,
            reps[i].analytic, reps[i].numeric);
        ck_assert_msg(reps[i].n_checked == reps[i].n_total, "%s: %s: checked %zu of %zu",
                      neuron_gc_case_name(c), reps[i].name, reps[i].n_checked, reps[i].n_total);
    }
    ck_assert_int_eq(failed, 0);
}

START_TEST(test_gradcheck_logistic)
{
    gradcheck_case(NEURON_GC_LOGISTIC);
}
END_TEST
START_TEST(test_gradcheck_softmax_ce)
{
    gradcheck_case(NEURON_GC_SOFTMAX_CE);
}
END_TEST
START_TEST(test_gradcheck_softmax_smooth)
{
    gradcheck_case(NEURON_GC_SOFTMAX_SMOOTH);
}
END_TEST
START_TEST(test_gradcheck_mlp_ce)
{
    gradcheck_case(NEURON_GC_MLP_CE);
}
END_TEST
START_TEST(test_gradcheck_mlp_smooth)
{
    gradcheck_case(NEURON_GC_MLP_SMOOTH);
}
END_TEST

/* ---- the perceptron ---------------------------------------------------------------------- */

/* Hand computation: from w = 0, b = 0 the point (2.385, -1.25) with y = +1 has margin 0, a
 * mistake: w = (2.385, -1.25), b = 1. Then it is right (margin 2.385^2 + 1.25^2 + 1 > 0). */
START_TEST(test_perceptron_step_known)
{
    neuron_perceptron p;
    neuron_perceptron_reset(&p, 1);
    double x[2] = {2.385, -1.25};
    ck_assert_msg(neuron_perceptron_step(&p, x, +1) == 1, "a zero margin must count as a mistake");
    ck_assert_msg(p.w[0] == 2.385 && p.w[1] == -1.25 && p.b == 1.0,
                  "after w += y x, b += y: expected w (2.385, -1.25), b 1, got (%g, %g), %g",
                  p.w[0], p.w[1], p.b);
    ck_assert_msg(neuron_perceptron_step(&p, x, +1) == 0, "a right answer must not update");
    double x2[2] = {1.5, 0.5}; /* margin 2.385*1.5 - 0.625 + 1 > 0 but y = -1: mistake */
    ck_assert_int_eq(neuron_perceptron_step(&p, x2, -1), 1);
    ck_assert_msg(fabs(p.w[0] - 0.885) < 1e-15 && fabs(p.w[1] + 1.75) < 1e-15 && p.b == 0.0,
                  "second update: expected w (0.885, -1.75), b 0, got (%g, %g), %g", p.w[0], p.w[1],
                  p.b);
    neuron_perceptron q;
    neuron_perceptron_reset(&q, 0);
    neuron_perceptron_step(&q, x, +1);
    ck_assert_msg(q.b == 0.0, "without a bias b must stay 0, got %g", q.b);
}
END_TEST

START_TEST(test_perceptron_bias_needed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    gsl_matrix *X = gsl_matrix_alloc(80, 2);
    int y[80];
    neuron_perceptron_data(r, 40, X, y);
    neuron_perceptron with, without;
    neuron_perceptron_reset(&with, 1);
    neuron_perceptron_train(&with, X, y, 500);
    neuron_perceptron_reset(&without, 0);
    neuron_perceptron_train(&without, X, y, 500);
    ck_assert_msg(with.errors == 0,
                  "with a bias the perceptron must separate the set: %zu errors "
                  "after %ld epochs",
                  with.errors, with.epochs);
    ck_assert_msg(with.epochs < 500, "with a bias it must stop early, ran %ld epochs", with.epochs);
    ck_assert_msg(without.best_errors >= 8,
                  "without a bias the line passes the origin: expected >= 10%% errors, best %zu",
                  without.best_errors);
    ck_assert_msg(without.epochs == 500, "without a bias it never converges; stopped at %ld",
                  without.epochs);
    gsl_matrix_free(X);
    gsl_rng_free(r);
}
END_TEST

/* ---- losses: known answers ------------------------------------------------------------- */

/* The MLP  D = 2, H = 2, K = 2 on two samples, by hand:
 *   W1 = [[1,-1],[0.5,2]], b1 = [0,-1], W2 = [[1,0],[-1,1]], b2 = [0.5,0]
 *   x = (1,2), y = 0:  a1 = (-1, 3.5), h1 = (0, 3.5), z = (0.5, 3.5), CE = 3 + log(1+e^-3)
 *   x = (3,-1), y = 1: a1 = (4, -1.5), h1 = (4, 0),   z = (4.5, -4), CE = 8.5 + log(1+e^-8.5)
 *   mean CE = (11.5 + log(1+e^-3) + log(1+e^-8.5)) / 2
 *   p_y = 1/(1+e^3) and 1/(1+e^8.5): smooth loss = 1 - (p1 + p2)/2. */
START_TEST(test_mlp_known_answer)
{
    neuron_clf *c = neuron_clf_alloc(NEURON_MODEL_MLP, 2, 2, 2, 2);
    ck_assert_ptr_nonnull(c);
    const double w[] = {1, -1, 0.5, 2, 0, -1, 1, 0, -1, 1, 0.5, 0}; /* fc1.w fc1.b fc2.w fc2.b */
    ck_assert_uint_eq(c->p->size, 12);
    memcpy(c->p->data, w, sizeof w);
    double xs[] = {1, 2, 3, -1};
    gsl_matrix_view X = gsl_matrix_view_array(xs, 2, 2);
    int y[] = {0, 1};
    double ce = neuron_clf_loss_backward(c, &X.matrix, y, NEURON_LOSS_CE, NULL);
    double want = (11.5 + log1p(exp(-3.0)) + log1p(exp(-8.5))) / 2;
    ck_assert_msg(fabs(ce - want) < 1e-14, "MLP CE: got %.17g, hand computation %.17g", ce, want);
    double sm = neuron_clf_loss_backward(c, &X.matrix, y, NEURON_LOSS_SMOOTH, NULL);
    double want_sm = 1 - (1 / (1 + exp(3.0)) + 1 / (1 + exp(8.5))) / 2;
    ck_assert_msg(fabs(sm - want_sm) < 1e-14, "MLP smooth loss: got %.17g, want %.17g", sm,
                  want_sm);
    /* fc2.bias gradient of CE = mean over samples of (p - onehot):
     * sample 1: p0 = 1/(1+e^3), (p0 - 1, 1 - p0) ; sample 2: p1 = 1/(1+e^8.5), (1 - p1, p1 - 1) */
    neuron_clf_loss_backward(c, &X.matrix, y, NEURON_LOSS_CE, NULL);
    double p0 = 1 / (1 + exp(3.0)), p1 = 1 / (1 + exp(8.5));
    double db0 = ((p0 - 1) + (1 - p1)) / 2;
    double *g = params_grad_ptr(c->p, params_find(c->p, "fc2.bias"));
    ck_assert_msg(fabs(g[0] - db0) < 1e-14 && fabs(g[1] + db0) < 1e-14,
                  "fc2.bias grad: got (%.17g, %.17g), want (%.17g, %.17g)", g[0], g[1], db0, -db0);
    neuron_clf_free(c);
}
END_TEST

/* The surrogate's gradient carries p_y: for a sample the model gets confidently wrong it
 * vanishes, while cross-entropy's stays about 1. Logits (0, 10), label 0: p_y = 1/(1+e^10). */
START_TEST(test_smooth_gradient_vanishes)
{
    double z[] = {0.0, 10.0}, dce[2], dsm[2];
    int y = 0;
    gsl_matrix_view Z = gsl_matrix_view_array(z, 1, 2);
    gsl_matrix_view Dce = gsl_matrix_view_array(dce, 1, 2), Dsm = gsl_matrix_view_array(dsm, 1, 2);
    neuron_loss(NEURON_LOSS_CE, &Z.matrix, &y, &Dce.matrix);
    neuron_loss(NEURON_LOSS_SMOOTH, &Z.matrix, &y, &Dsm.matrix);
    double py = 1 / (1 + exp(10.0));
    ck_assert_msg(fabs(dce[0] - (py - 1)) < 1e-15, "CE dz0: got %g, want p_y - 1 = %g", dce[0],
                  py - 1);
    ck_assert_msg(fabs(dsm[0] - (-py * (1 - py))) < 1e-18,
                  "smooth dz0: got %.17g, want -p_y (1 - p_y) = %.17g", dsm[0], -py * (1 - py));
    ck_assert_msg(fabs(dsm[0]) < 1e-4 * fabs(dce[0]), "surrogate gradient %g should vanish vs %g",
                  dsm[0], dce[0]);
}
END_TEST

/* ---- training behaviour --------------------------------------------------------------------- */

/* Three Gaussian blobs in 5-D, 60 train / 30 test rows. */
static neuron_split *blobs(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    neuron_split *s = calloc(1, sizeof *s);
    s->ntr = 60, s->nte = 30, s->d = 5, s->k = 3;
    s->Xtr = gsl_matrix_alloc(60, 5), s->Xte = gsl_matrix_alloc(30, 5);
    s->ytr = calloc(60, sizeof(int)), s->yte = calloc(30, sizeof(int));
    for (size_t i = 0; i < 90; i++) {
        int k = (int)(i % 3);
        gsl_matrix *X = i < 60 ? s->Xtr : s->Xte;
        size_t row = i < 60 ? i : i - 60;
        (i < 60 ? s->ytr : s->yte)[row] = k;
        for (size_t j = 0; j < 5; j++)
            gsl_matrix_set(X, row, j, (j == (size_t)k ? 2.385 : 0.0) + 0.7 * sin(1.7 * i + j));
    }
    gsl_rng_free(r);
    return s;
}

static void train_blobs(neuron_model_kind kind, neuron_loss_kind loss, double lr, int adam,
                        long epochs, neuron_train_result *res)
{
    neuron_split *s = blobs(3);
    neuron_clf *c = neuron_clf_alloc(kind, 5, 16, 3, 64);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    neuron_clf_init(c, r);
    neuron_train_cfg cfg = {.epochs = epochs,
                            .batch = 8,
                            .lr = lr,
                            .momentum = 0.9,
                            .adam = adam,
                            .loss = loss,
                            .quiet = 1};
    ck_assert_int_eq(neuron_train(c, s, &cfg, r, res), 0);
    gsl_rng_free(r);
    neuron_clf_free(c);
    neuron_split_free(s);
}

START_TEST(test_loss_falls)
{
    static const neuron_model_kind kinds[] = {NEURON_MODEL_SOFTMAX, NEURON_MODEL_MLP};
    for (int k = 0; k < 2; k++)
        for (int l = 0; l < 2; l++) {
            neuron_train_result res;
            train_blobs(kinds[k], (neuron_loss_kind)l, l ? 0.1 : 0.02, l == 0, 30, &res);
            ck_assert_msg(res.curve_loss[29] < 0.5 * res.curve_loss[0],
                          "model %d loss %s: train loss %g -> %g, expected to halve", k,
                          neuron_loss_name((neuron_loss_kind)l), res.curve_loss[0],
                          res.curve_loss[29]);
            ck_assert_msg(res.test_acc >= 0.9, "model %d loss %s: test accuracy %g < 0.9", k,
                          neuron_loss_name((neuron_loss_kind)l), res.test_acc);
            neuron_train_result_free(&res);
        }
}
END_TEST

START_TEST(test_same_seed_same_numbers)
{
    neuron_train_result a, b;
    train_blobs(NEURON_MODEL_MLP, NEURON_LOSS_CE, 0.01, 1, 5, &a);
    train_blobs(NEURON_MODEL_MLP, NEURON_LOSS_CE, 0.01, 1, 5, &b);
    for (int e = 0; e < 5; e++)
        ck_assert_msg(a.curve_loss[e] == b.curve_loss[e] && a.curve_acc[e] == b.curve_acc[e],
                      "epoch %d: same seed gave %.17g and %.17g", e, a.curve_loss[e],
                      b.curve_loss[e]);
    neuron_train_result_free(&a);
    neuron_train_result_free(&b);
}
END_TEST

/* ---- the program: golden output and bad invocations ---------------------------------------- */

/* The golden test. Tolerance: see the header of chapters/00-neuron/expected_output.txt (|got -
 * expected| <= 1e-4 on every number: the printed 6 decimals and last-bit drift of another
 * CPU's BLAS kernels pass; one flipped test prediction (>= 1/360 = 2.8e-3) does not). */
START_TEST(test_golden_quick)
{
    const char *dir = tu_tmpdir("neuron-golden");
    char cmd[1024], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s/neuron --quick --plot none --quiet --out %s", tu_bin_dir(), dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 0, "%s: exit %d, stderr: %s", cmd, st, err ? err : "");
    tu_check_golden(out, "chapters/00-neuron/expected_output.txt", 1e-4, 0, 10);
    ck_assert_msg(strstr(out, "\nsummary: ") != NULL, "no summary line in the output");
    char png[1100];
    snprintf(png, sizeof png, "%s/surrogate.gp", dir);
    struct stat sb;
    ck_assert_msg(stat(png, &sb) == 0, "--quick did not write %s", png);
    free(out);
    free(err);
    tu_rmtree(dir);
}
END_TEST

/* Each bad invocation: exit 2, one line on stderr naming the problem, nothing created. */
START_TEST(test_bad_invocations)
{
    const char *base = tu_tmpdir("neuron-bad");
    static const char *const cases[][2] = {
        {"--frobnicate", "frobnicate"},
        {"mlp --epochs -3", "--epochs"},
        {"mlp --hidden 12x", "--hidden"},
        {"softmax --data /nonexistent/iris.csv", "nonexistent"},
        {"nosuchcommand", "nosuchcommand"},
        {"eval --load /nonexistent/ckpt", "nonexistent"},
        {"mlp --optimizer rmsprop", "rmsprop"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[1024], outdir[600], *out = NULL, *err = NULL;
        snprintf(outdir, sizeof outdir, "%s/out%zu", base, i);
        snprintf(cmd, sizeof cmd, "%s/neuron %s --out %s", tu_bin_dir(), cases[i][0], outdir);
        int st = tu_run(cmd, &out, &err);
        ck_assert_msg(st == 2, "`%s`: exit %d, expected 2 (stderr: %s)", cases[i][0], st, err);
        ck_assert_msg(err && strstr(err, cases[i][1]), "`%s`: stderr does not name '%s': %s",
                      cases[i][0], cases[i][1], err);
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "`%s`: more than one line: %s",
                      cases[i][0], err);
        struct stat sb;
        ck_assert_msg(stat(outdir, &sb) != 0, "`%s`: created %s", cases[i][0], outdir);
        free(out);
        free(err);
    }
    tu_rmtree(base);
}
END_TEST

/* train writes a checkpoint, eval reproduces its test accuracy, a checkpoint of the wrong shape
 * is refused (exit 2), a diverging run exits 3 and keeps the last good checkpoint. */
START_TEST(test_train_eval_checkpoint)
{
    const char *dir = tu_tmpdir("neuron-train");
    char cmd[1400], *out = NULL, *err = NULL;
    double acc_train, acc_eval;
    snprintf(cmd, sizeof cmd, "%s/neuron train --epochs 2 --quiet --out %s", tu_bin_dir(), dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "train failed: %s", err);
    ck_assert_int_eq(tu_find_values(out, "train.test_acc", &acc_train, 1), 1);
    free(out), free(err);
    snprintf(cmd, sizeof cmd, "%s/neuron eval --quiet --load %s/mlp", tu_bin_dir(), dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "eval failed: %s", err);
    ck_assert_int_eq(tu_find_values(out, "eval.test_acc", &acc_eval, 1), 1);
    ck_assert_msg(acc_train == acc_eval, "eval of the checkpoint: %g, train printed %g", acc_eval,
                  acc_train);
    free(out), free(err);
    /* the wrong shape: hidden says 7 but the .npy files hold 128 */
    snprintf(cmd, sizeof cmd,
             "cp -r %s/mlp %s/bad && sed -i 's/^hidden = .*/hidden = 7/' %s/bad/hparams.txt", dir,
             dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/neuron eval --quiet --load %s/bad", tu_bin_dir(), dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 2 && strstr(err, "shape"), "wrong shape: exit %d, stderr %s", st, err);
    free(out), free(err);
    /* divergence: the loss turns NaN, exit 3, the epoch-2 checkpoint survives */
    snprintf(cmd, sizeof cmd,
             "%s/neuron train --resume %s/mlp --epochs 2 --optimizer sgd --lr 1e200 --quiet "
             "--out %s",
             tu_bin_dir(), dir, dir);
    st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 3 && strstr(err, "step"), "divergence: exit %d, stderr %s", st, err);
    free(out), free(err);
    snprintf(cmd, sizeof cmd, "%s/neuron eval --quiet --load %s/mlp", tu_bin_dir(), dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "eval after divergence failed: %s", err);
    ck_assert_int_eq(tu_find_values(out, "eval.test_acc", &acc_eval, 1), 1);
    ck_assert_msg(acc_eval == acc_train, "the last good checkpoint changed: %g vs %g", acc_eval,
                  acc_train);
    free(out), free(err);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_neuron(void)
{
    Suite *s = suite_create("neuron");
    TCase *g = tcase_create("gradcheck");
    tcase_add_test(g, test_gradcheck_logistic);
    tcase_add_test(g, test_gradcheck_softmax_ce);
    tcase_add_test(g, test_gradcheck_mlp_smooth);
    suite_add_tcase(s, g);
    TCase *b = tcase_create("behaviour");
    tcase_add_test(b, test_loss_falls);
    tcase_add_test(b, test_same_seed_same_numbers);
    suite_add_tcase(s, b);
    TCase *p = tcase_create("program");
    tcase_add_test(p, test_golden_quick);
    tcase_add_test(p, test_bad_invocations);
    tcase_add_test(p, test_train_eval_checkpoint);
    suite_add_tcase(s, p);
    /* The exercises (CONVENTIONS.md, Exercises): one test case per exercise, named by its id and
     * tagged "exercise", whose tests use that exercise's region and no other exercise's, so
     * that an unfinished exercise fails alone (tools/grade, tests/kit/run). */
    {
        TCase *ex = tcase_create("neuron-1");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_perceptron_step_known);
        tcase_add_test(ex, test_perceptron_bias_needed);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("neuron-2");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_gradcheck_mlp_ce);
        tcase_add_test(ex, test_mlp_known_answer);
        suite_add_tcase(s, ex);
    }
    {
        TCase *ex = tcase_create("neuron-3");
        tcase_set_tags(ex, "exercise");
        tcase_set_timeout(ex, 60);
        tcase_add_test(ex, test_gradcheck_softmax_smooth);
        tcase_add_test(ex, test_smooth_gradient_vanishes);
        suite_add_tcase(s, ex);
    }
    return s;
}
