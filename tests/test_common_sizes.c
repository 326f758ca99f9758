/* Tests of common/sizes.c and of the limits of the readers built on it (issue 9, "Limits"):
 * a size product that would wrap around, a file larger than memory, an endless line. Each must
 * fail with a message, fast, and never allocate or read what it was promised. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "error.h"
#include "npy.h"
#include "sizes.h"
#include "testutil.h"
#include "text.h"

/* a sparse file of `bytes` zero bytes (no disk used) */
static void sparse_file(const char *path, long long bytes)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    fclose(f);
    ck_assert_msg(truncate(path, (off_t)bytes) == 0, "cannot grow %s to %lld bytes", path, bytes);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

START_TEST(test_size_mul_overflow)
{
    size_t r = 7;
    ck_assert_int_eq(cm_size_mul(0, SIZE_MAX, &r), 1);
    ck_assert_uint_eq(r, 0);
    ck_assert_int_eq(cm_size_mul(SIZE_MAX, 1, &r), 1);
    ck_assert_uint_eq(r, SIZE_MAX);
    ck_assert_int_eq(cm_size_mul(SIZE_MAX / 2, 2, &r), 1);
    ck_assert_uint_eq(r, SIZE_MAX - 1);
    r = 7;
    ck_assert_msg(!cm_size_mul(SIZE_MAX / 2 + 1, 2, &r), "(SIZE_MAX/2 + 1) * 2 overflows");
    ck_assert_msg(r == 7, "*out is left alone on overflow");
    /* the classic forged header: (2^32, 2^32) elements */
    ck_assert_msg(!cm_size_mul((size_t)1 << 32, (size_t)1 << 32, &r), "2^32 * 2^32 overflows");
    ck_assert_msg(!cm_size_mul((size_t)1 << 63, 3, &r), "2^63 * 3 overflows");
}
END_TEST

START_TEST(test_size_bytes_messages)
{
    size_t b = 0;
    unsetenv("CM_MEM_LIMIT");
    ck_assert_msg(cm_mem_limit() > ((size_t)1 << 20), "this machine has more than 1 MB");
    ck_assert_int_eq(cm_size_bytes("a small matrix", 3, 4, sizeof(double), &b), CM_OK);
    ck_assert_uint_eq(b, 96);
    /* overflow of n * m, then of (n * m) * elem */
    int st = cm_size_bytes("the hidden states", (size_t)1 << 32, (size_t)1 << 32, 8, &b);
    ck_assert_int_eq(st, CM_ENOMEM);
    ck_assert_msg(strstr(cm_errmsg(), "the hidden states") && strstr(cm_errmsg(), "overflows"),
                  "names what and says overflow: %s", cm_errmsg());
    st = cm_size_bytes("x", SIZE_MAX / 4, 1, 8, &b);
    ck_assert_int_eq(st, CM_ENOMEM);
    ck_assert_msg(strstr(cm_errmsg(), "overflows") != NULL, "%s", cm_errmsg());
    /* within size_t, beyond the memory limit */
    setenv("CM_MEM_LIMIT", "1000", 1);
    ck_assert_uint_eq(cm_mem_limit(), 1000);
    ck_assert_int_eq(cm_size_bytes("y", 10, 12, 8, &b), CM_OK); /* 960 bytes */
    st = cm_size_bytes("the vectors", 10, 13, 8, &b);           /* 1040 bytes */
    ck_assert_int_eq(st, CM_ENOMEM);
    ck_assert_msg(strstr(cm_errmsg(), "the vectors: 10 x 13 elements of 8 bytes") &&
                      strstr(cm_errmsg(), "more than this machine's memory"),
                  "message: %s", cm_errmsg());
    setenv("CM_MEM_LIMIT", "not a number", 1);
    ck_assert_msg(cm_mem_limit() > 1000, "a bad CM_MEM_LIMIT is ignored");
    unsetenv("CM_MEM_LIMIT");
}
END_TEST

