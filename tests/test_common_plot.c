/* Tests of common/plot.c: the .csv and .gp of each kind of figure, the PNG drawn by gnuplot
 * (gnuplot-nox is a dependency: its absence fails these tests), mode none, a missing gnuplot
 * ($CM_GNUPLOT pointed at nothing) and a failing one. */
#include <check.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "plot.h"
#include "testutil.h"

static char dir[512];

static void setup(void)
{
    unsetenv("CM_GNUPLOT");
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("plot"));
}

static void teardown(void)
{
    tu_rmtree(dir);
}

static char *file_text(const char *name, const char *ext)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s was not written", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    ck_assert_msg(fread(s, 1, (size_t)n, f) == (size_t)n, "short read of %s", path);
    fclose(f);
    return s;
}

static long file_size(const char *name, const char *ext)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += (*s == '\n');
    return n;
}

/* A real PNG: the 8-byte signature and more than a few KB of picture. */
static void assert_png(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was not drawn", path);
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, 8, f);
    fclose(f);
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    ck_assert_msg(n == 8 && memcmp(sig, png_sig, 8) == 0, "%s has no PNG signature", path);
    long size = file_size(name, "png");
    ck_assert_msg(size > 4000, "%s is only %ld bytes", path, size);
}

/* The .gp draws without error when gnuplot runs it by itself in the directory. */
static void assert_script_runs(const char *name)
{
    char cmd[900], *err = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -f %s.png && gnuplot %s.gp", dir, name, name);
    int st = tu_run(cmd, NULL, &err);
    ck_assert_msg(st == 0, "gnuplot %s.gp: status %d: %s", name, st, err ? err : "");
    free(err);
    assert_png(name);
}

static plot_fig *loss_figure(void)
{
    double x[50], y[50], v[50];
    for (int i = 0; i < 50; i++) {
        x[i] = 10.0 * i;
        y[i] = 2.385 * exp(-i / 12.0) + 0.05;
        v[i] = 2.5 * exp(-i / 20.0) + 0.2;
    }
    plot_fig *f = plot_fig_new("loss", "training loss", "step", "cross-entropy");
    ck_assert_msg(f != NULL, "plot_fig_new: %s", cm_errmsg());
    ck_assert_int_eq(plot_fig_line(f, "train", x, y, 50), CM_OK);
    ck_assert_int_eq(plot_fig_line(f, "valid, held out", NULL, v, 50), CM_OK);
    plot_fig_logy(f);
    return f;
}

START_TEST(test_fig_none)
{
    plot_ctx ctx = {dir, PLOT_NONE};
    plot_fig *f = loss_figure();
    ck_assert_int_eq(plot_fig_write(&ctx, f), CM_OK);
    plot_fig_free(f);
    char *csv = file_text("loss", "csv");
    ck_assert_msg(strncmp(csv, "series,label,x,y\n", 17) == 0, "csv header: %.40s", csv);
    ck_assert_msg(count_lines(csv) == 101, "csv has %d lines, expected 1 + 2 x 50",
                  count_lines(csv));
    ck_assert_msg(strstr(csv, "\n0,train,10,") != NULL, "no row 1 of train:\n%.200s", csv);
    /* the comma of a label cannot split its csv cell; x NULL is the index */
    ck_assert_msg(strstr(csv, "\n1,valid  held out,3,") != NULL, "valid rows:\n%.200s",
                  strstr(csv, "\n1,") ? strstr(csv, "\n1,") : csv);
    free(csv);
    char *gp = file_text("loss", "gp");
    static const char *const want[] = {"set datafile separator \",\"",
                                       "set output \"loss.png\"",
                                       "pngcairo size 800,600",
                                       "set xlabel \"step\"",
                                       "set ylabel \"cross-entropy\"",
                                       "set logscale y",
                                       "title \"train\"",
                                       "title \"valid, held out\"",
                                       "\"loss.csv\""};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(gp, want[i]) != NULL, "loss.gp lacks %s:\n%s", want[i], gp);
    free(gp);
    ck_assert_msg(file_size("loss", "png") == -1, "mode none drew a png");
}
END_TEST

