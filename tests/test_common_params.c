/* Tests of common/params.c: declare, commit, find, views over the flat blocks, errors. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "params.h"
#include "testutil.h"

/* fc1.weight (4, 3), fc1.bias (4), conv (2, 3, 5): 12 + 4 + 30 = 46 doubles. */
static params *make_block(int *W, int *b, int *c)
{
    params *p = params_alloc();
    ck_assert_ptr_nonnull(p);
    *W = params_declare2(p, "fc1.weight", 4, 3);
    *b = params_declare1(p, "fc1.bias", 4);
    size_t shape[3] = {2, 3, 5};
    *c = params_declare(p, "conv", 3, shape);
    ck_assert_int_eq(params_commit(p), CM_OK);
    return p;
}

START_TEST(test_declare_commit_find)
{
    int W, b, c;
    params *p = make_block(&W, &b, &c);
    ck_assert_msg(W == 0 && b == 1 && c == 2, "indices in declaration order: %d %d %d", W, b, c);
    ck_assert_msg(p->n_tensors == 3 && p->size == 46, "3 tensors, 46 doubles: got %zu, %zu",
                  p->n_tensors, p->size);
    ck_assert_msg(p->tensors[b].offset == 12 && p->tensors[c].offset == 16,
                  "offsets 12 and 16: got %zu, %zu", p->tensors[b].offset, p->tensors[c].offset);
    ck_assert_int_eq(params_find(p, "fc1.bias"), b);
    ck_assert_int_eq(params_find(p, "conv"), c);
    ck_assert_int_eq(params_find(p, "fc2.bias"), -1);
    for (size_t i = 0; i < p->size; i++)
        ck_assert_msg(p->data[i] == 0 && p->grad[i] == 0, "committed blocks zeroed at %zu", i);
    params_free(p);
}
END_TEST

START_TEST(test_views_share_memory)
{
    int W, b, c;
    params *p = make_block(&W, &b, &c);
    ck_assert_ptr_eq(params_ptr(p, W), p->data);
    ck_assert_ptr_eq(params_ptr(p, b), p->data + 12);
    ck_assert_ptr_eq(params_grad_ptr(p, c), p->grad + 16);

    gsl_matrix_view Wv = params_matrix(p, W);
    ck_assert_msg(Wv.matrix.size1 == 4 && Wv.matrix.size2 == 3, "fc1.weight viewed as 4 x 3");
    gsl_matrix_set(&Wv.matrix, 2, 1, 2.385);
    ck_assert_msg(p->data[2 * 3 + 1] == 2.385, "W[2][1] written through the view is data[7]");

    gsl_matrix_view bv = params_matrix(p, b);
    ck_assert_msg(bv.matrix.size1 == 1 && bv.matrix.size2 == 4, "a 1-D tensor is viewed 1 x n");
    gsl_matrix_view cv = params_grad_matrix(p, c);
    ck_assert_msg(cv.matrix.size1 == 2 && cv.matrix.size2 == 15, "(2,3,5) viewed as 2 x 15");
    gsl_matrix_set(&cv.matrix, 1, 14, -0.731);
    ck_assert_msg(p->grad[16 + 29] == -0.731, "grad view writes the grad block's last entry");

    gsl_vector_view gv = params_grad_vector(p, b);
    gsl_vector_set(&gv.vector, 3, 1.75);
    ck_assert_msg(p->grad[15] == 1.75 && gv.vector.size == 4, "bias grad vector shares memory");
    gsl_vector_view vv = params_vector(p, W);
    ck_assert_msg(vv.vector.size == 12 && gsl_vector_get(&vv.vector, 7) == 2.385,
                  "weight vector view sees the value set through the matrix view");
    params_free(p);
}
END_TEST

START_TEST(test_declare_errors)
{
    params *p = params_alloc();
    ck_assert_int_eq(params_declare2(p, "enc.weight", 3, 2), 0);
    ck_assert_int_eq(params_declare1(p, "enc.weight", 5), -1);
    ck_assert_msg(strstr(cm_errmsg(), "duplicate") && strstr(cm_errmsg(), "enc.weight"),
                  "duplicate name named in the message: '%s'", cm_errmsg());
    ck_assert_int_eq(params_declare2(p, "zero", 3, 0), -1);
    size_t shape5[5] = {1, 2, 3, 4, 5};
    ck_assert_int_eq(params_declare(p, "five", 5, shape5), -1);
    char longname[PARAMS_NAME_LEN + 8];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ck_assert_int_eq(params_declare1(p, longname, 3), -1);
    ck_assert_int_eq(params_declare1(p, "", 3), -1);
    ck_assert_msg(p->n_tensors == 1 && p->size == 6, "rejected tensors leave the block as it was");
    ck_assert_int_eq(params_commit(p), CM_OK);
    ck_assert_int_eq(params_declare1(p, "late", 2), -1);
    ck_assert_int_eq(params_commit(p), CM_EINVAL);
    params_free(p);

    params *empty = params_alloc();
    ck_assert_int_eq(params_commit(empty), CM_EINVAL);
    params_free(empty);
}
END_TEST

