/* gradcases.h: the numeric gradient checks of chapter 01: each cell type, one layer and
 * stacked, over several steps and streams, every parameter tensor and the initial states. */
#ifndef RNN_GRADCASES_H
#define RNN_GRADCASES_H

#include <stddef.h>

#include "gradcheck.h"
#include "rnn.h"

/* One case: a cell, a depth and a chunk; the loss is the mean cross-entropy of random targets
 * with some positions ignored (-1), from random non-zero initial states. */
typedef struct {
    rnn_cell cell;
    size_t layers;
} rnn_gc_case;

#define RNN_GC_V           7
#define RNN_GC_H           6
#define RNN_GC_T           6
#define RNN_GC_B           3
#define RNN_GC_MAX_REPORTS (4 * RNN_MAX_LAYERS + 4)

/* Runs one case: fills reps (one per tensor, then h0, then c0 for an LSTM), *n the count.
 * Returns the number of failed reports, or -1 on an error (message set). */
int rnn_gradcheck_case(rnn_gc_case gc, unsigned long seed, gc_report *reps, size_t *n);

#endif