START_TEST(test_fig_png)
{
    ck_assert_msg(plot_gnuplot_available(), "gnuplot is not on PATH (install gnuplot-nox)");
    plot_ctx ctx = {dir, PLOT_PNG};
    plot_fig *f = loss_figure();
    ck_assert_int_eq(plot_fig_write(&ctx, f), CM_OK);
    plot_fig_free(f);
    assert_png("loss");
    assert_script_runs("loss");
}
END_TEST

START_TEST(test_classes)
{
    ck_assert_msg(plot_gnuplot_available(), "gnuplot is not on PATH (install gnuplot-nox)");
    enum { N = 90 };
    double x[N], y[N];
    int cls[N];
    tu_fill(x, N, 2.0, 0.3);
    tu_fill(y, N, 1.5, 1.1);
    for (int i = 0; i < N; i++) cls[i] = (i * 7) % 3 == 2 ? 2 : (i % 2); /* classes 0, 1, 2 */
    static const char *const names[] = {"setosa", "versicolor", "virginica", "unused"};
    plot_fig *f = plot_fig_new("scatter", "iris", "petal length", "petal width");
    ck_assert_int_eq(plot_fig_classes(f, x, y, cls, N, 4, names), CM_OK);
    int bad[3] = {0, 4, 1};
    ck_assert_int_eq(plot_fig_classes(f, x, y, bad, 3, 4, names), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "point 1 has class 4"), "message: %s", cm_errmsg());
    plot_ctx ctx = {dir, PLOT_PNG};
    ck_assert_int_eq(plot_fig_write(&ctx, f), CM_OK);
    plot_fig_free(f);
    char *gp = file_text("scatter", "gp");
    ck_assert_msg(strstr(gp, "title \"setosa\"") && strstr(gp, "title \"virginica\""),
                  "no legend per class:\n%s", gp);
    ck_assert_msg(strstr(gp, "unused") == NULL, "an empty class is in the legend:\n%s", gp);
    free(gp);
    char *csv = file_text("scatter", "csv");
    ck_assert_msg(count_lines(csv) == N + 1, "scatter.csv has %d lines", count_lines(csv));
    free(csv);
    assert_png("scatter");
}
END_TEST

START_TEST(test_heatmap)
{
    ck_assert_msg(plot_gnuplot_available(), "gnuplot is not on PATH (install gnuplot-nox)");
    gsl_matrix *M = gsl_matrix_alloc(5, 7);
    tu_fill(M->data, 35, 1.7, 0.2);
    plot_ctx ctx = {dir, PLOT_PNG};
    ck_assert_int_eq(plot_heatmap(&ctx, "weights", "W", "input", "output", M), CM_OK);
    char *csv = file_text("weights", "csv");
    ck_assert_msg(strncmp(csv, "row,col,value\n", 14) == 0, "header: %.30s", csv);
    ck_assert_msg(count_lines(csv) == 36, "weights.csv has %d lines", count_lines(csv));
    char row[64];
    snprintf(row, sizeof row, "\n4,6,%.10g\n", gsl_matrix_get(M, 4, 6));
    ck_assert_msg(strstr(csv, row) != NULL, "no cell (4,6) as %s", row);
    free(csv);
    char *gp = file_text("weights", "gp");
    ck_assert_msg(strstr(gp, "with image") && strstr(gp, "set colorbox"), "gp:\n%s", gp);
    free(gp);
    assert_png("weights");
    assert_script_runs("weights");
    gsl_matrix_set(M, 2, 3, NAN);
    ck_assert_int_eq(plot_heatmap(&ctx, "weights", "W", "in", "out", M), CM_ENOTFINITE);
    ck_assert_msg(strstr(cm_errmsg(), "(2, 3)"), "message: %s", cm_errmsg());
    gsl_matrix_free(M);
}
END_TEST

