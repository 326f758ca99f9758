/* query.h: what word vectors are for: nearest neighbours by cosine similarity, analogies by
 * vector offsets (Mikolov et al. 2013a, "Efficient estimation ...", section 4.1), and the
 * analogy test set of the original tool, scored as gensim's evaluate_word_analogies does. */
#ifndef W2V_QUERY_H
#define W2V_QUERY_H

#include <stddef.h>

#include "vectors.h"

typedef struct {
    int word;
    double sim; /* cosine similarity */
} w2v_hit;

/* The n words whose unit vectors have the largest dot product with the unit vector q (D),
 * among the first `restrict` words (0: all), leaving out the words in exclude[0..n_ex).
 * Returns how many were found (<= n), best first. */
size_t w2v_nearest(const w2v_kv *kv, const double *q, size_t restrict_to, const int *exclude,
                   size_t n_ex, w2v_hit *out, size_t n);

/* The neighbours of a word: cos(v_w, v_x) for every other x. */
size_t w2v_similar(const w2v_kv *kv, int word, w2v_hit *out, size_t n);

/* "a is to b as c is to ?": the word nearest to unit(b) - unit(a) + unit(c) (3CosAdd), the
 * three question words left out, among the first restrict_to words (0: all). -1 if none. */
int w2v_analogy(const w2v_kv *kv, int a, int b, int c, size_t restrict_to, double *sim);

#define W2V_MAX_SECTIONS 32

typedef struct {
    char name[64];
    long correct, total; /* questions answered (all four words known) and right */
} w2v_section;

typedef struct {
    size_t n_sections;
    w2v_section sec[W2V_MAX_SECTIONS];
    long correct, total; /* over all sections */
    long questions;      /* every question of the file, known words or not */
    long semantic_correct, semantic_total, syntactic_correct, syntactic_total;
} w2v_eval;

/* Reads the question file (": section" headers, then "A B C D" lines) and answers every
 * question whose four words (lower-cased) are among the first restrict_to words, as gensim's
 * evaluate_word_analogies(path, restrict_vocab=restrict_to, case_insensitive=True). Sections
 * named "gram..." are syntactic, the others semantic. CM_OK or a file error. */
int w2v_evaluate(const w2v_kv *kv, const char *path, size_t restrict_to, w2v_eval *ev);

#endif
