/* Tests of chapter 02 (word2vec), the program: the golden output of `word2vec --quick`,
 * reproducibility with one thread, Hogwild threads, a diverging run, the queries on saved
 * vectors, and each bad input the issue names (one clear line, exit 2). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

/* The golden test. Tolerance (see chapters/02-word2vec/expected_output.txt): 1e-4 on every
 * number. One thread and one seed give the same vectors bit for bit on one machine; nothing
 * here goes through BLAS and the inner loops add in a fixed order with or without AVX2, so
 * another x86-64 machine gives the same numbers too. */
START_TEST(test_golden_quick)
{
    const char *dir = tu_tmpdir("w2v-golden");
    char cmd[1024], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s/word2vec --quick --plot none --quiet --out %s", tu_bin_dir(),
             dir);
    int st = tu_run(cmd, &out, &err);
    ck_assert_msg(st == 0, "%s: exit %d, stderr: %s", cmd, st, err ? err : "");
    tu_check_golden(out, "chapters/02-word2vec/expected_output.txt", 1e-4, 0, 8);
    ck_assert_msg(strstr(out, "\nsummary: ") != NULL, "no summary line in the output");
    static const char *const files[] = {"vectors.txt",    "vectors.bin", "pca.csv",
                                        "pca.gp",         "train.csv",   "model/wv.vectors.npy",
                                        "model/vocab.txt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1100];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_msg(stat(path, &sb) == 0 && sb.st_size > 0, "--quick did not write %s", path);
    }
    free(out);
    free(err);
    tu_rmtree(dir);
}
END_TEST

/* A short training run on one novel into dir; returns the exit status. */
static int train_small(const char *dir, const char *extra)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd,
             "%s/word2vec train --quiet --plot none --data data/persuasion.txt --epochs 1 --dim 16 "
             "%s --out %s > /dev/null 2>&1",
             tu_bin_dir(), extra, dir);
    return tu_run(cmd, NULL, NULL);
}

static int same_file(const char *a, const char *b)
{
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
    return tu_run(cmd, NULL, NULL) == 0;
}

/* One thread and a seed: the same vectors, bit for bit; another seed: other vectors. Both
 * objectives, both models. */
START_TEST(test_reproducible)
{
    static const char *const models[] = {"", "--cbow --hs --negative 0", "--hs"};
    for (size_t m = 0; m < 3; m++) {
        const char *base = tu_tmpdir("w2v-repro");
        char a[600], b[600], c[600], extra[200];
        snprintf(a, sizeof a, "%s/a", base);
        snprintf(b, sizeof b, "%s/b", base);
        snprintf(c, sizeof c, "%s/c", base);
        snprintf(extra, sizeof extra, "%s --seed 5", models[m]);
        ck_assert_int_eq(train_small(a, extra), 0);
        ck_assert_int_eq(train_small(b, extra), 0);
        snprintf(extra, sizeof extra, "%s --seed 6", models[m]);
        ck_assert_int_eq(train_small(c, extra), 0);
        char fa[700], fb[700], fc[700];
        snprintf(fa, sizeof fa, "%s/vectors.bin", a);
        snprintf(fb, sizeof fb, "%s/vectors.bin", b);
        snprintf(fc, sizeof fc, "%s/vectors.bin", c);
        ck_assert_msg(same_file(fa, fb), "'%s': two runs with seed 5 differ", models[m]);
        ck_assert_msg(!same_file(fa, fc), "'%s': seeds 5 and 6 give the same vectors", models[m]);
        tu_rmtree(base);
    }
}
END_TEST

/* Two Hogwild threads: finite vectors that learned something (a name's neighbours). */
START_TEST(test_threads)
{
    const char *dir = tu_tmpdir("w2v-threads");
    char sub[600];
    snprintf(sub, sizeof sub, "%s/t", dir);
    ck_assert_int_eq(train_small(sub, "--threads 2 --epochs 3 --dim 30"), 0);
    char cmd[1400], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s/word2vec similar anne --topn 3 --vectors %s/vectors.txt",
             tu_bin_dir(), sub);
    ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
    ck_assert_msg(strstr(out, "nearest to 'anne'") && !strstr(out, "nan"), "%s", out);
    free(out);
    tu_rmtree(dir);
}
END_TEST

/* The loss falls from the first epoch to the last (train.csv), and a learning rate far too
 * large stops the run with exit 3 naming where. */
