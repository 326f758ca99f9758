/* Tests of common/npy.c: bit-exact round trips (float64, int32, int64; 0-d to 3-d), the exact
 * bytes np.save writes, reading files numpy wrote (built here byte by byte, no binary
 * fixtures), and every malformed file rejected with its name in the message. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "npy.h"
#include "testutil.h"

static char dir[512];

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("npy"));
}

static void teardown(void)
{
    tu_rmtree(dir);
}

static const char *in_dir(const char *name)
{
    static char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *b = malloc(1 << 16);
    *n = fread(b, 1, 1 << 16, f);
    fclose(f);
    return b;
}

/* A .npy file: version 1.0, the header dict padded with spaces to pad_to bytes of preamble
 * plus header (0: no padding), '\n', then the data bytes. */
static size_t build_npy(unsigned char *out, const char *dict, size_t pad_to, const void *data,
                        size_t n_data)
{
    size_t hlen = strlen(dict) + 1;
    while (pad_to && (10 + hlen) % pad_to) hlen++;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)(hlen & 0xff);
    out[9] = (unsigned char)(hlen >> 8);
    memset(out + 10, ' ', hlen);
    memcpy(out + 10, dict, strlen(dict));
    out[10 + hlen - 1] = '\n';
    memcpy(out + 10 + hlen, data, n_data);
    return 10 + hlen + n_data;
}

/* Writes then reads an array and checks dtype, shape and every byte. */
static void roundtrip(const char *name, npy_dtype t, int ndim, const size_t *shape,
                      const void *data, size_t elsize)
{
    const char *path = in_dir(name);
    ck_assert_msg(npy_write(path, t, ndim, shape, data) == CM_OK, "%s", cm_errmsg());
    npy_array *a;
    ck_assert_msg(npy_read(path, &a) == CM_OK, "%s", cm_errmsg());
    ck_assert_msg(a->dtype == t && a->ndim == ndim, "%s: dtype %d ndim %d", name, a->dtype,
                  a->ndim);
    size_t size = 1;
    for (int k = 0; k < ndim; k++) {
        ck_assert_msg(a->shape[k] == shape[k], "%s: shape[%d] = %zu", name, k, a->shape[k]);
        size *= shape[k];
    }
    ck_assert_msg(a->size == size, "%s: %zu elements, want %zu", name, a->size, size);
    ck_assert_msg(size == 0 || memcmp(a->data, data, size * elsize) == 0, "%s: data differ", name);
    npy_free(a);
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_msg(access(tmp, F_OK) != 0, "%s: no .tmp file left behind", name);
}

START_TEST(test_roundtrip_bit_exact)
{
    /* float64 edge values: -0.0, denormals, the extremes, an infinity, fractions of no exact
     * binary form; 3-d shape (2, 3, 4) */
    double d[24];
    tu_fill(d, 24, 2.385, 0.1);
    d[0] = -0.0;
    d[1] = 4.9406564584124654e-324; /* the smallest denormal */
    d[2] = 2.2250738585072009e-308; /* the largest denormal */
    d[3] = 1e308;
    d[4] = -DBL_MAX;
    d[5] = INFINITY;
    d[6] = 0.1;
    d[7] = -1.0 / 3.0;
    size_t s3[3] = {2, 3, 4};
    roundtrip("f3.npy", NPY_F64, 3, s3, d, 8);
    ck_assert_msg(signbit(d[0]), "-0.0 keeps its sign (checked through memcmp above)");

    size_t s1[1] = {24};
    roundtrip("f1.npy", NPY_F64, 1, s1, d, 8);
    double scalar = -2.385e-7;
    roundtrip("f0.npy", NPY_F64, 0, NULL, &scalar, 8);

    int32_t i32[6] = {INT32_MIN, -1, 0, 1, 2385, INT32_MAX};
    size_t s2[2] = {2, 3};
    roundtrip("i32.npy", NPY_I32, 2, s2, i32, 4);
    int64_t i64[5] = {INT64_MIN, -4294967296LL, 0, 9007199254740993LL, INT64_MAX};
    size_t s5[1] = {5};
    roundtrip("i64.npy", NPY_I64, 1, s5, i64, 8);
    /* an empty array, shape (0, 3) */
    size_t s0[2] = {0, 3};
    roundtrip("empty.npy", NPY_F64, 2, s0, NULL, 8);

    ck_assert_int_eq(npy_write_f64(in_dir("x.npy"), 9, s3, d), CM_EINVAL);
    ck_assert_int_eq(npy_write_f64(in_dir("no/such/dir/x.npy"), 1, s1, d), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), "no/such/dir/x.npy.tmp"), "names the file: %s", cm_errmsg());
}
END_TEST