START_TEST(test_image_grid)
{
    ck_assert_msg(plot_gnuplot_available(), "gnuplot is not on PATH (install gnuplot-nox)");
    enum { N = 12, H = 8, W = 8 };
    gsl_matrix *img = gsl_matrix_alloc(N, H * W);
    tu_fill(img->data, N * H * W, 8.0, 0.5);
    gsl_matrix_add_constant(img, 8.0); /* 0..16 like the sklearn digits */
    static const char *const caps[N] = {"0", "1", "2", "3", "4",      "5",
                                        "6", "7", "8", "9", "p=0.93", "\"q\""};
    plot_ctx ctx = {dir, PLOT_PNG};
    ck_assert_int_eq(plot_image_grid(&ctx, "digits", "samples", img, H, W, 5, 0, 16, caps), CM_OK);
    char *csv = file_text("digits", "csv");
    ck_assert_msg(strncmp(csv, "x,y,image,row,col,value\n", 24) == 0, "header %.30s", csv);
    /* image 6 is row 1, column 1 of the grid: its pixel (2,3) sits at x = 9+3, y = (8+gap)+2 */
    char cell[64];
    snprintf(cell, sizeof cell, ",6,2,3,%.6g\n", gsl_matrix_get(img, 6, 2 * W + 3));
    const char *hit = strstr(csv, cell);
    ck_assert_msg(hit != NULL, "no pixel (2,3) of image 6 as %s", cell);
    const char *line = hit;
    while (line > csv && line[-1] != '\n') line--;
    ck_assert_msg(strncmp(line, "12,", 3) == 0, "image 6 pixel (2,3) not at x=12: %.30s", line);
    free(csv);
    char *gp = file_text("digits", "gp");
    ck_assert_msg(strstr(gp, "\"p=0.93\"") && strstr(gp, "\"\\\"q\\\"\""), "captions:\n%s", gp);
    ck_assert_msg(strstr(gp, "set palette grey") && strstr(gp, "set cbrange [0:16]"), "%s", gp);
    free(gp);
    assert_png("digits");
    assert_script_runs("digits");
    ck_assert_int_eq(plot_image_grid(&ctx, "bad", "t", img, 7, 8, 5, 0, 16, NULL), CM_EINVAL);
    ck_assert_int_eq(plot_image_grid(&ctx, "nocap", NULL, img, H, W, 20, 0, 16, NULL), CM_OK);
    assert_png("nocap");
    gsl_matrix_free(img);
}
END_TEST

/* stderr into a file for the duration of a call */
static char *with_stderr_captured(int (*fn)(plot_ctx *), plot_ctx *ctx, int *rc)
{
    tu_stderr_begin();
    *rc = fn(ctx);
    return tu_stderr_end();
}

static int write_two_figures(plot_ctx *ctx)
{
    plot_fig *f = loss_figure();
    int rc = plot_fig_write(ctx, f);
    plot_fig_free(f);
    if (rc) return rc;
    gsl_matrix *M = gsl_matrix_alloc(3, 3);
    tu_fill(M->data, 9, 1.0, 0.0);
    rc = plot_heatmap(ctx, "heat", "t", "x", "y", M);
    gsl_matrix_free(M);
    return rc;
}

START_TEST(test_gnuplot_missing)
{
    setenv("CM_GNUPLOT", "/nonexistent/gnuplot", 1);
    cm_set_progname("neuron");
    ck_assert_msg(!plot_gnuplot_available(), "a missing gnuplot counted as available");
    plot_ctx ctx = {dir, PLOT_PNG};
    int rc;
    char *err = with_stderr_captured(write_two_figures, &ctx, &rc);
    ck_assert_msg(rc == CM_OK, "a missing gnuplot is an error: %s", cm_errmsg());
    ck_assert_str_eq(err, "neuron: gnuplot not found: wrote loss.csv and loss.gp; install "
                          "gnuplot-nox to draw them\n"); /* once, not per figure */
    free(err);
    ck_assert_msg(file_size("loss", "csv") > 0 && file_size("loss", "gp") > 0,
                  "data and script not written");
    ck_assert_msg(file_size("heat", "csv") > 0 && file_size("heat", "gp") > 0,
                  "heatmap data and script not written");
    ck_assert_msg(file_size("loss", "png") == -1, "a png without gnuplot?");
    unsetenv("CM_GNUPLOT");
}
END_TEST

