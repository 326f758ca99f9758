/* text.h: reading text, a character vocabulary (chapter 01) and a word tokenizer with a
 * vocabulary of counts (chapter 02). */
#ifndef CM_TEXT_H
#define CM_TEXT_H

#include <stddef.h>

/* Reads a whole file into a NUL-terminated buffer (*len bytes, not counting the NUL).
 * An empty file is an error ("<path>: empty file"). Caller frees *buf. */
int text_read_file(const char *path, char **buf, size_t *len);

/* Characters: the distinct bytes of a text, sorted by byte value. */
typedef struct {
    size_t size;              /* number of distinct characters */
    unsigned char chars[256]; /* id -> byte */
    int id[256];              /* byte -> id, or -1 */
} charvocab;

int charvocab_build(charvocab *v, const char *text, size_t len); /* CM_EINVAL on empty text */
/* out[i] = id of text[i]; CM_EINVAL (naming the byte and position) if a byte is unknown. */
int charvocab_encode(const charvocab *v, const char *text, size_t len, int *out);

/* Words: lower-cased maximal runs of [a-z'] (letters are lower-cased first; every other byte
 * separates words), as re.findall(r"[a-z']+", text.lower()). Calls fn(word, len, ctx) for each
 * token in order; word is NUL-terminated and valid only during the call. A run longer than 255
 * bytes (never seen in prose) is passed as pieces of at most 255 bytes. */
typedef void (*token_fn)(const char *word, size_t len, void *ctx);
void text_tokenize(const char *text, size_t len, token_fn fn, void *ctx);

typedef struct {
    size_t size;  /* number of words kept */
    char **words; /* (size) sorted by count, descending; ties in alphabetical order */
    long *counts; /* (size) */
    long total;   /* tokens counted over kept words */
    /* open-addressing hash table from word to index */
    size_t hash_cap;
    int *hash; /* (hash_cap) index or -1 */
} wordvocab;

/* Counts the tokens of text and keeps the words seen at least min_count times. CM_EINVAL when
 * the text has no word or no word is that frequent; on failure *v is left empty (freeable). */
int wordvocab_build(wordvocab *v, const char *text, size_t len, long min_count);
int wordvocab_find(const wordvocab *v, const char *word, size_t len); /* index or -1 */
void wordvocab_free(wordvocab *v);

#endif
