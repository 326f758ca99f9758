/* Tests of common/matrix.c: allocation failures come back as NULL with a message instead of
 * GSL's abort, and the row views share memory with their matrix. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "matrix.h"

START_TEST(test_calloc_zeroed_and_checked)
{
    gsl_matrix *m = cm_matrix_calloc(3, 4);
    ck_assert_ptr_nonnull(m);
    ck_assert_msg(m->size1 == 3 && m->size2 == 4, "shape %zu x %zu", m->size1, m->size2);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++) ck_assert_msg(gsl_matrix_get(m, i, j) == 0.0, "not zeroed");
    cm_matrix_free(m);
    cm_matrix_free(NULL);

    /* a zero dimension and an absurd size: NULL and a message, not GSL's abort */
    ck_assert_ptr_null(cm_matrix_calloc(0, 4));
    ck_assert_msg(strstr(cm_errmsg(), "0 x 4") != NULL, "message: %s", cm_errmsg());
    ck_assert_ptr_null(cm_matrix_calloc(SIZE_MAX / 4, 3));
    ck_assert_msg(strstr(cm_errmsg(), "too large") != NULL, "message: %s", cm_errmsg());
    /* large but not overflowing: the allocator itself fails (1 PB), still no abort */
    ck_assert_ptr_null(cm_matrix_calloc((size_t)1 << 25, (size_t)1 << 25));
    ck_assert_msg(strstr(cm_errmsg(), "out of memory") != NULL, "message: %s", cm_errmsg());

    gsl_vector *v = cm_vector_calloc(5);
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(v->size == 5 && gsl_vector_get(v, 4) == 0.0, "vector wrong");
    cm_vector_free(v);
    cm_vector_free(NULL);
    ck_assert_ptr_null(cm_vector_calloc(0));
    ck_assert_ptr_null(cm_vector_calloc(SIZE_MAX / 2));
}
END_TEST

START_TEST(test_rows_view_and_finite)
{
    gsl_matrix *m = cm_matrix_calloc(4, 3);
    gsl_matrix_view top = cm_matrix_rows(m, 2);
    ck_assert_msg(top.matrix.size1 == 2 && top.matrix.size2 == 3, "view shape");
    gsl_matrix_set(&top.matrix, 1, 2, 2.385);
    ck_assert_msg(gsl_matrix_get(m, 1, 2) == 2.385, "the view does not share memory");
    ck_assert_int_eq(cm_matrix_all_finite(m), 1);
    gsl_matrix_set(m, 3, 0, NAN);
    ck_assert_int_eq(cm_matrix_all_finite(m), 0);
    gsl_matrix_set(m, 3, 0, -INFINITY);
    ck_assert_int_eq(cm_matrix_all_finite(m), 0);
    cm_matrix_free(m);
}
END_TEST

Suite *suite_common_matrix(void)
{
    Suite *s = suite_create("common_matrix");
    TCase *tc = tcase_create("matrix");
    tcase_add_test(tc, test_calloc_zeroed_and_checked);
    tcase_add_test(tc, test_rows_view_and_finite);
    suite_add_tcase(s, tc);
    return s;
}
