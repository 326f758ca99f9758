/* gradcheck.h: the numeric gradient check (STYLE.md, 4; CS231n "Gradient checks").
 *
 * For each checked entry x_i of a tensor: numeric = (L(x_i + h) - L(x_i - h)) / 2h, in double,
 * compared with the analytic gradient by the relative error
 *     |a - n| / max(|a| + |n|, floor)
 * The caller's loss function recomputes the loss from the current values (it must not touch
 * the gradient block). Stochastic losses: give the check a gsl_rng and a seed, and it re-seeds
 * that generator before every evaluation, so that L(x+h), L(x-h) and the analytic pass (which
 * the caller ran after gsl_rng_set(rng, noise_seed)) see the same noise.
 *
 * Tensors larger than max_per_tensor are checked on a random sample of that many entries
 * (never fewer than 50); smaller ones on every entry. */
#ifndef CM_GRADCHECK_H
#define CM_GRADCHECK_H

#include <stdio.h>
#include <gsl/gsl_rng.h>
#include "params.h"

typedef double (*gc_loss_fn)(void *ctx);

typedef struct {
    double h;              /* step, default 1e-5 */
    double floor;          /* denominator floor of the relative error, default 1e-10 */
    double tol;            /* a tensor fails when its worst error exceeds this, default 1e-6 */
    size_t max_per_tensor; /* sample size for large tensors, default 400 (min 50) */
    unsigned long sample_seed; /* which entries are sampled */
    gsl_rng *noise_rng;        /* re-seeded with noise_seed before every loss (may be NULL) */
    unsigned long noise_seed;
} gc_options;

typedef struct {
    char name[PARAMS_NAME_LEN];
    size_t n_checked, n_total;
    size_t worst_index;      /* flat index of the worst entry within the tensor */
    double analytic, numeric; /* at the worst entry */
    double worst_rel_err;
    double max_abs_grad;     /* largest |analytic| checked: 0 means the check proved nothing */
    int passed;              /* worst_rel_err <= tol and max_abs_grad > 0 */
} gc_report;

gc_options gc_default_options(void);

/* Checks one array x (n entries, named name) against its analytic gradient g. x is perturbed
 * and restored exactly. Fills *rep. Returns CM_OK (whether or not the check passed). */
int gc_check_array(const char *name, double *x, const double *g, size_t n, gc_loss_fn loss,
                   void *ctx, const gc_options *opt, gc_report *rep);

/* Checks every tensor of p against p->grad (the caller has run forward and backward).
 * reps must hold p->n_tensors reports. Returns the number of failed tensors (0: all passed),
 * or -1 on an error (message set). */
int gc_check_params(params *p, gc_loss_fn loss, void *ctx, const gc_options *opt,
                    gc_report *reps);

/* Prints a table, one row per report:  tensor  shape/checked  worst rel err  index  analytic
 * numeric  PASS/FAIL. Returns the number of failures. */
int gc_print_table(FILE *f, const gc_report *reps, size_t n);

#endif
