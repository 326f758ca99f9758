/* hotrows.h: the rows of the most frequent words, kept by each training thread as its own copy.
 *
 * With two or more threads, word2vec updates the shared vectors without locks (Hogwild, Recht et
 * al. 2011): collisions are rare because most words are rare. Not so for the frequent words,
 * whose input and output rows both threads write hundreds of times a millisecond: each write
 * moves the row's cache lines (13 of them for 100 doubles) to the writer's core, and the two
 * cores spend much of their time passing those lines back and forth. Measured here: two threads
 * trained 0.6M words/s (and down to 0.3M on some runs), against 0.9M with no row shared.
 *
 * So each thread trains its own copies of the rows of the n most frequent words (both tables)
 * and every W2V_HOT_MERGE_WORDS words of its corpus, and at the end of each epoch, adds what it
 * learned on them since its last merge to the shared rows, under a lock:
 *
 *     shared += mine - base;   mine = base = shared
 *
 * where base is the shared rows as they were at its previous merge. No update is lost; what
 * changes is that a thread sees the other threads' updates of a frequent word up to a merge
 * interval late (as it sees rare words' updates a moment late under Hogwild). The other rows are
 * shared as before. One thread uses no copies: its vectors are the same, bit for bit, as without
 * this file. */
#ifndef W2V_HOTROWS_H
#define W2V_HOTROWS_H

#include <pthread.h>
#include <stddef.h>

#include "model.h"

/* words of its corpus a thread trains between two merges (gensim's job size is also 10,000) */
#define W2V_HOT_MERGE_WORDS 10000

typedef struct {
    w2v_model view;             /* what the thread trains: the model with its own hot rows */
    double *base_wv, *base_neg; /* the shared hot rows as at its last merge */
    pthread_mutex_t *lock;      /* one for all threads: a merge at a time */
} w2v_hot;

/* Sets up h->view as m with copies of the rows of its n most frequent words (n is capped at the
 * vocabulary size; 0 gives a plain view of m that owns nothing). CM_OK or CM_ENOMEM. */
int w2v_hot_init(w2v_hot *h, w2v_model *m, size_t n, pthread_mutex_t *lock);

/* shared += mine - base; mine = base = shared (both tables), under h->lock. */
void w2v_hot_merge(w2v_hot *h);

void w2v_hot_free(w2v_hot *h);

#endif
