/* corpus.h: the text a character-level model learns from: its characters as ids, the
 * training part and the held-out part (the last 10% by default), and the minibatches of
 * truncated BPTT: B parallel streams through a part, each read in chunks of T steps, so that
 * the state a stream ends a chunk with is the state it starts the next chunk with. */
#ifndef RNN_CORPUS_H
#define RNN_CORPUS_H

#include <stddef.h>

#include "text.h"

typedef struct {
    charvocab vocab;
    int *ids;       /* (n) the whole text as character ids */
    size_t n;       /* characters */
    size_t n_train; /* ids[0 .. n_train) train, ids[n_train .. n) held out */
} rnn_corpus;

/* Reads a text file; holds out its last held_out fraction (0 <= f < 1). A text with fewer
 * than 2 distinct characters or too short to leave 2 characters on each side is CM_EINVAL,
 * naming the file and its length. */
int rnn_corpus_load(rnn_corpus *c, const char *path, double held_out);
/* The same from a string in memory (tests). */
int rnn_corpus_from_text(rnn_corpus *c, const char *text, size_t len, double held_out,
                         const char *name);
void rnn_corpus_free(rnn_corpus *c);

/* B streams through ids[lo .. hi): stream s reads inputs ids[lo + s L .. lo + (s+1) L) with
 * targets one character ahead, L = (hi - lo - 1) / B. Chunks of at most T steps. */
typedef struct {
    const int *ids;
    size_t lo, B, T, L; /* L: steps per stream */
    size_t pos;         /* steps of every stream already read */
} rnn_streams;

/* CM_EINVAL when the part is too short for B streams (L = 0), naming the sizes. */
int rnn_streams_init(rnn_streams *s, const rnn_corpus *c, int held_out, size_t B, size_t T);
/* Fills x, y (T B, time-major) with the next chunk; returns its length (0 at the end). */
size_t rnn_streams_next(rnn_streams *s, int *x, int *y);
size_t rnn_streams_chunks(const rnn_streams *s); /* chunks per pass */

/* The vocabulary as the hex string of its characters ("0a2021..."), saved in a checkpoint's
 * hparams.txt, and back. hex must hold 2 * 256 + 1 bytes. */
void rnn_vocab_to_hex(const charvocab *v, char *hex);
int rnn_vocab_from_hex(charvocab *v, const char *hex); /* CM_EFORMAT on a malformed string */

#endif
