/* Tests of plot_labeled_points (common/plot.c): the csv it writes, the script that draws the
 * labels, and its errors. (Kept apart from test_common_plot.c, which other chapters extend.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plot.h"
#include "testutil.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_labeled_points_files)
{
    const char *dir = tu_tmpdir("plot-labels");
    plot_ctx ctx = {dir, PLOT_NONE};
    const double x[3] = {0.5, -1.25, 2}, y[3] = {1, 0, -3.5};
    const char *const labels[3] = {"darcy", "miss, bennet", "say \"hi\""};
    ck_assert_int_eq(plot_labeled_points(&ctx, "map", "a map", "pc1", "pc2", x, y, labels, 3),
                     CM_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/map.csv", dir);
    char *csv = slurp(path);
    ck_assert_str_eq(csv, "label,x,y\ndarcy,0.5,1\nmiss  bennet,-1.25,0\nsay  hi ,2,-3.5\n");
    free(csv);
    snprintf(path, sizeof path, "%s/map.gp", dir);
    char *gp = slurp(path);
    ck_assert_msg(strstr(gp, "with labels") && strstr(gp, "\"map.csv\"") &&
                      strstr(gp, "set xlabel \"pc1\"") && strstr(gp, "map.png"),
                  "script:\n%s", gp);
    free(gp);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_labeled_points_errors)
{
    const char *dir = tu_tmpdir("plot-labels-bad");
    plot_ctx ctx = {dir, PLOT_NONE};
    const double x[2] = {0, NAN}, y[2] = {1, 2};
    const char *const labels[2] = {"a", "b"};
    ck_assert_int_eq(plot_labeled_points(&ctx, "m", "t", NULL, NULL, x, y, labels, 2),
                     CM_ENOTFINITE);
    ck_assert_msg(strstr(cm_errmsg(), "point 1"), "%s", cm_errmsg());
    ck_assert_int_eq(plot_labeled_points(&ctx, "m", "t", NULL, NULL, x, y, labels, 0), CM_EINVAL);
    ck_assert_int_eq(plot_labeled_points(&ctx, "a/b", "t", NULL, NULL, x, y, labels, 1), CM_EINVAL);
    plot_ctx nowhere = {"/nonexistent/dir", PLOT_NONE};
    ck_assert_int_eq(plot_labeled_points(&nowhere, "m", "t", NULL, NULL, x, y, labels, 1), CM_EIO);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_common_plot_labels(void)
{
    Suite *s = suite_create("common_plot_labels");
    TCase *tc = tcase_create("labels");
    tcase_add_test(tc, test_labeled_points_files);
    tcase_add_test(tc, test_labeled_points_errors);
    suite_add_tcase(s, tc);
    return s;
}
