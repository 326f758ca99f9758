/* Tests of common/csv.c: well-formed files read exactly (CRLF, no final newline, the shipped
 * iris data), and every kind of malformed file rejected with the file, line and column named. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "testutil.h"

/* Writes text to dir/name and returns the path (static storage). */
static const char *write_csv(const char *dir, const char *name, const char *text)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tu_write_file(path, text);
    return path;
}

/* Expects csv_read to fail with code and a message containing every string of want[]. */
static void expect_failure(const char *path, int code, const char *const *want, size_t n_want)
{
    csv_table *t = (csv_table *)0x1;
    int st = csv_read(path, &t);
    ck_assert_msg(st == code, "%s: status %d, expected %d (message '%s')", path, st, code,
                  cm_errmsg());
    ck_assert_msg(t == NULL, "%s: *out must be NULL on failure", path);
    for (size_t i = 0; i < n_want; i++)
        ck_assert_msg(strstr(cm_errmsg(), want[i]) != NULL, "message '%s' should contain '%s'",
                      cm_errmsg(), want[i]);
}

START_TEST(test_csv_reads_crlf_and_unterminated_last_line)
{
    const char *dir = tu_tmpdir("csv");
    const char *path = write_csv(dir, "a.csv",
                                 "x1, \"x 2\" ,label\r\n"
                                 "2.385,-0.0017,1\r\n"
                                 "\r\n"
                                 "-7.25e3, 3.5 ,0\r\n"
                                 "1e-300,0.1,2");
    csv_table *t;
    ck_assert_msg(csv_read(path, &t) == CM_OK, "read: %s", cm_errmsg());
    ck_assert_msg(t->rows == 3 && t->cols == 3, "3 x 3 (blank line skipped): got %zu x %zu",
                  t->rows, t->cols);
    ck_assert_str_eq(t->names[0], "x1");
    ck_assert_str_eq(t->names[1], "x 2"); /* quotes and surrounding blanks removed */
    ck_assert_str_eq(t->names[2], "label");
    const double want[3][3] = {{2.385, -0.0017, 1}, {-7.25e3, 3.5, 0}, {1e-300, 0.1, 2}};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            ck_assert_msg(gsl_matrix_get(t->X, i, j) == want[i][j],
                          "X[%zu][%zu] = %.17g, want %.17g", i, j, gsl_matrix_get(t->X, i, j),
                          want[i][j]);
    ck_assert_int_eq(csv_column(t, "label"), 2);
    ck_assert_int_eq(csv_column(t, "x 2"), 1);
    ck_assert_int_eq(csv_column(t, "nope"), -1);
    csv_free(t);
    tu_rmtree(dir);
}
END_TEST

/* The shipped iris data: 150 x 5, CRLF line ends, known first and last rows. */
START_TEST(test_csv_reads_iris)
{
    const char *path = "data/iris.csv";
    csv_table *t;
    ck_assert_msg(csv_read(path, &t) == CM_OK, "read %s (run from the repository root): %s", path,
                  cm_errmsg());
    ck_assert_msg(t->rows == 150 && t->cols == 5, "iris is 150 x 5: got %zu x %zu", t->rows,
                  t->cols);
    ck_assert_str_eq(t->names[0], "sepal_length");
    ck_assert_str_eq(t->names[4], "species");
    const double first[5] = {5.1, 3.5, 1.4, 0.2, 0}, last[5] = {5.9, 3.0, 5.1, 1.8, 2};
    for (size_t j = 0; j < 5; j++) {
        ck_assert_msg(gsl_matrix_get(t->X, 0, j) == first[j], "row 1 column %zu: %g", j + 1,
                      gsl_matrix_get(t->X, 0, j));
        ck_assert_msg(gsl_matrix_get(t->X, 149, j) == last[j], "row 150 column %zu: %g", j + 1,
                      gsl_matrix_get(t->X, 149, j));
    }
    /* the column sums, as numpy computes them from the same file: 876.5, 458.6, 563.7, 179.9 */
    const double sums[4] = {876.5, 458.6, 563.7, 179.9};
    for (size_t j = 0; j < 4; j++) {
        double s = 0;
        for (size_t i = 0; i < 150; i++) s += gsl_matrix_get(t->X, i, j);
        ck_assert_msg(fabs(s - sums[j]) < 1e-9, "sum of column %zu: %.12g, want %.12g", j + 1, s,
                      sums[j]);
    }
    csv_free(t);
}
END_TEST