START_TEST(test_file_fits)
{
    const char *dir = tu_tmpdir("sizes_fits");
    char path[512];
    snprintf(path, sizeof path, "%s/big", dir);
    sparse_file(path, 5000);
    setenv("CM_MEM_LIMIT", "4096", 1);
    FILE *f = fopen(path, "rb");
    size_t size = 1;
    ck_assert_int_eq(cm_file_fits(path, f, &size), CM_ENOMEM);
    ck_assert_msg(strstr(cm_errmsg(), path) && strstr(cm_errmsg(), "5000 bytes"), "message: %s",
                  cm_errmsg());
    fclose(f);
    setenv("CM_MEM_LIMIT", "5000", 1);
    f = fopen(path, "rb");
    ck_assert_int_eq(cm_file_fits(path, f, &size), CM_OK);
    ck_assert_uint_eq(size, 5000);
    fclose(f);
    /* a pipe: its size is not known in advance, so it is not refused here */
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    f = fdopen(fd[0], "rb");
    ck_assert_int_eq(cm_file_fits("pipe", f, &size), CM_OK);
    ck_assert_uint_eq(size, 0);
    fclose(f);
    close(fd[1]);
    unsetenv("CM_MEM_LIMIT");
    tu_rmtree(dir);
}
END_TEST

/* text_read_file refuses a file larger than memory without reading it: a sparse file of twice
 * the memory limit fails at once, and one that fits is read whole. */
START_TEST(test_text_file_larger_than_memory)
{
    const char *dir = tu_tmpdir("sizes_text");
    char path[512];
    snprintf(path, sizeof path, "%s/huge.txt", dir);
    unsetenv("CM_MEM_LIMIT");
    size_t mem = cm_mem_limit();
    if (mem == SIZE_MAX) mem = (size_t)1 << 36;
    sparse_file(path, (long long)mem * 2); /* larger than this machine's memory */
    char *buf = (char *)1;
    size_t len = 1;
    double t0 = now();
    int st = text_read_file(path, &buf, &len);
    double secs = now() - t0;
    ck_assert_int_eq(st, CM_ENOMEM);
    ck_assert_msg(buf == NULL && len == 0, "nothing returned on failure");
    ck_assert_msg(strstr(cm_errmsg(), "more than this machine's memory") != NULL, "message: %s",
                  cm_errmsg());
    ck_assert_msg(secs < 1.0, "refused before reading: took %.2f s", secs);
    /* the same file under a limit that it fits: read whole, zeros and all */
    snprintf(path, sizeof path, "%s/small.txt", dir);
    tu_write_file(path, "0123456789");
    setenv("CM_MEM_LIMIT", "10", 1);
    ck_assert_int_eq(text_read_file(path, &buf, &len), CM_OK);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq(buf, "0123456789");
    free(buf);
    setenv("CM_MEM_LIMIT", "9", 1);
    ck_assert_int_eq(text_read_file(path, &buf, &len), CM_ENOMEM);
    unsetenv("CM_MEM_LIMIT");
    tu_rmtree(dir);
}
END_TEST

/* csv_read stops at its line limit instead of reading on through an endless line: a sparse
 * file of 64 GB of NUL bytes (one line) fails in well under a second. */
START_TEST(test_csv_endless_line)
{
    const char *dir = tu_tmpdir("sizes_csv");
    char path[512];
    snprintf(path, sizeof path, "%s/endless.csv", dir);
    sparse_file(path, 64LL << 30);
    csv_table *t = (csv_table *)1;
    double t0 = now();
    int st = csv_read(path, &t);
    double secs = now() - t0;
    ck_assert_int_eq(st, CM_EFORMAT);
    ck_assert_msg(t == NULL, "no table on failure");
    ck_assert_msg(strstr(cm_errmsg(), ":1: line longer than") != NULL, "message: %s", cm_errmsg());
    ck_assert_msg(secs < 2.0, "stopped at the limit: took %.2f s", secs);
    /* the same after a good header: an endless second line */
    FILE *f = fopen(path, "wb");
    fputs("a,b\n1,", f);
    for (int i = 0; i < (3 << 20) / 8; i++) fputs("22222222", f);
    fclose(f);
    st = csv_read(path, &t);
    ck_assert_int_eq(st, CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), ":2: line longer than") != NULL, "message: %s", cm_errmsg());
    tu_rmtree(dir);
}
END_TEST

