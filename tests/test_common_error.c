/* Tests of common/error.c: the last error message, cm_calloc's overflow check, cm_die's exit. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

START_TEST(test_error_message_and_code)
{
    int code = cm_error(CM_EIO, "cannot open %s (line %d)", "data/iris.csv", 42);
    ck_assert_msg(code == CM_EIO, "cm_error returns its code: got %d, want %d", code, CM_EIO);
    ck_assert_str_eq(cm_errmsg(), "cannot open data/iris.csv (line 42)");
    cm_error(CM_EINVAL, "second");
    ck_assert_msg(strcmp(cm_errmsg(), "second") == 0, "the last message replaces the previous");
}
END_TEST

START_TEST(test_calloc_overflow)
{
    cm_error(CM_OK, "%s", "");
    void *p = cm_calloc(SIZE_MAX / 4, 8);
    ck_assert_msg(p == NULL, "cm_calloc(SIZE_MAX/4, 8) overflows and must return NULL");
    ck_assert_msg(strstr(cm_errmsg(), "overflows") != NULL,
                  "the overflow is named in the message: '%s'", cm_errmsg());
}
END_TEST

START_TEST(test_calloc_zeroed_and_zero_size)
{
    double *x = cm_calloc(257, sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (int i = 0; i < 257; i++) ck_assert_msg(x[i] == 0.0, "cm_calloc memory zeroed at %d", i);
    free(x);
    void *z = cm_calloc(0, 8);
    ck_assert_msg(z != NULL, "cm_calloc(0, 8) returns a freeable non-NULL pointer");
    free(z);
}
END_TEST

START_TEST(test_progname)
{
    cm_set_progname("neuron");
    ck_assert_str_eq(cm_progname(), "neuron");
    cm_set_progname("");
    ck_assert_msg(strcmp(cm_progname(), "neuron") == 0, "an empty name is ignored");
    cm_die_status(CM_OK); /* must return */
}
END_TEST

/* Runs in a forked child (Check's default): the exit status must be 2. */
START_TEST(test_die_exits_2)
{
    cm_set_progname("test");
    cm_die("bad value %g for --lr", -0.5);
}
END_TEST

START_TEST(test_die_status_exits_2)
{
    cm_die_status(cm_error(CM_EFORMAT, "malformed header in x.npy"));
}
END_TEST

Suite *suite_common_error(void)
{
    Suite *s = suite_create("common_error");
    TCase *tc = tcase_create("error");
    tcase_add_test(tc, test_error_message_and_code);
    tcase_add_test(tc, test_calloc_overflow);
    tcase_add_test(tc, test_calloc_zeroed_and_zero_size);
    tcase_add_test(tc, test_progname);
    tcase_add_exit_test(tc, test_die_exits_2, 2);
    tcase_add_exit_test(tc, test_die_status_exits_2, 2);
    suite_add_tcase(s, tc);
    return s;
}
