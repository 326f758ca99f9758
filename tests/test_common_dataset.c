/* Tests of common/dataset.c: loading with a label column, splits (plain and seeded random),
 * column statistics and standardization (as sklearn's StandardScaler), binarize, labels,
 * shuffled minibatches and dataset_gather_rows. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "dataset.h"
#include "error.h"
#include "testutil.h"

/* n rows, d features of varied values; y[i] = i (so that a row can be traced). */
static dataset *make_ds(size_t n, size_t d)
{
    dataset *ds = dataset_alloc(n, d);
    ck_assert_ptr_nonnull(ds);
    tu_fill(ds->X->data, n * d, 2.385, 0.7);
    for (size_t i = 0; i < n; i++) ds->y[i] = (double)i;
    return ds;
}

START_TEST(test_from_csv_label_column)
{
    const char *dir = tu_tmpdir("ds");
    char path[600];
    snprintf(path, sizeof path, "%s/d.csv", dir);
    tu_write_file(path, "a,label,b\n1.5,2,-3.25\n4.5,0,6.125\n");
    dataset *ds;
    ck_assert_msg(dataset_from_csv(path, "label", &ds) == CM_OK, "%s", cm_errmsg());
    ck_assert_msg(ds->n == 2 && ds->d == 2, "2 rows, 2 features: %zu, %zu", ds->n, ds->d);
    ck_assert_msg(gsl_matrix_get(ds->X, 0, 0) == 1.5 && gsl_matrix_get(ds->X, 0, 1) == -3.25 &&
                      gsl_matrix_get(ds->X, 1, 1) == 6.125,
                  "features are the other columns, in order");
    ck_assert_msg(ds->y[0] == 2 && ds->y[1] == 0, "labels from the named column");
    dataset_free(ds);

    ck_assert_int_eq(dataset_from_csv(path, NULL, &ds), CM_OK); /* the last column */
    ck_assert_msg(ds->y[0] == -3.25 && gsl_matrix_get(ds->X, 1, 1) == 0, "NULL: last column");
    dataset_free(ds);

    ck_assert_int_eq(dataset_from_csv(path, "species", &ds), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "species") && strstr(cm_errmsg(), path), "%s", cm_errmsg());
    ck_assert_ptr_null(ds);

    /* iris: 150 rows, 4 features, labels 0..2 */
    ck_assert_int_eq(dataset_from_csv("data/iris.csv", NULL, &ds), CM_OK);
    int labels[150], k;
    ck_assert_int_eq(dataset_labels(ds, labels, &k), CM_OK);
    ck_assert_msg(ds->n == 150 && ds->d == 4 && k == 3, "iris: %zu x %zu, %d classes", ds->n, ds->d,
                  k);
    dataset_free(ds);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_split)
{
    dataset *ds = make_ds(10, 3), *a, *b;
    ck_assert_int_eq(dataset_split(ds, 7, &a, &b), CM_OK);
    ck_assert_msg(a->n == 7 && b->n == 3, "7 + 3 rows: %zu + %zu", a->n, b->n);
    for (size_t i = 0; i < 10; i++) {
        const dataset *part = i < 7 ? a : b;
        size_t r = i < 7 ? i : i - 7;
        ck_assert_msg(part->y[r] == (double)i, "row %zu's label", i);
        for (size_t j = 0; j < 3; j++)
            ck_assert_msg(gsl_matrix_get(part->X, r, j) == gsl_matrix_get(ds->X, i, j),
                          "row %zu column %zu copied", i, j);
    }
    dataset_free(a);
    dataset_free(b);
    ck_assert_int_eq(dataset_split(ds, 0, &a, &b), CM_EINVAL);
    ck_assert_int_eq(dataset_split(ds, 10, &a, &b), CM_EINVAL);
    ck_assert_msg(a == NULL && b == NULL, "nothing returned on failure");
    dataset_free(ds);
}
END_TEST

/* Test rows of a seeded split, as a bitmask over the 40 rows. */
static unsigned long long split_mask(const dataset *ds, unsigned long seed, size_t *n_test)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    dataset *tr, *te;
    ck_assert_int_eq(dataset_split_random(ds, 0.2, r, &tr, &te), CM_OK);
    unsigned long long mask = 0, train = 0;
    for (size_t i = 0; i < te->n; i++) mask |= 1ull << (int)te->y[i];
    for (size_t i = 0; i < tr->n; i++) train |= 1ull << (int)tr->y[i];
    ck_assert_msg((mask & train) == 0 && (mask | train) == (1ull << 40) - 1,
                  "every row in exactly one part");
    *n_test = te->n;
    ck_assert_msg(tr->n + te->n == ds->n, "every row in one part: %zu + %zu", tr->n, te->n);
    dataset_free(tr);
    dataset_free(te);
    gsl_rng_free(r);
    return mask;
}