/* .npy headers whose shapes overflow size_t when multiplied, or by the element size, or that
 * promise more than the file holds: refused before anything is allocated. */
START_TEST(test_npy_crafted_shapes)
{
    const char *dir = tu_tmpdir("sizes_npy");
    const char *shapes[][2] = {
        {"(4294967296, 4294967296)", "too large"},     /* 2^64 elements: wraps to 0 */
        {"(2305843009213693952,)", "too large"},       /* 2^61 elements * 8 bytes wraps to 0 */
        {"(3, 6148914691236517206)", "too large"},     /* 3 * (2^64/3 + 1) wraps to 2 */
        {"(10000000, 1000000, 1000000)", "too large"}, /* 10^19 * 8 overflows */
        {"(100000, 100000)", "truncated"},             /* 80 GB promised, 16 bytes there */
        {"(18446744073709551616,)", "bad shape"},      /* 2^64 does not fit size_t */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char path[512], dict[200], hdr[256];
        snprintf(path, sizeof path, "%s/crafted%zu.npy", dir, i);
        snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }",
                 shapes[i][0]);
        size_t len = (strlen(dict) + 1 + 10 + 63) / 64 * 64 - 10;
        memset(hdr, ' ', sizeof hdr);
        memcpy(hdr, dict, strlen(dict));
        hdr[len - 1] = '\n';
        FILE *f = fopen(path, "wb");
        fwrite("\x93NUMPY\x01\x00", 1, 8, f);
        fputc((int)(len & 255), f);
        fputc((int)(len >> 8), f);
        fwrite(hdr, 1, len, f);
        fwrite("0123456789abcdef", 1, 16, f);
        fclose(f);
        npy_array *a = (npy_array *)1;
        int st = npy_read(path, &a);
        ck_assert_msg(st == CM_EFORMAT, "%s: status %d, expected CM_EFORMAT", shapes[i][0], st);
        ck_assert_msg(strstr(cm_errmsg(), shapes[i][1]) != NULL, "%s: message '%s' lacks '%s'",
                      shapes[i][0], cm_errmsg(), shapes[i][1]);
    }
    tu_rmtree(dir);
}
END_TEST

/* cm_calloc refuses what exceeds the machine's memory before asking calloc (which may succeed
 * lazily, or make a sanitizer print a warning): one message, NULL, on every build. */
START_TEST(test_calloc_beyond_memory)
{
    setenv("CM_MEM_LIMIT", "2000000000", 1); /* 2 GB */
    void *p = cm_calloc((size_t)3 << 30, 1);
    ck_assert_msg(p == NULL, "3 GB with a 2 GB limit must be refused");
    ck_assert_msg(strstr(cm_errmsg(), "more than this machine's memory") != NULL, "message: %s",
                  cm_errmsg());
    p = cm_calloc(1000, 8); /* small requests are not affected */
    ck_assert_msg(p != NULL, "8 kB allocates");
    free(p);
    unsetenv("CM_MEM_LIMIT");
    p = cm_calloc((size_t)1 << 40, (size_t)1 << 10); /* 2^50 bytes: no machine has that */
    ck_assert_msg(p == NULL, "a petabyte is refused");
}
END_TEST

Suite *suite_common_sizes(void)
{
    Suite *s = suite_create("common_sizes");
    TCase *tc = tcase_create("sizes");
    tcase_add_test(tc, test_size_mul_overflow);
    tcase_add_test(tc, test_size_bytes_messages);
    tcase_add_test(tc, test_file_fits);
    tcase_add_test(tc, test_text_file_larger_than_memory);
    tcase_add_test(tc, test_csv_endless_line);
    tcase_add_test(tc, test_npy_crafted_shapes);
    tcase_add_test(tc, test_calloc_beyond_memory);
    suite_add_tcase(s, tc);
    return s;
}
