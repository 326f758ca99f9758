/* gradcases.h: the numeric gradient checks of chapter 05, shared by `score-matching gradcheck`
 * and tests/test_score_matching.c: every objective (the second-order ones included) and every
 * parameter tensor, every entry, on a small model with high-entropy weights and fixed noise. */
#ifndef SCORE_GRADCASES_H
#define SCORE_GRADCASES_H

#include <stddef.h>

#include "gradcheck.h"

typedef enum {
    SCORE_GC_ESM,
    SCORE_GC_DSM,
    SCORE_GC_SSM,
    SCORE_GC_GAUSS,
    SCORE_GC_COUNT
} score_gc_case;

#define SCORE_GC_MAX_REPORTS 8

const char *score_gc_case_name(score_gc_case c);
/* Runs one check; fills reps (at most SCORE_GC_MAX_REPORTS) and *n. Returns the number of
 * failed tensors, or -1 if the check could not run (message set). */
int score_gradcheck_case(score_gc_case c, unsigned long seed, gc_report *reps, size_t *n);

#endif