START_TEST(test_split_random_seeded)
{
    dataset *ds = make_ds(40, 2);
    size_t n1, n2, n3;
    unsigned long long m1 = split_mask(ds, 2385, &n1), m2 = split_mask(ds, 2385, &n2),
                       m3 = split_mask(ds, 17, &n3);
    ck_assert_msg(n1 == 8 && n2 == 8 && n3 == 8, "ceil(0.2 * 40) = 8 test rows");
    ck_assert_msg(m1 == m2, "the same seed gives the same split");
    ck_assert_msg(m1 != m3, "another seed gives another split");
    ck_assert_msg((m1 & 0xff) != 0xff, "the test rows are not simply the first 8");

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    dataset *tr, *te;
    ck_assert_int_eq(dataset_split_random(ds, 0.0, r, &tr, &te), CM_EINVAL);
    ck_assert_int_eq(dataset_split_random(ds, 1.0, r, &tr, &te), CM_EINVAL);
    ck_assert_int_eq(dataset_split_random(ds, NAN, r, &tr, &te), CM_EINVAL);
    gsl_rng_free(r);
    dataset_free(ds);
}
END_TEST

START_TEST(test_column_stats_known_answer)
{
    /* column 0: 1, 2, 3, 4 -> mean 2.5, population sd sqrt(1.25); column 1 constant 0.1 */
    double data[8] = {1, 0.1, 2, 0.1, 3, 0.1, 4, 0.1};
    gsl_matrix_view X = gsl_matrix_view_array(data, 4, 2);
    double mean[2], sd[2];
    dataset_column_stats(&X.matrix, mean, sd);
    ck_assert_msg(fabs(mean[0] - 2.5) < 1e-15 && fabs(sd[0] - sqrt(1.25)) < 1e-15,
                  "mean 2.5, sd sqrt(1.25) (ddof 0): %.17g %.17g", mean[0], sd[0]);
    ck_assert_msg(mean[1] == 0.1 && sd[1] == 1.0, "constant column: mean 0.1, sd 1: %g %g", mean[1],
                  sd[1]);
    dataset_standardize(&X.matrix, mean, sd);
    const double z0[4] = {-1.5 / sqrt(1.25), -0.5 / sqrt(1.25), 0.5 / sqrt(1.25), 1.5 / sqrt(1.25)};
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(fabs(data[2 * i] - z0[i]) < 1e-15, "z[%d] = %.17g, want %.17g", i,
                      data[2 * i], z0[i]);
        ck_assert_msg(data[2 * i + 1] == 0.0, "a constant column standardizes to 0");
    }
}
END_TEST

/* Standardized high-entropy columns have mean 0 and population sd 1; the matrix may be a
 * submatrix (tda > size2). */
START_TEST(test_standardize_mean0_sd1)
{
    gsl_matrix *big = gsl_matrix_alloc(57, 9);
    tu_fill(big->data, 57 * 9, 3.7, 0.2);
    for (size_t i = 0; i < 57; i++)
        for (size_t j = 0; j < 9; j++)
            gsl_matrix_set(big, i, j, gsl_matrix_get(big, i, j) * (j + 1) + 10.0 * j);
    gsl_matrix_view X = gsl_matrix_submatrix(big, 0, 1, 57, 6);
    double mean[6], sd[6];
    dataset_column_stats(&X.matrix, mean, sd);
    dataset_standardize(&X.matrix, mean, sd);
    for (size_t j = 0; j < 6; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < 57; i++) s += gsl_matrix_get(&X.matrix, i, j);
        for (size_t i = 0; i < 57; i++) ss += pow(gsl_matrix_get(&X.matrix, i, j) - s / 57, 2);
        ck_assert_msg(fabs(s / 57) < 1e-14, "column %zu mean %g", j, s / 57);
        ck_assert_msg(fabs(sqrt(ss / 57) - 1) < 1e-14, "column %zu sd %.17g", j, sqrt(ss / 57));
    }
    gsl_matrix_free(big);
}
END_TEST

