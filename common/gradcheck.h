/* gradcheck.h: the numeric gradient check (STYLE.md, 4; CS231n "Gradient checks").
 *
 * For each checked entry x_i of a tensor: numeric = (L(x_i + h) - L(x_i - h)) / 2h, in double,
 * compared with the analytic gradient by the relative error
 *     |a - n| / max(|a| + |n|, floor * max(1, |L(x)|))
 * The caller's loss function recomputes the loss from the current values (it must not touch
 * the gradient block). Stochastic losses: give the check a gsl_rng and a seed, and it re-seeds
 * that generator before every evaluation, so that L(x+h), L(x-h) and the analytic pass (which
 * the caller ran after gsl_rng_set(rng, noise_seed)) see the same noise.
 *
 * Tensors larger than max_per_tensor are checked on a random sample of that many entries
 * (never fewer than 50); smaller ones on every entry.
 *
 * The defaults, measured (a 5-7-4 tanh MLP with cross-entropy, weights scaled so that the loss
 * is 2.5, 7, 14 and 23 and some tanh units saturate):
 *   - h = 1e-5. The numeric derivative's error is about h^2 |L'''| / 6 (truncation) plus
 *     eps |L| / h (rounding of L); h ~ eps^(1/3) balances them. h = 1e-4 left 6e-8 .. 3e-7
 *     (truncation), h = 1e-6 left 2e-7 .. 2e-6 (rounding), h = 1e-5 the least.
 *   - floor = 1e-3, in units of the loss. The rounding noise of L(x+h) - L(x-h) is ~1e-11 |L|
 *     in absolute terms, so an entry whose gradient is itself tiny (a saturated unit: 6e-9)
 *     has a meaningless relative error: with an absolute floor of 1e-10 a *correct* gradient
 *     failed (2.5e-3 at L = 23). With floor 1e-3 max(1, |L|) the worst relative error of the
 *     correct gradient was 4e-9 .. 1.7e-8 at every loss scale. An entry below the floor is in
 *     effect checked on its absolute error, |a - n| <= tol * floor * max(1, |L|) = 1e-9 for an
 *     O(1) loss, far below any real bug; a wrong gradient (a factor, a sign, a missing term)
 *     shows as a relative error of 1e-3 .. 1.
 *   - tol = 1e-6, the project's threshold (CONVENTIONS.md, Tests). */
#ifndef CM_GRADCHECK_H
#define CM_GRADCHECK_H

#include <stdio.h>
#include <gsl/gsl_rng.h>
#include "params.h"

#define GC_DEFAULT_H     1e-5
#define GC_DEFAULT_FLOOR 1e-3
#define GC_DEFAULT_TOL   1e-6

typedef double (*gc_loss_fn)(void *ctx);

typedef struct {
    double h;                  /* step, default GC_DEFAULT_H = 1e-5 */
    double floor;              /* denominator floor, times max(1, |L|); default GC_DEFAULT_FLOOR */
    double tol;                /* a tensor fails when its worst error exceeds this, default 1e-6 */
    size_t max_per_tensor;     /* sample size for large tensors, default 400 (min 50) */
    unsigned long sample_seed; /* which entries are sampled */
    gsl_rng *noise_rng;        /* re-seeded with noise_seed before every loss (may be NULL) */
    unsigned long noise_seed;
} gc_options;

typedef struct {
    char name[PARAMS_NAME_LEN];
    size_t n_checked, n_total;
    size_t worst_index;       /* flat index of the worst entry within the tensor */
    double analytic, numeric; /* at the worst entry */
    double worst_rel_err;
    double max_abs_grad; /* largest |analytic| checked: 0 means the check proved nothing */
    int passed;          /* worst_rel_err <= tol and max_abs_grad > 0 */
} gc_report;

gc_options gc_default_options(void);

/* Checks one array x (n entries, named name) against its analytic gradient g. x is perturbed
 * and restored exactly. Fills *rep. Returns CM_OK (whether or not the check passed); opt NULL
 * means gc_default_options(). A NaN or infinite loss or gradient fails (rel err = inf). */
int gc_check_array(const char *name, double *x, const double *g, size_t n, gc_loss_fn loss,
                   void *ctx, const gc_options *opt, gc_report *rep);

/* Checks every tensor of p against p->grad (the caller has run forward and backward).
 * reps must hold p->n_tensors reports. Returns the number of failed tensors (0: all passed),
 * or -1 on an error (message set). */
int gc_check_params(params *p, gc_loss_fn loss, void *ctx, const gc_options *opt, gc_report *reps);

/* Prints a table, one row per report:  tensor  shape/checked  worst rel err  index  analytic
 * numeric  PASS/FAIL. Returns the number of failures. */
int gc_print_table(FILE *f, const gc_report *reps, size_t n);

#endif
