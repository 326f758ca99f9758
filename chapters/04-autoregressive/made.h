/* made.h: the masked autoencoder for distribution estimation (article: MADE; Germain et al.
 * 2015). An autoencoder x -> hidden layers -> logits, made autoregressive by zeroing weights:
 * every unit gets a degree, and a connection survives only where it cannot carry information
 * from a variable to a logit of a variable at or before it in the ordering.
 *     degrees: m^0(v) = pos[v] + 1 (1..D) for the inputs; m^l(j) drawn uniformly from
 *              {min_i m^{l-1}(i), ..., D - 1} for hidden layer l (so no unit is cut off), or,
 *              with the even connectivity, spread over that range in turn: lo + j mod (D - lo)
 *     hidden:  M^l[j, i] = 1[m^l(j) >= m^{l-1}(i)]      (torch.nn.Linear weight is out x in)
 *     output:  M^out[v, j] = 1[m^0(v) > m^L(j)]
 *     h^l = relu(h^{l-1} (W^l . M^l)^T + b^l),   z = h^L (W^out . M^out)^T + b^out
 * so that logit z_v depends only on inputs u with pos[u] < pos[v]: the autoregressive property.
 *
 * Several orderings (--orderings K): K sets of masks on the same weights (each its ordering and
 * its hidden degrees); training picks one at random per minibatch, and the test likelihood is
 * that of the mixture, p(x) = (1/K) sum_k p_k(x). Ordering 0 is the given one (raster order by
 * default), the others are random permutations; all come from mask_seed.
 * Parameters: sum over layers of in x out + out, which is 2DH + D + H with one hidden layer. */
#ifndef AR_MADE_H
#define AR_MADE_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "params.h"

#define AR_MADE_MAX_LAYERS 8 /* hidden layers */
#define AR_MADE_BLOCKS     4 /* blocks of units per layer in the products (see perm) */

/* How the hidden units get their degrees: drawn at random (the article's), or spread evenly. */
typedef enum { AR_CONN_RANDOM, AR_CONN_EVEN } ar_connectivity;

typedef struct {
    size_t D, L;                       /* variables, hidden layers */
    size_t hidden[AR_MADE_MAX_LAYERS]; /* H_1 .. H_L */
    size_t K;                          /* orderings */
    unsigned long mask_seed;
    ar_connectivity conn;
    size_t *orders;     /* (K, D) */
    size_t *pos;        /* (K, D) their inverses: m^0(v) = pos[v] + 1 */
    size_t *degrees;    /* (K, H_1 + ... + H_L) m^l(j) of the hidden units */
    gsl_matrix **masks; /* (K (L+1)): masks[k (L+1) + l] is layer l's (out_l, in_l) */
    params *p;          /* "layers.l.weight" (out_l, in_l), "layers.l.bias" (out_l) */
    int iW[AR_MADE_MAX_LAYERS + 1], ib[AR_MADE_MAX_LAYERS + 1];
    /* The passes work with every layer's units sorted by degree (the inputs by position in
     * the ordering, the hidden units by m^l): each mask is then a staircase, unit j' connected
     * to a prefix of the sorted inputs, and the products of a block of AR_MADE_BLOCKS
     * consecutive units skip the columns past the block's longest prefix, where W . M is 0. */
    size_t *perm;      /* (K, D + H_1 + ... + H_L) per ordering: the ordering, then each
                        * hidden layer's units by ascending degree */
    size_t *need;      /* (K, L+1, AR_MADE_BLOCKS) the prefix each block of layer l reads */
    size_t cap;        /* rows the workspace holds */
    size_t cur;        /* the ordering of the last forward pass */
    gsl_matrix **Wm;   /* (L+1) W^l . M^l of the current ordering, rows and columns sorted */
    gsl_matrix **gW;   /* (L+1) scratch for one layer's weight gradient (sorted) */
    gsl_matrix **act;  /* (L) h^l (cap, H_l), after the ReLU, columns sorted */
    gsl_matrix **dact; /* (L) dL/dh^l, columns sorted */
    gsl_matrix *Xp, *Zp, *dXp; /* (cap, D) X, Z or dZ, dX with columns in the ordering's order */
    double *bp;                /* (max layer width) one layer's bias, sorted */
} ar_made;

/* hidden: L sizes (1 <= L <= AR_MADE_MAX_LAYERS); K orderings; order0: ordering 0 (NULL: raster
 * order); conn: how hidden degrees are assigned. NULL on failure, message set (D < 2, a zero
 * size). */
ar_made *ar_made_alloc(size_t D, const size_t *hidden, size_t L, size_t K, const size_t *order0,
                       ar_connectivity conn, unsigned long mask_seed, size_t cap);
void ar_made_free(ar_made *m);
void ar_made_init(ar_made *m, gsl_rng *r);              /* torch.nn.Linear's default */
size_t ar_made_n_connected(const ar_made *m, size_t k); /* weights kept by ordering k's masks */

/* Builds the masks of ordering k from its ordering and hidden degrees (MADE's eq. for M^l and
 * M^out above). */
void ar_made_build_masks(ar_made *m, size_t k);

/* Z (B, D): the logits of every conditional under ordering k. */
void ar_made_forward(ar_made *m, const gsl_matrix *X, size_t k, gsl_matrix *Z);
/* Given dZ (B, D) and the X of the last forward: accumulates the gradients (masked by that
 * forward's ordering); dX (B, D) = dL/dX if not NULL. */
void ar_made_backward(ar_made *m, const gsl_matrix *X, const gsl_matrix *dZ, gsl_matrix *dX);

#endif
