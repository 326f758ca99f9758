/* sizes.h: size computations that cannot overflow, and what fits in this machine's memory.
 *
 * A size read from a file (a .npy header, a checkpoint's hparams.txt, a vectors file's first
 * line) or from the command line is multiplied into a byte count before anything is allocated.
 * An unchecked product wraps around silently: (2^32) * (2^32) * 8 bytes is 0 in size_t, and a
 * 0-byte allocation then "holds" 2^64 elements. These helpers refuse such a product, and a
 * product larger than the machine's physical memory, with a message naming what was asked:
 *
 *     size_t bytes;
 *     if (cm_size_bytes("the hidden states", T * B, H, sizeof(double), &bytes) != CM_OK) ...
 *         -> "the hidden states: 1000000 x 4096 elements of 8 bytes need 32.8 GB, more than
 *             this machine's memory (25.3 GB)"
 */
#ifndef CM_SIZES_H
#define CM_SIZES_H

#include <stddef.h>
#include <stdio.h>

/* a * b into *out; returns 1, or 0 (and leaves *out alone) when the product overflows size_t. */
int cm_size_mul(size_t a, size_t b, size_t *out);

/* The machine's physical memory in bytes (sysconf), or SIZE_MAX when it cannot be known.
 * The environment variable CM_MEM_LIMIT (bytes) overrides it, for tests. */
size_t cm_mem_limit(void);

/* n * m elements of elem bytes each: CM_OK and the byte count in *bytes (may be NULL), or
 * CM_ENOMEM with the message above when the product overflows or exceeds cm_mem_limit(). */
int cm_size_bytes(const char *what, size_t n, size_t m, size_t elem, size_t *bytes);

/* An open file that will be read whole: CM_OK when it is not a regular file (its size is not
 * known in advance) or fits in memory, CM_ENOMEM "<path>: N bytes, more than this machine's
 * memory (M bytes)" otherwise. *size (may be NULL) gets the size, or 0 when unknown. */
int cm_file_fits(const char *path, FILE *f, size_t *size);

#endif
