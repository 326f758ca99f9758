/* Tests of common/text.c: reading a file, the character vocabulary, the word tokenizer and the
 * word vocabulary (counts, order, min_count, hash lookup). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "testutil.h"
#include "text.h"

/* Collects the tokens as one string "a|b|c|". */
typedef struct {
    char buf[4096];
    size_t n, count;
} joined;

static void collect(const char *word, size_t len, void *ctx)
{
    joined *j = ctx;
    ck_assert_msg(strlen(word) == len, "token '%s' is NUL-terminated at len %zu", word, len);
    if (j->n + len + 2 < sizeof j->buf) {
        memcpy(j->buf + j->n, word, len);
        j->n += len;
        j->buf[j->n++] = '|';
        j->buf[j->n] = '\0';
    }
    j->count++;
}

static const char *tokens(const char *text)
{
    static joined j;
    memset(&j, 0, sizeof j);
    text_tokenize(text, strlen(text), collect, &j);
    return j.buf;
}

/* The example, and the rules around it: case, digits, UTF-8 bytes, apostrophes. */
START_TEST(test_tokenize_known_answers)
{
    ck_assert_str_eq(tokens("It's a Truth, universally-acknowledged!"),
                     "it's|a|truth|universally|acknowledged|");
    ck_assert_str_eq(tokens(""), "");
    ck_assert_str_eq(tokens("  \n\t 42 ... "), "");
    ck_assert_str_eq(tokens("MR. DARCY\r\nbowed;4times"), "mr|darcy|bowed|times|");
    /* curly quotes (UTF-8 e2 80 9c / e2 80 9d) and accented letters separate words */
    ck_assert_str_eq(tokens("\xe2\x80\x9cNa\xc3\xafve\xe2\x80\x9d"), "na|ve|");
    ck_assert_str_eq(tokens("'Tis o'clock"), "'tis|o'clock|");
    /* the length argument, not the NUL, ends the text */
    static joined j;
    memset(&j, 0, sizeof j);
    text_tokenize("Emma Woodhouse", 6, collect, &j);
    ck_assert_str_eq(j.buf, "emma|w|");
}
END_TEST

/* A 600-letter run is cut into pieces of at most 255 bytes (text.c's TEXT_MAX_WORD), none
 * lost. */
START_TEST(test_tokenize_overlong_run)
{
    char text[601];
    for (int i = 0; i < 600; i++) text[i] = (char)('a' + i % 26);
    text[600] = '\0';
    static joined j;
    memset(&j, 0, sizeof j);
    text_tokenize(text, 600, collect, &j);
    ck_assert_msg(j.count == 3, "600 letters -> 3 tokens, got %zu", j.count);
    ck_assert_msg(j.n == 603, "every letter kept: %zu bytes + 3 separators", j.n);
}
END_TEST

START_TEST(test_charvocab_build_encode)
{
    const char *text = "hello, world";
    charvocab v;
    ck_assert_int_eq(charvocab_build(&v, text, strlen(text)), CM_OK);
    /* sorted distinct bytes: ' ' ',' d e h l o r w */
    ck_assert_msg(v.size == 9, "9 distinct characters, got %zu", v.size);
    ck_assert_msg(memcmp(v.chars, " ,dehlorw", 9) == 0, "chars in byte order");
    int ids[12];
    ck_assert_int_eq(charvocab_encode(&v, text, strlen(text), ids), CM_OK);
    const int want[12] = {4, 3, 5, 5, 6, 1, 0, 8, 6, 7, 5, 2};
    for (int i = 0; i < 12; i++)
        ck_assert_msg(ids[i] == want[i], "id of '%c' at %d: %d, want %d", text[i], i, ids[i],
                      want[i]);
    for (size_t k = 0; k < v.size; k++)
        ck_assert_msg(v.id[v.chars[k]] == (int)k, "id and chars are inverse at %zu", k);
    ck_assert_int_eq(v.id['z'], -1);

    ck_assert_int_eq(charvocab_encode(&v, "hold?", 5, ids), CM_EINVAL);
    ck_assert_msg(strstr(cm_errmsg(), "0x3f") && strstr(cm_errmsg(), "position 4"),
                  "names the byte and position: %s", cm_errmsg());
    ck_assert_int_eq(charvocab_build(&v, "", 0), CM_EINVAL);
}
END_TEST

START_TEST(test_wordvocab_counts_and_order)
{
    const char *text = "The cat and the dog, and THE bird's nest. the end";
    wordvocab v;
    ck_assert_msg(wordvocab_build(&v, text, strlen(text), 1) == CM_OK, "%s", cm_errmsg());
    /* the:4 and:2, then the count-1 words alphabetically */
    const char *words[] = {"the", "and", "bird's", "cat", "dog", "end", "nest"};
    const long counts[] = {4, 2, 1, 1, 1, 1, 1};
    ck_assert_msg(v.size == 7, "7 distinct words, got %zu", v.size);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_msg(strcmp(v.words[i], words[i]) == 0 && v.counts[i] == counts[i],
                      "rank %zu: %s:%ld, want %s:%ld", i, v.words[i], v.counts[i], words[i],
                      counts[i]);
        ck_assert_int_eq(wordvocab_find(&v, words[i], strlen(words[i])), (int)i);
    }
    ck_assert_msg(v.total == 11, "11 tokens, got %ld", v.total);
    ck_assert_int_eq(wordvocab_find(&v, "the cat", 3), 0); /* len, not the NUL */
    ck_assert_int_eq(wordvocab_find(&v, "th", 2), -1);
    ck_assert_int_eq(wordvocab_find(&v, "bird", 4), -1);
    /* a NUL inside the probe: no match, whatever strncmp would say about the prefix */
    ck_assert_int_eq(wordvocab_find(&v, "the\0xyzzy", 9), -1);
    ck_assert_int_eq(wordvocab_find(&v, "cat\0", 4), -1);
    wordvocab_free(&v);

    ck_assert_int_eq(wordvocab_build(&v, text, strlen(text), 2), CM_OK);
    ck_assert_msg(v.size == 2 && strcmp(v.words[1], "and") == 0 && v.total == 6,
                  "min_count 2 keeps the, and (6 tokens): %zu words, %ld tokens", v.size, v.total);
    ck_assert_int_eq(wordvocab_find(&v, "cat", 3), -1);
    wordvocab_free(&v);

    ck_assert_int_eq(wordvocab_build(&v, text, strlen(text), 5), CM_EINVAL);
    ck_assert_int_eq(wordvocab_build(&v, "12, 34!", 7, 1), CM_EINVAL);
    ck_assert_msg(v.size == 0 && v.words == NULL, "a failed build leaves an empty vocabulary");
    wordvocab_free(&v);
}
END_TEST

