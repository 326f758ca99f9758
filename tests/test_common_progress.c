/* Tests of common/progress.c when stderr is not a terminal (a file here): plain lines, a final
 * line, and nothing at all when quiet. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "timer.h"
#include "testutil.h"

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += (*s == '\n');
    return n;
}

START_TEST(test_plain_lines)
{
    tu_stderr_begin();
    progress *p = progress_start("train", 10, "epoch", 0);
    progress_set_interval(p, 0); /* a line at every update */
    progress_update(p, 3, 0.8125);
    progress_update(p, 7, 0.4375);
    progress_update(p, 10, NAN);
    progress_finish(p);
    char *out = tu_stderr_end();
    ck_assert_msg(count_lines(out) == 4, "expected 3 updates and a final line, got:\n%s", out);
    ck_assert_msg(strchr(out, '\r') == NULL, "a carriage return in a file:\n%s", out);
    ck_assert_msg(strstr(out, "train: 3/10 epoch (30%)") != NULL, "no first line:\n%s", out);
    ck_assert_msg(strstr(out, "loss 0.8125") && strstr(out, "loss 0.4375"), "no loss:\n%s", out);
    ck_assert_msg(strstr(out, "ETA") != NULL, "no ETA:\n%s", out);
    ck_assert_msg(strstr(out, "epoch/s") != NULL, "no rate:\n%s", out);
    /* the last line: the whole run, with its time and without a loss (NaN) */
    const char *last = strstr(out, "train: 10/10 epoch (100%)");
    ck_assert_msg(last && strstr(last, "took"), "no final line:\n%s", out);
    free(out);
}
END_TEST

/* Work shorter than the interval leaves no line in a log, not even a final one. */
START_TEST(test_interval)
{
    tu_stderr_begin();
    progress *p = progress_start("sample", 1000, "step", 0);
    progress_set_interval(p, 3600); /* no line within the test */
    for (long i = 1; i <= 1000; i++) progress_update(p, i, 1.0 / (double)i);
    progress_finish(p);
    char *out = tu_stderr_end();
    ck_assert_msg(count_lines(out) == 0, "expected no line for short work, got:\n%s", out);
    free(out);
}
END_TEST

/* Failed work: the lines already printed stay, no final line claims the work finished. */
START_TEST(test_abort)
{
    tu_stderr_begin();
    progress *p = progress_start("train", 10, "epoch", 0);
    progress_set_interval(p, 0);
    progress_update(p, 2, 0.5);
    progress_abort(p);
    char *out = tu_stderr_end();
    ck_assert_msg(count_lines(out) == 1, "expected the one update line, got:\n%s", out);
    ck_assert_msg(strstr(out, "took") == NULL, "an aborted run printed a final line:\n%s", out);
    free(out);
}
END_TEST

START_TEST(test_quiet)
{
    tu_stderr_begin();
    progress *p = progress_start("train", 5, "batch", 1);
    progress_set_interval(p, 0);
    for (long i = 1; i <= 5; i++) progress_update(p, i, 2.385);
    progress_finish(p);
    progress_update(NULL, 1, 0); /* a failed start is harmless */
    progress_finish(NULL);
    progress_abort(NULL);
    char *out = tu_stderr_end();
    ck_assert_msg(out[0] == '\0', "quiet wrote '%s'", out);
    free(out);
}
END_TEST

START_TEST(test_timer)
{
    cm_timer t;
    timer_start(&t);
    double a = timer_now();
    usleep(20000);
    double b = timer_now(), e = timer_elapsed(&t);
    ck_assert_msg(b - a >= 0.019 && b - a < 1.0, "timer_now advanced %g s over a 20 ms sleep",
                  b - a);
    ck_assert_msg(e >= b - a, "timer_elapsed %g < %g", e, b - a);
}
END_TEST

Suite *suite_common_progress(void)
{
    Suite *s = suite_create("common_progress");
    TCase *tc = tcase_create("progress");
    tcase_add_test(tc, test_plain_lines);
    tcase_add_test(tc, test_interval);
    tcase_add_test(tc, test_abort);
    tcase_add_test(tc, test_quiet);
    tcase_add_test(tc, test_timer);
    suite_add_tcase(s, tc);
    return s;
}
