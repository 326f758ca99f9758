/* model.h: the three autoregressive models behind one interface: what training, evaluation,
 * sampling and the tests need of any of them. Each model maps a batch X (B, D) to the logits Z
 * (B, D) of its conditionals, z_v = logit p(x_v = 1 | the x before v in the ordering); the
 * chain rule then gives the exact log-likelihood as a sum of Bernoulli terms (bernoulli.h). */
#ifndef AR_MODEL_H
#define AR_MODEL_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "checkpoint.h"
#include "fvsbn.h"
#include "made.h"
#include "nade.h"
#include "params.h"

typedef enum { AR_FVSBN, AR_NADE, AR_MADE, AR_N_KINDS } ar_kind;

/* What a model is: everything needed to build it again (saved in a checkpoint's hparams). */
typedef struct {
    ar_kind kind;
    size_t D;
    size_t n_hidden;                   /* NADE: 1; MADE: 1..AR_MADE_MAX_LAYERS; FVSBN: 0 */
    size_t hidden[AR_MADE_MAX_LAYERS]; /* hidden sizes */
    size_t orderings;                  /* MADE: K (others 1) */
    unsigned long mask_seed;           /* MADE: draws orderings 1..K-1 and the degrees */
    ar_connectivity conn;              /* MADE: random (default) or even hidden degrees */
    const size_t *order;               /* (D) ordering 0, or NULL for raster order (not owned) */
} ar_spec;

typedef struct {
    ar_spec spec;
    size_t D, K, cap;
    size_t *order0; /* (D) ordering 0 (a copy) */
    ar_fvsbn *fvsbn;
    ar_nade *nade;
    ar_made *made;
    params *p;          /* the model's parameter block (owned by the model above) */
    gsl_matrix *Z, *dZ; /* (cap, D) logits and their gradient */
    double *lpk;        /* (cap * K) log p_k(x) of each row under each ordering */
} ar_model;

const char *ar_kind_name(ar_kind k); /* "fvsbn", "nade", "made" */

ar_model *ar_model_alloc(const ar_spec *s, size_t cap); /* NULL: message set */
void ar_model_free(ar_model *m);
void ar_model_init(ar_model *m, gsl_rng *r);
/* The article's count of free parameters: D(D+1)/2 (FVSBN), 2DH + D + H (NADE), and for MADE
 * the sum over its layers of in x out + out. */
size_t ar_model_n_formula(const ar_model *m);
/* One line: "NADE, D = 64, H = 64: 8320 parameters (article: 2DH + D + H = 8320)". */
void ar_model_describe(const ar_model *m, char *buf, size_t len);
const size_t *ar_model_order(const ar_model *m, size_t k); /* ordering k (k < K) */

/* Z (B, D), B <= cap: the logits of every conditional under ordering k. */
void ar_model_logits(ar_model *m, const gsl_matrix *X, size_t k, gsl_matrix *Z);
/* The exact log p(x) of every row of X (B <= cap): -sum of Bernoulli NLLs; for MADE with K
 * orderings that of the mixture, log((1/K) sum_k p_k(x)). */
void ar_model_logp(ar_model *m, const gsl_matrix *X, double *logp);
/* Zeroes the gradients, then: the mean over rows of -log p_k(x) under ordering k, and its
 * gradient in m->p->grad. */
double ar_model_loss_backward(ar_model *m, const gsl_matrix *X, size_t k);
/* The mean -log p(x) over all rows of X (any number), in chunks of cap rows. */
double ar_model_nll(ar_model *m, const gsl_matrix *X);

/* Ancestral sampling under ordering k: the variables o_1 .. o_{n_given} of each row of X
 * (B <= cap) are kept (the conditioning; 0 draws from p(x)), the rest are drawn one at a time,
 * x_{o_d} ~ Bernoulli(sigmoid(z_{o_d})) given everything before it. */
void ar_model_sample(ar_model *m, gsl_matrix *X, size_t n_given, size_t k, gsl_rng *r);

/* The spec as hparams ("model", "D", "hidden", "orderings", "mask_seed", "ordering",
 * "connectivity" (random or even; missing: random)), and
 * back (order_buf (D) receives the ordering; CM_EFORMAT naming the key on a bad value). */
int ar_spec_to_hparams(const ar_spec *s, hparams *h);
int ar_spec_from_hparams(const hparams *h, const char *dir, ar_spec *s, size_t *order_buf,
                         size_t max_D);
/* "256" or "128,128" into hidden (at most AR_MADE_MAX_LAYERS sizes from 1 to 100000). */
int ar_parse_hidden(const char *s, size_t *hidden, size_t *n);

#endif