/* 6000 distinct words (the hash table grows several times), word k seen 1 + k % 4 times. */
START_TEST(test_wordvocab_many_words)
{
    size_t n = 6000, cap = n * 4 * 8, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (int rep = 0; rep < 4; rep++)
        for (size_t k = 0; k < n; k++) {
            if ((size_t)rep > k % 4) continue;
            size_t x = k;
            for (int d = 0; d < 3; d++, x /= 26) text[len++] = (char)('a' + x % 26);
            text[len++] = ' ';
        }
    wordvocab v;
    ck_assert_int_eq(wordvocab_build(&v, text, len, 1), CM_OK);
    ck_assert_msg(v.size == n, "%zu words, got %zu", n, v.size);
    long total = 0;
    for (size_t i = 0; i < v.size; i++) {
        total += v.counts[i];
        if (i > 0)
            ck_assert_msg(v.counts[i - 1] > v.counts[i] || (v.counts[i - 1] == v.counts[i] &&
                                                            strcmp(v.words[i - 1], v.words[i]) < 0),
                          "order at %zu: %s:%ld before %s:%ld", i, v.words[i - 1], v.counts[i - 1],
                          v.words[i], v.counts[i]);
    }
    ck_assert_msg(total == v.total && total == 15000, "total 15000, got %ld / %ld", total, v.total);
    for (size_t k = 0; k < n; k++) {
        char w[4];
        size_t x = k;
        for (int d = 0; d < 3; d++, x /= 26) w[d] = (char)('a' + x % 26);
        int i = wordvocab_find(&v, w, 3);
        ck_assert_msg(i >= 0 && v.counts[i] == (long)(1 + k % 4), "word %.3s: index %d", w, i);
    }
    wordvocab_free(&v);
    free(text);
}
END_TEST

START_TEST(test_read_file)
{
    const char *dir = tu_tmpdir("text");
    char path[600];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    tu_write_file(path, "Emma Woodhouse,\nhandsome.\n");
    char *buf;
    size_t len;
    ck_assert_int_eq(text_read_file(path, &buf, &len), CM_OK);
    ck_assert_msg(len == 26 && strcmp(buf, "Emma Woodhouse,\nhandsome.\n") == 0, "contents, %zu",
                  len);
    free(buf);

    tu_write_file(path, "");
    ck_assert_int_eq(text_read_file(path, &buf, &len), CM_EFORMAT);
    ck_assert_msg(strstr(cm_errmsg(), path) && strstr(cm_errmsg(), "empty file"), "%s",
                  cm_errmsg());
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    ck_assert_int_eq(text_read_file(path, &buf, &len), CM_EIO);
    ck_assert_msg(strstr(cm_errmsg(), path) != NULL, "names the file: %s", cm_errmsg());
    tu_rmtree(dir);
}
END_TEST

/* The shipped novel against Python's answer on the same file:
 *   c = Counter(re.findall(r"[a-z']+", text.lower()))
 *   kept = {w: n for w, n in c.items() if n >= 5}
 * gives 2369 words, 152699 tokens, to:5240, the:5201, and:4895 first and 'emma' at rank 31. */
START_TEST(test_emma_vocabulary)
{
    char *buf;
    size_t len;
    ck_assert_msg(text_read_file("data/emma.txt", &buf, &len) == CM_OK, "%s", cm_errmsg());
    ck_assert_msg(len == 883028, "data/emma.txt is 883028 bytes, read %zu", len);
    wordvocab v;
    ck_assert_int_eq(wordvocab_build(&v, buf, len, 5), CM_OK);
    ck_assert_msg(v.size == 2369 && v.total == 152699, "2369 words, 152699 tokens: got %zu, %ld",
                  v.size, v.total);
    const char *top[3] = {"to", "the", "and"};
    const long top_n[3] = {5240, 5201, 4895};
    for (int i = 0; i < 3; i++)
        ck_assert_msg(strcmp(v.words[i], top[i]) == 0 && v.counts[i] == top_n[i],
                      "rank %d: %s:%ld, want %s:%ld", i, v.words[i], v.counts[i], top[i], top_n[i]);
    ck_assert_int_eq(wordvocab_find(&v, "emma", 4), 31);
    wordvocab_free(&v);
    free(buf);
}
END_TEST

Suite *suite_common_text(void)
{
    Suite *s = suite_create("common_text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, test_tokenize_known_answers);
    tcase_add_test(tc, test_tokenize_overlong_run);
    tcase_add_test(tc, test_charvocab_build_encode);
    tcase_add_test(tc, test_wordvocab_counts_and_order);
    tcase_add_test(tc, test_wordvocab_many_words);
    tcase_add_test(tc, test_read_file);
    tcase_add_test(tc, test_emma_vocabulary);
    suite_add_tcase(s, tc);
    return s;
}
