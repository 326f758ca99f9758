/* Tests of common/logger.c: the header and rows read back exactly, integers without decimals. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "logger.h"
#include "testutil.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *s = calloc(8192, 1);
    size_t n = fread(s, 1, 8191, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

START_TEST(test_rows_read_back)
{
    const char *dir = tu_tmpdir("logger");
    char path[600];
    snprintf(path, sizeof path, "%s/train.csv", dir);
    csvlog *l = csvlog_open(path, "step,epoch,loss,grad_norm");
    ck_assert_msg(l != NULL, "csvlog_open: %s", cm_errmsg());
    /* flushed at once: the header is on disk before the first row */
    char *head = read_all(path);
    ck_assert_str_eq(head, "step,epoch,loss,grad_norm\n");
    free(head);
    double r1[] = {10, 0, 2.385, 0.0173};
    double r2[] = {20, 1, 1.0625, -3e-12};
    double r3[] = {30, 1, NAN, 1e20};
    ck_assert_int_eq(csvlog_row(l, r1, 4), CM_OK);
    ck_assert_int_eq(csvlog_row(l, r2, 4), CM_OK);
    char *mid = read_all(path);
    ck_assert_str_eq(mid, "step,epoch,loss,grad_norm\n10,0,2.385,0.0173\n20,1,1.0625,-3e-12\n");
    free(mid);
    ck_assert_int_eq(csvlog_row(l, r3, 4), CM_OK);
    /* a row of the wrong width is refused and not written */
    ck_assert_int_eq(csvlog_row(l, r1, 3), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "4 columns") != NULL, "message: %s", cm_errmsg());
    ck_assert_int_eq(csvlog_close(l), CM_OK);
    char *all = read_all(path);
    ck_assert_str_eq(all, "step,epoch,loss,grad_norm\n10,0,2.385,0.0173\n20,1,1.0625,-3e-12\n"
                          "30,1,nan,1e+20\n");
    free(all);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_open_fails)
{
    csvlog *l = csvlog_open("/nonexistent-dir-cm/train.csv", "step,loss");
    ck_assert_msg(l == NULL, "opened a log in a missing directory");
    ck_assert_msg(strstr(cm_errmsg(), "/nonexistent-dir-cm/train.csv") != NULL,
                  "message does not name the file: %s", cm_errmsg());
    ck_assert_msg(csvlog_open("/tmp/x.csv", "") == NULL, "accepted an empty header");
    ck_assert_int_eq(csvlog_close(NULL), CM_OK);
}
END_TEST

/* A resumed run appends to its log; a missing log is created; another header is refused. */
START_TEST(test_append)
{
    const char *dir = tu_tmpdir("logger");
    char path[600];
    snprintf(path, sizeof path, "%s/train.csv", dir);
    csvlog *l = csvlog_append(path, "step,loss");
    ck_assert_msg(l != NULL, "csvlog_append of a missing log: %s", cm_errmsg());
    ck_assert_int_eq(csvlog_row(l, (double[]){1, 2.385}, 2), CM_OK);
    ck_assert_int_eq(csvlog_close(l), CM_OK);
    l = csvlog_append(path, "step,loss");
    ck_assert_msg(l != NULL, "csvlog_append of an existing log: %s", cm_errmsg());
    ck_assert_int_eq(csvlog_row(l, (double[]){2, 1.0625}, 2), CM_OK);
    ck_assert_int_eq(csvlog_close(l), CM_OK);
    char *all = read_all(path);
    ck_assert_str_eq(all, "step,loss\n1,2.385\n2,1.0625\n");
    free(all);
    ck_assert_msg(csvlog_append(path, "step,epoch,loss") == NULL, "appended to another header");
    ck_assert_msg(strstr(cm_errmsg(), "'step,loss'") != NULL, "message: %s", cm_errmsg());
    all = read_all(path);
    ck_assert_str_eq(all, "step,loss\n1,2.385\n2,1.0625\n"); /* untouched */
    free(all);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_common_logger(void)
{
    Suite *s = suite_create("common_logger");
    TCase *tc = tcase_create("logger");
    tcase_add_test(tc, test_rows_read_back);
    tcase_add_test(tc, test_open_fails);
    tcase_add_test(tc, test_append);
    suite_add_tcase(s, tc);
    return s;
}
