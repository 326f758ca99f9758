/* gradcases.h: the numeric gradient check of each model (common/gradcheck.h): small sizes, so
 * that every entry of every parameter tensor is checked, high-entropy weights, a random
 * ordering, and inputs that are 0, 1 or in between (so that the x_{o_d} factors of NADE's
 * gradient are exercised with values other than 1). */
#ifndef AR_GRADCASES_H
#define AR_GRADCASES_H

#include <stddef.h>

#include "gradcheck.h"
#include "model.h"

#define AR_GC_MAX_REPORTS 2 * (AR_MADE_MAX_LAYERS + 1)

/* "B=5, D=7, H=6" and so on. */
const char *ar_gc_case_sizes(ar_kind k);
/* Runs the check of model kind k; fills reps (one per tensor) and *n_reps. Returns the number
 * of tensors that failed, or -1 on an error (message set). */
int ar_gradcheck_case(ar_kind k, unsigned long seed, gc_report *reps, size_t *n_reps);

#endif
