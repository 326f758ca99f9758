/* Limits of chapter 02's readers (issue 9): a vectors file whose header promises more than the
 * file holds or than memory holds, a binary corpus, a one-word vocabulary, a questions file
 * with no question or with NUL bytes. Each fails with a message before allocating. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "error.h"
#include "query.h"
#include "testutil.h"
#include "vectors.h"

static void write_bytes(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    fwrite(bytes, 1, n, f);
    fclose(f);
}

START_TEST(test_vectors_header_larger_than_file)
{
    const char *dir = tu_tmpdir("w2v_limits_vec");
    char path[512];
    /* text: 10^8 words of 10^5 numbers (80 TB of doubles) over one row of three */
    snprintf(path, sizeof path, "%s/huge.txt", dir);
    tu_write_file(path, "100000000 100000\nthe 0.1 0.2 0.3\n");
    w2v_kv kv;
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "truncated: the header promises 100000000 words of 100000"),
                  "message: %s", cm_errmsg());
    /* binary: 3 words of 4 floats promised, the bytes of one */
    snprintf(path, sizeof path, "%s/short.bin", dir);
    write_bytes(path, "3 4\nthe \0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\n", 25);
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "truncated") != NULL, "message: %s", cm_errmsg());
    /* within the file, beyond the memory limit: 4 words of 5 doubles = 160 bytes > 100 */
    snprintf(path, sizeof path, "%s/fits.txt", dir);
    tu_write_file(path, "4 5\na 1 2 3 4 5\nb 1 2 3 4 5\nc 1 2 3 4 5\nd 1 2 3 4 5\n");
    setenv("CM_MEM_LIMIT", "100", 1);
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_ENOMEM);
    ck_assert_msg(strstr(cm_errmsg(), "the vectors: 4 x 5 elements of 8 bytes") != NULL,
                  "message: %s", cm_errmsg());
    unsetenv("CM_MEM_LIMIT");
    ck_assert_int_eq(w2v_kv_load(&kv, path), CM_OK); /* the same file, read whole */
    ck_assert_uint_eq(kv.V, 4);
    ck_assert_uint_eq(kv.D, 5);
    w2v_kv_free(&kv);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_corpus_binary_and_one_word)
{
    const char *dir = tu_tmpdir("w2v_limits_corpus");
    char path[512];
    snprintf(path, sizeof path, "%s/binary.txt", dir);
    write_bytes(path, "the cat sat\0on the mat", 22);
    const char *paths[] = {path};
    w2v_corpus c;
    ck_assert_int_eq(w2v_corpus_load(&c, paths, 1, 1), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "not a text file (a NUL byte at offset 11)") != NULL,
                  "message: %s", cm_errmsg());
    const char *one = "cat cat cat cat cat cat";
    ck_assert_int_eq(w2v_corpus_from_text(&c, one, strlen(one), 1), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "only 1 distinct word") != NULL, "message: %s", cm_errmsg());
    const char *two = "cat dog cat dog";
    ck_assert_int_eq(w2v_corpus_from_text(&c, two, strlen(two), 1), CM_OK);
    w2v_corpus_free(&c);
    tu_rmtree(dir);
}
END_TEST

START_TEST(test_questions_empty_or_binary)
{
    const char *dir = tu_tmpdir("w2v_limits_q");
    char vec[512], q[512];
    snprintf(vec, sizeof vec, "%s/v.txt", dir);
    tu_write_file(vec, "4 2\na 1 0\nb 0 1\nc 1 1\nd 1 -1\n");
    w2v_kv kv;
    ck_assert_int_eq(w2v_kv_load(&kv, vec), CM_OK);
    w2v_eval ev;
    snprintf(q, sizeof q, "%s/empty.txt", dir);
    tu_write_file(q, "\n\n");
    ck_assert_int_eq(w2v_evaluate(&kv, q, 0, &ev), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), "no analogy questions") != NULL, "message: %s", cm_errmsg());
    snprintf(q, sizeof q, "%s/nul.txt", dir);
    write_bytes(q, ": s\na b c d\n\0\0\0\n", 17);
    ck_assert_int_eq(w2v_evaluate(&kv, q, 0, &ev), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), ":3: not a text file") != NULL, "message: %s", cm_errmsg());
    snprintf(q, sizeof q, "%s/ok.txt", dir);
    tu_write_file(q, ": s\na b c d\n");
    ck_assert_int_eq(w2v_evaluate(&kv, q, 0, &ev), CM_OK);
    ck_assert_int_eq(ev.questions, 1);
    w2v_kv_free(&kv);
    tu_rmtree(dir);
}
END_TEST

Suite *suite_word2vec_limits(void)
{
    Suite *s = suite_create("word2vec_limits");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, test_vectors_header_larger_than_file);
    tcase_add_test(tc, test_corpus_binary_and_one_word);
    tcase_add_test(tc, test_questions_empty_or_binary);
    suite_add_tcase(s, tc);
    return s;
}