/* The required case: a short row fails and the message names its line. */
START_TEST(test_csv_short_row_names_its_line)
{
    const char *dir = tu_tmpdir("csv");
    const char *path =
        write_csv(dir, "short.csv", "a,b,c,d,e\n1,2,3,4,5\n6,7,8,9,10\n1.5,2.5,3.5\n");
    char want[700];
    snprintf(want, sizeof want, "%s:4: 3 fields, the header has 5", path);
    const char *w[] = {want};
    expect_failure(path, CM_EFORMAT, w, 1);
    /* a long row too, with CRLF line ends */
    path = write_csv(dir, "long.csv", "a,b\r\n1,2\r\n3,4,5\r\n");
    snprintf(want, sizeof want, "%s:3: 3 fields, the header has 2", path);
    expect_failure(path, CM_EFORMAT, w, 1);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_csv_bad_number_names_line_and_column)
{
    const char *dir = tu_tmpdir("csv");
    const char *path =
        write_csv(dir, "bad.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n13,14,abc\n");
    char want[700];
    snprintf(want, sizeof want, "%s:6: column 3: expected a number, got 'abc'", path);
    const char *w[] = {want};
    expect_failure(path, CM_EFORMAT, w, 1);
    ck_assert_str_eq(cm_errmsg(), want); /* the exact message of csv.h */

    const char *cases[][2] = {
        {"a,b\n1,\n", ":2: column 2: expected a number, got ''"},
        {"a,b\n1,2x\n", ":2: column 2: expected a number, got '2x'"},
        {"a,b\n1 2,3\n", ":2: column 1: expected a number, got '1 2'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        path = write_csv(dir, "bad2.csv", cases[k][0]);
        const char *w2[] = {path, cases[k][1]};
        expect_failure(path, CM_EFORMAT, w2, 2);
    }
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_csv_rejects_nan_inf)
{
    const char *dir = tu_tmpdir("csv");
    const char *vals[] = {"nan", "NaN", "inf", "-Infinity", "1e999"};
    for (size_t k = 0; k < 5; k++) {
        char text[64];
        snprintf(text, sizeof text, "a,b\n1,2\n3,%s\n", vals[k]);
        const char *path = write_csv(dir, "nan.csv", text);
        const char *w[] = {path, ":3: column 2", vals[k]};
        expect_failure(path, CM_ENOTFINITE, w, 3);
    }
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_csv_rejects_empty_header_only_missing_overlong_binary)
{
    const char *dir = tu_tmpdir("csv");
    const char *path = write_csv(dir, "empty.csv", "");
    const char *w1[] = {path, "empty file"};
    expect_failure(path, CM_EFORMAT, w1, 2);

    path = write_csv(dir, "header.csv", "a,b,c\r\n");
    const char *w2[] = {path, "no data rows"};
    expect_failure(path, CM_EFORMAT, w2, 2);

    path = write_csv(dir, "noname.csv", "a,,c\n1,2,3\n");
    const char *w3[] = {path, "column 2 of the header has no name"};
    expect_failure(path, CM_EFORMAT, w3, 2);

    char missing[600];
    snprintf(missing, sizeof missing, "%s/does-not-exist.csv", dir);
    const char *w4[] = {missing, "cannot open"};
    expect_failure(missing, CM_EIO, w4, 2);

    /* a 2 MB line: a binary or corrupted file, rejected before it is parsed */
    size_t n = 2u << 20;
    char *big = malloc(n + 32);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "a,b\n1,2\n");
    size_t k = strlen(big);
    for (; k < n; k += 2) memcpy(big + k, "7,", 2);
    strcpy(big + k, "7\n");
    path = write_csv(dir, "long.csv", big);
    free(big);
    const char *w5[] = {path, ":3: line longer than"};
    expect_failure(path, CM_EFORMAT, w5, 2);

    /* a binary file (NUL bytes) in the header or in a row */
    /* bin_start: a NUL as the first byte (is_blank would stop there and say "empty file") */
    static const char bin_header[] = "a,b\0\x7f"
                                     "ELF\n1,2\n",
                      bin_row[] = "a,b\n1,2\n3\0,4\n", bin_start[] = "\0ELF,x\n1,2\n";
    const char *bins[][2] = {{"bin1.csv", ":1: not a text file"},
                             {"bin2.csv", ":3: not a text file"},
                             {"bin3.csv", ":1: not a text file"}};
    const char *bytes[] = {bin_header, bin_row, bin_start};
    size_t sizes[] = {sizeof bin_header - 1, sizeof bin_row - 1, sizeof bin_start - 1};
    for (int i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, bins[i][0]);
        FILE *f = fopen(p, "wb");
        ck_assert_ptr_nonnull(f);
        fwrite(bytes[i], 1, sizes[i], f);
        fclose(f);
        const char *w6[] = {p, bins[i][1]};
        expect_failure(p, CM_EFORMAT, w6, 2);
    }
    tu_rmtree(dir);
}
END_TEST

