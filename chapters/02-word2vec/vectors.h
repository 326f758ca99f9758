/* vectors.h: word vectors on disk in the two formats of the original tool, which gensim's
 * KeyedVectors.load_word2vec_format(path, binary=...) reads, and in memory for the queries.
 *
 *   text:   "V D\n", then per word "word x_1 x_2 ... x_D\n" (6 decimals, as the tool's %lf)
 *   binary: "V D\n", then per word "word " and D little-endian float32, then "\n"
 * Both are written to "<path>.tmp" and renamed, so that an interrupted write leaves no half
 * file under the real name. A file ending in ".bin" is binary, any other name text. */
#ifndef W2V_VECTORS_H
#define W2V_VECTORS_H

#include <stddef.h>

int w2v_write_text(const char *path, char *const *words, const double *vec, size_t V, size_t D);
int w2v_write_binary(const char *path, char *const *words, const double *vec, size_t V, size_t D);

/* Word vectors for queries: the words in file order (the tool writes them by descending count,
 * so "the first N words" are the N most frequent) and their vectors scaled to unit length. */
typedef struct {
    size_t V, D;
    char **words;    /* (V) */
    double *unit;    /* (V, D) each row divided by its norm (a zero row stays zero) */
    size_t *by_word; /* (V) indices sorted by word, for w2v_kv_find */
} w2v_kv;

/* From memory (words are copied). */
int w2v_kv_from(w2v_kv *kv, char *const *words, const double *vec, size_t V, size_t D);
/* From a file, binary when the name ends in ".bin". A missing file, a malformed header, a
 * line with too few numbers, a truncated file: CM_EIO / CM_EFORMAT naming the file and the
 * word where it went wrong. */
int w2v_kv_load(w2v_kv *kv, const char *path);
int w2v_kv_find(const w2v_kv *kv, const char *word); /* index or -1 */
void w2v_kv_free(w2v_kv *kv);

int w2v_is_binary_name(const char *path);

#endif