START_TEST(test_many_tensors_grow)
{
    params *p = params_alloc();
    char name[32];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "layer%d.bias", i);
        ck_assert_int_eq(params_declare1(p, name, (size_t)i + 1), i);
    }
    ck_assert_int_eq(params_commit(p), CM_OK);
    ck_assert_int_eq(params_find(p, "layer37.bias"), 37);
    ck_assert_msg(p->size == 40 * 41 / 2, "sizes 1..40 sum to 820: got %zu", p->size);
    params_free(p);
}
END_TEST

START_TEST(test_zero_grad_and_norm)
{
    int W, b, c;
    params *p = make_block(&W, &b, &c);
    tu_fill(p->grad, p->size, 1.37, 0.4);
    double ss = 0;
    for (size_t i = 0; i < p->size; i++) ss += p->grad[i] * p->grad[i];
    double norm = params_grad_norm(p);
    ck_assert_msg(fabs(norm - sqrt(ss)) <= 1e-14 * sqrt(ss),
                  "grad norm %.17g vs sqrt(sum g^2) %.17g", norm, sqrt(ss));

    params_zero_grad(p);
    for (size_t i = 0; i < p->size; i++) ck_assert_msg(p->grad[i] == 0, "zero_grad at %zu", i);
    ck_assert_msg(params_grad_norm(p) == 0, "norm of zeroed gradients is 0");
    /* 3-4-12: norm 13 exactly. */
    p->grad[0] = 3;
    p->grad[13] = -4;
    p->grad[45] = 12;
    ck_assert_msg(params_grad_norm(p) == 13.0, "norm of (3,-4,12) is 13: got %.17g",
                  params_grad_norm(p));
    params_free(p);
}
END_TEST

START_TEST(test_finite_copy_shape)
{
    int W, b, c;
    params *p = make_block(&W, &b, &c), *q = make_block(&W, &b, &c);
    tu_fill(p->data, p->size, 0.9, 0.2);
    ck_assert_int_eq(params_all_finite(p), 1);
    ck_assert_int_eq(params_copy_values(q, p), CM_OK);
    ck_assert_msg(memcmp(q->data, p->data, p->size * sizeof(double)) == 0, "copy is bit-exact");
    p->data[20] = NAN;
    ck_assert_int_eq(params_all_finite(p), 0);

    params *r = params_alloc();
    params_declare2(r, "fc1.weight", 3, 4); /* transposed shape */
    params_declare1(r, "fc1.bias", 4);
    size_t shape[3] = {2, 3, 5};
    params_declare(r, "conv", 3, shape);
    params_commit(r);
    ck_assert_int_eq(params_copy_values(r, q), CM_ESHAPE);
    ck_assert_msg(strstr(cm_errmsg(), "fc1.weight") != NULL, "mismatch names the tensor: '%s'",
                  cm_errmsg());

    char buf[64];
    params_shape_str(&q->tensors[2], buf, sizeof buf);
    ck_assert_str_eq(buf, "(2, 3, 5)");
    params_shape_str(&q->tensors[1], buf, sizeof buf);
    ck_assert_str_eq(buf, "(4,)");
    params_free(p);
    params_free(q);
    params_free(r);
}
END_TEST

Suite *suite_common_params(void)
{
    Suite *s = suite_create("common_params");
    TCase *tc = tcase_create("params");
    tcase_add_test(tc, test_declare_commit_find);
    tcase_add_test(tc, test_views_share_memory);
    tcase_add_test(tc, test_declare_errors);
    tcase_add_test(tc, test_many_tensors_grow);
    tcase_add_test(tc, test_zero_grad_and_norm);
    tcase_add_test(tc, test_finite_copy_shape);
    suite_add_tcase(s, tc);
    return s;
}