START_TEST(test_gnuplot_fails)
{
    /* a gnuplot that reads its commands and fails as gnuplot does on a bad script */
    char fake[700];
    snprintf(fake, sizeof fake, "%s/fake-gnuplot", dir);
    tu_write_file(fake, "#!/bin/sh\ncat >/dev/null\necho 'gnuplot> plot x' >&2\n"
                        "echo '\"loss.gp\" line 12: undefined variable: x' >&2\nexit 1\n");
    ck_assert_int_eq(chmod(fake, 0755), 0);
    setenv("CM_GNUPLOT", fake, 1);
    plot_ctx ctx = {dir, PLOT_PNG};
    plot_fig *f = loss_figure();
    int rc = plot_fig_write(&ctx, f);
    plot_fig_free(f);
    ck_assert_int_eq(rc, CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), "loss.gp") && strstr(cm_errmsg(), "undefined variable: x"),
                  "message: %s", cm_errmsg());
    unsetenv("CM_GNUPLOT");
}
END_TEST

/* A gnuplot that dies before reading its commands (a crash, a broken install): writing the
 * commands into the closed pipe must give CM_EIO, not kill the program with SIGPIPE. */
START_TEST(test_gnuplot_exits_early)
{
    char fake[700];
    snprintf(fake, sizeof fake, "%s/dead-gnuplot", dir);
    tu_write_file(fake, "#!/bin/sh\necho 'gnuplot: cannot start' >&2\nexit 3\n");
    ck_assert_int_eq(chmod(fake, 0755), 0);
    setenv("CM_GNUPLOT", fake, 1);
    plot_ctx ctx = {dir, PLOT_PNG};
    for (int k = 0; k < 5; k++) { /* the race with the child's exit: try several times */
        plot_fig *f = loss_figure();
        int rc = plot_fig_write(&ctx, f);
        plot_fig_free(f);
        ck_assert_int_eq(rc, CM_EIO);
        ck_assert_msg(strstr(cm_errmsg(), "cannot start"), "message: %s", cm_errmsg());
    }
    unsetenv("CM_GNUPLOT");
}
END_TEST

START_TEST(test_bad_inputs)
{
    plot_ctx ctx = {"/nonexistent-dir-cm", PLOT_NONE};
    plot_fig *f = loss_figure();
    ck_assert_int_eq(plot_fig_write(&ctx, f), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), "/nonexistent-dir-cm/loss.csv"), "%s", cm_errmsg());
    plot_fig_free(f);
    ck_assert_msg(plot_fig_new("a/b", "t", "x", "y") == NULL, "a name with a slash");
    plot_fig *empty = plot_fig_new("empty", "t", "x", "y");
    plot_ctx ok = {dir, PLOT_NONE};
    ck_assert_int_eq(plot_fig_write(&ok, empty), CM_EINVAL);
    plot_fig_free(empty);
    plot_mode m;
    ck_assert_int_eq(plot_parse_mode("term", &m), CM_OK);
    ck_assert_int_eq(m, PLOT_TERM);
    ck_assert_int_eq(plot_parse_mode("pdf", &m), CM_EINVAL);
    ck_assert_str_eq(plot_mode_name(PLOT_WINDOW), "window");
    char buf[64];
    plot_path(&ctx, "boundary", "png", buf, sizeof buf);
    ck_assert_str_eq(buf, "/nonexistent-dir-cm/boundary.png");
}
END_TEST

Suite *suite_common_plot(void)
{
    Suite *s = suite_create("common_plot");
    TCase *tc = tcase_create("plot");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fig_none);
    tcase_add_test(tc, test_fig_png);
    tcase_add_test(tc, test_classes);
    tcase_add_test(tc, test_heatmap);
    tcase_add_test(tc, test_image_grid);
    tcase_add_test(tc, test_gnuplot_missing);
    tcase_add_test(tc, test_gnuplot_fails);
    tcase_add_test(tc, test_gnuplot_exits_early);
    tcase_add_test(tc, test_bad_inputs);
    suite_add_tcase(s, tc);
    return s;
}