/* np.save(f, np.array([[1.5, -2.25, 0.1], [1e-310, -0.0, 3.0]])) with numpy 1.24: the header
 * dict, 57 spaces (numpy's room to grow the first axis, then alignment: 10 + 60 + 57 + 1 =
 * 128) and '\n', then the six doubles little-endian. */
static const char np_dict[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
static const unsigned char np_data[48] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f, /* 1.5 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc0, /* -2.25 */
    0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f, /* 0.1 */
    0x2b, 0xe6, 0x70, 0x8b, 0x68, 0x12, 0x00, 0x00, /* 1e-310 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* -0.0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x40, /* 3.0 */
};
static const double np_values[6] = {1.5, -2.25, 0.1, 1e-310, -0.0, 3.0};

START_TEST(test_reads_and_writes_numpy_bytes)
{
    unsigned char want[256];
    size_t n = build_npy(want, np_dict, 64, np_data, sizeof np_data);
    ck_assert_msg(n == 176 && want[8] == 118, "the fixture is numpy's 176 bytes, header 118");

    /* reading what numpy wrote */
    write_bytes(in_dir("np.npy"), want, n);
    npy_array *a;
    ck_assert_msg(npy_read(in_dir("np.npy"), &a) == CM_OK, "%s", cm_errmsg());
    ck_assert_msg(a->dtype == NPY_F64 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 3,
                  "float64 (2, 3)");
    ck_assert_msg(memcmp(a->data, np_values, sizeof np_values) == 0, "the six values");
    npy_free(a);

    /* writing the bytes numpy writes */
    size_t shape[2] = {2, 3};
    ck_assert_int_eq(npy_write_f64(in_dir("ours.npy"), 2, shape, np_values), CM_OK);
    size_t m;
    unsigned char *got = read_bytes(in_dir("ours.npy"), &m);
    ck_assert_msg(m == n, "file size %zu, numpy's %zu", m, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "byte %zu: 0x%02x, numpy writes 0x%02x", i, got[i],
                      want[i]);
    free(got);

    /* what other writers produce and np.load accepts: older numpy (16-byte alignment, no
     * spare room), keys in another order, double quotes, a 1-tuple without the space */
    int64_t i64[4] = {-3, 0, 7, 2385};
    n = build_npy(want, "{\"shape\": (4,), \"fortran_order\": False, \"descr\": \"<i8\"}", 16, i64,
                  sizeof i64);
    write_bytes(in_dir("old.npy"), want, n);
    ck_assert_msg(npy_read(in_dir("old.npy"), &a) == CM_OK, "%s", cm_errmsg());
    ck_assert_msg(a->dtype == NPY_I64 && a->ndim == 1 && a->shape[0] == 4 &&
                      memcmp(a->data, i64, sizeof i64) == 0,
                  "int64 (4,) from an old-style header");
    npy_free(a);
    int32_t i32[1] = {-2385};
    n = build_npy(want, "{'descr': '<i4', 'fortran_order': False, 'shape': ()}", 64, i32, 4);
    write_bytes(in_dir("scalar.npy"), want, n);
    ck_assert_msg(npy_read(in_dir("scalar.npy"), &a) == CM_OK, "%s", cm_errmsg());
    ck_assert_msg(a->ndim == 0 && a->size == 1 && ((int32_t *)a->data)[0] == -2385, "0-d int32");
    npy_free(a);
}
END_TEST

