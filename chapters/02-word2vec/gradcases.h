/* gradcases.h: the gradient-check cases of the two objectives (objective.h), used by
 * `word2vec gradcheck` and tests/test_word2vec.c: a small model (V = 12 words of made-up
 * counts, D = 7) with varied weights, one prediction per case. */
#ifndef W2V_GRADCASES_H
#define W2V_GRADCASES_H

#include <stddef.h>

#include "gradcheck.h"

typedef enum { W2V_GC_SG_NS, W2V_GC_SG_HS, W2V_GC_CBOW_NS, W2V_GC_CBOW_HS, W2V_GC_N } w2v_gc_case;

const char *w2v_gc_case_name(w2v_gc_case c);

/* Runs one case: the analytic gradient of objective.c against centred differences on every
 * entry of every tensor. reps holds 2 reports (wv.vectors, then syn1neg or syn1); *n gets
 * how many were filled. Returns the number of failed tensors, or -1 on an error. */
int w2v_gradcheck_case(w2v_gc_case c, gc_report *reps, size_t *n);

#endif