START_TEST(test_loss_falls_and_divergence)
{
    const char *dir = tu_tmpdir("w2v-loss");
    char sub[600];
    snprintf(sub, sizeof sub, "%s/l", dir);
    ck_assert_int_eq(train_small(sub, "--epochs 3"), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/train.csv", sub);
    FILE *f = fopen(path, "r");
    ck_assert(f != NULL);
    char line[256];
    double loss[3];
    int n = 0;
    ck_assert(fgets(line, sizeof line, f) != NULL);
    ck_assert_str_eq(line, "epoch,words,alpha,loss,words_per_sec\n");
    while (n < 3 && fgets(line, sizeof line, f))
        ck_assert(sscanf(line, "%*[^,],%*[^,],%*[^,],%lf", &loss[n++]) == 1);
    fclose(f);
    ck_assert_int_eq(n, 3);
    ck_assert_msg(loss[2] < loss[0] - 0.05, "loss per epoch %g %g %g does not fall", loss[0],
                  loss[1], loss[2]);

    char cmd[1400], *err = NULL;
    snprintf(cmd, sizeof cmd,
             "%s/word2vec train --quiet --plot none --data data/persuasion.txt --epochs 1 --dim 16 "
             "--alpha 1e30 --out %s/d",
             tu_bin_dir(), dir);
    int st = tu_run(cmd, NULL, &err);
    ck_assert_msg(st == 3, "a diverging run exited %d, expected 3 (%s)", st, err);
    ck_assert_msg(strstr(err, "not finite in epoch 1"), "%s", err);
    snprintf(path, sizeof path, "%s/d/vectors.bin", dir);
    struct stat sb;
    ck_assert_msg(stat(path, &sb) != 0, "a diverged run wrote %s", path);
    free(err);
    tu_rmtree(dir);
}
END_TEST

/* Each bad input: exit 2 and one line on stderr naming the problem. */
START_TEST(test_bad_inputs)
{
    const char *dir = tu_tmpdir("w2v-bad");
    char empty[600], digits[600], vec[600], trunc[600];
    snprintf(empty, sizeof empty, "%s/empty.txt", dir);
    snprintf(digits, sizeof digits, "%s/digits.txt", dir);
    snprintf(vec, sizeof vec, "%s/v.txt", dir);
    snprintf(trunc, sizeof trunc, "%s/t.txt", dir);
    tu_write_file(empty, "");
    tu_write_file(digits, "1 2 3 -- 4.5\nalone words here\n");
    tu_write_file(vec, "2 3\nfoo 1 2 3\nbar 3 2 1\n");
    tu_write_file(trunc, "3 3\nfoo 1 2 3\nbar 3 2");
    struct {
        char args[900];
        const char *needle;
    } cases[] = {
        {"", "empty file"},
        {"", "no word occurs at least 5 times"},
        {"train --dim 0", "--dim"},
        {"train --window 0", "--window"},
        {"", "'elizabeth' is not in the vocabulary"},
        {"", "truncated"},
        {"train --negative 0", "nothing would be trained"},
        {"analogy a b", "three words"},
    };
    snprintf(cases[0].args, sizeof cases[0].args, "train --data %s", empty);
    snprintf(cases[1].args, sizeof cases[1].args, "train --data %s", digits);
    snprintf(cases[4].args, sizeof cases[4].args, "similar elizabeth --vectors %s", vec);
    snprintf(cases[5].args, sizeof cases[5].args, "evaluate --vectors %s", trunc);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[9000], *out = NULL, *err = NULL;
        snprintf(cmd, sizeof cmd, "%s/word2vec %s --quiet --plot none --out %s/out%zu",
                 tu_bin_dir(), cases[i].args, dir, i);
        int st = tu_run(cmd, &out, &err);
        ck_assert_msg(st == 2, "`%s`: exit %d, expected 2 (stderr: %s)", cases[i].args, st, err);
        ck_assert_msg(strstr(err, cases[i].needle) != NULL, "`%s`: stderr '%s' does not say '%s'",
                      cases[i].args, err, cases[i].needle);
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "`%s`: more than one line: %s",
                      cases[i].args, err);
        free(out);
        free(err);
    }
    tu_rmtree(dir);
}
END_TEST

/* The gradcheck subcommand prints a table per case and exits 0. */
START_TEST(test_gradcheck_command)
{
    char cmd[600], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s/word2vec gradcheck", tu_bin_dir());
    ck_assert_int_eq(tu_run(cmd, &out, NULL), 0);
    ck_assert_msg(strstr(out, "every tensor passed") && !strstr(out, "FAIL"), "%s", out);
    free(out);
}
END_TEST

Suite *suite_word2vec_program(void)
{
    Suite *s = suite_create("word2vec_program");
    TCase *p = tcase_create("program");
    tcase_add_test(p, test_golden_quick);
    tcase_add_test(p, test_reproducible);
    tcase_add_test(p, test_threads);
    tcase_add_test(p, test_loss_falls_and_divergence);
    tcase_add_test(p, test_bad_inputs);
    tcase_add_test(p, test_gradcheck_command);
    suite_add_tcase(s, p);
    return s;
}
