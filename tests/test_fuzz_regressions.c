/* test_fuzz_regressions.c: every input the fuzz targets (tests/fuzz) found a crash or a broken
 * invariant with, replayed against the parser it broke (the same file is also kept in
 * tests/fuzz/regressions/<target>/, which `make fuzz` runs first). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../chapters/02-word2vec/vectors.h"
#include "error.h"
#include "testutil.h"

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Found by the vectors target in its first minute: a binary vectors file whose floats are NaN
 * (0xffffffff) was accepted, and every similarity with that word became NaN. The text reader
 * already rejected "nan"; the binary reader now does too. */
START_TEST(test_vectors_binary_nan)
{
    static const unsigned char in[] = {
        0x33, 0x20, 0x32, 0x0a, 0x74, 0x68, 0x65, 0x20, 0xcd, 0xcc, 0xcc, 0x3d, 0xcd, 0xcc,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x4c, 0xbe, 0x0a, 0x6f, 0x66, 0x20, 0x9a, 0x00,
        0x00, 0x00, 0x01, 0x99, 0x99, 0x3e, 0xcd, 0xcc, 0x09, 0x00, 0x00, 0x00, 0x6e, 0x64,
        0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a};
    const char *dir = tu_tmpdir("fuzzreg");
    char path[1024];
    snprintf(path, sizeof path, "%s/v.bin", dir);
    write_bytes(path, in, sizeof in);
    w2v_kv kv;
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "nan"), "%s", cm_errmsg());
    /* an infinity (0x7f800000) is rejected the same way */
    static const unsigned char inf[] = {'1',  ' ',  '1',  '\n', 'a', ' ',
                                        0x00, 0x00, 0x80, 0x7f, '\n'};
    write_bytes(path, inf, sizeof inf);
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "inf"), "%s", cm_errmsg());
    /* and a finite one still loads */
    static const unsigned char ok[] = {'1', ' ', '1', '\n', 'a', ' ', 0x00, 0x00, 0x80, 0x3f, '\n'};
    write_bytes(path, ok, sizeof ok);
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_OK);
    ck_assert_double_eq(kv.unit[0], 1.0);
    w2v_kv_free(&kv);
    tu_rmtree(dir);
}
END_TEST

/* Found by the vectors target in its 10-minute run (a timeout): the 12-byte binary file
 * "99999998 99\n" made the reader allocate 100 million word pointers (800 MB) and try
 * 99999998 x 99 doubles before reading a single word, then free every pointer: over 10 s under
 * ASan. The header is now checked against the file's length first, in both formats. */
START_TEST(test_vectors_huge_header)
{
    const char *dir = tu_tmpdir("fuzzreg");
    char path[1024];
    w2v_kv kv;
    for (int f = 0; f < 2; f++) {
        snprintf(path, sizeof path, "%s/v.%s", dir, f ? "bin" : "txt");
        tu_write_file(path, "99999998 99\n");
        ck_assert_int_eq(w2v_kv_load(&kv, path), CM_EFORMAT);
        ck_assert_msg(strstr(cm_errmsg(), "promises 99999998 words of 99 numbers"), "%s",
                      cm_errmsg());
    }
    /* the least a file can hold: one-letter words, one-digit numbers (text), or exactly
     * 4 bytes per number (binary, without the final newline) */
    snprintf(path, sizeof path, "%s/v.txt", dir);
    tu_write_file(path, "2 2\na 1 2\nb 3 4");
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_OK);
    ck_assert_uint_eq(kv.V, 2);
    w2v_kv_free(&kv);
    static const unsigned char bin[] = {'1', ' ',  '2',  '\n', 'a', ' ', 0,
                                        0,   0x80, 0x3f, 0,    0,   0,   0};
    snprintf(path, sizeof path, "%s/v.bin", dir);
    write_bytes(path, bin, sizeof bin);
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_OK);
    w2v_kv_free(&kv);
    write_bytes(path, bin, sizeof bin - 1);
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "truncated"), "%s", cm_errmsg());
    tu_rmtree(dir);
}
END_TEST

Suite *suite_fuzz_regressions(void)
{
    Suite *s = suite_create("fuzz_regressions");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vectors_binary_nan);
    tcase_add_test(tc, test_vectors_huge_header);
    suite_add_tcase(s, tc);
    return s;
}
