/* ordering.h: the order in which an autoregressive model generates the D variables.
 *
 * The chain rule holds in any order: p(x) = prod_d p(x_{o_d} | x_{o_1}, ..., x_{o_{d-1}}).
 * An ordering is a permutation o of 0..D-1: o[d] is the variable generated at step d; its
 * inverse pos[v] is the step at which variable v is generated (pos[o[d]] = d). The natural
 * ordering of an image is raster order, o[d] = d. */
#ifndef AR_ORDERING_H
#define AR_ORDERING_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

void ar_ordering_identity(size_t *o, size_t D);
/* A uniformly random permutation (gsl_ran_shuffle). */
void ar_ordering_random(gsl_rng *r, size_t *o, size_t D);
/* pos[o[d]] = d. */
void ar_ordering_inverse(const size_t *o, size_t D, size_t *pos);
/* CM_OK if o holds every one of 0..D-1 exactly once, else CM_EINVAL naming the first value
 * out of range or repeated, or the first one missing. */
int ar_ordering_check(const long *o, size_t n, size_t D);
/* Reads an ordering file: D integers separated by blanks, commas or newlines ('#' starts a
 * comment). CM_EIO if it cannot be read, CM_EFORMAT naming the file when it is not a
 * permutation of 0..D-1 (a word that is not an integer, too few or too many numbers, a repeat). */
int ar_ordering_read(const char *path, size_t D, size_t *o);
/* "identity" for raster order, else the numbers joined by commas into buf (CM_EINVAL if buf is
 * too short). ar_ordering_parse reads either form back (checked as ar_ordering_read does). */
int ar_ordering_format(const size_t *o, size_t D, char *buf, size_t len);
int ar_ordering_parse(const char *s, size_t D, size_t *o);

#endif
