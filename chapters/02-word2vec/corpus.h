/* corpus.h: the training text as word2vec sees it: the vocabulary (words seen at least
 * min_count times, sorted by count) and every kept token as its vocabulary index, cut into
 * "sentences" of at most W2V_MAX_SENTENCE words that never cross from one file to the next.
 * A context window never reaches across a sentence boundary. */
#ifndef W2V_CORPUS_H
#define W2V_CORPUS_H

#include <stddef.h>

#include "text.h"

/* The original tool's MAX_SENTENCE_LENGTH: the text is read in pieces of 1000 words. */
#define W2V_MAX_SENTENCE 1000

/* The default corpus: Jane Austen's six novels (data/README.md). */
#define W2V_N_NOVELS 6
extern const char *const w2v_novels[W2V_N_NOVELS];

typedef struct {
    wordvocab vocab; /* words sorted by count, descending (index 0 is the most frequent) */
    int *ids;        /* (n_words) the vocabulary index of each kept token, in text order */
    size_t n_words;  /* kept tokens: the words one epoch trains on */
    size_t *sent;    /* (n_sent + 1) sentence s is ids[sent[s] .. sent[s+1]) */
    size_t n_sent;
    long n_tokens; /* every token read, those under min_count included */
} w2v_corpus;

/* Reads the files, builds the vocabulary and encodes the text. CM_OK, or an error naming the
 * file (missing, empty: "FILE: empty file") or the corpus (no words, none seen min_count
 * times). On failure *c is left empty (w2v_corpus_free is safe). */
int w2v_corpus_load(w2v_corpus *c, const char *const *paths, size_t n_paths, long min_count);
/* The same from text in memory (the tests' tiny corpora); one "file". */
int w2v_corpus_from_text(w2v_corpus *c, const char *text, size_t len, long min_count);
void w2v_corpus_free(w2v_corpus *c);

/* Splits a comma-separated --data value into at most max paths (pointers into buf, which is
 * modified). Returns the number of paths, or 0 when a path is empty. */
size_t w2v_split_paths(char *buf, const char **paths, size_t max);

#endif
