/* Tests of common/cli.c: strict number parsing, the common options, bad invocations dying with
 * exit status 2 and one line naming the option and the value. */
#include <check.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"
#include "testutil.h"

/* ---- strict parsing ---- */

static const struct {
    const char *s;
    long want;
} good_longs[] = {{"0", 0},     {"42", 42},   {"-7", -7}, {"+5", 5},
                  {"100", 100}, {"-10", -10}, {"007", 7}};

/* bad for the range [-10, 100] */
static const char *const bad_longs[] = {"",
                                        "abc",
                                        "12abc",
                                        " 5",
                                        "5 ",
                                        "0x10",
                                        "1e3",
                                        "3.0",
                                        "-",
                                        "+",
                                        "nan",
                                        "inf",
                                        "101",
                                        "-11",
                                        "1e99",
                                        "--3",
                                        "5\n",
                                        "99999999999999999999999",
                                        "-99999999999999999999999"};

START_TEST(test_parse_long_good)
{
    for (size_t i = 0; i < sizeof good_longs / sizeof good_longs[0]; i++) {
        long v = -12345;
        int rc = cli_parse_long(good_longs[i].s, -10, 100, &v);
        ck_assert_msg(rc == CM_OK, "cli_parse_long('%s') rejected: %s", good_longs[i].s,
                      cm_errmsg());
        ck_assert_msg(v == good_longs[i].want, "cli_parse_long('%s') = %ld, expected %ld",
                      good_longs[i].s, v, good_longs[i].want);
    }
}
END_TEST

START_TEST(test_parse_long_bad)
{
    for (size_t i = 0; i < sizeof bad_longs / sizeof bad_longs[0]; i++) {
        long v = -12345;
        int rc = cli_parse_long(bad_longs[i], -10, 100, &v);
        ck_assert_msg(rc == CM_EINVAL, "cli_parse_long('%s') accepted (%ld)", bad_longs[i], v);
        ck_assert_msg(v == -12345, "cli_parse_long('%s') wrote its output on failure",
                      bad_longs[i]);
        ck_assert_msg(strstr(cm_errmsg(), "from -10 to 100") != NULL,
                      "message for '%s' names no range: %s", bad_longs[i], cm_errmsg());
    }
    cli_parse_long("12abc", -10, 100, &(long){0});
    ck_assert_msg(strstr(cm_errmsg(), "'12abc'"), "message does not quote the value: %s",
                  cm_errmsg());
    /* the full range of long: overflow is the only failure */
    long v;
    ck_assert_int_eq(cli_parse_long("9223372036854775807", LONG_MIN, LONG_MAX, &v), CM_OK);
    ck_assert_msg(v == LONG_MAX, "LONG_MAX parsed as %ld", v);
    ck_assert_int_eq(cli_parse_long("9223372036854775808", LONG_MIN, LONG_MAX, &v), CM_EINVAL);
    ck_assert_int_eq(cli_parse_long(NULL, 0, 1, &v), CM_EINVAL);
}
END_TEST

static const struct {
    const char *s;
    double want;
} good_doubles[] = {{"0.001", 0.001}, {"-2.5", -2.5},      {"1e-3", 1e-3}, {".5", 0.5},
                    {"3", 3.0},       {"2.385E+1", 23.85}, {"-0", 0.0},    {"7.", 7.0}};

/* bad for the range [-10, 1e6] */
static const char *const bad_doubles[] = {"",         "abc",   "nan",     "NaN", "inf",  "-inf",
                                          "infinity", "0x10",  " 5",      "5 ",  "1e99", "1e999",
                                          "-1e999",   "1.5.2", "1e",      "e5",  ".",    "-",
                                          "12abc",    "-10.5", "1000001", "1,5"};

START_TEST(test_parse_double_good)
{
    for (size_t i = 0; i < sizeof good_doubles / sizeof good_doubles[0]; i++) {
        double v = -12345;
        int rc = cli_parse_double(good_doubles[i].s, -10, 1e6, &v);
        ck_assert_msg(rc == CM_OK, "cli_parse_double('%s') rejected: %s", good_doubles[i].s,
                      cm_errmsg());
        ck_assert_msg(v == good_doubles[i].want, "cli_parse_double('%s') = %.17g, expected %.17g",
                      good_doubles[i].s, v, good_doubles[i].want);
    }
}
END_TEST

START_TEST(test_parse_double_bad)
{
    for (size_t i = 0; i < sizeof bad_doubles / sizeof bad_doubles[0]; i++) {
        double v = -12345;
        int rc = cli_parse_double(bad_doubles[i], -10, 1e6, &v);
        ck_assert_msg(rc == CM_EINVAL, "cli_parse_double('%s') accepted (%g)", bad_doubles[i], v);
        ck_assert_msg(v == -12345, "cli_parse_double('%s') wrote its output on failure",
                      bad_doubles[i]);
    }
    cli_parse_double("nan", 0, 1, &(double){0});
    ck_assert_msg(strstr(cm_errmsg(), "'nan'"), "message does not quote the value: %s",
                  cm_errmsg());
}
END_TEST