START_TEST(test_binarize_and_labels)
{
    double data[6] = {0.49, 0.5, 0.51, -2.385, 7, 0.5};
    gsl_matrix_view X = gsl_matrix_view_array(data, 2, 3);
    dataset_binarize(&X.matrix, 0.5);
    const double want[6] = {0, 1, 1, 0, 1, 1};
    for (int i = 0; i < 6; i++) ck_assert_msg(data[i] == want[i], "x[%d] = %g", i, data[i]);

    dataset *ds = make_ds(5, 1);
    const double y[5] = {2, 0, 4, 1, 2};
    memcpy(ds->y, y, sizeof y);
    int labels[5], k = 0;
    ck_assert_int_eq(dataset_labels(ds, labels, &k), CM_OK);
    ck_assert_msg(k == 5 && labels[2] == 4 && labels[4] == 2, "5 classes, labels copied");
    ds->y[3] = 1.5;
    ck_assert_int_eq(dataset_labels(ds, labels, &k), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "row 4") && strstr(cm_errmsg(), "1.5"), "%s", cm_errmsg());
    ds->y[3] = -1;
    ck_assert_int_eq(dataset_labels(ds, labels, &k), CM_EFORMAT);
    ds->y[3] = NAN;
    ck_assert_int_eq(dataset_labels(ds, labels, &k), CM_EFORMAT);
    dataset_free(ds);
}
END_TEST

/* One epoch's batches: sizes 5,5,5,5,3 for 23 rows; every row exactly once; the order. */
static void run_epoch(batcher *b, gsl_rng *r, size_t *order)
{
    batcher_shuffle(b, r);
    int seen[23] = {0};
    const size_t *idx;
    size_t m, k = 0, batches = 0;
    while ((m = batcher_next(b, &idx)) > 0) {
        ck_assert_msg(m == (batches < 4 ? 5u : 3u), "batch %zu has %zu rows", batches, m);
        for (size_t i = 0; i < m; i++) {
            ck_assert_msg(idx[i] < 23 && !seen[idx[i]], "row %zu once", idx[i]);
            seen[idx[i]] = 1;
            order[k++] = idx[i];
        }
        batches++;
    }
    ck_assert_msg(k == 23 && batches == 5, "23 rows in 5 batches: %zu in %zu", k, batches);
    ck_assert_int_eq(batcher_next(b, &idx), 0);
}

START_TEST(test_minibatches_cover_and_differ)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2385);
    batcher b;
    ck_assert_int_eq(batcher_init(&b, 23, 5), CM_OK);
    size_t e1[23], e2[23], e3[23];
    run_epoch(&b, r, e1);
    run_epoch(&b, r, e2);
    ck_assert_msg(memcmp(e1, e2, sizeof e1) != 0, "two epochs in different orders");
    int identity = 1;
    for (size_t i = 0; i < 23; i++) identity &= e1[i] == i;
    ck_assert_msg(!identity, "the epoch is shuffled");
    gsl_rng_set(r, 2385);
    run_epoch(&b, r, e3);
    ck_assert_msg(memcmp(e1, e3, sizeof e1) == 0, "the same seed gives the same epoch");
    batcher_free(&b);
    ck_assert_int_eq(batcher_init(&b, 0, 5), CM_EINVAL);
    ck_assert_int_eq(batcher_init(&b, 5, 0), CM_EINVAL);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_gather_rows)
{
    dataset *ds = make_ds(6, 4);
    gsl_matrix *out = gsl_matrix_calloc(5, 4);
    const size_t idx[3] = {5, 0, 3};
    dataset_gather_rows(ds->X, idx, 3, out);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            ck_assert_msg(gsl_matrix_get(out, i, j) == gsl_matrix_get(ds->X, idx[i], j),
                          "out[%zu][%zu] = X[%zu][%zu]", i, j, idx[i], j);
    for (size_t j = 0; j < 4; j++)
        ck_assert_msg(gsl_matrix_get(out, 3, j) == 0, "rows past m untouched");
    gsl_matrix_free(out);
    dataset_free(ds);
    ck_assert_ptr_null(dataset_alloc(0, 3));
}
END_TEST

Suite *suite_common_dataset(void)
{
    Suite *s = suite_create("common_dataset");
    TCase *tc = tcase_create("dataset");
    tcase_add_test(tc, test_from_csv_label_column);
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_split_random_seeded);
    tcase_add_test(tc, test_column_stats_known_answer);
    tcase_add_test(tc, test_standardize_mean0_sd1);
    tcase_add_test(tc, test_binarize_and_labels);
    tcase_add_test(tc, test_minibatches_cover_and_differ);
    tcase_add_test(tc, test_gather_rows);
    suite_add_tcase(s, tc);
    return s;
}