/* Expects npy_read to fail with CM_EFORMAT and a message naming the file and the problem. */
static void expect_rejected(const char *name, const void *bytes, size_t n, const char *why)
{
    const char *path = in_dir(name);
    write_bytes(path, bytes, n);
    npy_array *a = (npy_array *)0x1;
    int st = npy_read(path, &a);
    ck_assert_msg(st == CM_EFORMAT, "%s: status %d, want CM_EFORMAT (%s)", name, st, cm_errmsg());
    ck_assert_msg(a == NULL, "%s: nothing returned", name);
    ck_assert_msg(strstr(cm_errmsg(), path) != NULL, "%s: message names the file: %s", name,
                  cm_errmsg());
    ck_assert_msg(strstr(cm_errmsg(), why) != NULL, "%s: message '%s' should say '%s'", name,
                  cm_errmsg(), why);
}

START_TEST(test_rejects_bad_files)
{
    unsigned char b[512];
    size_t n;
    n = build_npy(b, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 64, np_data, 48);
    expect_rejected("fortran.npy", b, n, "Fortran");
    n = build_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (12,), }", 64, np_data, 48);
    expect_rejected("f4.npy", b, n, "'<f4' is not supported");
    n = build_npy(b, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", 64, np_data,
                  48);
    expect_rejected("bigendian.npy", b, n, "big-endian");
    n = build_npy(b, np_dict, 64, np_data, 47);
    expect_rejected("truncated.npy", b, n, "truncated data");
    n = build_npy(b, np_dict, 64, np_data, 40);
    expect_rejected("short.npy", b, n, "truncated data");
    n = build_npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 64, np_data, 48);
    expect_rejected("trailing.npy", b, n, "trailing bytes");
    /* shapes whose product overflows, or is far larger than the file */
    n = build_npy(b,
                  "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                  64, np_data, 48);
    expect_rejected("overflow.npy", b, n, "too large");
    n = build_npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000), }", 64,
                  np_data, 48);
    expect_rejected("huge.npy", b, n, "truncated data");
    n = build_npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                  64, np_data, 48);
    expect_rejected("digits.npy", b, n, "bad shape");
    n = build_npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3), }", 64, np_data,
                  48);
    expect_rejected("negative.npy", b, n, "bad shape");
    n = build_npy(b, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 64,
                  np_data, 8);
    expect_rejected("ninedims.npy", b, n, "bad shape");
    /* malformed dictionaries */
    const char *bad[] = {
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), ",
        "{'descr': '<f8', 'fortran_order': False}",
        "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 3)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
        "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}",
        "['descr', '<f8']",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)} junk",
    };
    const char *why[] = {"malformed", "lacks 'shape'",        "malformed",
                         "'extra'",   "repeated key 'descr'", "malformed",
                         "malformed"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        n = build_npy(b, bad[k], 64, np_data, 48);
        expect_rejected("dict.npy", b, n, why[k]);
    }
    /* a header without its final newline */
    n = build_npy(b, np_dict, 64, np_data, 48);
    b[127] = ' ';
    expect_rejected("nonewline.npy", b, n, "no final newline");
    /* not .npy at all; an unknown version; a header longer than the file */
    expect_rejected("text.npy", "sepal_length,sepal_width\n", 25, "not a .npy file");
    n = build_npy(b, np_dict, 64, np_data, 48);
    b[6] = 3;
    expect_rejected("v3.npy", b, n, "version 3.0");
    n = build_npy(b, np_dict, 64, np_data, 48);
    expect_rejected("cut.npy", b, 60, "truncated .npy header");

    npy_array *a;
    ck_assert_int_eq(npy_read(in_dir("missing.npy"), &a), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), "missing.npy"), "names the file: %s", cm_errmsg());
}
END_TEST

Suite *suite_common_npy(void)
{
    Suite *s = suite_create("common_npy");
    TCase *tc = tcase_create("npy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_roundtrip_bit_exact);
    tcase_add_test(tc, test_reads_and_writes_numpy_bytes);
    tcase_add_test(tc, test_rejects_bad_files);
    suite_add_tcase(s, tc);
    return s;
}