/* csv_write then csv_read gives back every double bit for bit (%.17g). */
START_TEST(test_csv_write_read_roundtrip)
{
    const char *dir = tu_tmpdir("csv");
    char path[600];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    gsl_matrix *X = gsl_matrix_alloc(7, 3);
    tu_fill(X->data, 21, 2.385, 0.3);
    gsl_matrix_set(X, 0, 0, 1e-310); /* a denormal */
    gsl_matrix_set(X, 1, 1, -1e308);
    gsl_matrix_set(X, 2, 2, 0.1);
    const char *names[] = {"step", "loss", "acc"};
    ck_assert_int_eq(csv_write(path, X, names), CM_OK);
    csv_table *t;
    ck_assert_msg(csv_read(path, &t) == CM_OK, "read back: %s", cm_errmsg());
    ck_assert_msg(t->rows == 7 && t->cols == 3, "7 x 3: %zu x %zu", t->rows, t->cols);
    ck_assert_str_eq(t->names[1], "loss");
    for (size_t i = 0; i < 21; i++)
        ck_assert_msg(memcmp(&t->X->data[i], &X->data[i], sizeof(double)) == 0,
                      "element %zu: %.17g != %.17g", i, t->X->data[i], X->data[i]);
    csv_free(t);
    gsl_matrix_free(X);

    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir/out.csv", dir);
    gsl_matrix *Y = gsl_matrix_calloc(1, 1);
    ck_assert_int_eq(csv_write(bad, Y, names), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), bad) != NULL, "message names the path: %s", cm_errmsg());
    /* a name with a comma would shift the columns of the file: refused, nothing written */
    const char *comma[] = {"loss,smoothed"};
    ck_assert_int_eq(csv_write(path, Y, comma), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "loss,smoothed") != NULL, "names the column: %s",
                  cm_errmsg());
    gsl_matrix_free(Y);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_common_csv(void)
{
    Suite *s = suite_create("common_csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, test_csv_reads_crlf_and_unterminated_last_line);
    tcase_add_test(tc, test_csv_reads_iris);
    tcase_add_test(tc, test_csv_short_row_names_its_line);
    tcase_add_test(tc, test_csv_bad_number_names_line_and_column);
    tcase_add_test(tc, test_csv_rejects_nan_inf);
    tcase_add_test(tc, test_csv_rejects_empty_header_only_missing_overlong_binary);
    tcase_add_test(tc, test_csv_write_read_roundtrip);
    suite_add_tcase(s, tc);
    return s;
}
