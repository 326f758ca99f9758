/* gradcases.h: the numeric gradient checks of every differentiable model and loss of chapter 00
 * (the perceptron's step function has no gradient, so it has none). Used by the `gradcheck`
 * subcommand and by tests/test_neuron.c. Each case builds a small model with high-entropy
 * weights (uniform in [-1.5, 1.5]), inputs (uniform in [-2, 2]) and random labels from the
 * seed, runs forward and backward once, and checks every entry of every parameter tensor and
 * of the input X against centered differences (common/gradcheck.h). */
#ifndef NEURON_GRADCASES_H
#define NEURON_GRADCASES_H

#include <stddef.h>

#include "gradcheck.h"

typedef enum {
    NEURON_GC_LOGISTIC,       /* linear (K = 1) + binary cross-entropy */
    NEURON_GC_SOFTMAX_CE,     /* softmax regression + cross-entropy */
    NEURON_GC_SOFTMAX_SMOOTH, /* softmax regression + 1 - smooth accuracy */
    NEURON_GC_MLP_CE,         /* MLP + cross-entropy */
    NEURON_GC_MLP_SMOOTH,     /* MLP + 1 - smooth accuracy */
    NEURON_GC_COUNT
} neuron_gc_case;

#define NEURON_GC_MAX_REPORTS 5 /* four tensors and the input */

const char *neuron_gc_case_name(neuron_gc_case c);
/* The sizes the case uses, as "B=5, D=4, K=1" (H as well for the MLP). */
const char *neuron_gc_case_sizes(neuron_gc_case c);

/* Runs one case: fills reps[0 .. *n_reps) (the tensors, then "input"). Returns the number of
 * failed reports, or -1 on an error (message set). */
int neuron_gradcheck_case(neuron_gc_case c, unsigned long seed, gc_report *reps, size_t *n_reps);

#endif