/* ---- dying with exit status 2 (Check runs each exit test in a child) ---- */

/* the child's message would only clutter the test report */
static void quiet_stderr(void)
{
    if (!freopen("/dev/null", "w", stderr)) return;
}

START_TEST(test_cli_long_dies)
{
    quiet_stderr();
    cli_long("--hidden", "-3", 1, 100000);
}
END_TEST

START_TEST(test_cli_double_dies)
{
    quiet_stderr();
    cli_double("--lr", "abc", 0, 10);
}
END_TEST

START_TEST(test_cli_choice_dies)
{
    quiet_stderr();
    static const char *const kinds[] = {"lstm", "gru", NULL};
    cli_choice("--cell", "rnn", kinds);
}
END_TEST

START_TEST(test_cli_choice_good)
{
    static const char *const kinds[] = {"lstm", "gru", "rnn", NULL};
    ck_assert_int_eq(cli_choice("--cell", "gru", kinds), 1);
    ck_assert_int_eq(cli_choice("--cell", "rnn", kinds), 2);
}
END_TEST

/* Runs fn in a child with stderr into a file; returns the exit status, *err the text. */
static int run_child(void (*fn)(void *), void *arg, char **err)
{
    char path[] = "/tmp/cm-test-cli-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp failed");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork failed");
    if (pid == 0) {
        dup2(fd, STDERR_FILENO);
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    close(fd);
    FILE *f = fopen(path, "r");
    *err = calloc(4096, 1);
    if (f) {
        size_t n = fread(*err, 1, 4095, f);
        (*err)[n] = '\0';
        fclose(f);
    }
    unlink(path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A chapter's option loop, as in cli.h, over a NULL-terminated argv. */
typedef struct {
    const char *argv[8];
    cli_common c;
    long hidden;
} parse_case;

static void parse_args(void *arg)
{
    parse_case *pc = arg;
    static const struct option opts[] = {
        {"hidden", required_argument, 0, 'H'}, CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
    int argc = 0;
    while (pc->argv[argc]) argc++;
    cli_common_defaults(&pc->c, "neuron");
    opterr = 0;
    optind = 0; /* glibc: start afresh */
    int o;
    while ((o = getopt_long(argc, (char **)pc->argv, ":", opts, NULL)) != -1) {
        if (cli_common_handle(&pc->c, o, optarg, argc, (char **)pc->argv)) continue;
        if (o == 'H') pc->hidden = cli_long("--hidden", optarg, 1, 100000);
    }
}

START_TEST(test_common_options)
{
    parse_case pc = {
        .argv = {"neuron", "--seed", "17", "--out", "/tmp/x y", "--plot", "none", NULL}};
    parse_args(&pc);
    ck_assert_msg(pc.c.seed == 17, "--seed 17 gave %lu", pc.c.seed);
    ck_assert_str_eq(pc.c.out, "/tmp/x y");
    ck_assert_int_eq(pc.c.plot, PLOT_NONE);
    ck_assert_int_eq(pc.c.quick, 0);

    parse_case pd = {
        .argv = {"neuron", "--quick", "--quiet", "--hidden=12", "--data", "d.csv", NULL}};
    parse_args(&pd);
    ck_assert_int_eq(pd.c.quick, 1);
    ck_assert_int_eq(pd.c.quiet, 1);
    ck_assert_int_eq(pd.hidden, 12);
    ck_assert_str_eq(pd.c.data, "d.csv");
    ck_assert_msg(pd.c.seed == CLI_DEFAULT_SEED, "default seed %lu", pd.c.seed);
    ck_assert_str_eq(pd.c.out, "out/neuron");
    ck_assert_int_eq(pd.c.plot, PLOT_PNG);
}
END_TEST

/* argv, then the line stderr must hold */
static const struct {
    const char *argv[6];
    const char *want;
} bad_invocations[] = {
    {{"neuron", "--foo", NULL}, "neuron: unknown option '--foo' (see --help)\n"},
    {{"neuron", "--foo=3", NULL}, "neuron: unknown option '--foo=3'"},
    {{"neuron", "-z", NULL}, "neuron: unknown option '-z' (see --help)\n"},
    {{"neuron", "--seed", NULL}, "neuron: option '--seed' needs a value\n"},
    {{"neuron", "--hidden", NULL}, "neuron: option '--hidden' needs a value\n"},
    {{"neuron", "--hidden", "-3", NULL},
     "neuron: --hidden: expected an integer from 1 to 100000, got '-3'\n"},
    {{"neuron", "--hidden", "1e99", NULL}, "got '1e99'"},
    {{"neuron", "--seed", "abc", NULL}, "neuron: --seed: expected an integer >= 0, got 'abc'\n"},
    {{"neuron", "--seed", "-1", NULL}, "got '-1'"},
    {{"neuron", "--plot", "pdf", NULL},
     "neuron: --plot: expected one of png, term, window, none, got 'pdf'\n"},
    {{"neuron", "--data", "", NULL}, "neuron: --data: expected a file name, got ''\n"},
    {{"neuron", "--out", "", NULL}, "--out"},
};

START_TEST(test_bad_invocations)
{
    for (size_t i = 0; i < sizeof bad_invocations / sizeof bad_invocations[0]; i++) {
        parse_case pc;
        memset(&pc, 0, sizeof pc);
        memcpy(pc.argv, bad_invocations[i].argv, sizeof bad_invocations[i].argv);
        char *err;
        int st = run_child(parse_args, &pc, &err);
        ck_assert_msg(st == 2, "case %zu (%s %s): exit status %d, expected 2", i, pc.argv[1],
                      pc.argv[2] ? pc.argv[2] : "", st);
        ck_assert_msg(strstr(err, bad_invocations[i].want) != NULL,
                      "case %zu: stderr '%s' does not hold '%s'", i, err, bad_invocations[i].want);
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "case %zu: not one line: '%s'", i,
                      err);
        free(err);
    }
}
END_TEST

/* ---- the output directory ---- */

START_TEST(test_prepare_out_creates)
{
    const char *tmp = tu_tmpdir("cli");
    cli_common c;
    cli_common_defaults(&c, "neuron");
    snprintf(c.out, sizeof c.out, "%s/a/b/c/", tmp);
    cli_prepare_out(&c);
    struct stat st;
    ck_assert_msg(stat(c.out, &st) == 0 && S_ISDIR(st.st_mode), "%s was not created", c.out);
    cli_prepare_out(&c); /* an existing directory is fine */
    tu_rmtree(tmp);
}
END_TEST

static void prepare_under_file(void *arg)
{
    cli_common *c = arg;
    cli_prepare_out(c);
}

START_TEST(test_prepare_out_fails)
{
    const char *tmp = tu_tmpdir("cli");
    char file[600];
    snprintf(file, sizeof file, "%s/plainfile", tmp);
    tu_write_file(file, "not a directory\n");
    cli_common c;
    cli_common_defaults(&c, "neuron");
    snprintf(c.out, sizeof c.out, "%s/sub", file);
    char *err;
    int st = run_child(prepare_under_file, &c, &err);
    ck_assert_msg(st == 2, "exit status %d, expected 2", st);
    ck_assert_msg(strstr(err, c.out) != NULL, "stderr '%s' does not name %s", err, c.out);
    free(err);
    tu_rmtree(tmp);
}
END_TEST

START_TEST(test_print_config)
{
    cli_common c;
    cli_common_defaults(&c, "rnn");
    c.seed = 31;
    char buf[512] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    cli_print_config(f, &c, "data/tiny.txt");
    fclose(f);
    ck_assert_str_eq(buf, "rnn " CM_VERSION ": seed 31, data data/tiny.txt, out out/rnn\n");
    c.quiet = 1;
    memset(buf, 0, sizeof buf);
    f = fmemopen(buf, sizeof buf, "w");
    cli_print_config(f, &c, "data/tiny.txt");
    fclose(f);
    ck_assert_msg(buf[0] == '\0', "quiet still printed '%s'", buf);
    ck_assert_msg(strstr(CLI_COMMON_HELP, "--seed") && strstr(CLI_COMMON_HELP, "--plot"),
                  "CLI_COMMON_HELP misses options");
}
END_TEST

Suite *suite_common_cli(void)
{
    Suite *s = suite_create("common_cli");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_long_good);
    tcase_add_test(tc, test_parse_long_bad);
    tcase_add_test(tc, test_parse_double_good);
    tcase_add_test(tc, test_parse_double_bad);
    tcase_add_test(tc, test_cli_choice_good);
    tcase_add_exit_test(tc, test_cli_long_dies, 2);
    tcase_add_exit_test(tc, test_cli_double_dies, 2);
    tcase_add_exit_test(tc, test_cli_choice_dies, 2);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, test_common_options);
    tcase_add_test(tc, test_bad_invocations);
    tcase_add_test(tc, test_prepare_out_creates);
    tcase_add_test(tc, test_prepare_out_fails);
    tcase_add_test(tc, test_print_config);
    suite_add_tcase(s, tc);
    return s;
}
