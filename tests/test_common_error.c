/* Tests of common/error.c: the last error message, cm_calloc's overflow check, cm_die's exit. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include "error.h"

/* Runs fn in a child with stderr into a pipe; returns its exit status (-1: killed) and what it
 * wrote to stderr in buf. */
static int run_child(void (*fn)(void), char *buf, size_t len)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork failed");
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        fn();
        _exit(0); /* not reached when fn exits, as it should */
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < len && (k = read(fd[0], buf + n, len - 1 - n)) > 0) n += (size_t)k;
    buf[n] = '\0';
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_error_message_and_code)
{
    int code = cm_error(CM_EIO, "cannot open %s (line %d)", "data/iris.csv", 42);
    ck_assert_msg(code == CM_EIO, "cm_error returns its code: got %d, want %d", code, CM_EIO);
    ck_assert_str_eq(cm_errmsg(), "cannot open data/iris.csv (line 42)");
    cm_error(CM_EINVAL, "second");
    ck_assert_msg(strcmp(cm_errmsg(), "second") == 0, "the last message replaces the previous");
}
END_TEST

/* A message may wrap the previous one (the arguments are read before the message is replaced). */
START_TEST(test_error_wraps_the_last_message)
{
    cm_error(CM_EIO, "cannot open %s", "data/x.npy");
    ck_assert_int_eq(cm_error(CM_EFORMAT, "checkpoint %s: %s", "out/model", cm_errmsg()),
                     CM_EFORMAT);
    ck_assert_str_eq(cm_errmsg(), "checkpoint out/model: cannot open data/x.npy");
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

static void die_formatted(void)
{
    cm_set_progname("test");
    cm_die("bad value %g for --lr", -0.5);
}

static void die_with_status(void)
{
    cm_set_progname("test");
    cm_die_status(cm_error(CM_EFORMAT, "malformed header in x.npy"));
}

/* A program's one-line exit: "<prog>: <message>" on stderr and status 2. */
START_TEST(test_die_exits_2)
{
    char err[256];
    int st = run_child(die_formatted, err, sizeof err);
    ck_assert_msg(st == 2, "cm_die exited with %d, expected 2", st);
    ck_assert_str_eq(err, "test: bad value -0.5 for --lr\n");
}
END_TEST

START_TEST(test_die_status_exits_2)
{
    char err[256];
    int st = run_child(die_with_status, err, sizeof err);
    ck_assert_msg(st == 2, "cm_die_status exited with %d, expected 2", st);
    ck_assert_str_eq(err, "test: malformed header in x.npy\n");
}
END_TEST

Suite *suite_common_error(void)
{
    Suite *s = suite_create("common_error");
    TCase *tc = tcase_create("error");
    tcase_add_test(tc, test_error_message_and_code);
    tcase_add_test(tc, test_error_wraps_the_last_message);
    tcase_add_test(tc, test_calloc_overflow);
    tcase_add_test(tc, test_calloc_zeroed_and_zero_size);
    tcase_add_test(tc, test_progname);
    tcase_add_test(tc, test_die_exits_2);
    tcase_add_test(tc, test_die_status_exits_2);
    suite_add_tcase(s, tc);
    return s;
}
