/* gradcases.h: the numeric gradient checks of both VAEs with the noise fixed (gradcheck.h):
 * every entry of every parameter tensor, small sizes, high-entropy weights. Used by
 * `vae gradcheck` and tests/test_vae.c. */
#ifndef VAE_GRADCASES_H
#define VAE_GRADCASES_H

#include <stddef.h>

#include "gradcheck.h"

typedef enum { VAE_GC_GAUSS, VAE_GC_CAT, VAE_GC_COUNT } vae_gc_case;
#define VAE_GC_MAX_REPORTS 16

const char *vae_gc_case_name(vae_gc_case c);
const char *vae_gc_case_sizes(vae_gc_case c);
/* Runs one case; fills reps (one per tensor) and *n. Returns the number of failed tensors, or -1
 * on an error (message set). */
int vae_gradcheck_case(vae_gc_case c, unsigned long seed, gc_report *reps, size_t *n);

#endif
