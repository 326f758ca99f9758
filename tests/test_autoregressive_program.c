/* test_autoregressive_program.c: bin/autoregressive as a program: the golden output of
 * `autoregressive --quick`, the bad invocations the issue names (exit 2, one line), train ->
 * eval -> sample through a checkpoint, a checkpoint of the wrong shape, and divergence (exit 3,
 * the last good checkpoint kept). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

/* The golden test. Tolerance 1e-4 on every number (see the header of
 * chapters/04-autoregressive/expected_output.txt for why). */
START_TEST(test_golden_quick)
{
    const char *dir = tu_tmpdir("ar-golden");
    char cmd[1024], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s/autoregressive --quick --plot none --quiet --out %s",
             tu_bin_dir(), dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 0, "%s: exit %d, stderr: %s", cmd, st, err ? err : "");
    tu_check_golden(out, "chapters/04-autoregressive/expected_output.txt", 1e-4, 0, 9);
    ck_assert_msg(strstr(out, "\nsummary: ") != NULL, "no summary line in the output");
    static const char *const files[] = {
        "samples_nade.gp", "samples_made.csv", "completion_fvsbn.gp", "completion_made.csv",
        "nll.gp",          "nade.csv",         "made/hparams.txt",    "fvsbn/weight.npy"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1100];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_msg(stat(path, &sb) == 0, "--quick did not write %s", path);
    }
    free(out);
    free(err);
    tu_rmtree(dir);
}
END_TEST

/* Each bad invocation: exit 2, one line on stderr naming the problem, nothing created. */
START_TEST(test_bad_invocations)
{
    const char *base = tu_tmpdir("ar-bad");
    char notperm[600], cmd[2400];
    snprintf(notperm, sizeof notperm, "%s/order.txt", base);
    FILE *f = fopen(notperm, "w");
    for (int i = 0; i < 64; i++) fprintf(f, "%d\n", i == 10 ? 3 : i); /* 3 twice, no 10 */
    fclose(f);
    snprintf(cmd, sizeof cmd, "train --quick --ordering %s", notperm);
    const char *cases[][2] = {
        {"--quick --no-binarize", "not 0 or 1"},
        {"train --quick --hidden 0", "--hidden"},
        {"--quick --model made --hidden 64,0", "--hidden"},
        {cmd, "not a permutation"},
        {"train --quick --ordering /nonexistent/order.txt", "nonexistent"},
        {"--quick --model nade --orderings 3", "--orderings"},
        {"--quick --model fvsbn --hidden 8", "FVSBN"},
        {"--quick --model nade --hidden 8,8", "one hidden layer"},
        {"--quick --model pixelcnn", "pixelcnn"},
        {"eval", "--load"},
        {"eval --load /nonexistent/ckpt", "nonexistent"},
        {"nosuchcommand", "nosuchcommand"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char c2[3000], outdir[700], *out = NULL, *err = NULL;
        snprintf(outdir, sizeof outdir, "%s/out%zu", base, i);
        snprintf(c2, sizeof c2, "%s/autoregressive %s --plot none --out %s", tu_bin_dir(),
                 cases[i][0], outdir);
        int st = tu_run(c2, &out, &err);
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

/* train writes a checkpoint; eval and sample read it (eval reproduces train's test NLL); a
 * checkpoint of the wrong shape is refused; a diverging run exits 3 and leaves the last good
 * checkpoint as it was. */
START_TEST(test_train_eval_sample)
{
    const char *dir = tu_tmpdir("ar-train");
    char cmd[1400], *out = NULL, *err = NULL;
    double nll_train, nll_eval;
    snprintf(cmd, sizeof cmd,
             "%s/autoregressive train --model made --hidden 32,24 --orderings 2 --epochs 2 --quiet "
             "--plot none --out %s",
             tu_bin_dir(), dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "train failed: %s", err);
    ck_assert_int_eq(tu_find_values(out, "made.test_nll", &nll_train, 1), 1);
    free(out), free(err);
    snprintf(cmd, sizeof cmd, "%s/autoregressive eval --quiet --load %s/made", tu_bin_dir(), dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "eval failed: %s", err);
    ck_assert_int_eq(tu_find_values(out, "eval.test_nll", &nll_eval, 1), 1);
    ck_assert_msg(fabs(nll_train - nll_eval) < 1e-6, "eval of the checkpoint: %.6f, train: %.6f",
                  nll_eval, nll_train);
    free(out), free(err);
    snprintf(cmd, sizeof cmd,
             "%s/autoregressive sample --quiet --plot none --samples 20 --load %s/made --out %s/s",
             tu_bin_dir(), dir, dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "sample failed: %s", err);
    free(out), free(err);
    char path[1100];
    struct stat sb;
    snprintf(path, sizeof path, "%s/s/samples_made.csv", dir);
    ck_assert_msg(stat(path, &sb) == 0, "sample did not write %s", path);
    /* the wrong shape: hidden says 33 but layers.0.weight.npy holds 32 rows */
    snprintf(cmd, sizeof cmd,
             "cp -r %s/made %s/bad && sed -i 's/^hidden = .*/hidden = 33,24/' %s/bad/hparams.txt",
             dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/autoregressive eval --quiet --load %s/bad", tu_bin_dir(), dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 2 && strstr(err, "shape"), "wrong shape: exit %d, stderr %s", st, err);
    free(out), free(err);
    /* divergence: a huge learning rate makes the loss non-finite within the first epoch */
    snprintf(cmd, sizeof cmd,
             "%s/autoregressive train --model made --hidden 32,24 --orderings 2 --epochs 2 "
             "--lr 1e200 --quiet --plot none --out %s",
             tu_bin_dir(), dir);
    st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 3 && strstr(err, "step"), "divergence: exit %d, stderr %s", st, err);
    free(out), free(err);
    snprintf(cmd, sizeof cmd, "%s/autoregressive eval --quiet --load %s/made", tu_bin_dir(), dir);
    ck_assert_msg(tu_run(cmd, &out, &err) == 0, "eval after divergence failed: %s", err);
    ck_assert_int_eq(tu_find_values(out, "eval.test_nll", &nll_eval, 1), 1);
    ck_assert_msg(fabs(nll_train - nll_eval) < 1e-6, "the last good checkpoint changed: %g vs %g",
                  nll_eval, nll_train);
    free(out), free(err);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_autoregressive_program(void)
{
    Suite *s = suite_create("autoregressive_program");
    TCase *p = tcase_create("program");
    tcase_add_test(p, test_golden_quick);
    tcase_add_test(p, test_bad_invocations);
    tcase_add_test(p, test_train_eval_sample);
    tcase_set_timeout(p, 120);
    suite_add_tcase(s, p);
    return s;
}
